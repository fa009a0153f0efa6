import type pg from 'pg';
import { BINARY_HEADER, BINARY_TRAILER, writeInt64 } from '../ingest/copy-binary';
import { copyChunks } from '../ingest/copy-stream';
import type { SampleBatch } from '../inventory/types';
import { normalizeResourceId } from '../resources/normalize';
import { upsertResources } from '../resources/store';
import { METRICS, type MetricName } from './names';
import { sketchKey, sketchKeySql } from './sketch';

/**
 * The one write path of utilization samples (inventory syncs, Prometheus, `npm run metrics --
 * import`, the demo data, the benchmark). Runs inside the caller's transaction, so a file or a
 * sync is all-or-nothing: samples are COPYed into a temporary table, merged into metric_samples
 * (a sample already stored for the same series and instant is replaced, never added: re-importing
 * never double counts), and the hourly aggregates of every hour touched are recomputed from the
 * stored samples.
 */
export interface ImportSummary {
  series: number;
  samples: number;
  hours: number;
  start: Date | null;
  end: Date | null;
}

export class MetricValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetricValueError';
  }
}

function defaultKind(batch: Pick<SampleBatch, 'metric' | 'subResourceId'>) {
  if (batch.subResourceId) return 'gpu' as const;
  return batch.metric.startsWith('load_balancer') ? ('load_balancer' as const) : ('instance' as const);
}

/** Series ids by (provider, resource, GPU, metric), creating resources and series as needed. */
export async function resolveSeries(
  db: pg.PoolClient,
  identities: readonly Pick<SampleBatch, 'provider' | 'resourceId' | 'subResourceId' | 'metric'>[],
): Promise<number[]> {
  if (identities.length === 0) return [];
  const pks = await upsertResources(
    db,
    identities.map((b) => ({ provider: b.provider, resourceId: b.resourceId, subResourceId: b.subResourceId, kind: defaultKind(b) })),
    { origin: 'metrics' },
  );
  const { rows } = await db.query<{ id: number; ord: string }>(
    `INSERT INTO metric_series (resource_pk, metric, unit)
     SELECT t.pk, t.metric, t.unit FROM unnest($1::bigint[], $2::text[], $3::text[]) AS t(pk, metric, unit)
     ON CONFLICT (resource_pk, metric) DO UPDATE SET unit = EXCLUDED.unit
     RETURNING id, resource_pk || '/' || metric AS ord`,
    [pks, identities.map((b) => b.metric), identities.map((b) => METRICS[b.metric as MetricName].unit)],
  );
  const byKey = new Map(rows.map((r) => [r.ord, r.id]));
  return identities.map((b, i) => byKey.get(`${pks[i]}/${b.metric}`) as number);
}

function identityKey(b: Pick<SampleBatch, 'provider' | 'resourceId' | 'subResourceId' | 'metric'>): string {
  return `${b.provider}\u0000${normalizeResourceId(b.provider, b.resourceId)}\u0000${b.subResourceId ?? ''}\u0000${b.metric}`;
}

/** COPY options of the sample encoding below (binary: PostgreSQL parses no timestamps or floats). */
export const SAMPLE_COPY_FORMAT = ' (FORMAT binary)';
/** Milliseconds between the Unix epoch and PostgreSQL's (2000-01-01). */
const PG_EPOCH_MS = 946_684_800_000;
/** Bytes of one (int4, timestamptz, float8) tuple in COPY's binary format. */
const TUPLE_BYTES = 2 + 4 + 4 + 4 + 8 + 4 + 8;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Samples gathered before they are written: bounds memory, amortizes the per-segment queries. */
const SEGMENT_SAMPLES = 1 << 20;

/**
 * One batch as COPY binary tuples (series number, time, value), preceded by the format's header
 * when `header`; end the stream with BINARY_TRAILER. Checks every sample on the way: a time or
 * value that is not a finite number fails the import naming the series.
 */
export function encodeSamples(series: number, b: SampleBatch, label: string, header: boolean): Buffer {
  const n = b.values.length;
  if (b.timestamps.length !== n)
    throw new MetricValueError(`${label}: ${b.metric} of ${b.resourceId}: ${b.timestamps.length} timestamps but ${n} values`);
  const offset = header ? BINARY_HEADER.length : 0;
  const out = Buffer.allocUnsafe(offset + n * TUPLE_BYTES);
  if (header) BINARY_HEADER.copy(out, 0);
  let o = offset;
  for (let i = 0; i < n; i++) {
    const v = b.values[i] as number;
    const t = b.timestamps[i] as number;
    if (!Number.isFinite(t)) throw new MetricValueError(`${label}: ${b.metric} of ${b.resourceId}: timestamp ${t} is not a valid time`);
    if (!Number.isFinite(v))
      throw new MetricValueError(
        `${label}: ${b.metric} of ${b.resourceId} at ${new Date(t).toISOString()}: value ${v} is not a finite number`,
      );
    out[o] = 0;
    out[o + 1] = 3;
    out.writeInt32BE(4, o + 2);
    out.writeInt32BE(series, o + 6);
    out.writeInt32BE(8, o + 10);
    writeInt64(out, o + 14, Math.round((t - PG_EPOCH_MS) * 1000));
    out.writeInt32BE(8, o + 22);
    out.writeDoubleBE(v, o + 26);
    o += TUPLE_BYTES;
  }
  return out;
}

/** COPYs `parts` (binary tuples) into `table` (series_id, ts, value). */
async function copyBinary(client: pg.PoolClient, table: string, parts: Buffer[], label: string): Promise<void> {
  let i = 0;
  await copyChunks({
    client,
    sql: `COPY ${table} (series_id, ts, value) FROM STDIN${SAMPLE_COPY_FORMAT}`,
    file: label,
    fileLine: () => undefined,
    next: async () => (i < parts.length ? (parts[i++] as Buffer) : i++ === parts.length ? BINARY_TRAILER : null),
  });
}

/**
 * An hour's count, sum, min, max and DDSketch, summed while the samples are encoded (the same
 * keys as SQL's sketchKeySql), as metric_hourly's COPY text: `text` for hours no stored row has,
 * `merge` for the hour an earlier segment of the same import left open (added to its row).
 */
class HourlyRows {
  text = '';
  merge = '';
  rows = 0;
  private series = -1;
  private openHour = Number.NaN;
  private hour = 0;
  private n = 0;
  private sum = 0;
  private min = 0;
  private max = 0;
  private keys: number[] = [];

  /** The series the next samples belong to, and the hour an earlier segment left open for it. */
  begin(series: number, openHour: number): void {
    this.flush();
    this.series = series;
    this.openHour = openHour;
  }

  add(t: number, v: number): void {
    const hour = Math.floor(t / HOUR_MS);
    if (hour !== this.hour || this.n === 0) {
      this.flush();
      this.hour = hour;
      this.min = v;
      this.max = v;
    } else {
      if (v < this.min) this.min = v;
      if (v > this.max) this.max = v;
    }
    this.n++;
    this.sum += v;
    this.keys.push(sketchKey(v));
  }

  flush(): void {
    if (this.n === 0) return;
    const keys = this.keys.sort((a, b) => a - b);
    const k: number[] = [];
    const c: number[] = [];
    for (const key of keys) {
      if (k.length && k[k.length - 1] === key) c[c.length - 1] = (c[c.length - 1] as number) + 1;
      else {
        k.push(key);
        c.push(1);
      }
    }
    const row = `${this.series}\t${new Date(this.hour * HOUR_MS).toISOString()}\t${this.n}\t${this.sum}\t${this.min}\t${this.max}\t{${k.join(',')}}\t{${c.join(',')}}\n`;
    if (this.hour === this.openHour) this.merge += row;
    else this.text += row;
    this.rows++;
    this.n = 0;
    this.sum = 0;
    this.keys = [];
  }
}

/** COPYs one text chunk (COPY's text format) into `table`. */
async function copyText(client: pg.PoolClient, table: string, text: string, label: string): Promise<void> {
  let sent = false;
  await copyChunks({
    client,
    sql: `COPY ${table} FROM STDIN`,
    file: label,
    fileLine: () => undefined,
    next: async () => {
      if (sent) return null;
      sent = true;
      return text;
    },
  });
}

interface SeriesState {
  id: number;
  /** Latest time imported so far in this import, and the last hour it wrote an aggregate for. */
  last: number;
  lastHour: number;
}

/**
 * Imports batches inside the caller's open transaction. `label` names the file or source in
 * errors. `onProgress` gets the running sample count after each batch.
 *
 * Batches are written in segments of about a million samples. Within a segment, a series whose
 * times only rise, continue where this import left it, and meet no stored sample nor stored hour
 * (new data: the common case) is COPYed straight into metric_samples, and its hours' aggregates
 * (summed here while encoding) are added to metric_hourly. Any other series (a re-import,
 * overlapping or unordered batches) goes through a temporary table: de-duplicated, upserted (a
 * stored sample at the same instant is replaced, never added), and the hours it touched are
 * re-aggregated from the stored samples.
 */
export async function importSamples(
  client: pg.PoolClient,
  batches: AsyncIterable<SampleBatch> | Iterable<SampleBatch>,
  opts: { label: string; onProgress?: (samples: number) => void /** Tests split small imports into segments. */; segmentSamples?: number },
): Promise<ImportSummary> {
  const segmentLimit = opts.segmentSamples ?? SEGMENT_SAMPLES;
  await client.query(
    'CREATE TEMP TABLE IF NOT EXISTS metric_import (series_id integer NOT NULL, ts timestamptz NOT NULL, value double precision NOT NULL) ON COMMIT DROP',
  );
  await client.query(
    `CREATE TEMP TABLE IF NOT EXISTS metric_import_hourly (series_id integer NOT NULL, hour timestamptz NOT NULL, n integer NOT NULL,
       sum double precision NOT NULL, min double precision NOT NULL, max double precision NOT NULL, sketch_keys smallint[] NOT NULL,
       sketch_counts integer[] NOT NULL) ON COMMIT DROP`,
  );
  const known = new Map<string, SeriesState>();
  const partitions = new Set<number>();
  let segment: SampleBatch[] = [];
  let segmentSamples = 0;
  let samples = 0;
  let hours = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;

  const flush = async () => {
    if (!segment.length) return;
    const batchesNow = segment;
    segment = [];
    segmentSamples = 0;
    // Series and resources first seen in this segment, created in one statement each.
    const fresh: SampleBatch[] = [];
    const freshKeys = new Set<string>();
    for (const b of batchesNow) {
      const key = identityKey(b);
      if (!known.has(key) && !freshKeys.has(key)) {
        freshKeys.add(key);
        fresh.push(b);
      }
    }
    const ids = await resolveSeries(client, fresh);
    fresh.forEach((b, i) => {
      known.set(identityKey(b), { id: ids[i] as number, last: Number.NEGATIVE_INFINITY, lastHour: Number.NEGATIVE_INFINITY });
    });
    // Per series: its range in this segment, and whether its times rise from where this import left
    // it; and the days with samples (their partitions must exist before the COPY).
    const days = new Set<number>();
    const ranges = new Map<number, { state: SeriesState; lo: number; hi: number; ordered: boolean; batches: SampleBatch[] }>();
    for (const b of batchesNow) {
      const state = known.get(identityKey(b)) as SeriesState;
      let r = ranges.get(state.id);
      if (!r) {
        r = { state, lo: Number.POSITIVE_INFINITY, hi: Number.NEGATIVE_INFINITY, ordered: true, batches: [] };
        ranges.set(state.id, r);
      }
      r.batches.push(b);
      let prev = r.hi === Number.NEGATIVE_INFINITY ? state.last : r.hi;
      let day = Number.NaN;
      for (const t of b.timestamps) {
        if (!(t > prev)) r.ordered = false;
        const d = Math.floor(t / DAY_MS);
        if (d !== day && Number.isFinite(d)) {
          day = d;
          days.add(d);
        }
        if (t < r.lo) r.lo = t;
        if (t > r.hi) r.hi = t;
        prev = t;
      }
    }
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const r of ranges.values()) {
      if (r.lo < lo) lo = r.lo;
      if (r.hi > hi) hi = r.hi;
    }
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
      // Only empty batches, or a time that is not a number: encodeSamples names the latter.
      for (const b of batchesNow) encodeSamples(0, b, opts.label, false);
      return;
    }
    for (const day of [...days].sort((a, b) => a - b)) {
      if (partitions.has(day)) continue;
      await client.query('SELECT burnrate_ensure_metric_partition($1)', [new Date(day * DAY_MS)]);
      partitions.add(day);
    }
    // Which ordered series meet stored data: a sample in their range, or an hour aggregate other
    // than the one this import itself left open.
    const candidates = [...ranges.entries()].filter(([, r]) => r.ordered);
    const clashing = new Set<number>();
    if (candidates.length) {
      const { rows } = await client.query<{ id: number }>(
        `SELECT s.id FROM unnest($1::int[], $2::timestamptz[], $3::timestamptz[], $4::timestamptz[]) AS s(id, lo, hi, hour_lo)
          WHERE EXISTS (SELECT 1 FROM metric_samples m WHERE m.series_id = s.id AND m.ts >= s.lo AND m.ts <= s.hi)
             OR EXISTS (SELECT 1 FROM metric_hourly h WHERE h.series_id = s.id AND h.hour >= s.hour_lo AND h.hour <= s.hi)`,
        [
          candidates.map(([id]) => id),
          candidates.map(([, r]) => new Date(r.lo)),
          candidates.map(([, r]) => new Date(r.hi)),
          candidates.map(([, r]) => {
            const first = Math.floor(r.lo / HOUR_MS);
            return new Date((first === r.state.lastHour ? first + 1 : first) * HOUR_MS);
          }),
        ],
      );
      for (const { id } of rows) clashing.add(id);
    }
    const direct: Buffer[] = [];
    const staged: Buffer[] = [];
    const hourly = new HourlyRows();
    for (const [id, r] of ranges) {
      const fast = r.ordered && !clashing.has(id);
      if (fast) hourly.begin(id, r.state.lastHour);
      for (const b of r.batches) {
        const out = fast ? direct : staged;
        out.push(encodeSamples(id, b, opts.label, out.length === 0));
        if (fast) for (let i = 0; i < b.values.length; i++) hourly.add(b.timestamps[i] as number, b.values[i] as number);
      }
      hourly.flush();
      r.state.last = Math.max(r.state.last, r.hi);
      r.state.lastHour = Math.floor(r.state.last / HOUR_MS);
    }
    if (lo < min) min = lo;
    if (hi > max) max = hi;
    if (direct.length) {
      await copyBinary(client, 'metric_samples', direct, opts.label);
      hours += hourly.rows;
      if (hourly.text) await copyText(client, 'metric_hourly', hourly.text, opts.label);
      if (hourly.merge) {
        // The hour this import left open in an earlier segment is added to, key by key.
        await client.query('TRUNCATE metric_import_hourly');
        await copyText(client, 'metric_import_hourly', hourly.merge, opts.label);
        await client.query(
          `INSERT INTO metric_hourly SELECT * FROM metric_import_hourly
           ON CONFLICT (series_id, hour) DO UPDATE SET n = metric_hourly.n + EXCLUDED.n, sum = metric_hourly.sum + EXCLUDED.sum,
             min = least(metric_hourly.min, EXCLUDED.min), max = greatest(metric_hourly.max, EXCLUDED.max),
             sketch_keys = (SELECT array_agg(k ORDER BY k) FROM (SELECT DISTINCT k FROM unnest(metric_hourly.sketch_keys || EXCLUDED.sketch_keys) AS k) d),
             sketch_counts = (SELECT array_agg(c ORDER BY k) FROM (SELECT u.k, sum(u.c)::int AS c
                FROM unnest(metric_hourly.sketch_keys || EXCLUDED.sketch_keys, metric_hourly.sketch_counts || EXCLUDED.sketch_counts) AS u(k, c)
               GROUP BY u.k) g)`,
        );
      }
    }
    if (staged.length) {
      await client.query('TRUNCATE metric_import');
      await copyBinary(client, 'metric_import', staged, opts.label);
      await client.query(
        `INSERT INTO metric_samples (series_id, ts, value)
         SELECT DISTINCT ON (series_id, ts) series_id, ts, value FROM metric_import ORDER BY series_id, ts
         ON CONFLICT (series_id, ts) DO UPDATE SET value = EXCLUDED.value`,
      );
      hours += await refreshHourly(client, `SELECT DISTINCT series_id, date_trunc('hour', ts, 'UTC') AS hour FROM metric_import`);
    }
  };

  for await (const b of batches) {
    if (b.timestamps.length !== b.values.length)
      throw new MetricValueError(
        `${opts.label}: ${b.metric} of ${b.resourceId}: ${b.timestamps.length} timestamps but ${b.values.length} values`,
      );
    segment.push(b);
    segmentSamples += b.values.length;
    samples += b.values.length;
    opts.onProgress?.(samples);
    if (segmentSamples >= segmentLimit) await flush();
  }
  await flush();
  return { series: known.size, samples, hours, start: samples ? new Date(min) : null, end: samples ? new Date(max) : null };
}

/**
 * Writes metric_hourly rows (replacing any for the same series and hour) from `samplesSql`, which
 * selects (series_id, hour, value) for every sample of each hour it covers.
 */
async function aggregateHours(client: pg.PoolClient, samplesSql: string): Promise<number> {
  const { rowCount } = await client.query(
    `INSERT INTO metric_hourly (series_id, hour, n, sum, min, max, sketch_keys, sketch_counts)
     SELECT series_id, hour, sum(c)::int, sum(s), min(mn), max(mx), array_agg(k ORDER BY k), array_agg(c ORDER BY k)
       FROM (SELECT x.series_id, x.hour, ${sketchKeySql('x.value')} AS k, count(*)::int AS c,
                    sum(x.value) AS s, min(x.value) AS mn, max(x.value) AS mx
               FROM (${samplesSql}) x
              GROUP BY 1, 2, 3) b
      GROUP BY series_id, hour
     ON CONFLICT (series_id, hour) DO UPDATE SET n = EXCLUDED.n, sum = EXCLUDED.sum, min = EXCLUDED.min, max = EXCLUDED.max,
       sketch_keys = EXCLUDED.sketch_keys, sketch_counts = EXCLUDED.sketch_counts`,
  );
  return rowCount ?? 0;
}

/** Recomputes metric_hourly for the (series_id, hour) pairs `touchedSql` selects, from metric_samples. */
export async function refreshHourly(client: pg.PoolClient, touchedSql: string): Promise<number> {
  await client.query('CREATE TEMP TABLE IF NOT EXISTS metric_touched (series_id integer, hour timestamptz) ON COMMIT DROP');
  await client.query('TRUNCATE metric_touched');
  await client.query(`INSERT INTO metric_touched ${touchedSql}`);
  return aggregateHours(
    client,
    `SELECT t.series_id, t.hour, m.value FROM metric_touched t
       JOIN metric_samples m ON m.series_id = t.series_id AND m.ts >= t.hour AND m.ts < t.hour + interval '1 hour'`,
  );
}
