/**
 * Sending jobs from processes that run none (the web server, scripts): the sync queue's name,
 * payload and options, and a pg-boss client that only sends and reads. Apart from definitions.ts
 * (the handlers, which import every connector and its cloud SDK) and worker.ts (the worker's entry
 * point), so that the web bundle and the sources page pull in neither.
 */
import { PgBoss, type Queue, type SendOptions } from 'pg-boss';
import { z } from 'zod';
import { requireDatabaseUrl } from '../lib/env';

export const PGBOSS_SCHEMA = 'pgboss';

export const SYNC_SOURCE_QUEUE = 'sync-source';

export const SyncSourcePayload = z.object({
  sourceId: z.number().int().positive(),
  trigger: z.enum(['schedule', 'manual']).default('schedule'),
});
export type SyncSourcePayload = z.infer<typeof SyncSourcePayload>;

/**
 * `exclusive` with the source id as singletonKey: at most one sync-source job per source is queued,
 * running or waiting to retry, so two syncs never ingest the same source at once (and a "Sync now"
 * while one is pending is refused instead of piling up). Different sources sync in parallel.
 * Retries are for throttling and network failures only (see the handler), and for a job whose
 * worker died (its heartbeat stopped); they back off from one minute to half an hour.
 */
export const SYNC_SOURCE_QUEUE_OPTIONS: Omit<Queue, 'name'> = {
  policy: 'exclusive',
  retryLimit: 3,
  retryDelay: 60,
  retryBackoff: true,
  retryDelayMax: 1800,
  // A first sync of a large account downloads and ingests months of data.
  expireInSeconds: 4 * 3600,
  // The worker's heartbeat (every 30 s while the handler runs) keeps the job active; a worker that
  // was killed stops it, and the supervisor fails the job (to be retried) within about two minutes,
  // instead of it holding the source's exclusive slot ("starting", Sync now refused) until expiry.
  heartbeatSeconds: 60,
};

/**
 * Enqueues a sync of one source. Returns the job id, or null when a sync of the source is already
 * queued, running or waiting to retry.
 */
export async function enqueueSourceSync(boss: PgBoss, sourceId: number, trigger: SyncSourcePayload['trigger']): Promise<string | null> {
  const options: SendOptions = { singletonKey: String(sourceId) };
  return boss.send(SYNC_SOURCE_QUEUE, { sourceId, trigger }, options);
}

/** One inventory and metrics sync of a source (lib/inventory/sync.ts); same singleton rule as billing syncs. */
export const SYNC_INVENTORY_QUEUE = 'sync-inventory';

export const SyncInventoryPayload = SyncSourcePayload;
export type SyncInventoryPayload = SyncSourcePayload;

export const SYNC_INVENTORY_QUEUE_OPTIONS: Omit<Queue, 'name'> = {
  ...SYNC_SOURCE_QUEUE_OPTIONS,
  // A first sync reads 14 days of metrics; later ones an hour.
  expireInSeconds: 3600,
};

/** Enqueues an inventory sync of one source; null when one is already queued, running or waiting to retry. */
export async function enqueueInventorySync(
  boss: PgBoss,
  sourceId: number,
  trigger: SyncInventoryPayload['trigger'],
): Promise<string | null> {
  return boss.send(SYNC_INVENTORY_QUEUE, { sourceId, trigger }, { singletonKey: String(sourceId) });
}

export const RECOMMENDATIONS_QUEUE = 'recommendations-refresh';

export const RecommendationsPayload = z.object({
  /** What called for it: a billing ingest, a metrics sync or import, the nightly schedule, a person. */
  trigger: z.enum(['billing', 'metrics', 'schedule', 'manual']).default('schedule'),
});
export type RecommendationsPayload = z.infer<typeof RecommendationsPayload>;

/**
 * `stately`: at most one refresh queued and one running. A burst of ingests and syncs collapses
 * into one more refresh after the running one, which sees all of their data.
 */
export const RECOMMENDATIONS_QUEUE_OPTIONS: Omit<Queue, 'name'> = {
  policy: 'stately',
  retryLimit: 2,
  retryDelay: 60,
  retryBackoff: true,
  expireInSeconds: 3600,
};

/**
 * Asks for the recommendations to be recomputed (resources from the bills, then every rule): call
 * it when a billing ingest or a metrics sync completes. Null when one is already queued.
 */
export async function enqueueRecommendationsRefresh(boss: PgBoss, trigger: RecommendationsPayload['trigger']): Promise<string | null> {
  // The caller may be a process whose worker never created this queue (a test's, a script's).
  await boss.createQueue(RECOMMENDATIONS_QUEUE, RECOMMENDATIONS_QUEUE_OPTIONS);
  return boss.send(RECOMMENDATIONS_QUEUE, { trigger });
}

/**
 * For a process that runs no worker and keeps no job client (`npm run ingest`): queues a refresh
 * for the worker through a short-lived pg-boss client. Null when one is already queued.
 */
export async function requestRecommendationsRefresh(trigger: RecommendationsPayload['trigger']): Promise<string | null> {
  const boss = new PgBoss({
    connectionString: requireDatabaseUrl(),
    schema: PGBOSS_SCHEMA,
    application_name: 'burnrate-cli',
    supervise: false,
    schedule: false,
    max: 1,
  });
  // start() and send() reject on their own failures, which the caller reports; an 'error' event
  // needs a listener, or it would end the process.
  boss.on('error', () => {});
  await boss.start();
  try {
    return await enqueueRecommendationsRefresh(boss, trigger);
  } finally {
    await boss.stop({ graceful: false });
  }
}

const globalForJobs = globalThis as unknown as { burnrateJobClient?: Promise<PgBoss>; burnrateJobClientUrl?: string };

/**
 * A pg-boss instance that only sends and reads jobs, for processes that run none (the web server's
 * "Sync now" and the sources page's view of pending syncs). It starts once per process, creates
 * the pg-boss schema and the queues if no worker has yet, and never supervises or schedules.
 */
export function getJobClient(): Promise<PgBoss> {
  const url = requireDatabaseUrl();
  if (!globalForJobs.burnrateJobClient || globalForJobs.burnrateJobClientUrl !== url) {
    const starting = (async () => {
      const boss = new PgBoss({
        connectionString: url,
        schema: PGBOSS_SCHEMA,
        application_name: 'burnrate-web',
        supervise: false,
        schedule: false,
        max: 2,
      });
      boss.on('error', (error: Error) => console.error(`[burnrate] job client error: ${error.message}`));
      await boss.start();
      // The queues it sends to; the worker creates the others (same options: definitions.ts uses these).
      await boss.createQueue(SYNC_SOURCE_QUEUE, SYNC_SOURCE_QUEUE_OPTIONS);
      await boss.createQueue(SYNC_INVENTORY_QUEUE, SYNC_INVENTORY_QUEUE_OPTIONS);
      return boss;
    })();
    // A failed start (database down) is not cached: the next call tries again.
    starting.catch(() => {
      if (globalForJobs.burnrateJobClient === starting) globalForJobs.burnrateJobClient = undefined;
    });
    globalForJobs.burnrateJobClient = starting;
    globalForJobs.burnrateJobClientUrl = url;
  }
  return globalForJobs.burnrateJobClient;
}

export async function closeJobClient(): Promise<void> {
  const client = globalForJobs.burnrateJobClient;
  globalForJobs.burnrateJobClient = undefined;
  globalForJobs.burnrateJobClientUrl = undefined;
  if (client) await (await client.catch(() => null))?.stop({ graceful: false });
}
