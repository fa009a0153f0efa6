import type pg from 'pg';

/** How long hourly aggregates are kept: 13 months, so a year ago's same month is still there. */
export const HOURLY_MONTHS = 13;

const PARTITION_RE = /^metric_raw_d(\d{4})(\d{2})(\d{2})$/;

export interface RetentionResult {
  /** Raw day partitions dropped (their names' days, YYYY-MM-DD). */
  droppedDays: string[];
  /** Raw hour rows deleted from the default partition (days that had no partition of their own). */
  defaultRowsDeleted: number;
  hourlyRowsDeleted: number;
  rawCutoff: string;
  hourlyCutoff: string;
}

/**
 * Drops raw sample day partitions that end at or before `now − rawDays` (whole partitions: no
 * row-by-row delete, no bloat), deletes the same days' rows parked in the default partition, and
 * deletes hourly aggregates older than 13 months. The hourly rows of the dropped days stay: the
 * rules read windows from them.
 */
export async function applyMetricsRetention(db: pg.Pool, opts: { now: Date; rawDays: number }): Promise<RetentionResult> {
  const rawCutoff = new Date(opts.now.getTime() - opts.rawDays * 86_400_000);
  const hourlyCutoff = new Date(opts.now);
  hourlyCutoff.setUTCMonth(hourlyCutoff.getUTCMonth() - HOURLY_MONTHS);
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'metric_raw'::regclass ORDER BY 1`,
  );
  const droppedDays: string[] = [];
  for (const { name } of rows) {
    const m = PARTITION_RE.exec(name);
    if (!m) continue;
    const dayEnd = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1);
    if (dayEnd > rawCutoff.getTime()) continue;
    // IF EXISTS: two workers may run the job at once.
    await db.query(`DROP TABLE IF EXISTS ${name}`);
    droppedDays.push(`${m[1]}-${m[2]}-${m[3]}`);
  }
  const cutoffDay = new Date(Date.UTC(rawCutoff.getUTCFullYear(), rawCutoff.getUTCMonth(), rawCutoff.getUTCDate()));
  const parked = await db.query('DELETE FROM metric_raw_default WHERE hour < $1', [cutoffDay]);
  const hourly = await db.query('DELETE FROM metric_hourly WHERE hour < $1', [hourlyCutoff]);
  return {
    droppedDays,
    defaultRowsDeleted: parked.rowCount ?? 0,
    hourlyRowsDeleted: hourly.rowCount ?? 0,
    rawCutoff: rawCutoff.toISOString(),
    hourlyCutoff: hourlyCutoff.toISOString(),
  };
}
