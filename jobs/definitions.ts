import { z } from 'zod';
import { getPool } from '../lib/db/pool';
import { ensurePartitions } from '../lib/ingest/pipeline';

/** A scheduled or on-demand job: its queue name, optional cron (UTC), payload schema and handler. */
export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  cron?: string;
  description: string;
  payload: S;
  handler: (payload: z.infer<S>) => Promise<unknown>;
}

function defineJob<S extends z.ZodType>(job: JobDefinition<S>): JobDefinition<S> {
  return job;
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

/** An ingest whose process died leaves its run 'running' (its transaction was rolled back). */
export const reapStaleRunsJob = defineJob({
  name: 'maintenance-stale-runs',
  cron: '*/10 * * * *',
  description: 'mark ingest runs whose process died as failed',
  payload: z.object({ olderThanMinutes: z.number().int().positive().default(360) }).default({ olderThanMinutes: 360 }),
  handler: async ({ olderThanMinutes }) => {
    const res = await getPool().query(
      `UPDATE ingest_runs SET status = 'failed', finished_at = now(), error = 'interrupted: the ingesting process stopped before finishing; nothing from it was stored'
        WHERE status = 'running' AND started_at < now() - make_interval(mins => $1)`,
      [olderThanMinutes],
    );
    return { reaped: res.rowCount ?? 0 };
  },
});

export const JOBS: readonly JobDefinition[] = [ensurePartitionsJob, reapStaleRunsJob];
