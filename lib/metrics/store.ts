import type pg from 'pg';
import { copyChunks } from '../ingest/copy-stream';
import type { SampleBatch } from '../inventory/types';
import { normalizeResourceId } from '../resources/normalize';
import { upsertResources } from '../resources/store';
import { METRICS, type MetricName } from './names';
import { sketchKeySql } from './sketch';

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

/**
 * Imports batches inside the caller's open transaction. `label` names the file or source in
 * errors. `onProgress` gets the running sample count after each chunk.
 */
export async function importSamples(
  client: pg.PoolClient,
  batches: AsyncIterable<SampleBatch> | Iterable<SampleBatch>,
  opts: { label: string; onProgress?: (samples: number) => void },
): Promise<ImportSummary> {
  // The COPY holds the connection, so series are numbered locally while it runs and resolved to
  // metric_series ids (creating resources and series) once it is done, in one statement each.
  await client.query(
    'CREATE TEMP TABLE IF NOT EXISTS metric_import (local integer NOT NULL, ts timestamptz NOT NULL, value double precision NOT NULL) ON COMMIT DROP',
  );
  await client.query('TRUNCATE metric_import');
  const iterator = (Symbol.asyncIterator in batches ? batches[Symbol.asyncIterator]() : batches[Symbol.iterator]()) as
    | AsyncIterator<SampleBatch>
    | Iterator<SampleBatch>;
  const locals = new Map<string, number>();
  const identities: SampleBatch[] = [];
  let samples = 0;
  await copyChunks({
    client,
    sql: 'COPY metric_import (local, ts, value) FROM STDIN',
    file: opts.label,
    fileLine: () => undefined,
    next: async () => {
      const step = await iterator.next();
      if (step.done) return null;
      const b = step.value;
      const key = identityKey(b);
      let local = locals.get(key);
      if (local === undefined) {
        local = identities.length;
        locals.set(key, local);
        identities.push(b);
      }
      if (b.timestamps.length !== b.values.length)
        throw new MetricValueError(
          `${opts.label}: ${b.metric} of ${b.resourceId}: ${b.timestamps.length} timestamps but ${b.values.length} values`,
        );
      let out = '';
      for (let i = 0; i < b.values.length; i++) {
        const v = b.values[i] as number;
        const t = b.timestamps[i] as number;
        if (!Number.isFinite(t))
          throw new MetricValueError(`${opts.label}: ${b.metric} of ${b.resourceId}: timestamp ${t} is not a valid time`);
        if (!Number.isFinite(v))
          throw new MetricValueError(
            `${opts.label}: ${b.metric} of ${b.resourceId} at ${new Date(t).toISOString()}: value ${v} is not a finite number`,
          );
        out += `${local}\t${new Date(t).toISOString()}\t${v}\n`;
      }
      samples += b.values.length;
      opts.onProgress?.(samples);
      return out;
    },
  });
  const seriesIds = await resolveSeries(client, identities);
  await client.query(
    'CREATE TEMP TABLE IF NOT EXISTS metric_import_series (local integer PRIMARY KEY, series_id integer NOT NULL) ON COMMIT DROP',
  );
  await client.query('TRUNCATE metric_import_series');
  await client.query('INSERT INTO metric_import_series SELECT * FROM unnest($1::int[], $2::int[])', [
    seriesIds.map((_, i) => i),
    seriesIds,
  ]);
  const series = new Set(seriesIds);
  if (samples === 0) return { series: series.size, samples: 0, hours: 0, start: null, end: null };
  const { rows: days } = await client.query<{ day: Date }>(`SELECT DISTINCT date_trunc('day', ts, 'UTC') AS day FROM metric_import`);
  for (const { day } of days) await client.query('SELECT burnrate_ensure_metric_partition($1)', [day]);
  await client.query(
    `INSERT INTO metric_samples (series_id, ts, value)
     SELECT DISTINCT ON (s.series_id, i.ts) s.series_id, i.ts, i.value
       FROM metric_import i JOIN metric_import_series s USING (local) ORDER BY s.series_id, i.ts
     ON CONFLICT (series_id, ts) DO UPDATE SET value = EXCLUDED.value`,
  );
  const hours = await refreshHourly(
    client,
    `SELECT DISTINCT s.series_id, date_trunc('hour', i.ts, 'UTC') AS hour FROM metric_import i JOIN metric_import_series s USING (local)`,
  );
  const { rows } = await client.query<{ start: Date; end: Date }>('SELECT min(ts) AS start, max(ts) AS end FROM metric_import');
  return { series: series.size, samples, hours, start: rows[0]?.start ?? null, end: rows[0]?.end ?? null };
}

/** Recomputes metric_hourly for the (series_id, hour) pairs `touchedSql` selects, from metric_samples. */
export async function refreshHourly(client: pg.PoolClient, touchedSql: string): Promise<number> {
  await client.query('CREATE TEMP TABLE IF NOT EXISTS metric_touched (series_id integer, hour timestamptz) ON COMMIT DROP');
  await client.query('TRUNCATE metric_touched');
  await client.query(`INSERT INTO metric_touched ${touchedSql}`);
  const { rowCount } = await client.query(
    `INSERT INTO metric_hourly (series_id, hour, n, sum, min, max, sketch_keys, sketch_counts)
     SELECT series_id, hour, sum(c)::int, sum(s), min(mn), max(mx), array_agg(k ORDER BY k), array_agg(c ORDER BY k)
       FROM (SELECT m.series_id, t.hour, ${sketchKeySql('m.value')} AS k, count(*)::int AS c,
                    sum(m.value) AS s, min(m.value) AS mn, max(m.value) AS mx
               FROM metric_touched t
               JOIN metric_samples m ON m.series_id = t.series_id AND m.ts >= t.hour AND m.ts < t.hour + interval '1 hour'
              GROUP BY 1, 2, 3) b
      GROUP BY series_id, hour
     ON CONFLICT (series_id, hour) DO UPDATE SET n = EXCLUDED.n, sum = EXCLUDED.sum, min = EXCLUDED.min, max = EXCLUDED.max,
       sketch_keys = EXCLUDED.sketch_keys, sketch_counts = EXCLUDED.sketch_counts`,
  );
  return rowCount ?? 0;
}
