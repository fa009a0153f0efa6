'use server';

import { withTransaction } from '../db/pool';
import { ActionError, type ActionState, formAction } from './safe-action';
import { SourceIdInputSchema } from './source-schemas';

// The ingest pipeline's per-source lock (lib/ingest/pipeline.ts): a delete waits for a running ingest instead of racing it.
const INGEST_LOCK_CLASS = 0x6275726e;

const run = formAction({
  name: 'deleteSource',
  schema: SourceIdInputSchema,
  revalidate: ['/sources', '/'],
  redirect: () => '/sources',
  handler: async ({ id }) => {
    const name = await withTransaction(async (client) => {
      const { rows } = await client.query<{ name: string }>('SELECT name FROM billing_sources WHERE id = $1 FOR UPDATE', [id]);
      const found = rows[0];
      if (!found) throw new ActionError('This source no longer exists.');
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [INGEST_LOCK_CLASS, id]);
      // Line items have no foreign key (the table is partitioned); everything else cascades.
      await client.query('DELETE FROM cost_line_items WHERE source_id = $1', [id]);
      await client.query('DELETE FROM billing_sources WHERE id = $1', [id]);
      return found.name;
    });
    return { message: `Deleted ${name} and its cost data.`, data: null, subject: `source ${id}` };
  },
});

/** Deletes a source with its cost data, runs and stored credentials. */
export async function deleteSource(prev: ActionState, form: FormData): Promise<ActionState> {
  return run(prev, form);
}
