import type pg from 'pg';
import { type AuditRow, queryAudit } from '../audit/query';
import { cachedAnswer } from '../cache/data-version';
import { getPool } from '../db/pool';
import type { Money } from '../format';
import { isMetricName, type MetricName } from '../metrics/names';
import {
  type Evidence,
  RECOMMENDATION_KINDS,
  RECOMMENDATION_STATUSES,
  type RecommendationKind,
  type RecommendationStatus,
} from '../recommendations/types';
import type { RawSearchParams } from '../schema';

/**
 * Reads recommendations for /recommendations, its CSV export, a recommendation's page and the
 * Overview's card. Savings are exact decimal strings with their currency; totals are per currency,
 * never added across currencies. Realized savings are the engine's `realized_daily_savings` (cost
 * per day before acceptance minus cost per day after, from later bills), shown per day and as a
 * 30-day month so they compare with the estimate.
 */

type Db = pg.Pool | pg.PoolClient;

export interface RecommendationFilters {
  provider?: string;
  account?: string;
  region?: string;
  team?: string;
  kind?: RecommendationKind;
  /** Absent: every status. */
  status?: RecommendationStatus;
}

export const FILTER_KEYS = ['provider', 'account', 'region', 'team', 'kind', 'status'] as const;

export interface RecommendationListItem {
  id: string;
  kind: RecommendationKind;
  provider: string;
  resourceId: string;
  subResourceId: string | null;
  accountId: string;
  regionId: string;
  team: string | null;
  currentType: string | null;
  proposedType: string | null;
  action: string;
  status: RecommendationStatus;
  /** Estimated monthly savings; null when the rule could not price it. */
  monthlySavings: Money | null;
  /** The resource's own effective cost over the last 30 days. */
  monthlyCost: Money | null;
  /** Realized savings per 30 days (daily × 30), once later bills show them. */
  realizedMonthlySavings: Money | null;
  snoozedUntil: string | null;
  firstDetectedAt: Date;
  lastDetectedAt: Date;
}

export interface RecommendationTotals {
  /** Estimated monthly savings of the open recommendations, one entry per currency. */
  open: (Money & { count: number })[];
  /** Realized savings per 30 days of accepted (or since resolved) recommendations, per currency. */
  realized: (Money & { count: number })[];
}

interface ListRow {
  id: string;
  kind: RecommendationKind;
  provider: string;
  resource_id: string;
  sub_resource_id: string | null;
  account_id: string;
  region_id: string;
  team: string | null;
  current_type: string | null;
  proposed_type: string | null;
  action: string;
  status: RecommendationStatus;
  currency: string | null;
  monthly_savings: string | null;
  monthly_cost: string | null;
  realized_monthly: string | null;
  snoozed_until: string | null;
  first_detected_at: Date;
  last_detected_at: Date;
}

const LIST_COLUMNS = `r.id, r.kind, r.provider, r.resource_id, r.sub_resource_id, r.account_id, r.region_id, r.team,
  r.current_type, r.proposed_type, r.action, r.status, r.currency, r.monthly_savings, r.monthly_cost,
  r.realized_daily_savings * 30 AS realized_monthly, r.snoozed_until, r.first_detected_at, r.last_detected_at`;

/** The filters as SQL parameters $1..$6 (null: not filtered); one fixed statement, as queryAudit does. */
const FILTER_SQL = `($1::text IS NULL OR r.provider = $1)
  AND ($2::text IS NULL OR r.account_id = $2)
  AND ($3::text IS NULL OR r.region_id = $3)
  AND ($4::text IS NULL OR r.team = $4)
  AND ($5::text IS NULL OR r.kind = $5)
  AND ($6::text IS NULL OR r.status = $6)`;

function filterParams(f: RecommendationFilters): (string | null)[] {
  return [f.provider ?? null, f.account ?? null, f.region ?? null, f.team ?? null, f.kind ?? null, f.status ?? null];
}

function money(amount: string | null, currency: string | null): Money | null {
  return amount === null || currency === null ? null : { amount, currency };
}

function toItem(r: ListRow): RecommendationListItem {
  return {
    id: r.id,
    kind: r.kind,
    provider: r.provider,
    resourceId: r.resource_id,
    subResourceId: r.sub_resource_id,
    accountId: r.account_id,
    regionId: r.region_id,
    team: r.team,
    currentType: r.current_type,
    proposedType: r.proposed_type,
    action: r.action,
    status: r.status,
    monthlySavings: money(r.monthly_savings, r.currency),
    monthlyCost: money(r.monthly_cost, r.currency),
    realizedMonthlySavings: money(r.realized_monthly, r.currency),
    snoozedUntil: r.snoozed_until,
    firstDetectedAt: r.first_detected_at,
    lastDetectedAt: r.last_detected_at,
  };
}

// Largest savings first (amounts of different currencies are ordered by their figures, never added);
// unpriced ones last; the id keeps the order stable between pages and exports.
const ORDER = 'ORDER BY r.monthly_savings DESC NULLS LAST, r.id';

export const LIST_LIMIT = 200;

/** The recommendations matching the filters, largest savings first: at most `limit`, and how many match. */
export async function listRecommendations(
  filters: RecommendationFilters,
  options: { limit?: number; db?: Db } = {},
): Promise<{ items: RecommendationListItem[]; total: number }> {
  const db = options.db ?? getPool();
  const limit = options.limit ?? LIST_LIMIT;
  const [{ rows }, count] = await Promise.all([
    db.query<ListRow>(`SELECT ${LIST_COLUMNS} FROM recommendations r WHERE ${FILTER_SQL} ${ORDER} LIMIT $7`, [
      ...filterParams(filters),
      limit,
    ]),
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM recommendations r WHERE ${FILTER_SQL}`, filterParams(filters)),
  ]);
  return { items: rows.map(toItem), total: count.rows[0]?.n ?? 0 };
}

/** Every matching recommendation, in the list's order, a batch at a time (the CSV export). */
export async function* allRecommendations(filters: RecommendationFilters, batch = 1000): AsyncGenerator<RecommendationListItem> {
  let after = null as { savings: string | null; id: string } | null;
  for (;;) {
    // Keyset on (monthly_savings DESC NULLS LAST, id): priced rows first, then the unpriced ones.
    const { rows }: { rows: ListRow[] } = await getPool().query<ListRow>(
      `SELECT ${LIST_COLUMNS} FROM recommendations r
        WHERE ${FILTER_SQL}
          AND ($7::boolean IS NULL
               OR ($8::numeric IS NOT NULL AND (r.monthly_savings < $8 OR (r.monthly_savings = $8 AND r.id > $9) OR r.monthly_savings IS NULL))
               OR ($8::numeric IS NULL AND r.monthly_savings IS NULL AND r.id > $9))
        ${ORDER} LIMIT $10`,
      [...filterParams(filters), after === null ? null : true, after?.savings ?? null, after?.id ?? null, batch],
    );
    for (const r of rows) yield toItem(r);
    const last = rows.at(-1);
    if (rows.length < batch || !last) return;
    after = { savings: last.monthly_savings, id: last.id };
  }
}

/** Open estimated savings and realized savings per currency, under the same filters except status. */
export async function getRecommendationTotals(
  filters: Omit<RecommendationFilters, 'status'>,
  db: Db = getPool(),
): Promise<RecommendationTotals> {
  const { rows } = await db.query<{ which: 'open' | 'realized'; currency: string; amount: string; n: number }>(
    `SELECT 'open' AS which, r.currency, sum(r.monthly_savings) AS amount, count(*)::int AS n
       FROM recommendations r
      WHERE ${FILTER_SQL} AND r.status = 'open' AND r.monthly_savings IS NOT NULL
      GROUP BY r.currency
     UNION ALL
     SELECT 'realized', r.currency, sum(r.realized_daily_savings) * 30, count(*)::int
       FROM recommendations r
      WHERE ${FILTER_SQL} AND r.status IN ('accepted', 'resolved') AND r.realized_daily_savings IS NOT NULL AND r.currency IS NOT NULL
      GROUP BY r.currency
      ORDER BY 1, 3 DESC, 2`,
    filterParams({ ...filters, status: undefined }),
  );
  const pick = (which: 'open' | 'realized') =>
    rows.filter((r) => r.which === which).map((r) => ({ currency: r.currency, amount: r.amount, count: r.n }));
  return { open: pick('open'), realized: pick('realized') };
}

export interface FilterOptions {
  providers: string[];
  accounts: string[];
  regions: string[];
  teams: string[];
}

/** The values the filters can take: what the recommendations hold. */
export async function getFilterOptions(db: Db = getPool()): Promise<FilterOptions> {
  const { rows } = await db.query<{ providers: string[]; accounts: string[]; regions: string[]; teams: string[] }>(
    `SELECT coalesce(array_agg(DISTINCT provider ORDER BY provider), '{}') AS providers,
            coalesce(array_agg(DISTINCT account_id ORDER BY account_id) FILTER (WHERE account_id <> ''), '{}') AS accounts,
            coalesce(array_agg(DISTINCT region_id ORDER BY region_id) FILTER (WHERE region_id <> ''), '{}') AS regions,
            coalesce(array_agg(DISTINCT team ORDER BY team) FILTER (WHERE team IS NOT NULL AND team <> ''), '{}') AS teams
       FROM recommendations`,
  );
  const r = rows[0];
  return { providers: r?.providers ?? [], accounts: r?.accounts ?? [], regions: r?.regions ?? [], teams: r?.teams ?? [] };
}

export interface RecommendationDetail extends RecommendationListItem {
  resourcePk: string | null;
  resourceName: string | null;
  resourceKind: string | null;
  resourceState: string | null;
  resourceGoneAt: Date | null;
  evidence: Evidence;
  /** The rule's parameters as they were when this was computed. */
  parameters: Record<string, number>;
  dismissReason: string | null;
  statusChangedAt: Date | null;
  statusChangedBy: string | null;
  resolvedReason: string | null;
  resolvedAt: Date | null;
  baselineDailyCost: Money | null;
  realizedDailySavings: Money | null;
  /** The audit trail's lines about this recommendation, newest first. */
  history: AuditRow[];
}

/** One recommendation with its evidence and history; null when there is none with this id. */
export async function getRecommendation(id: string, db: Db = getPool()): Promise<RecommendationDetail | null> {
  if (!/^\d{1,18}$/.test(id)) return null;
  const { rows } = await db.query<
    ListRow & {
      resource_pk: string | null;
      resource_name: string | null;
      resource_kind: string | null;
      resource_state: string | null;
      resource_gone_at: Date | null;
      evidence: Evidence;
      parameters: Record<string, number>;
      dismiss_reason: string | null;
      status_changed_at: Date | null;
      status_changed_by: string | null;
      resolved_reason: string | null;
      resolved_at: Date | null;
      baseline_daily_cost: string | null;
      realized_daily_savings: string | null;
    }
  >(
    `SELECT ${LIST_COLUMNS}, r.resource_pk, res.name AS resource_name, res.kind AS resource_kind, res.state AS resource_state,
            res.gone_at AS resource_gone_at, r.evidence, r.parameters, r.dismiss_reason, r.status_changed_at, r.status_changed_by,
            r.resolved_reason, r.resolved_at, r.baseline_daily_cost, r.realized_daily_savings
       FROM recommendations r LEFT JOIN resources res ON res.id = r.resource_pk
      WHERE r.id = $1`,
    [id],
  );
  const r = rows[0];
  if (!r) return null;
  const history = await queryAudit({ objectType: 'recommendation', objectId: r.id }, { db, limit: 100 });
  return {
    ...toItem(r),
    resourcePk: r.resource_pk,
    resourceName: r.resource_name,
    resourceKind: r.resource_kind,
    resourceState: r.resource_state,
    resourceGoneAt: r.resource_gone_at,
    evidence: r.evidence,
    parameters: r.parameters,
    dismissReason: r.dismiss_reason,
    statusChangedAt: r.status_changed_at,
    statusChangedBy: r.status_changed_by,
    resolvedReason: r.resolved_reason,
    resolvedAt: r.resolved_at,
    baselineDailyCost: money(r.baseline_daily_cost, r.currency),
    realizedDailySavings: money(r.realized_daily_savings, r.currency),
    history: history.rows,
  };
}

export interface EvidencePoint {
  /** Start of the hour (hourly) or the sample's instant (raw), epoch milliseconds. */
  t: number;
  /** Hourly mean, or the sample's value. */
  value: number;
  /** Hourly max; null for raw samples. */
  max: number | null;
}

export interface EvidenceSeries {
  metric: MetricName;
  source: 'hourly' | 'raw';
  points: EvidencePoint[];
  /**
   * How many GPUs the series stands for: a machine's GPU recommendation (no GPU of its own) is drawn
   * from its GPUs' series, the hourly mean over them and the highest hourly max of any.
   */
  gpus: number;
}

/** Windows up to this long are drawn from raw samples when the raw window still holds them. */
export const RAW_SERIES_MAX_HOURS = 48;
const RAW_SERIES_MAX_POINTS = 3000;

/**
 * The evidence chart's series: the resource's metric over the evidence window. Hourly mean and max
 * (metric_hourly, kept 13 months) for the usual 7- or 14-day windows; raw samples (metric_raw)
 * for a window of two days or less, when they are still there and not too many to draw.
 */
export async function getEvidenceSeries(
  args: { resourcePk: string; metric: string; start: Date; end: Date },
  db: Db = getPool(),
): Promise<EvidenceSeries | null> {
  if (!isMetricName(args.metric)) return null;
  // The resource's own series; for a machine without one, its GPUs' (a recommendation about the
  // machine's GPUs as a whole).
  const { rows: series } = await db.query<{ id: number }>(
    `SELECT id FROM metric_series WHERE resource_pk = $1 AND metric = $2
     UNION ALL
     SELECT ms.id FROM resources m
       JOIN resources g ON g.provider = m.provider AND g.resource_id = m.resource_id AND g.sub_resource_id <> ''
       JOIN metric_series ms ON ms.resource_pk = g.id AND ms.metric = $2
      WHERE m.id = $1 AND m.sub_resource_id = ''
        AND NOT EXISTS (SELECT 1 FROM metric_series x WHERE x.resource_pk = $1 AND x.metric = $2)`,
    [args.resourcePk, args.metric],
  );
  if (series.length === 0) return null;
  if (series.length > 1) {
    const { rows } = await db.query<{ hour: Date; mean: number; max: number }>(
      `SELECT hour, sum(sum) / sum(n) AS mean, max(max) AS max FROM metric_hourly
        WHERE series_id = ANY($1::int[]) AND hour >= $2 AND hour < $3 GROUP BY hour ORDER BY hour`,
      [series.map((r) => r.id), args.start, args.end],
    );
    return {
      metric: args.metric,
      source: 'hourly',
      points: rows.map((r) => ({ t: r.hour.getTime(), value: r.mean, max: r.max })),
      gpus: series.length,
    };
  }
  const seriesId = (series[0] as { id: number }).id;
  const hours = (args.end.getTime() - args.start.getTime()) / 3_600_000;
  if (hours <= RAW_SERIES_MAX_HOURS) {
    const { rows } = await db.query<{ ts: Date; value: number }>(
      `SELECT r.hour + u.ms * interval '1 millisecond' AS ts, u.value
         FROM metric_raw r, unnest(r.offsets_ms, r.vals) AS u(ms, value)
        WHERE r.series_id = $1 AND r.hour >= date_trunc('hour', $2::timestamptz, 'UTC') AND r.hour < $3
          AND r.hour + u.ms * interval '1 millisecond' >= $2 AND r.hour + u.ms * interval '1 millisecond' < $3
        ORDER BY 1 LIMIT $4`,
      [seriesId, args.start, args.end, RAW_SERIES_MAX_POINTS + 1],
    );
    if (rows.length > 0 && rows.length <= RAW_SERIES_MAX_POINTS) {
      return {
        metric: args.metric,
        source: 'raw',
        points: rows.map((r) => ({ t: r.ts.getTime(), value: r.value, max: null })),
        gpus: 1,
      };
    }
  }
  const { rows } = await db.query<{ hour: Date; mean: number; max: number }>(
    'SELECT hour, sum / n AS mean, max FROM metric_hourly WHERE series_id = $1 AND hour >= $2 AND hour < $3 ORDER BY hour',
    [seriesId, args.start, args.end],
  );
  return {
    metric: args.metric,
    source: 'hourly',
    points: rows.map((r) => ({ t: r.hour.getTime(), value: r.mean, max: r.max })),
    gpus: 1,
  };
}

/** The Overview card: open savings per currency and the three open recommendations that save the most. */
export async function getRecommendationsSummary(
  db: Db = getPool(),
): Promise<{ open: RecommendationTotals['open']; top: RecommendationListItem[] }> {
  if (db === getPool()) return cachedAnswer('recommendations-summary', null, () => uncachedRecommendationsSummary(db));
  return uncachedRecommendationsSummary(db);
}

async function uncachedRecommendationsSummary(db: Db): Promise<{ open: RecommendationTotals['open']; top: RecommendationListItem[] }> {
  const [totals, top] = await Promise.all([getRecommendationTotals({}, db), listRecommendations({ status: 'open' }, { limit: 3, db })]);
  return { open: totals.open, top: top.items };
}

export interface RecommendationSearch {
  filters: RecommendationFilters;
  /** One phrase per parameter that was left out, for the page to show and the CSV route to refuse. */
  problems: string[];
}

function single(raw: RawSearchParams, key: string): string | undefined {
  const v = raw[key];
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined || first.trim() === '' ? undefined : first.trim();
}

const TEXT_LIMIT = 200;

/**
 * The /recommendations URL's filters, shared by the page and the CSV route. `status` defaults to
 * open; `status=all` lists every status. Never throws: a bad value is named in `problems` and left
 * out (the page shows them, the export refuses them).
 */
export function parseRecommendationSearchParams(raw: RawSearchParams): RecommendationSearch {
  const problems: string[] = [];
  const filters: RecommendationFilters = {};
  for (const key of ['provider', 'account', 'region', 'team'] as const) {
    const value = single(raw, key);
    if (value === undefined) continue;
    if (value.length > TEXT_LIMIT) problems.push(`${key} is longer than ${TEXT_LIMIT} characters`);
    else filters[key] = value;
  }
  const kind = single(raw, 'kind');
  if (kind !== undefined) {
    if ((RECOMMENDATION_KINDS as readonly string[]).includes(kind)) filters.kind = kind as RecommendationKind;
    else problems.push(`kind=${kind.slice(0, 40)} is not one of ${RECOMMENDATION_KINDS.join(', ')}`);
  }
  const status = single(raw, 'status') ?? 'open';
  if ((RECOMMENDATION_STATUSES as readonly string[]).includes(status)) filters.status = status as RecommendationStatus;
  else if (status !== 'all') problems.push(`status=${status.slice(0, 20)} is not one of all, ${RECOMMENDATION_STATUSES.join(', ')}`);
  return { filters, problems };
}

/** The query string that reproduces these filters ('' for the defaults); `status` is always written unless it is open. */
export function recommendationSearchString(filters: RecommendationFilters): string {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    if (key === 'status') continue;
    const value = filters[key];
    if (value !== undefined) params.set(key, value);
  }
  if (filters.status === undefined) params.set('status', 'all');
  else if (filters.status !== 'open') params.set('status', filters.status);
  const s = params.toString();
  return s ? `?${s}` : '';
}

export const RECOMMENDATION_CSV_COLUMNS = [
  'id',
  'kind',
  'status',
  'provider',
  'account_id',
  'region_id',
  'team',
  'resource_id',
  'sub_resource_id',
  'current_type',
  'proposed_type',
  'action',
  'currency',
  'monthly_savings',
  'monthly_cost',
  'realized_monthly_savings',
  'snoozed_until',
  'first_detected_at_utc',
  'last_detected_at_utc',
] as const;

/** One CSV line's cells (lib/csv-export.ts quotes and neutralizes them); amounts as exact decimals in `currency`. */
export function recommendationCsvCells(r: RecommendationListItem): (string | null)[] {
  return [
    r.id,
    r.kind,
    r.status,
    r.provider,
    r.accountId,
    r.regionId,
    r.team,
    r.resourceId,
    r.subResourceId,
    r.currentType,
    r.proposedType,
    r.action,
    r.monthlySavings?.currency ?? r.monthlyCost?.currency ?? null,
    r.monthlySavings?.amount ?? null,
    r.monthlyCost?.amount ?? null,
    r.realizedMonthlySavings?.amount ?? null,
    r.snoozedUntil,
    r.firstDetectedAt.toISOString(),
    r.lastDetectedAt.toISOString(),
  ];
}
