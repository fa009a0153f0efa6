'use server';

import { enqueueSourceSync, getJobClient } from '../../jobs/client';
import { recordAudit } from '../audit/record';
import { connectorKind } from '../connectors/registry';
import { getPool } from '../db/pool';
import { getPrisma } from '../db/prisma';
import { ActionError, type ActionState, formAction } from './safe-action';
import { SourceIdInputSchema } from './source-schemas';

const run = formAction({
  name: 'syncSourceNow',
  schema: SourceIdInputSchema,
  revalidate: ['/sources'],
  audit: (input) => ({ action: 'source.sync', objectType: 'source', objectId: input?.id }),
  handler: async ({ id }, { actor }) => {
    const source = await getPrisma().billingSource.findUnique({ where: { id }, select: { name: true, kind: true, enabled: true } });
    if (!source) throw new ActionError('This source no longer exists.');
    if (!connectorKind(source.kind)) throw new ActionError(`${source.name} is a file source: load its files with npm run ingest.`);
    if (!source.enabled) throw new ActionError(`${source.name} is disabled: enable it to sync it.`);
    const jobId = await enqueueSourceSync(await getJobClient(), id, 'manual');
    if (jobId === null) throw new ActionError(`A sync of ${source.name} is already queued, running or waiting to retry.`);
    // pg-boss queues the job on its own connection, so this line follows the queueing instead of
    // sharing its transaction; the job id ties the two together.
    await recordAudit(getPool(), { actor, action: 'source.sync', objectType: 'source', objectId: id, detail: { jobId } });
    return { message: `Sync of ${source.name} queued; the worker starts it within seconds.`, data: { jobId }, subject: `source ${id}` };
  },
});

/** Enqueues a manual sync (the same job the scheduler sends; one per source at a time). */
export async function syncSourceNow(prev: ActionState<{ jobId: string }>, form: FormData): Promise<ActionState<{ jobId: string }>> {
  return run(prev, form);
}
