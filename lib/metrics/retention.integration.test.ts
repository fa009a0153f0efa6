// Retention on a real database: samples imported through the real write path on days around the
// raw window's edge, then the daily job (its real handler, reading BURNRATE_METRICS_RAW_DAYS).
import { PgBoss } from 'pg-boss';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createMetricsRetentionJob } from '../../jobs/definitions';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { withTransaction } from '../db/pool';
import { readEnv } from '../env';
import { importSamples } from './store';

let url: string;
beforeAll(async () => {
  url = await useTestDatabase();
});
afterEach(() => {
  delete process.env.BURNRATE_METRICS_RAW_DAYS;
});

const NOW = new Date('2026-03-20T06:00:00Z');
const at = (iso: string) => Date.parse(iso);

async function seed(resourceId: string, times: string[]): Promise<void> {
  await withTransaction((c) =>
    importSamples(
      c,
      [{ provider: 'aws', resourceId, metric: 'cpu_utilization', timestamps: times.map(at), values: times.map((_, i) => i + 1) }],
      {
        label: 'retention-test',
      },
    ),
  );
}

async function partitions(): Promise<string[]> {
  const rows = await sql<{ name: string }>(
    url,
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'metric_raw'::regclass AND c.relname <> 'metric_raw_default' ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

describe('metrics retention job', () => {
  it('the raw window defaults to 14 days and is read from BURNRATE_METRICS_RAW_DAYS', () => {
    expect(readEnv({}).BURNRATE_METRICS_RAW_DAYS).toBe(14);
    expect(readEnv({ BURNRATE_METRICS_RAW_DAYS: '30' }).BURNRATE_METRICS_RAW_DAYS).toBe(30);
    expect(() => readEnv({ BURNRATE_METRICS_RAW_DAYS: '0' })).toThrow(/BURNRATE_METRICS_RAW_DAYS/);
  });

  it('drops whole day partitions older than the raw window, keeps their hourly aggregates, and drops hourly rows past 13 months', async () => {
    // 14 days before NOW is 2026-03-06T06:00Z: the day of 2026-03-05 ends before it and goes; the
    // day of 2026-03-06 ends after it and stays (whole partitions only). Hourly cutoff: 2025-02-20T06:00Z.
    await seed('i-0ret', [
      '2025-02-19T12:00:00Z',
      '2025-02-21T12:00:00Z',
      '2026-03-05T23:55:00Z',
      '2026-03-06T00:00:00Z',
      '2026-03-19T12:00:00Z',
    ]);
    expect(await partitions()).toEqual([
      'metric_raw_d20250219',
      'metric_raw_d20250221',
      'metric_raw_d20260305',
      'metric_raw_d20260306',
      'metric_raw_d20260319',
    ]);
    const job = createMetricsRetentionJob({ now: () => NOW });
    const boss = new PgBoss({ connectionString: url });
    const result = await job.handler({}, { boss, log: () => {}, retryCount: 0 });
    expect(result).toMatchObject({
      droppedDays: ['2025-02-19', '2025-02-21', '2026-03-05'],
      hourlyRowsDeleted: 1,
      rawCutoff: '2026-03-06T06:00:00.000Z',
      hourlyCutoff: '2025-02-20T06:00:00.000Z',
    });
    expect(await partitions()).toEqual(['metric_raw_d20260306', 'metric_raw_d20260319']);
    const raw = await sql<{ ts: Date }>(url, 'SELECT ts FROM metric_samples ORDER BY ts');
    expect(raw.map((r) => r.ts.toISOString())).toEqual(['2026-03-06T00:00:00.000Z', '2026-03-19T12:00:00.000Z']);
    const hourly = await sql<{ hour: Date; n: number }>(url, 'SELECT hour, n FROM metric_hourly ORDER BY hour');
    expect(hourly.map((r) => r.hour.toISOString())).toEqual([
      '2025-02-21T12:00:00.000Z',
      '2026-03-05T23:00:00.000Z',
      '2026-03-06T00:00:00.000Z',
      '2026-03-19T12:00:00.000Z',
    ]);

    // A longer window keeps more: with 30 days, nothing of what is left is old enough.
    process.env.BURNRATE_METRICS_RAW_DAYS = '30';
    const again = await job.handler({}, { boss, log: () => {}, retryCount: 0 });
    expect(again).toMatchObject({ droppedDays: [], hourlyRowsDeleted: 0, rawCutoff: '2026-02-18T06:00:00.000Z' });
  });
});
