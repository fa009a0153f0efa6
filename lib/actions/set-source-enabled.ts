'use server';

import { recordAudit } from '../audit/record';
import { connectorKind } from '../connectors/registry';
import { withTransaction } from '../db/pool';
import { isInventoryOnlyKind } from '../inventory/registry';
import { ActionError, type ActionState, formAction } from './safe-action';
import { SetSourceEnabledSchema } from './source-schemas';

const run = formAction({
  name: 'setSourceEnabled',
  schema: SetSourceEnabledSchema,
  revalidate: ['/sources'],
  audit: (input) => ({
    action: input === undefined ? 'source.set_enabled' : input.enabled ? 'source.enable' : 'source.disable',
    objectType: 'source',
    objectId: input?.id,
  }),
  handler: async ({ id, enabled }, { actor }) => {
    const name = await withTransaction(async (client) => {
      const { rows } = await client.query<{ name: string; kind: string; enabled: boolean }>(
        'SELECT name, kind, enabled FROM billing_sources WHERE id = $1 FOR UPDATE',
        [id],
      );
      const source = rows[0];
      if (!source) throw new ActionError('This source no longer exists.');
      if (!connectorKind(source.kind) && !isInventoryOnlyKind(source.kind))
        throw new ActionError(`${source.name} is a file source: it is never synced, so there is nothing to enable or disable.`);
      await client.query('UPDATE billing_sources SET enabled = $1, updated_at = now() WHERE id = $2', [enabled, id]);
      await recordAudit(client, {
        actor,
        action: enabled ? 'source.enable' : 'source.disable',
        objectType: 'source',
        objectId: id,
        before: { enabled: source.enabled },
        after: { enabled },
      });
      return source.name;
    });
    return {
      message: enabled ? `Enabled ${name}: it syncs on its schedule again.` : `Disabled ${name}: it is not synced until enabled again.`,
      data: null,
      subject: `source ${id}`,
    };
  },
});

/** Enables or disables a connector source's scheduled (and manual) syncs. */
export async function setSourceEnabled(prev: ActionState, form: FormData): Promise<ActionState> {
  return run(prev, form);
}
