// Migration 0016 on a database that was at 0015 with raw samples in it (one row per sample): the
// samples move into one row per series and hour, a day partition each day had stays a day
// partition, samples parked in the default partition get their day's partition, and the view
// reads them back.
import { describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { migrationsUpTo } from '../../tests/helpers/migrations';
import { migrate } from './migrate';

describe('migration 0016 (raw samples per series and hour) on a database at 0015', () => {
  it('moves every sample into hour rows, keeps the day partitions, and reads them back through metric_samples', async () => {
    const url = await useTestDatabase();
    await sql(url, 'DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    const upTo15 = await migrate(url, { dir: await migrationsUpTo('0015_recommendation_acceptance') });
    expect(upTo15.applied.at(-1)).toBe('0015_recommendation_acceptance');

    // Two series; 2026-03-05 has its own partition, 2026-03-06 sits in the default partition.
    // Samples at 10:00:00, 10:05:00.250, 10:55 and 11:00 of one series, two of the other.
    await sql(
      url,
      `INSERT INTO resources (id, provider, resource_id, sub_resource_id, kind) VALUES (1, 'aws', 'i-1', '', 'instance');
       INSERT INTO metric_series (id, resource_pk, metric, unit) VALUES (1, 1, 'cpu_utilization', 'percent'), (2, 1, 'network_in', 'bytes/s');
       SELECT burnrate_ensure_metric_partition('2026-03-05T00:00:00Z');
       INSERT INTO metric_samples (series_id, ts, value) VALUES
         (1, '2026-03-05T10:00:00Z', 1.5), (1, '2026-03-05T10:05:00.250Z', 2.25), (1, '2026-03-05T10:55:00Z', 99),
         (1, '2026-03-05T11:00:00Z', 4), (2, '2026-03-06T23:59:59.999Z', 1e9), (2, '2026-03-06T00:00:00Z', 0)`,
    );
    const before = await sql<{ series_id: number; ts: string; value: number }>(
      url,
      `SELECT series_id, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS') AS ts, value FROM metric_samples ORDER BY 1, 2`,
    );
    expect(before).toHaveLength(6);

    const rest = await migrate(url);
    expect(rest.applied).toContain('0016_metric_raw_chunks');

    const rows = await sql<{ series_id: number; hour: string; offsets_ms: number[]; vals: number[] }>(
      url,
      `SELECT series_id, to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24') AS hour, offsets_ms, vals FROM metric_raw ORDER BY 1, 2`,
    );
    expect(rows).toEqual([
      { series_id: 1, hour: '2026-03-05T10', offsets_ms: [0, 300_250, 3_300_000], vals: [1.5, 2.25, 99] },
      { series_id: 1, hour: '2026-03-05T11', offsets_ms: [0], vals: [4] },
      { series_id: 2, hour: '2026-03-06T00', offsets_ms: [0], vals: [0] },
      { series_id: 2, hour: '2026-03-06T23', offsets_ms: [3_599_999], vals: [1e9] },
    ]);
    const after = await sql<{ series_id: number; ts: string; value: number }>(
      url,
      `SELECT series_id, to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS') AS ts, value FROM metric_samples ORDER BY 1, 2`,
    );
    expect(after).toEqual(before);
    const partitions = await sql<{ name: string }>(
      url,
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'metric_raw'::regclass ORDER BY 1`,
    );
    // Every day with samples gets its partition, the parked day included.
    expect(partitions.map((p) => p.name)).toEqual(['metric_raw_d20260305', 'metric_raw_d20260306', 'metric_raw_default']);
    const parked = await sql<{ n: string }>(url, 'SELECT count(*)::text AS n FROM metric_raw_default');
    expect(parked[0]?.n).toBe('0');
  });
});
