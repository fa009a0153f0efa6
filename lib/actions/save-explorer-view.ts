'use server';

import { recordAudit } from '../audit/record';
import { withTransaction } from '../db/pool';
import { SavedViewInputSchema, saveView } from '../explorer/saved-views';
import { ActionError, formAction } from './safe-action';

/** /explorer: saves the current view under a name, private or shared with everyone signed in. */
const run = formAction({
  name: 'saveExplorerView',
  schema: SavedViewInputSchema,
  fromForm: (form) => ({ name: form.get('name'), search: form.get('search'), shared: form.get('shared') === 'on' }),
  audit: () => ({ action: 'explorer.view.save', objectType: 'saved_view' }),
  revalidate: ['/explorer'],
  handler: async (input, { actor }) => {
    if (actor.kind !== 'user') throw new ActionError('Only a signed-in user can save a view.');
    const saved = await withTransaction(async (client) => {
      const r = await saveView(client, actor.userId, input);
      await recordAudit(client, {
        actor,
        action: 'explorer.view.save',
        objectType: 'saved_view',
        objectId: r.id,
        after: { name: input.name, search: input.search, shared: input.shared },
        detail: { replaced: r.replaced },
      });
      return r;
    });
    return {
      message: `${saved.replaced ? 'Updated' : 'Saved'} “${input.name}”${input.shared ? ', shared with the team' : ''}.`,
      data: { id: saved.id },
      subject: `saved view ${saved.id}`,
    };
  },
});

export async function saveExplorerView(...args: Parameters<typeof run>) {
  return run(...args);
}
