// Syncs waiting in pg-boss, for a source's page. Apart from sources.ts so that listing sources
// needs no job client.
import { getJobClient, SYNC_SOURCE_QUEUE, SyncSourcePayload } from '../../jobs/client';

export interface PendingSync {
  jobId: string;
  trigger: SyncSourcePayload['trigger'];
  /** queued: waiting for a worker; retry: failed, waiting for its next attempt; active: a worker has it. */
  state: 'queued' | 'retry' | 'active';
  createdAt: Date;
  /** When it may start (the retry's backoff). */
  startAfter: Date;
  attempt: number;
}

/** Syncs of the source enqueued in pg-boss and not finished: what "Sync now" and the scheduler added. */
export async function getPendingSyncs(sourceId: number): Promise<PendingSync[]> {
  const boss = await getJobClient();
  const jobs = await boss.findJobs<unknown>(SYNC_SOURCE_QUEUE, { key: String(sourceId), limit: 50 });
  const out: PendingSync[] = [];
  for (const job of jobs) {
    if (job.state !== 'created' && job.state !== 'retry' && job.state !== 'active') continue;
    const payload = SyncSourcePayload.safeParse(job.data);
    out.push({
      jobId: job.id,
      trigger: payload.success ? payload.data.trigger : 'schedule',
      state: job.state === 'created' ? 'queued' : job.state,
      createdAt: job.createdOn,
      startAfter: job.startAfter,
      attempt: job.retryCount + 1,
    });
  }
  return out;
}
