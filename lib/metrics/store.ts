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
 * sync is all-or-nothing. Raw samples are stored one row per series and hour (metric_raw: the
 * hour's millisecond offsets and values as arrays; the view metric_samples reads them back one row
 * per sample); a sample already stored for the same series and instant is replaced, never added
 * (re-importing never double counts); each hour touched gets its aggregate (metric_hourly).
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

/** Fails the import naming the series and sample when a time or value is not a finite number. */
function checkSamples(b: SampleBatch, label: string): void {
  const n = b.values.length;
  if (b.timestamps.length !== n)
    throw new MetricValueError(`${label}: ${b.metric} of ${b.resourceId}: ${b.timestamps.length} timestamps but ${n} values`);
  for (let i = 0; i < n; i++) {
    const t = b.timestamps[i] as number;
    const v = b.values[i] as number;
    if (!Number.isFinite(t)) throw new MetricValueError(`${label}: ${b.metric} of ${b.resourceId}: timestamp ${t} is not a valid time`);
    if (!Number.isFinite(v))
      throw new MetricValueError(
        `${label}: ${b.metric} of ${b.resourceId} at ${new Date(t).toISOString()}: value ${v} is not a finite number`,
      );
  }
}

/**
 * One batch as COPY binary tuples (series number, time, value), preceded by the format's header
 * when `header`; end the stream with BINARY_TRAILER. Checks every sample on the way: a time or
 * value that is not a finite number fails the import naming the series.
 */
export function encodeSamples(series: number, b: SampleBatch, label: string, header: boolean): Buffer {
  const n = b.values.length;
  checkSamples(b, label);
  const offset = header ? BINARY_HEADER.length : 0;
  const out = Buffer.allocUnsafe(offset + n * TUPLE_BYTES);
  if (header) BINARY_HEADER.copy(out, 0);
  let o = offset;
  for (let i = 0; i < n; i++) {
    const v = b.values[i] as number;
    const t = b.timestamps[i] as number;
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

/** Bytes of a metric_raw tuple's fixed part: field count, series, hour, the two array headers. */
const RAW_FIXED_BYTES = 2 + (4 + 4) + (4 + 8) + (4 + 20) + (4 + 20);
/** Bytes per sample in a metric_raw tuple: an int4 and a float8 array element with their lengths. */
const RAW_SAMPLE_BYTES = 4 + 4 + 4 + 8;
const INT4_OID = 23;
const RAW_COLUMNS = 'series_id, hour, offsets_ms, vals';
const HOURLY_COLUMNS = 'series_id, hour, n, sum, min, max, sketch_keys, sketch_counts';
const FLOAT8_OID = 701;

/** A one-dimensional array's header in COPY binary: ndim, has-nulls, element type, length, lower bound. */
function writeArrayHeader(out: Buffer, o: number, bytes: number, oid: number, n: number): number {
  out.writeInt32BE(bytes, o);
  out.writeInt32BE(1, o + 4);
  out.writeInt32BE(0, o + 8);
  out.writeInt32BE(oid, o + 12);
  out.writeInt32BE(n, o + 16);
  out.writeInt32BE(1, o + 20);
  return o + 24;
}

/**
 * COPY binary tuples written back to back into 1 MiB buffers: one socket write per buffer instead
 * of one per row (a write per hour row was a fifth of an import's time).
 */
class TupleWriter {
  readonly parts: Buffer[] = [];
  private buf = Buffer.allocUnsafe(0);
  private used = 0;

  /** Room for `bytes` more; returns the buffer and the offset to write at, then call `commit`. */
  reserve(bytes: number): [Buffer, number] {
    if (this.used + bytes > this.buf.length) {
      if (this.used > 0) this.parts.push(this.buf.subarray(0, this.used));
      this.buf = Buffer.allocUnsafe(Math.max(1 << 20, bytes));
      this.used = 0;
    }
    return [this.buf, this.used];
  }

  commit(end: number): void {
    this.used = end;
  }

  /** Whether a filled buffer is waiting to be taken. */
  hasFull(): boolean {
    return this.parts.length > 0;
  }

  /** The filled buffers so far (the one being written stays). */
  takeFull(): Buffer[] {
    return this.parts.splice(0);
  }

  /** Every written tuple not taken yet, the buffer being written included. */
  done(): Buffer[] {
    if (this.used > 0) this.parts.push(this.buf.subarray(0, this.used));
    this.buf = Buffer.allocUnsafe(0);
    this.used = 0;
    return this.parts.splice(0);
  }
}

/** Bytes of a metric_hourly tuple's fixed part: field count, series, hour, n, sum, min, max, two array headers. */
const HOURLY_FIXED_BYTES = 2 + (4 + 4) + (4 + 8) + (4 + 4) + 3 * (4 + 8) + (4 + 20) + (4 + 20);
/** Bytes per sketch bucket in a metric_hourly tuple: an int2 key and an int4 count with their lengths. */
const HOURLY_KEY_BYTES = 4 + 2 + 4 + 4;
const INT2_OID = 21;

/**
 * The rows of each hour of the samples added in time order: the raw row (metric_raw: series, hour,
 * millisecond offsets, values) and the aggregate (metric_hourly: count, sum, min, max and the
 * DDSketch, with the same keys as SQL's sketchKeySql), both as COPY binary tuples. An hour that an
 * earlier segment of the same import left open goes to the `merge` writers instead, to be appended
 * to (raw) and added to key by key (aggregate).
 */
class HourRows {
  readonly raw = new TupleWriter();
  readonly hourly = new TupleWriter();
  readonly rawMerge = new TupleWriter();
  readonly hourlyMerge = new TupleWriter();
  merged = 0;
  rows = 0;
  private series = -1;
  private openHour = Number.NaN;
  private hour = 0;
  private n = 0;
  private sum = 0;
  private min = 0;
  private max = 0;
  private keys: number[] = [];
  private offsets: number[] = [];
  private values: number[] = [];

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
    this.offsets.push(Math.floor(t - hour * HOUR_MS));
    this.values.push(v);
  }

  flush(): void {
    const n = this.n;
    if (n === 0) return;
    const merge = this.hour === this.openHour;
    if (merge) this.merged++;
    const hourUs = (this.hour * HOUR_MS - PG_EPOCH_MS) * 1000;
    // The raw row.
    const rawOut = merge ? this.rawMerge : this.raw;
    const [raw, r0] = rawOut.reserve(RAW_FIXED_BYTES + n * RAW_SAMPLE_BYTES);
    raw.writeInt16BE(4, r0);
    raw.writeInt32BE(4, r0 + 2);
    raw.writeInt32BE(this.series, r0 + 6);
    raw.writeInt32BE(8, r0 + 10);
    writeInt64(raw, r0 + 14, hourUs);
    let o = writeArrayHeader(raw, r0 + 22, 20 + n * 8, INT4_OID, n);
    for (let i = 0; i < n; i++) {
      raw.writeInt32BE(4, o);
      raw.writeInt32BE(this.offsets[i] as number, o + 4);
      o += 8;
    }
    o = writeArrayHeader(raw, o, 20 + n * 12, FLOAT8_OID, n);
    for (let i = 0; i < n; i++) {
      raw.writeInt32BE(8, o);
      raw.writeDoubleBE(this.values[i] as number, o + 4);
      o += 12;
    }
    rawOut.commit(o);
    // The aggregate: the sketch's keys ascending with their counts.
    const keys = this.keys.sort((a, b) => a - b);
    let distinct = 0;
    for (let i = 0; i < keys.length; i++) if (i === 0 || keys[i] !== keys[i - 1]) distinct++;
    const hourlyOut = merge ? this.hourlyMerge : this.hourly;
    const [h, h0] = hourlyOut.reserve(HOURLY_FIXED_BYTES + distinct * HOURLY_KEY_BYTES);
    h.writeInt16BE(8, h0);
    h.writeInt32BE(4, h0 + 2);
    h.writeInt32BE(this.series, h0 + 6);
    h.writeInt32BE(8, h0 + 10);
    writeInt64(h, h0 + 14, hourUs);
    h.writeInt32BE(4, h0 + 22);
    h.writeInt32BE(n, h0 + 26);
    h.writeInt32BE(8, h0 + 30);
    h.writeDoubleBE(this.sum, h0 + 34);
    h.writeInt32BE(8, h0 + 42);
    h.writeDoubleBE(this.min, h0 + 46);
    h.writeInt32BE(8, h0 + 54);
    h.writeDoubleBE(this.max, h0 + 58);
    o = writeArrayHeader(h, h0 + 66, 20 + distinct * 6, INT2_OID, distinct);
    for (let i = 0; i < keys.length; i++) {
      if (i > 0 && keys[i] === keys[i - 1]) continue;
      h.writeInt32BE(2, o);
      h.writeInt16BE(keys[i] as number, o + 4);
      o += 6;
    }
    o = writeArrayHeader(h, o, 20 + distinct * 8, INT4_OID, distinct);
    let count = 0;
    for (let i = 0; i < keys.length; i++) {
      count++;
      if (i + 1 < keys.length && keys[i + 1] === keys[i]) continue;
      h.writeInt32BE(4, o);
      h.writeInt32BE(count, o + 4);
      o += 8;
      count = 0;
    }
    hourlyOut.commit(o);
    this.rows++;
    this.n = 0;
    this.sum = 0;
    this.keys = [];
    this.offsets = [];
    this.values = [];
  }
}

/**
 * COPYs binary tuples into `table`'s `columns`: `parts`, or what `produce` returns on each call
 * (buffers of whole tuples, an empty array to end).
 */
async function copyTuples(
  client: pg.PoolClient,
  table: string,
  columns: string,
  label: string,
  parts: Buffer[] | (() => Buffer[]),
): Promise<void> {
  const produce = typeof parts === 'function' ? parts : () => parts.splice(0);
  const queue: Buffer[] = [BINARY_HEADER];
  let ended = false;
  await copyChunks({
    client,
    sql: `COPY ${table} (${columns}) FROM STDIN${SAMPLE_COPY_FORMAT}`,
    file: label,
    fileLine: () => undefined,
    next: async () => {
      while (queue.length === 0 && !ended) {
        const more = produce();
        if (more.length === 0) {
          ended = true;
          queue.push(BINARY_TRAILER);
        } else queue.push(...more);
      }
      return queue.shift() ?? null;
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
  await client.query(
    `CREATE TEMP TABLE IF NOT EXISTS metric_import_raw (series_id integer NOT NULL, hour timestamptz NOT NULL,
       offsets_ms integer[] NOT NULL, vals double precision[] NOT NULL) ON COMMIT DROP`,
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
    // Which ordered series meet stored data: a raw hour row or an hour aggregate in their range,
    // other than the hour this import itself left open.
    const candidates = [...ranges.entries()].filter(([, r]) => r.ordered);
    const clashing = new Set<number>();
    if (candidates.length) {
      const { rows } = await client.query<{ id: number }>(
        `SELECT s.id FROM unnest($1::int[], $2::timestamptz[], $3::timestamptz[]) AS s(id, hi, hour_lo)
          WHERE EXISTS (SELECT 1 FROM metric_raw m WHERE m.series_id = s.id AND m.hour >= s.hour_lo AND m.hour <= s.hi)
             OR EXISTS (SELECT 1 FROM metric_hourly h WHERE h.series_id = s.id AND h.hour >= s.hour_lo AND h.hour <= s.hi)`,
        [
          candidates.map(([id]) => id),
          candidates.map(([, r]) => new Date(r.hi)),
          candidates.map(([, r]) => {
            const first = Math.floor(r.lo / HOUR_MS);
            return new Date((first === r.state.lastHour ? first + 1 : first) * HOUR_MS);
          }),
        ],
      );
      for (const { id } of rows) clashing.add(id);
    }
    const staged: Buffer[] = [];
    const fast: { id: number; openHour: number; batches: SampleBatch[] }[] = [];
    for (const [id, r] of ranges) {
      if (r.ordered && !clashing.has(id)) fast.push({ id, openHour: r.state.lastHour, batches: r.batches });
      else for (const b of r.batches) staged.push(encodeSamples(id, b, opts.label, false));
      r.state.last = Math.max(r.state.last, r.hi);
      r.state.lastHour = Math.floor(r.state.last / HOUR_MS);
    }
    if (lo < min) min = lo;
    if (hi > max) max = hi;
    if (fast.length) {
      // The raw rows are encoded series by series while PostgreSQL takes the previous buffers (the
      // two overlap on two cores); the aggregates, a fraction of the bytes, follow in a second COPY.
      const hourRows = new HourRows();
      let next = 0;
      await copyTuples(client, 'metric_raw', RAW_COLUMNS, opts.label, () => {
        while (next < fast.length && !hourRows.raw.hasFull()) {
          const f = fast[next++] as (typeof fast)[number];
          hourRows.begin(f.id, f.openHour);
          for (const b of f.batches) {
            checkSamples(b, opts.label);
            for (let i = 0; i < b.values.length; i++) hourRows.add(b.timestamps[i] as number, b.values[i] as number);
          }
          if (next === fast.length) hourRows.flush();
        }
        return next < fast.length ? hourRows.raw.takeFull() : hourRows.raw.done();
      });
      hours += hourRows.rows;
      await copyTuples(client, 'metric_hourly', HOURLY_COLUMNS, opts.label, hourRows.hourly.done());
      if (hourRows.merged) {
        // The hour this import left open in an earlier segment: its later samples are appended
        // (they come after every stored one), its aggregate added to key by key.
        await client.query('TRUNCATE metric_import_raw');
        await copyTuples(client, 'metric_import_raw', RAW_COLUMNS, opts.label, hourRows.rawMerge.done());
        await client.query(
          `INSERT INTO metric_raw SELECT * FROM metric_import_raw
           ON CONFLICT (series_id, hour) DO UPDATE SET offsets_ms = metric_raw.offsets_ms || EXCLUDED.offsets_ms,
             vals = metric_raw.vals || EXCLUDED.vals`,
        );
        await client.query('TRUNCATE metric_import_hourly');
        await copyTuples(client, 'metric_import_hourly', HOURLY_COLUMNS, opts.label, hourRows.hourlyMerge.done());
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
      await copyTuples(client, 'metric_import', 'series_id, ts, value', opts.label, staged);
      await client.query('CREATE TEMP TABLE IF NOT EXISTS metric_touched (series_id integer, hour timestamptz) ON COMMIT DROP');
      await client.query('TRUNCATE metric_touched');
      await client.query(`INSERT INTO metric_touched SELECT DISTINCT series_id, date_trunc('hour', ts, 'UTC') FROM metric_import`);
      // Each touched hour's row rebuilt from its stored samples and the imported ones; an imported
      // sample replaces a stored one at the same millisecond.
      await client.query(
        `INSERT INTO metric_raw (series_id, hour, offsets_ms, vals)
         SELECT series_id, hour, array_agg(ms ORDER BY ms), array_agg(value ORDER BY ms)
           FROM (SELECT DISTINCT ON (series_id, hour, ms) series_id, hour, ms, value
                   FROM (SELECT i.series_id, date_trunc('hour', i.ts, 'UTC') AS hour,
                                floor(extract(epoch FROM i.ts - date_trunc('hour', i.ts, 'UTC')) * 1000)::integer AS ms, i.value, 0 AS src
                           FROM metric_import i
                         UNION ALL
                         SELECT r.series_id, r.hour, u.ms, u.value, 1 AS src
                           FROM metric_touched t JOIN metric_raw r ON r.series_id = t.series_id AND r.hour = t.hour,
                                unnest(r.offsets_ms, r.vals) AS u(ms, value)) x
                  ORDER BY series_id, hour, ms, src) d
          GROUP BY series_id, hour
         ON CONFLICT (series_id, hour) DO UPDATE SET offsets_ms = EXCLUDED.offsets_ms, vals = EXCLUDED.vals`,
      );
      hours += await refreshHourly(client);
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

/** Recomputes metric_hourly for the (series_id, hour) pairs in metric_touched, from their raw rows. */
async function refreshHourly(client: pg.PoolClient): Promise<number> {
  return aggregateHours(
    client,
    `SELECT t.series_id, t.hour, u.value FROM metric_touched t
       JOIN metric_raw r ON r.series_id = t.series_id AND r.hour = t.hour, unnest(r.vals) AS u(value)`,
  );
}
