'use server';

import { z } from 'zod';
import { recordAudit } from '../audit/record';
import { withTransaction } from '../db/pool';
import { deleteView } from '../explorer/saved-views';
import { ActionError, formAction } from './safe-action';

/** /explorer: deletes a saved view; its owner may, and an admin may delete a shared one. */
const run = formAction({
  name: 'deleteExplorerView',
  schema: z.object({ id: z.string().regex(/^\d{1,18}$/, 'not a view id') }),
  audit: (input) => ({ action: 'explorer.view.delete', objectType: 'saved_view', objectId: input?.id }),
  revalidate: ['/explorer'],
  handler: async ({ id }, { actor }) => {
    if (actor.kind !== 'user') throw new ActionError('Only a signed-in user can delete a view.');
    const deleted = await withTransaction(async (client) => {
      const d = await deleteView(client, id, { userId: actor.userId, admin: actor.role === 'admin' });
      if (!d) throw new ActionError('There is no such view of yours (it may have been deleted already).');
      await recordAudit(client, {
        actor,
        action: 'explorer.view.delete',
        objectType: 'saved_view',
        objectId: id,
        before: { name: d.name, owner: d.ownerId },
      });
      return d;
    });
    return { message: `Deleted “${deleted.name}”.`, data: null, subject: `saved view ${id}` };
  },
});

export async function deleteExplorerView(...args: Parameters<typeof run>) {
  return run(...args);
}
