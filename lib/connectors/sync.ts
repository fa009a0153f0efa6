import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { getPool } from '../db/pool';
import { openLockedRun } from '../db/run-lock';
import { type IngestSummary, ingestFile } from '../ingest/pipeline';
import { isNetworkFailure, plural, unreachableEndpoint } from './messages';
import type { Connector, DeliveryRef } from './types';

export interface SyncResult {
  syncRunId: string;
  deliveriesSeen: number;
  ingested: { ref: DeliveryRef; summary: IngestSummary }[];
  skipped: number;
}

/**
 * Syncs one billing source: lists its deliveries, ingests those that are new or whose fingerprint
 * changed (a restated month replaces that month), and records the run. A delivery that fails
 * stops the sync with the error recorded; deliveries ingested before it stay (each one is its own
 * all-or-nothing transaction), and the failed one is retried on the next sync. The run holds its
 * run lock (lib/db/run-lock.ts) until its status is final, so if this process dies mid-sync the
 * run is marked failed within a minute instead of staying 'running'.
 */
export async function syncSource(args: {
  sourceId: number;
  sourceName: string;
  connector: Connector;
  trigger?: 'schedule' | 'manual';
  signal?: AbortSignal;
  log?: (line: string) => void;
}): Promise<SyncResult> {
  const { sourceId, sourceName, connector, signal } = args;
  const log = args.log ?? (() => {});
  const pool = getPool();
  const run = await openLockedRun(pool, 'sync_runs', { source_id: sourceId, trigger: args.trigger ?? 'schedule' });
  const syncRunId = run.id;
  const ingested: SyncResult['ingested'] = [];
  let seen = 0;
  let skipped = 0;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'burnrate-sync-'));
  try {
    const refs = await connector.discover(signal);
    seen = refs.length;
    const { rows: known } = await pool.query<{ delivery_key: string; fingerprint: string }>(
      'SELECT delivery_key, fingerprint FROM source_deliveries WHERE source_id = $1',
      [sourceId],
    );
    const fingerprints = new Map(known.map((k) => [k.delivery_key, k.fingerprint]));
    for (const ref of refs) {
      if (fingerprints.get(ref.key) === ref.fingerprint) {
        skipped++;
        continue;
      }
      const files = await connector.download(ref, await mkdtemp(path.join(dir, 'd-')), signal);
      if (!files.length) {
        skipped++;
        continue;
      }
      // Manifest-based descriptions already count their files; say it once.
      const what = ref.description ?? ref.key;
      const count = plural(files.length, 'file');
      log(`${sourceName}: ingesting ${what}${what.includes(count) ? '' : ` (${count})`}`);
      const summary = await ingestFile({
        file: files[0] as string,
        parts: files.slice(1),
        format: ref.format,
        dataset: ref.dataset,
        sourceName,
        // The delivery is the whole of its billing period: if it arrived empty, the period is cleared.
        billingPeriods: ref.billingPeriod ? [ref.billingPeriod] : undefined,
      });
      await pool.query(`UPDATE ingest_runs SET sync_run_id = $2 WHERE id = $1;`, [summary.runId, syncRunId]);
      await pool.query(
        `INSERT INTO source_deliveries (source_id, delivery_key, fingerprint, billing_period_start, ingest_run_id)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (source_id, delivery_key) DO UPDATE
           SET fingerprint = EXCLUDED.fingerprint, billing_period_start = EXCLUDED.billing_period_start,
               ingest_run_id = EXCLUDED.ingest_run_id, ingested_at = now()`,
        [sourceId, ref.key, ref.fingerprint, ref.billingPeriod ?? summary.billingPeriods[0] ?? null, summary.runId],
      );
      ingested.push({ ref, summary });
    }
    const periods = [...new Set(ingested.flatMap((i) => i.summary.billingPeriods))].sort();
    const rowsIngested = ingested.reduce((n, i) => n + i.summary.rows, 0);
    await pool.query(
      `UPDATE sync_runs SET status = 'succeeded', finished_at = now(), deliveries_seen = $2, deliveries_ingested = $3,
              row_count = $4, billing_periods = $5::date[], totals = $6::jsonb WHERE id = $1`,
      [
        syncRunId,
        seen,
        ingested.length,
        rowsIngested,
        periods,
        JSON.stringify(ingested.map((i) => ({ key: i.ref.key, totals: i.summary.totals }))),
      ],
    );
    await pool.query(
      `UPDATE billing_sources SET last_sync_at = now(), last_sync_status = 'succeeded', consecutive_failures = 0 WHERE id = $1`,
      [sourceId],
    );
    return { syncRunId, deliveriesSeen: seen, ingested, skipped };
  } catch (error) {
    // A network failure is stored (and shown in the run history) as the generic text: its own
    // names the host, the port and what answered there. The cause is in the log under its ref.
    const detail = error instanceof Error ? error.message : String(error);
    const message = isNetworkFailure(error) ? capitalize(unreachableEndpoint(`sync of ${sourceName} (run ${syncRunId})`, detail)) : detail;
    await pool.query(
      `UPDATE sync_runs SET status = 'failed', finished_at = now(), deliveries_seen = $2, deliveries_ingested = $3, error = $4 WHERE id = $1`,
      [syncRunId, seen, ingested.length, message],
    );
    await pool.query(
      `UPDATE billing_sources SET last_sync_at = now(), last_sync_status = 'failed', consecutive_failures = consecutive_failures + 1 WHERE id = $1`,
      [sourceId],
    );
    throw error;
  } finally {
    await run.release();
    await rm(dir, { recursive: true, force: true });
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
