import type pg from 'pg';
import type { MetricName } from './names';
import { keyValue } from './sketch';

/**
 * Window statistics of many series at once, from the hourly aggregates (what every rule reads):
 * sample count, hours with data (coverage), mean, max and the asked quantiles (from the merged
 * sketches, so within the sketch's 1 % relative error; see lib/metrics/sketch.ts).
 */
export interface SeriesStats {
  seriesId: number;
  resourcePk: string;
  provider: string;
  resourceId: string;
  subResourceId: string;
  metric: MetricName;
  n: number;
  hours: number;
  mean: number;
  max: number;
  /** In the order of the `quantiles` asked. */
  quantiles: number[];
  /** Hours whose mean is below `hourMeanBelow`, when asked (idle hours of a bursty GPU). */
  hoursMeanBelow?: number;
}

export async function windowStats(
  db: pg.Pool | pg.PoolClient,
  args: {
    metrics: readonly MetricName[];
    start: Date;
    end: Date;
    quantiles: readonly number[];
    resourcePks?: readonly string[];
    /** Also count the hours whose mean is below this value (`hoursMeanBelow`). */
    hourMeanBelow?: number;
  },
): Promise<SeriesStats[]> {
  const { rows } = await db.query<{
    series_id: number;
    resource_pk: string;
    provider: string;
    resource_id: string;
    sub_resource_id: string;
    metric: MetricName;
    n: string;
    hours: number;
    mean: number;
    max: number;
    below: number;
    qkeys: number[];
  }>(
    `WITH s AS MATERIALIZED (
       SELECT ms.id, ms.resource_pk, ms.metric, r.provider, r.resource_id, r.sub_resource_id
         FROM metric_series ms JOIN resources r ON r.id = ms.resource_pk
        WHERE ms.metric = ANY($1::text[]) AND ($5::bigint[] IS NULL OR ms.resource_pk = ANY($5::bigint[]))),
     h AS MATERIALIZED (
       SELECT mh.* FROM metric_hourly mh JOIN s ON s.id = mh.series_id WHERE mh.hour >= $2 AND mh.hour < $3),
     tot AS (
       SELECT series_id, sum(n)::bigint AS n, count(*)::int AS hours, sum(sum) / sum(n) AS mean, max(max) AS max,
              count(*) FILTER (WHERE sum / n < $6::float8)::int AS below FROM h GROUP BY 1),
     ${
       // No quantile asked: the sketches are not read at all (their unnest is most of the cost).
       args.quantiles.length === 0
         ? 'qa AS (SELECT NULL::int AS series_id, NULL::smallint[] AS qkeys WHERE $4::float8[] IS NULL AND false)'
         : `b AS MATERIALIZED (
       SELECT h.series_id, u.k, sum(u.c)::bigint AS c FROM h, unnest(h.sketch_keys, h.sketch_counts) AS u(k, c) GROUP BY 1, 2),
     cum AS (
       SELECT series_id, k, sum(c) OVER (PARTITION BY series_id ORDER BY k) AS cum FROM b),
     targets AS (
       SELECT tot.series_id, q.ord, greatest(1, ceil(q.q * tot.n)) AS rank FROM tot, unnest($4::float8[]) WITH ORDINALITY AS q(q, ord)),
     qk AS (
       SELECT DISTINCT ON (t.series_id, t.ord) t.series_id, t.ord, cum.k
         FROM targets t JOIN cum ON cum.series_id = t.series_id AND cum.cum >= t.rank
        ORDER BY t.series_id, t.ord, cum.k),
     qa AS (
       SELECT series_id, array_agg(k ORDER BY ord) AS qkeys FROM qk GROUP BY series_id)`
     }
     SELECT s.id AS series_id, s.resource_pk, s.provider, s.resource_id, s.sub_resource_id, s.metric, tot.n, tot.hours, tot.mean, tot.max, tot.below,
            qa.qkeys
       FROM s JOIN tot ON tot.series_id = s.id LEFT JOIN qa ON qa.series_id = s.id
      ORDER BY s.id`,
    [args.metrics, args.start.toISOString(), args.end.toISOString(), args.quantiles, args.resourcePks ?? null, args.hourMeanBelow ?? null],
  );
  return rows.map((r) => ({
    seriesId: r.series_id,
    resourcePk: r.resource_pk,
    provider: r.provider,
    resourceId: r.resource_id,
    subResourceId: r.sub_resource_id,
    metric: r.metric,
    n: Number(r.n),
    hours: r.hours,
    mean: r.mean,
    max: r.max,
    quantiles: (r.qkeys ?? []).map(keyValue),
    ...(args.hourMeanBelow === undefined ? {} : { hoursMeanBelow: r.below }),
  }));
}

/** One hour of one series: its sample count, mean and max (metric_hourly, as stored). */
export interface HourlyPoint {
  seriesId: number;
  resourcePk: string;
  metric: MetricName;
  hour: Date;
  n: number;
  mean: number;
  max: number;
}

/**
 * The hourly means of many series over [start, end), ordered by series and hour: the heatmaps of
 * the GPU page (day × hour of day) read these, since with hourly aggregates each cell is one hour.
 */
export async function hourlyMeans(
  db: pg.Pool | pg.PoolClient,
  args: { metrics: readonly MetricName[]; start: Date; end: Date; resourcePks?: readonly string[] },
): Promise<HourlyPoint[]> {
  const { rows } = await db.query<{
    series_id: number;
    resource_pk: string;
    metric: MetricName;
    hour: Date;
    n: number;
    mean: number;
    max: number;
  }>(
    `SELECT ms.id AS series_id, ms.resource_pk, ms.metric, mh.hour, mh.n, mh.sum / mh.n AS mean, mh.max
       FROM metric_series ms JOIN metric_hourly mh ON mh.series_id = ms.id
      WHERE ms.metric = ANY($1::text[]) AND mh.hour >= $2 AND mh.hour < $3
        AND ($4::bigint[] IS NULL OR ms.resource_pk = ANY($4::bigint[]))
      ORDER BY ms.id, mh.hour`,
    [args.metrics, args.start.toISOString(), args.end.toISOString(), args.resourcePks ?? null],
  );
  return rows.map((r) => ({
    seriesId: r.series_id,
    resourcePk: r.resource_pk,
    metric: r.metric,
    hour: r.hour,
    n: r.n,
    mean: r.mean,
    max: r.max,
  }));
}
