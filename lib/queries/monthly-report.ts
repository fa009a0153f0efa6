/**
 * The monthly report (the PDF of lib/exports/pdf.ts and the scheduled email): one calendar month
 * (UTC) of billed cost against the month before, per billing currency. Everything but the team
 * split and the recommendations comes from `cost_daily`; sums are SQL numeric returned as exact
 * decimal strings, changes and percentages are computed in SQL, and currencies are never added.
 *
 * Billed cost, not effective (amortized) cost: the report is what finance checks against the
 * invoices, and the invoice is billed cost. Purchases of commitments show in the month they were
 * billed.
 */
import type pg from 'pg';
import { addMonths, monthEnd, monthStart } from '../calendar';
import { getPool } from '../db/pool';
import { conceptValueSql, loadTagRules } from '../tags/rules';
import { getRecommendationTotals } from './recommendations';

type Db = pg.Pool | pg.PoolClient;

/** An amount this month and last month in one currency. */
export interface MonthChange {
  currency: string;
  current: string;
  previous: string;
  /** current - previous, exact. */
  delta: string;
  /** (current - previous) / |previous| x 100, rounded to 0.1; null when previous is 0. */
  deltaPercent: string | null;
}

export interface ReportTotal extends MonthChange {
  /** Line items billed this month. */
  lineItems: string;
  /** UTC days of the month with any cost row in this currency. */
  daysWithData: number;
}

export interface ProviderChange extends MonthChange {
  provider: string;
}

export interface TeamSpend {
  currency: string;
  /** The team under the team tag rule (lib/tags/rules.ts); null for spend without one (shown as untagged, never hidden). */
  team: string | null;
  amount: string;
  /** Share of the currency's month total x 100, rounded to 0.1; null when the total is 0. */
  share: string | null;
}

export interface ServiceChange extends MonthChange {
  provider: string;
  /** '' when the bill gave no service name. */
  service: string;
}

export interface RegionSpend {
  currency: string;
  provider: string;
  /** '' for charges without a region (support, taxes, global services). */
  regionId: string;
  regionName: string;
  amount: string;
}

export type MoverDimension = 'service' | 'region' | 'account';

export interface Mover extends MonthChange {
  dimension: MoverDimension;
  provider: string;
  /** The service name, region id or account id. */
  name: string;
  /** The account's or region's display name when the bill has one. */
  label: string;
}

export interface DailySpend {
  day: string;
  currency: string;
  amount: string;
}

export interface SavingsTotal {
  currency: string;
  /** Estimated monthly savings of the open recommendations in this currency. */
  amount: string;
  count: number;
}

export interface MonthlyReport {
  /** 'YYYY-MM' */
  month: string;
  previousMonth: string;
  generatedAt: Date;
  /** Which cost the figures are. */
  metric: 'billed';
  totals: ReportTotal[];
  byProvider: ProviderChange[];
  byTeam: TeamSpend[];
  topServices: ServiceChange[];
  topRegions: RegionSpend[];
  topMovers: Mover[];
  daily: DailySpend[];
  openSavings: SavingsTotal[];
}

export const TOP_N = 10;

interface ChangeRow {
  currency: string;
  current: string;
  previous: string;
  delta: string;
  delta_percent: string | null;
}

function change(r: ChangeRow): MonthChange {
  return { currency: r.currency, current: r.current, previous: r.previous, delta: r.delta, deltaPercent: r.delta_percent };
}

// cost_daily rows of both months, with each row's amount split into this month's and last month's.
const BOTH_MONTHS = `SELECT *, CASE WHEN day >= $1 THEN billed_cost ELSE 0 END AS cur, CASE WHEN day < $1 THEN billed_cost ELSE 0 END AS prev
                       FROM cost_daily WHERE day >= $3 AND day <= $2`;
const CHANGE_COLUMNS = `current - previous AS delta,
  CASE WHEN previous = 0 THEN NULL ELSE round((current - previous) * 100 / abs(previous), 1) END AS delta_percent`;

/**
 * THE team split of a month: the team tag rule (lib/tags/rules.ts: its keys in priority order,
 * case-folding, value mappings) applied to the month's line items (its partition) at query time,
 * billed cost per currency, untagged spend (no key with a value) as the null team.
 */
export async function spendByTeam(month: string, db: Db = getPool()): Promise<TeamSpend[]> {
  const rules = await loadTagRules(db);
  const params: unknown[] = [monthStart(month)];
  const team = conceptValueSql(rules.team, {
    param(v) {
      params.push(v);
      return `$${params.length}`;
    },
  });
  const { rows } = await db.query<{ currency: string; team: string | null; amount: string; share: string | null }>(
    `WITH t AS (
       SELECT billing_currency AS currency, nullif(${team}, '') AS team, sum(billed_cost) AS amount
         FROM cost_line_items
        WHERE charge_period_start >= $1::date AND charge_period_start < ($1::date + interval '1 month')
        GROUP BY 1, 2
     )
     SELECT currency, team, amount,
            CASE WHEN sum(amount) OVER (PARTITION BY currency) = 0 THEN NULL
                 ELSE round(amount * 100 / sum(amount) OVER (PARTITION BY currency), 1) END AS share
       FROM t
      ORDER BY currency, amount DESC, team NULLS LAST`,
    params,
  );
  return rows;
}

/** The report of `month` ('YYYY-MM'), read from the database now. */
export async function getMonthlyReport(month: string, options: { db?: Db; now?: Date; top?: number } = {}): Promise<MonthlyReport> {
  const db = options.db ?? getPool();
  const top = options.top ?? TOP_N;
  const previousMonth = addMonths(month, -1);
  const params = [monthStart(month), monthEnd(month), monthStart(previousMonth)];
  const [totals, providers, services, regions, movers, daily, teams, recommendations] = await Promise.all([
    db.query<ChangeRow & { line_items: string; days: number }>(
      `WITH t AS (
         SELECT billing_currency AS currency, sum(cur) AS current, sum(prev) AS previous,
                coalesce(sum(line_items) FILTER (WHERE day >= $1), 0) AS line_items,
                count(DISTINCT day) FILTER (WHERE day >= $1)::int AS days
           FROM (${BOTH_MONTHS}) d GROUP BY 1
       )
       SELECT *, ${CHANGE_COLUMNS} FROM t ORDER BY current DESC, currency`,
      params,
    ),
    db.query<ChangeRow & { provider: string }>(
      `WITH t AS (SELECT billing_currency AS currency, provider_name AS provider, sum(cur) AS current, sum(prev) AS previous
                    FROM (${BOTH_MONTHS}) d GROUP BY 1, 2)
       SELECT *, ${CHANGE_COLUMNS} FROM t ORDER BY currency, current DESC, provider`,
      params,
    ),
    db.query<ChangeRow & { provider: string; service: string }>(
      `WITH t AS (SELECT billing_currency AS currency, provider_name AS provider, service_name AS service,
                         sum(cur) AS current, sum(prev) AS previous
                    FROM (${BOTH_MONTHS}) d GROUP BY 1, 2, 3),
            r AS (SELECT *, row_number() OVER (PARTITION BY currency ORDER BY current DESC, provider, service) AS rank FROM t WHERE current <> 0)
       SELECT *, ${CHANGE_COLUMNS} FROM r WHERE rank <= $4 ORDER BY currency, rank`,
      [...params, top],
    ),
    db.query<{ currency: string; provider: string; region_id: string; region_name: string; amount: string }>(
      `WITH t AS (SELECT billing_currency AS currency, provider_name AS provider, region_id, max(region_name) AS region_name,
                         sum(billed_cost) AS amount
                    FROM cost_daily WHERE day >= $1 AND day <= $2 GROUP BY 1, 2, 3),
            r AS (SELECT *, row_number() OVER (PARTITION BY currency ORDER BY amount DESC, provider, region_id) AS rank FROM t WHERE amount <> 0)
       SELECT currency, provider, region_id, region_name, amount FROM r WHERE rank <= $3 ORDER BY currency, rank`,
      [params[0], params[1], top],
    ),
    db.query<ChangeRow & { dimension: MoverDimension; provider: string; name: string; label: string }>(
      `WITH d AS (${BOTH_MONTHS}),
            g AS (
              SELECT 'service' AS dimension, billing_currency AS currency, provider_name AS provider, service_name AS name, '' AS label,
                     sum(cur) AS current, sum(prev) AS previous
                FROM d GROUP BY 2, 3, 4
              UNION ALL
              SELECT 'region', billing_currency, provider_name, region_id, max(region_name), sum(cur), sum(prev)
                FROM d GROUP BY 2, 3, 4
              UNION ALL
              SELECT 'account', billing_currency, provider_name,
                     CASE WHEN sub_account_id <> '' THEN sub_account_id ELSE billing_account_id END,
                     max(sub_account_name), sum(cur), sum(prev)
                FROM d GROUP BY 2, 3, 4
            ),
            r AS (SELECT *, row_number() OVER (PARTITION BY currency ORDER BY abs(current - previous) DESC, dimension, provider, name) AS rank
                    FROM g WHERE current <> previous)
       SELECT dimension, currency, provider, name, label, current, previous, ${CHANGE_COLUMNS}
         FROM r WHERE rank <= $4 ORDER BY currency, rank`,
      [...params, top],
    ),
    db.query<DailySpend>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, billing_currency AS currency, sum(billed_cost) AS amount
         FROM cost_daily WHERE day >= $1 AND day <= $2 GROUP BY 1, 2 ORDER BY 2, 1`,
      [params[0], params[1]],
    ),
    spendByTeam(month, db),
    getRecommendationTotals({}, db),
  ]);
  return {
    month,
    previousMonth,
    generatedAt: options.now ?? new Date(),
    metric: 'billed',
    totals: totals.rows.map((r) => ({ ...change(r), lineItems: r.line_items, daysWithData: r.days })),
    byProvider: providers.rows.map((r) => ({ ...change(r), provider: r.provider })),
    byTeam: teams,
    topServices: services.rows.map((r) => ({ ...change(r), provider: r.provider, service: r.service })),
    topRegions: regions.rows.map((r) => ({
      currency: r.currency,
      provider: r.provider,
      regionId: r.region_id,
      regionName: r.region_name,
      amount: r.amount,
    })),
    topMovers: movers.rows.map((r) => ({ ...change(r), dimension: r.dimension, provider: r.provider, name: r.name, label: r.label })),
    daily: daily.rows,
    openSavings: recommendations.open.map((o) => ({ currency: o.currency, amount: o.amount, count: o.count })),
  };
}
