import type { PgBoss, Queue, WorkOptions } from 'pg-boss';
import { z } from 'zod';
import { supersedeCostExplorerMonths } from '../lib/connectors/aws-cost-explorer';
import { CONNECTOR_KIND_IDS, connectorForSource, type StoredSource } from '../lib/connectors/registry';
import { syncSource } from '../lib/connectors/sync';
import { type Connector, ConnectorError } from '../lib/connectors/types';
import { getPool } from '../lib/db/pool';
import { getPrisma } from '../lib/db/prisma';
import { LOCKED_RUN_TABLES, reapDeadRuns } from '../lib/db/run-lock';
import { readEnv } from '../lib/env';
import { ensurePartitions } from '../lib/ingest/pipeline';
import { inventoryConnectorForSource, isInventoryOnlyKind } from '../lib/inventory/registry';
import { syncInventory } from '../lib/inventory/sync';
import type { InventoryConnector } from '../lib/inventory/types';
import { deliverMonthlyReport } from '../lib/mail/monthly-report';
import type { TransportOptions } from '../lib/mail/send';
import { applyMetricsRetention } from '../lib/metrics/retention';
import { refreshRecommendations } from '../lib/recommendations/refresh';
import {
  enqueueInventorySync,
  enqueueRecommendationsRefresh,
  enqueueSourceSync,
  RECOMMENDATIONS_QUEUE,
  RECOMMENDATIONS_QUEUE_OPTIONS,
  RecommendationsPayload,
  SYNC_INVENTORY_QUEUE,
  SYNC_INVENTORY_QUEUE_OPTIONS,
  SYNC_SOURCE_QUEUE,
  SYNC_SOURCE_QUEUE_OPTIONS,
  SyncInventoryPayload,
  SyncSourcePayload,
} from './client';
import { isSyncDue } from './schedule';

/** What a handler gets besides its payload. */
export interface JobContext {
  /** The pg-boss instance running the job, for jobs that enqueue others. */
  boss: PgBoss;
  log: (line: string) => void;
  /** Aborted when the job expires or the worker stops. */
  signal?: AbortSignal;
  /** 0 on the first attempt. */
  retryCount: number;
}

/** A scheduled or on-demand job: its queue name and options, optional cron (UTC), payload schema and handler. */
export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  cron?: string;
  description: string;
  payload: S;
  /** Queue policy, retries, expiry; default: 3 retries, 30 s backoff. */
  queue?: Omit<Queue, 'name'>;
  /** Worker options, e.g. how many jobs of this queue one worker runs at once. */
  work?: Pick<WorkOptions, 'localConcurrency' | 'pollingIntervalSeconds'>;
  /** A thrown error fails the attempt (pg-boss retries it); a returned value completes the job. */
  handler: (payload: z.infer<S>, ctx: JobContext) => Promise<unknown>;
}

function defineJob<S extends z.ZodType>(job: JobDefinition<S>): JobDefinition<S> {
  return job;
}

const DEFAULT_QUEUE: Omit<Queue, 'name'> = { retryLimit: 3, retryDelay: 30, retryBackoff: true };

/** Creates the job's queue if it does not exist (the web process sends to queues the worker may not have created yet). */
export async function ensureQueue(boss: PgBoss, job: JobDefinition): Promise<void> {
  await boss.createQueue(job.name, { ...DEFAULT_QUEUE, ...job.queue });
  // createQueue keeps an existing queue's options: a queue made before it had a heartbeat gets one.
  const heartbeatSeconds = job.queue?.heartbeatSeconds;
  if (heartbeatSeconds && !(await boss.getQueue(job.name))?.heartbeatSeconds) await boss.updateQueue(job.name, { heartbeatSeconds });
}

/**
 * Keeps month partitions ahead of the data: this month and the next exist before any ingest needs
 * them, and rows an ingest had to park in the default partition are moved to their own month.
 */
export const ensurePartitionsJob = defineJob({
  name: 'maintenance-partitions',
  cron: '17 0 * * *',
  description: 'create next month’s cost partition; move rows out of the default partition',
  payload: z.object({}).default({}),
  handler: async () => {
    const pool = getPool();
    const now = new Date();
    const months = [0, 1].map((k) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + k, 1)).toISOString().slice(0, 7));
    const { rows } = await pool.query<{ month: string }>(
      `SELECT DISTINCT to_char(charge_period_start AT TIME ZONE 'UTC', 'YYYY-MM') AS month FROM cost_line_items_default`,
    );
    await ensurePartitions(pool, [...months, ...rows.map((r) => r.month)]);
    return { months: [...months, ...rows.map((r) => r.month)] };
  },
});

/**
 * An ingest or a connector sync whose process died leaves its run 'running' (an ingest's
 * transaction was rolled back); its run lock went with its session, so it is marked failed here
 * within a minute (and at once by the ingest-status query behind the overview's banner and by the
 * sources page's queries).
 */
export const reapDeadRunsJob = defineJob({
  name: 'maintenance-stale-runs',
  cron: '* * * * *',
  description: 'mark ingest and sync runs whose process died as failed',
  payload: z.object({}).default({}),
  handler: async () => {
    const reaped: Record<string, number> = {};
    for (const table of LOCKED_RUN_TABLES) reaped[table] = (await reapDeadRuns(getPool(), table)).length;
    return { reaped };
  },
});

export interface MetricsRetentionJobOptions {
  now?: () => Date;
}

/**
 * Daily: raw metric samples older than BURNRATE_METRICS_RAW_DAYS (default 14) go, a day partition
 * at a time; hourly aggregates older than 13 months go.
 */
export function createMetricsRetentionJob(options: MetricsRetentionJobOptions = {}): JobDefinition {
  const now = options.now ?? (() => new Date());
  return defineJob({
    name: 'maintenance-metrics-retention',
    cron: '37 0 * * *',
    description: 'drop raw metric samples past the raw window and hourly aggregates past 13 months',
    payload: z.object({}).default({}),
    handler: async () => applyMetricsRetention(getPool(), { now: now(), rawDays: readEnv().BURNRATE_METRICS_RAW_DAYS }),
  });
}

export const metricsRetentionJob = createMetricsRetentionJob();

// ---------------------------------------------------------------------------------------------
// Connector syncs

export interface SyncSourceJobOptions {
  /** Builds the source's connector; default: the registry with the stored config and decrypted secret. */
  buildConnector?: (source: StoredSource) => Connector;
  queue?: Omit<Queue, 'name'>;
  work?: JobDefinition['work'];
}

/**
 * Loads the source, builds its connector and runs syncSource (which records the run). A failure
 * that retrying can fix (ConnectorError THROTTLED/NETWORK, or one marked retryable) is rethrown
 * so pg-boss retries it with backoff; any other failure is already recorded in sync_runs and the
 * job completes, because running it again would fail the same way.
 */
export function createSyncSourceJob(options: SyncSourceJobOptions = {}): JobDefinition<typeof SyncSourcePayload> {
  const build = options.buildConnector ?? connectorForSource;
  return defineJob({
    name: SYNC_SOURCE_QUEUE,
    description: 'sync one connector source: ingest its new and restated deliveries',
    payload: SyncSourcePayload,
    queue: options.queue ?? SYNC_SOURCE_QUEUE_OPTIONS,
    work: options.work ?? { localConcurrency: 2 },
    handler: async ({ sourceId, trigger }, ctx) => {
      const source = await getPrisma().billingSource.findUnique({
        where: { id: sourceId },
        select: { id: true, name: true, kind: true, config: true, enabled: true, secretCiphertext: true },
      });
      if (!source) return { skipped: 'the source was deleted' };
      if (!source.enabled) return { skipped: 'the source is disabled' };
      let connector: Connector;
      try {
        connector = build(source);
      } catch (error) {
        // Nothing ran, but the page must show why: record it like a failed sync.
        const message = error instanceof Error ? error.message : String(error);
        await recordFailedStart(sourceId, trigger, message);
        return { failed: message };
      }
      try {
        const result = await syncSource({ sourceId, sourceName: source.name, connector, trigger, signal: ctx.signal, log: ctx.log });
        // An export that now covers a month Cost Explorer filled in takes over that month.
        const superseded = result.ingested.length ? await supersedeCostExplorerMonths() : [];
        if (superseded.length) ctx.log(`superseded ${superseded.length} Cost Explorer month(s) now covered by exports`);
        // New bills: resources from them and recommendations priced on them.
        if (result.ingested.length) await enqueueRecommendationsRefresh(ctx.boss, 'billing');
        return {
          syncRunId: result.syncRunId,
          deliveriesSeen: result.deliveriesSeen,
          ingested: result.ingested.length,
          skipped: result.skipped,
        };
      } catch (error) {
        if (error instanceof ConnectorError && error.retryable) throw error;
        return { failed: error instanceof Error ? error.message : String(error) };
      }
    },
  });
}

async function recordFailedStart(sourceId: number, trigger: string, message: string): Promise<void> {
  const prisma = getPrisma();
  await prisma.$transaction([
    prisma.syncRun.create({ data: { sourceId, trigger, status: 'failed', finishedAt: new Date(), error: message } }),
    prisma.billingSource.update({
      where: { id: sourceId },
      data: { lastSyncAt: new Date(), lastSyncStatus: 'failed', consecutiveFailures: { increment: 1 } },
    }),
  ]);
}

export const syncSourceJob = createSyncSourceJob();

export interface ScheduleSyncsJobOptions {
  now?: () => Date;
}

/**
 * Every 10 minutes: enqueue a sync of each enabled connector source whose cron schedule fired since
 * its last sync. The schedules live in billing_sources (edited on the sources page), so there is no
 * per-source pg-boss schedule to keep in step with edits, disabling and deletion; a schedule missed
 * while no worker ran is made up at the next tick; and the sync queue's singleton policy turns a
 * source that is still syncing into a no-op.
 */
export function createScheduleSyncsJob(options: ScheduleSyncsJobOptions = {}): JobDefinition {
  const now = options.now ?? (() => new Date());
  return defineJob({
    name: 'schedule-source-syncs',
    cron: '*/10 * * * *',
    description: 'enqueue the connector sources whose sync schedule is due',
    payload: z.object({}).default({}),
    queue: { retryLimit: 1, retryDelay: 30, expireInSeconds: 300 },
    handler: async (_payload, ctx) => {
      const at = now();
      const sources = await getPrisma().billingSource.findMany({
        where: { enabled: true, kind: { in: CONNECTOR_KIND_IDS } },
        select: { id: true, schedule: true, lastSyncAt: true },
        orderBy: { id: 'asc' },
      });
      const due = sources.filter((s) => isSyncDue(s.schedule, s.lastSyncAt, at));
      const enqueued: number[] = [];
      for (const s of due) {
        if ((await enqueueSourceSync(ctx.boss, s.id, 'schedule')) !== null) enqueued.push(s.id);
      }
      return { sources: sources.length, due: due.map((s) => s.id), enqueued };
    },
  });
}

export const scheduleSyncsJob = createScheduleSyncsJob();

// ---------------------------------------------------------------------------------------------
// Inventory and metrics syncs (issue 9)

/**
 * THE hook after a successful inventory sync: recommendations read the resources and metrics it
 * just wrote, so a recompute is queued (one at most waits: see RECOMMENDATIONS_QUEUE_OPTIONS).
 */
export async function afterInventorySync(boss: PgBoss, sourceId: number, log: (line: string) => void): Promise<void> {
  if ((await enqueueRecommendationsRefresh(boss, 'metrics')) !== null) log(`inventory sync of source ${sourceId}: recommendations queued`);
}

export interface SyncInventoryJobOptions {
  /** Builds the source's inventory connector; default: the inventory registry with the stored settings and decrypted secret. */
  buildConnector?: (source: {
    name: string;
    kind: string;
    inventoryEnabled: boolean;
    inventoryConfig: unknown;
    secretCiphertext: string | null;
  }) => InventoryConnector;
  queue?: Omit<Queue, 'name'>;
}

/**
 * Loads the source, builds its inventory connector and runs syncInventory (which records the run
 * in inventory_runs). As for billing syncs, only throttling and network failures are rethrown for
 * pg-boss to retry; any other failure is recorded and completes the job.
 */
export function createSyncInventoryJob(options: SyncInventoryJobOptions = {}): JobDefinition<typeof SyncInventoryPayload> {
  const build = options.buildConnector ?? ((source) => inventoryConnectorForSource(source).connector);
  return defineJob({
    name: SYNC_INVENTORY_QUEUE,
    description: 'sync the inventory and metrics of one source',
    payload: SyncInventoryPayload,
    queue: options.queue ?? SYNC_INVENTORY_QUEUE_OPTIONS,
    work: { localConcurrency: 2 },
    handler: async ({ sourceId, trigger }, ctx) => {
      const source = await getPrisma().billingSource.findUnique({
        where: { id: sourceId },
        select: { id: true, name: true, kind: true, enabled: true, inventoryEnabled: true, inventoryConfig: true, secretCiphertext: true },
      });
      if (!source) return { skipped: 'the source was deleted' };
      if (!source.enabled) return { skipped: 'the source is disabled' };
      if (!source.inventoryEnabled && !isInventoryOnlyKind(source.kind)) return { skipped: 'inventory is turned off for the source' };
      let connector: InventoryConnector;
      try {
        connector = build(source);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await getPrisma().inventoryRun.create({ data: { sourceId, trigger, status: 'failed', finishedAt: new Date(), error: message } });
        return { failed: message };
      }
      try {
        const result = await syncInventory({ sourceId, sourceName: source.name, connector, trigger, signal: ctx.signal, log: ctx.log });
        await afterInventorySync(ctx.boss, sourceId, ctx.log);
        return {
          runId: result.runId,
          resourcesListed: result.resourcesListed,
          resourcesGone: result.resourcesGone,
          series: result.series,
          samples: result.samples,
        };
      } catch (error) {
        if (error instanceof ConnectorError && error.retryable) throw error;
        return { failed: error instanceof Error ? error.message : String(error) };
      }
    },
  });
}

export const syncInventoryJob = createSyncInventoryJob();

/**
 * Every hour: enqueue an inventory sync of each enabled source with inventory on (inventory-only
 * sources always have it). The queue's singleton policy turns a source still syncing into a no-op.
 */
export const scheduleInventorySyncsJob = defineJob({
  name: 'schedule-inventory-syncs',
  cron: '7 * * * *',
  description: 'enqueue an inventory and metrics sync of every source that has it on',
  payload: z.object({}).default({}),
  queue: { retryLimit: 1, retryDelay: 30, expireInSeconds: 300 },
  handler: async (_payload, ctx) => {
    const sources = await getPrisma().billingSource.findMany({
      where: { enabled: true, inventoryEnabled: true },
      select: { id: true },
      orderBy: { id: 'asc' },
    });
    const enqueued: number[] = [];
    for (const s of sources) {
      if ((await enqueueInventorySync(ctx.boss, s.id, 'schedule')) !== null) enqueued.push(s.id);
    }
    return { sources: sources.length, enqueued };
  },
});

/**
 * Recomputes the recommendations: resources from the bills, then every rule (lib/recommendations/
 * refresh.ts). Sent after each billing ingest (the sync job above) and each metrics sync
 * (enqueueRecommendationsRefresh in jobs/client.ts), and nightly so that snoozes end on their
 * date and windows move on without new data.
 */
export const recommendationsJob = defineJob({
  name: RECOMMENDATIONS_QUEUE,
  cron: '40 0 * * *',
  description: 'derive resources from the bills and recompute every recommendation',
  payload: RecommendationsPayload,
  queue: RECOMMENDATIONS_QUEUE_OPTIONS,
  handler: async ({ trigger }, ctx) => {
    const { resources, recommendations: s } = await refreshRecommendations(getPool());
    for (const w of s.warnings) ctx.log(`recommendations: ${w}`);
    return {
      trigger,
      billedResources: resources.resources,
      created: s.created,
      updated: s.updated,
      reopened: s.reopened,
      resolved: s.resolved,
      snoozesEnded: s.snoozesEnded,
      failedRules: s.rules.filter((r) => r.error !== null).map((r) => r.id),
      durationMs: s.durationMs,
    };
  },
});

export interface MonthlyReportJobOptions {
  now?: () => Date;
  /** Extra trust for the SMTP connection (the tests' loopback server). */
  transport?: TransportOptions;
}

/**
 * Daily: the previous month's report (PDF and XLSX) emailed once to the report recipients on
 * /settings/email, on the first run that finds the month's data complete (lib/mail/monthly-report.ts
 * says what complete means). A failed send is recorded on its report_deliveries row and completes
 * the job: the next day's run tries again. pg-boss retries only what threw (the database).
 */
export function createMonthlyReportJob(options: MonthlyReportJobOptions = {}): JobDefinition {
  const now = options.now ?? (() => new Date());
  return defineJob({
    name: 'report-monthly-email',
    cron: '15 6 * * *',
    description: 'email the previous month’s PDF and XLSX report once, when its data is complete',
    payload: z.object({}).default({}),
    queue: { retryLimit: 2, retryDelay: 300, expireInSeconds: 1800 },
    handler: async (_payload, ctx) => {
      const result = await deliverMonthlyReport({ now: now(), transport: options.transport });
      if (result.outcome === 'failed') ctx.log(`monthly report for ${result.month} not sent (tried again tomorrow): ${result.error}`);
      return result;
    },
  });
}

export const monthlyReportJob = createMonthlyReportJob();

export const JOBS: readonly JobDefinition[] = [
  ensurePartitionsJob,
  reapDeadRunsJob,
  metricsRetentionJob,
  syncSourceJob,
  scheduleSyncsJob,
  syncInventoryJob,
  scheduleInventorySyncsJob,
  recommendationsJob,
  monthlyReportJob,
];
