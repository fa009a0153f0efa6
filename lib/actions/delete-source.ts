'use server';

import { recordAudit } from '../audit/record';
import { bumpDataVersion } from '../cache/data-version';
import { withTransaction } from '../db/pool';
import { lockSourceForIngest } from '../ingest/replace';
import { ActionError, type ActionState, formAction } from './safe-action';
import { SOURCE_AUDIT_COLUMNS, type SourceAuditRow, sourceAuditView } from './source-audit';
import { SourceIdInputSchema } from './source-schemas';

const run = formAction({
  name: 'deleteSource',
  schema: SourceIdInputSchema,
  revalidate: ['/sources', '/'],
  redirect: () => '/sources',
  audit: (input) => ({ action: 'source.delete', objectType: 'source', objectId: input?.id }),
  handler: async ({ id }, { actor }) => {
    const name = await withTransaction(async (client) => {
      const { rows } = await client.query<SourceAuditRow>(`SELECT ${SOURCE_AUDIT_COLUMNS} FROM billing_sources WHERE id = $1 FOR UPDATE`, [
        id,
      ]);
      const found = rows[0];
      if (!found) throw new ActionError('This source no longer exists.');
      // A delete waits for a running ingest of the source instead of racing it.
      await lockSourceForIngest(client, id);
      // Line items have no foreign key (the table is partitioned); everything else cascades.
      const items = await client.query('DELETE FROM cost_line_items WHERE source_id = $1', [id]);
      await client.query('DELETE FROM billing_sources WHERE id = $1', [id]);
      await recordAudit(client, {
        actor,
        action: 'source.delete',
        objectType: 'source',
        objectId: id,
        before: sourceAuditView(found),
        detail: { lineItemsDeleted: items.rowCount ?? 0 },
      });
      await bumpDataVersion(client, 'source deleted');
      return found.name;
    });
    return { message: `Deleted ${name} and its cost data.`, data: null, subject: `source ${id}` };
  },
});

/** Deletes a source with its cost data, runs and stored credentials. */
export async function deleteSource(prev: ActionState, form: FormData): Promise<ActionState> {
  return run(prev, form);
}
