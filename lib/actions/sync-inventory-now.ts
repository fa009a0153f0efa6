'use server';

import { enqueueInventorySync, getJobClient } from '../../jobs/client';
import { recordAudit } from '../audit/record';
import { getPool } from '../db/pool';
import { getPrisma } from '../db/prisma';
import { inventoryKindForSource, isInventoryOnlyKind } from '../inventory/registry';
import { ActionError, type ActionState, formAction } from './safe-action';
import { SourceIdInputSchema } from './source-schemas';

const run = formAction({
  name: 'syncInventoryNow',
  schema: SourceIdInputSchema,
  revalidate: ['/sources'],
  audit: (input) => ({ action: 'source.sync_inventory', objectType: 'source', objectId: input?.id }),
  handler: async ({ id }, { actor }) => {
    const source = await getPrisma().billingSource.findUnique({
      where: { id },
      select: { name: true, kind: true, enabled: true, inventoryEnabled: true },
    });
    if (!source) throw new ActionError('This source no longer exists.');
    if (!inventoryKindForSource(source.kind)) throw new ActionError(`${source.name} cannot read inventory or metrics.`);
    if (!source.inventoryEnabled && !isInventoryOnlyKind(source.kind))
      throw new ActionError(`${source.name} does not have inventory and metrics turned on: turn it on in its settings.`);
    if (!source.enabled) throw new ActionError(`${source.name} is disabled: enable it to sync it.`);
    const jobId = await enqueueInventorySync(await getJobClient(), id, 'manual');
    if (jobId === null) throw new ActionError(`An inventory sync of ${source.name} is already queued, running or waiting to retry.`);
    // As for billing syncs: pg-boss queues on its own connection; the job id ties the audit line to it.
    await recordAudit(getPool(), { actor, action: 'source.sync_inventory', objectType: 'source', objectId: id, detail: { jobId } });
    return {
      message: `Inventory sync of ${source.name} queued; the worker starts it within seconds.`,
      data: { jobId },
      subject: `source ${id}`,
    };
  },
});

/** Enqueues an inventory and metrics sync now (the job the hourly scheduler sends; one per source at a time). */
export async function syncInventoryNow(prev: ActionState<{ jobId: string }>, form: FormData): Promise<ActionState<{ jobId: string }>> {
  return run(prev, form);
}
