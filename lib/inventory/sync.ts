import { isNetworkFailure, unreachableEndpoint } from '../connectors/messages';
import { getPool, withTransaction } from '../db/pool';
import { openLockedRun } from '../db/run-lock';
import { importSamples } from '../metrics/store';
import { markGone, upsertResources } from '../resources/store';
import type { InventoryConnector, InventoryScope, MetricsWindow, ResourceRecord } from './types';

/** The first sync of a source reads this much history (CloudWatch keeps 1-minute data for 15 days). */
export const FIRST_SYNC_LOOKBACK_DAYS = 14;
/** Seconds between the points asked of the metrics APIs (CloudWatch's basic monitoring period). */
export const DEFAULT_STEP_SECONDS = 300;

export interface InventorySyncResult {
  runId: string;
  resourcesListed: number;
  resourcesGone: number;
  series: number;
  samples: number;
  /** Null when the window was empty (a second sync within one step of the last). */
  window: MetricsWindow | null;
}

/**
 * The metrics window of the next sync of a source: from the end of its last successful run's
 * window (the first: FIRST_SYNC_LOOKBACK_DAYS back) to now, both on the step grid, so consecutive
 * runs neither skip nor refetch a point. Null when less than one step has passed.
 */
export async function nextMetricsWindow(sourceId: number, now: Date, stepSeconds: number): Promise<MetricsWindow | null> {
  const { rows } = await getPool().query<{ end: Date | null }>(
    `SELECT max(metrics_end) AS end FROM inventory_runs WHERE source_id = $1 AND status = 'succeeded'`,
    [sourceId],
  );
  const stepMs = stepSeconds * 1000;
  const end = new Date(Math.floor(now.getTime() / stepMs) * stepMs);
  const start = rows[0]?.end ?? new Date(end.getTime() - FIRST_SYNC_LOOKBACK_DAYS * 86_400_000);
  if (start.getTime() >= end.getTime()) return null;
  return { start, end, stepSeconds };
}

/**
 * Syncs the inventory and metrics of one source in one transaction: lists every resource
 * (upserted with origin 'inventory'), marks gone what the listed scope no longer has, fetches the
 * listed resources' metrics over the window since the last successful sync and imports them
 * (lib/metrics/store.ts: a re-fetched point replaces, never adds). A failure anywhere stores
 * nothing: the run is recorded failed with the error and the next sync fetches the same window.
 * The run holds its run lock (lib/db/run-lock.ts) until its status is final.
 */
export async function syncInventory(args: {
  sourceId: number;
  sourceName: string;
  connector: InventoryConnector;
  trigger?: 'schedule' | 'manual';
  /** The clock (tests); default: now. */
  now?: Date;
  stepSeconds?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
}): Promise<InventorySyncResult> {
  const { sourceId, sourceName, connector, signal } = args;
  const log = args.log ?? (() => {});
  const pool = getPool();
  const run = await openLockedRun(pool, 'inventory_runs', { source_id: sourceId, trigger: args.trigger ?? 'schedule' });
  const runId = run.id;
  try {
    const listedAt = args.now ?? new Date();
    const window = await nextMetricsWindow(sourceId, listedAt, args.stepSeconds ?? DEFAULT_STEP_SECONDS);
    const result = await withTransaction(async (client) => {
      const records: ResourceRecord[] = [];
      for await (const record of connector.listResources(signal)) records.push(record);
      await upsertResources(client, records, { origin: 'inventory', seenAt: listedAt });
      let gone = 0;
      for (const [provider, accountIds] of scopeByProvider(records, connector.listedScope?.())) {
        gone += await markGone(client, { provider, accountIds, listedBefore: listedAt });
      }
      log(`${sourceName}: ${records.length} resources listed, ${gone} gone`);
      if (!window) return { listed: records.length, gone, series: 0, samples: 0 };
      const summary = await importSamples(client, connector.fetchMetrics(records, window, signal), { label: `${sourceName} (metrics)` });
      log(
        `${sourceName}: ${summary.samples} samples of ${summary.series} series from ${window.start.toISOString()} to ${window.end.toISOString()}`,
      );
      return { listed: records.length, gone, series: summary.series, samples: summary.samples };
    });
    await pool.query(
      `UPDATE inventory_runs SET status = 'succeeded', finished_at = now(), resources_listed = $2, resources_gone = $3,
              series = $4, samples = $5, metrics_start = $6, metrics_end = $7 WHERE id = $1`,
      [runId, result.listed, result.gone, result.series, result.samples, window?.start ?? null, window?.end ?? null],
    );
    return { runId, resourcesListed: result.listed, resourcesGone: result.gone, series: result.series, samples: result.samples, window };
  } catch (error) {
    // As billing syncs do: a network failure is stored as the generic text (its own names hosts
    // and ports); the cause is in the server log under its ref.
    const detail = error instanceof Error ? error.message : String(error);
    const message = isNetworkFailure(error) ? unreachableEndpoint(`inventory sync of ${sourceName} (run ${runId})`, detail) : detail;
    await pool.query(`UPDATE inventory_runs SET status = 'failed', finished_at = now(), error = $2 WHERE id = $1`, [
      runId,
      message.charAt(0).toUpperCase() + message.slice(1),
    ]);
    throw error;
  } finally {
    await run.release();
  }
}

/** The accounts per provider a listing covered: what the connector declares, plus every listed record's. */
function scopeByProvider(records: readonly ResourceRecord[], declared: readonly InventoryScope[] | undefined): Map<string, string[]> {
  const scope = new Map<string, Set<string>>();
  const add = (provider: string, accountId: string | undefined) => {
    if (!accountId) return;
    const set = scope.get(provider) ?? new Set<string>();
    set.add(accountId);
    scope.set(provider, set);
  };
  for (const s of declared ?? []) add(s.provider, s.accountId);
  for (const r of records) add(r.provider, r.accountId);
  return new Map([...scope].map(([p, set]) => [p, [...set]]));
}
