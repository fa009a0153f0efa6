// The metrics store against a real database, on a real CloudWatch series (NAB's
// ec2_cpu_utilization_24ae8d, 14 days of 5-minute CPU): what is stored, that re-importing never
// double counts, that a bad value loses the whole import, and that the window statistics read back
// from the hourly sketches match the statistics computed here from the file itself.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { getPool, withTransaction } from '../db/pool';
import type { SampleBatch } from '../inventory/types';
import { ALPHA } from './sketch';
import { hourlyMeans, windowStats } from './stats';
import { importSamples } from './store';

const FILE = 'tests/fixtures/metrics/ec2_cpu_utilization_24ae8d.csv';
const rows = readFileSync(FILE, 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => {
    const [t, v] = line.split(',') as [string, string];
    return { t: Date.parse(`${t.replace(' ', 'T')}Z`), v: Number(v) };
  });
const batch: SampleBatch = {
  provider: 'aws',
  resourceId: 'i-0nab24ae8d',
  metric: 'cpu_utilization',
  timestamps: rows.map((r) => r.t),
  values: rows.map((r) => r.v),
};

// Nearest-rank quantile over the raw values: the independent oracle.
function nearestRank(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1] as number;
}

let url: string;
beforeAll(async () => {
  url = await useTestDatabase();
});

describe('metrics store', () => {
  it('stores every sample once, and a second import of the same file replaces instead of adding', async () => {
    const first = await withTransaction((c) => importSamples(c, [batch], { label: FILE }));
    expect(first).toMatchObject({ series: 1, samples: 4032 });
    const second = await withTransaction((c) => importSamples(c, [batch], { label: FILE }));
    expect(second.samples).toBe(4032);
    const [count] = await sql<{ n: string; hourly_n: string }>(
      url,
      `SELECT (SELECT count(*) FROM metric_samples m JOIN metric_series s ON s.id = m.series_id JOIN resources r ON r.id = s.resource_pk
                WHERE r.resource_id = 'i-0nab24ae8d') AS n,
              (SELECT sum(h.n) FROM metric_hourly h JOIN metric_series s ON s.id = h.series_id JOIN resources r ON r.id = s.resource_pk
                WHERE r.resource_id = 'i-0nab24ae8d') AS hourly_n`,
    );
    expect(count).toEqual({ n: '4032', hourly_n: '4032' });
    const [res] = await sql<{ kind: string; provider: string }>(
      url,
      "SELECT kind, provider FROM resources WHERE resource_id = 'i-0nab24ae8d'",
    );
    expect(res).toEqual({ kind: 'instance', provider: 'aws' });
  });

  it('window statistics match the file: count, hours, mean, max exactly; p95 and p99 within the sketch error', async () => {
    await withTransaction((c) => importSamples(c, [{ ...batch, resourceId: 'i-0stats' }], { label: FILE }));
    const [{ id }] = (await sql<{ id: string }>(url, "SELECT id FROM resources WHERE resource_id = 'i-0stats'")) as [{ id: string }];
    const values = rows.map((r) => r.v);
    const start = new Date(rows[0]?.t as number);
    const end = new Date((rows.at(-1)?.t as number) + 1);
    const [s, other] = await windowStats(getPool(), {
      metrics: ['cpu_utilization'],
      start: new Date(Date.UTC(2014, 1, 14)),
      end,
      quantiles: [0.95, 0.99],
      resourcePks: [id],
    });
    expect(other).toBeUndefined();
    expect(s?.n).toBe(4032);
    const hours = new Set(rows.map((r) => Math.floor(r.t / 3_600_000))).size;
    expect(s?.hours).toBe(hours);
    expect(s?.max).toBe(Math.max(...values));
    expect(s?.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 9);
    for (const [i, q] of [0.95, 0.99].entries()) {
      const truth = nearestRank(values, q);
      expect(Math.abs((s?.quantiles[i] as number) - truth)).toBeLessThanOrEqual(truth * ALPHA + 1e-9);
    }
    expect(start.toISOString()).toBe('2014-02-14T14:30:00.000Z');
  });

  it('hourly means and the count of hours under a mean match the file hour by hour', async () => {
    await withTransaction((c) => importSamples(c, [{ ...batch, resourceId: 'i-0hourly' }], { label: FILE }));
    const [{ id }] = (await sql<{ id: string }>(url, "SELECT id FROM resources WHERE resource_id = 'i-0hourly'")) as [{ id: string }];
    // Hour by hour from the file: sum and count per UTC hour.
    const byHour = new Map<number, { sum: number; n: number; max: number }>();
    for (const r of rows) {
      const h = Math.floor(r.t / 3_600_000) * 3_600_000;
      const a = byHour.get(h) ?? { sum: 0, n: 0, max: Number.NEGATIVE_INFINITY };
      byHour.set(h, { sum: a.sum + r.v, n: a.n + 1, max: Math.max(a.max, r.v) });
    }
    const start = new Date(Date.UTC(2014, 1, 14));
    const end = new Date(Date.UTC(2014, 2, 1));
    const points = await hourlyMeans(getPool(), { metrics: ['cpu_utilization'], start, end, resourcePks: [id] });
    expect(points.map((p) => p.hour.getTime())).toEqual([...byHour.keys()].sort((a, b) => a - b));
    for (const p of points) {
      const truth = byHour.get(p.hour.getTime());
      expect(p.n).toBe(truth?.n);
      expect(p.max).toBe(truth?.max);
      expect(p.mean).toBeCloseTo((truth?.sum ?? 0) / (truth?.n ?? 1), 9);
    }
    // The median hourly mean splits the hours: those strictly under it, counted from the file.
    const means = [...byHour.values()].map((h) => h.sum / h.n);
    const threshold = [...means].sort((a, b) => a - b)[Math.floor(means.length / 2)] as number;
    const [s] = await windowStats(getPool(), {
      metrics: ['cpu_utilization'],
      start,
      end,
      quantiles: [0.5],
      resourcePks: [id],
      hourMeanBelow: threshold,
    });
    expect(s?.hoursMeanBelow).toBe(means.filter((m) => m < threshold).length);
    const [plain] = await windowStats(getPool(), { metrics: ['cpu_utilization'], start, end, quantiles: [0.5], resourcePks: [id] });
    expect(plain && 'hoursMeanBelow' in plain).toBe(false);
  });

  it('a value that is not a number fails the whole import and stores nothing of it', async () => {
    const before = await sql<{ n: string }>(url, 'SELECT count(*) AS n FROM metric_samples');
    const bad: SampleBatch = {
      ...batch,
      resourceId: 'i-0bad',
      timestamps: [Date.UTC(2014, 2, 1), Date.UTC(2014, 2, 1, 0, 5)],
      values: [1, Number.NaN],
    };
    await expect(
      withTransaction((c) => importSamples(c, [{ ...batch, resourceId: 'i-0other' }, bad], { label: 'bad.csv' })),
    ).rejects.toThrow(/bad\.csv: cpu_utilization of i-0bad at 2014-03-01T00:05:00.000Z: value NaN is not a finite number/);
    const after = await sql<{ n: string }>(url, 'SELECT count(*) AS n FROM metric_samples');
    expect(after).toEqual(before);
    expect(await sql(url, "SELECT 1 FROM resources WHERE resource_id IN ('i-0bad', 'i-0other')")).toEqual([]);
  });

  it('a series split across segments and batches: the hours they share are summed from both, equal to re-aggregating the stored samples', async () => {
    // 4032 samples in batches of 700 and segments of ~1000: hours are cut in two, and the later
    // part is added to the earlier one's aggregate (merge in SQL of the sketch keys and counts).
    const pieces: SampleBatch[] = [];
    for (let i = 0; i < rows.length; i += 700)
      pieces.push({
        ...batch,
        resourceId: 'i-0split',
        timestamps: batch.timestamps.slice(i, i + 700),
        values: batch.values.slice(i, i + 700),
      });
    const split = await withTransaction((c) => importSamples(c, pieces, { label: FILE, segmentSamples: 1000 }));
    expect(split.samples).toBe(4032);
    const hourly = () =>
      sql<{ hour: Date; n: number; sum: number; min: number; max: number; sketch_keys: number[]; sketch_counts: number[] }>(
        url,
        `SELECT h.hour, h.n, h.sum, h.min, h.max, h.sketch_keys, h.sketch_counts FROM metric_hourly h
           JOIN metric_series s ON s.id = h.series_id JOIN resources r ON r.id = s.resource_pk
          WHERE r.resource_id = 'i-0split' ORDER BY h.hour`,
      );
    const merged = await hourly();
    // Per hour from the file itself: count, min and max exactly.
    const byHour = new Map<number, number[]>();
    for (const r of rows) byHour.set(Math.floor(r.t / 3_600_000), [...(byHour.get(Math.floor(r.t / 3_600_000)) ?? []), r.v]);
    expect(merged.map((h) => [h.hour.getTime() / 3_600_000, h.n, h.min, h.max])).toEqual(
      [...byHour].map(([hour, vs]) => [hour, vs.length, Math.min(...vs), Math.max(...vs)]),
    );
    // A re-import takes the other path (samples replaced, hours re-aggregated in SQL from the
    // stored samples): the same sketches and sums.
    await withTransaction((c) => importSamples(c, [{ ...batch, resourceId: 'i-0split' }], { label: FILE }));
    const recomputed = await hourly();
    expect(recomputed.map((h) => [h.hour, h.n, h.sketch_keys, h.sketch_counts])).toEqual(
      merged.map((h) => [h.hour, h.n, h.sketch_keys, h.sketch_counts]),
    );
    for (const [i, h] of recomputed.entries()) expect(h.sum).toBeCloseTo(merged[i]?.sum as number, 9);
  });

  it('batches that go back in time or repeat an instant are de-duplicated: one sample per instant', async () => {
    const ts = [0, 1, 2, 3].map((i) => Date.UTC(2024, 0, 1, 0, i * 5));
    const s = await withTransaction((c) =>
      importSamples(
        c,
        [
          { provider: 'aws', resourceId: 'i-0dup', metric: 'cpu_utilization', timestamps: ts.slice(2), values: [30, 40] },
          { provider: 'aws', resourceId: 'i-0dup', metric: 'cpu_utilization', timestamps: ts.slice(0, 3), values: [10, 20, 30] },
        ],
        { label: 'dup' },
      ),
    );
    expect(s).toMatchObject({ samples: 5, start: new Date(ts[0] as number), end: new Date(ts[3] as number) });
    const stored = await sql<{ v: number }>(
      url,
      `SELECT m.value AS v FROM metric_samples m JOIN metric_series s ON s.id = m.series_id JOIN resources r ON r.id = s.resource_pk
        WHERE r.resource_id = 'i-0dup' ORDER BY m.ts`,
    );
    expect(stored.map((r) => r.v)).toEqual([10, 20, 30, 40]);
    const [h] = await sql<{ n: number; sum: number }>(
      url,
      `SELECT h.n, h.sum FROM metric_hourly h JOIN metric_series s ON s.id = h.series_id JOIN resources r ON r.id = s.resource_pk
        WHERE r.resource_id = 'i-0dup'`,
    );
    expect(h).toEqual({ n: 4, sum: 100 });
  });

  it('a later sync that continues into a stored hour adds to that hour: samples in time order, a re-sent instant replaced', async () => {
    const at = (h: number, m: number) => Date.UTC(2024, 0, 2, h, m);
    const first = [0, 5, 10, 15, 20, 25].map((m) => at(0, m));
    const second = [at(0, 25), at(0, 30), at(0, 55), at(1, 0), at(1, 10)];
    const load = (timestamps: number[], values: number[]) =>
      withTransaction((c) =>
        importSamples(c, [{ provider: 'aws', resourceId: 'i-0resync', metric: 'cpu_utilization', timestamps, values }], { label: 'sync' }),
      );
    await load(first, [1, 2, 3, 4, 5, 6]);
    await load(second, [60, 7, 8, 9, 10]);
    const raw = await sql<{ hour: Date; offsets_ms: number[]; vals: number[] }>(
      url,
      `SELECT m.hour, m.offsets_ms, m.vals FROM metric_raw m JOIN metric_series s ON s.id = m.series_id JOIN resources r ON r.id = s.resource_pk
        WHERE r.resource_id = 'i-0resync' ORDER BY m.hour`,
    );
    const min = 60_000;
    expect(raw).toEqual([
      { hour: new Date(at(0, 0)), offsets_ms: [0, 5, 10, 15, 20, 25, 30, 55].map((m) => m * min), vals: [1, 2, 3, 4, 5, 60, 7, 8] },
      { hour: new Date(at(1, 0)), offsets_ms: [0, 10 * min], vals: [9, 10] },
    ]);
    const hourly = await sql<{ n: number; sum: number; max: number }>(
      url,
      `SELECT h.n, h.sum, h.max FROM metric_hourly h JOIN metric_series s ON s.id = h.series_id JOIN resources r ON r.id = s.resource_pk
        WHERE r.resource_id = 'i-0resync' ORDER BY h.hour`,
    );
    expect(hourly).toEqual([
      { n: 8, sum: 1 + 2 + 3 + 4 + 5 + 60 + 7 + 8, max: 60 },
      { n: 2, sum: 19, max: 10 },
    ]);
  });
});
