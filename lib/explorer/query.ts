/**
 * The cost explorer's one query: spend (or usage) over a range of days, by period and one
 * dimension, with filters. Answers come from the smallest rollup that holds every dimension the
 * query names at a fine enough grain (chooseSource), never from the line items when a rollup will
 * do. Sums are exact (numeric in SQL, decimal strings here) and kept per currency: nothing is
 * added across currencies (the reporting-currency conversion is a separate, labelled step).
 */
import type pg from 'pg';
import { z } from 'zod';
import { allocatedFactsSql } from '../allocation/allocation-sql';
import { loadSharedCostRules, type SharedCostRuleInput } from '../allocation/rules';
import { cachedAnswer, isSharedPool } from '../cache/data-version';
import { addMonths, monthEnd, monthOf } from '../calendar';
import { compareDecimals } from '../decimal';
import { GEOGRAPHIES, type Geography, geographyOf, lookupRegion, REGIONS, regionIdsIn, regionIdsInCountry } from '../focus/regions';
import { DecimalSum } from '../ingest/daily-rollup';
import { DateRangeSchema } from '../schema';
import { conceptValueSql, loadTagRules, type TagRules } from '../tags/rules';
import {
  COLUMN_DIMENSIONS,
  type ColumnDimension,
  type Dimension,
  DimensionSchema,
  emptyValueLabel,
  type Granularity,
  GranularitySchema,
  isConceptDimension,
  isTagDimension,
  METRICS,
  MetricSchema,
  tagKeyOf,
} from './dimensions';

export const FilterSchema = z.object({
  dimension: DimensionSchema,
  exclude: z.boolean().default(false),
  /** '' stands for a missing value: untagged, no region, no resource. */
  values: z.array(z.string().max(512)).min(1, { error: 'a filter needs at least one value' }).max(500),
});
export type ExplorerFilter = z.infer<typeof FilterSchema>;

export const ExplorerQuerySchema = z.object({
  range: DateRangeSchema,
  granularity: GranularitySchema.default('day'),
  groupBy: DimensionSchema.nullable().default(null),
  metric: MetricSchema.default('effective'),
  filters: z.array(FilterSchema).max(20).default([]),
  /** The allocated view: shared-cost rules applied (lib/allocation); whole months, month or total granularity, costs only. */
  allocated: z.boolean().default(false),
});
export type ExplorerQuery = z.infer<typeof ExplorerQuerySchema>;
export type ExplorerQueryInput = z.input<typeof ExplorerQuerySchema>;

/** A table the explorer can read, and what it holds. */
export interface FactSource {
  table: string;
  grain: 'day' | 'month';
  columns: ReadonlySet<ColumnDimension>;
  tags: boolean;
  usage: boolean;
  /** Group columns hold '' for a missing value (the rollups); the line items hold null. */
  blanked: boolean;
}

const ROLLUP_COMMON: ColumnDimension[] = [
  'provider',
  'billing_account',
  'sub_account',
  'service',
  'service_category',
  'region',
  'charge_category',
];

/** Smallest first: the first that can answer a query does. */
export const FACT_SOURCES: readonly FactSource[] = [
  {
    table: 'cost_daily_region',
    grain: 'day',
    columns: new Set(['provider', 'region', 'charge_category']),
    tags: false,
    usage: false,
    blanked: true,
  },
  {
    table: 'cost_monthly',
    grain: 'month',
    columns: new Set([...ROLLUP_COMMON, 'pricing_category', 'commitment_discount']),
    tags: true,
    usage: false,
    blanked: true,
  },
  { table: 'cost_daily', grain: 'day', columns: new Set(ROLLUP_COMMON), tags: false, usage: false, blanked: true },
  {
    table: 'cost_monthly_detail',
    grain: 'month',
    columns: new Set(Object.keys(COLUMN_DIMENSIONS) as ColumnDimension[]),
    tags: true,
    usage: true,
    blanked: true,
  },
  {
    table: 'cost_line_items',
    grain: 'day',
    columns: new Set(Object.keys(COLUMN_DIMENSIONS) as ColumnDimension[]),
    tags: true,
    usage: true,
    blanked: false,
  },
];

/** Whole months: a monthly rollup can answer the range. */
function monthAligned(range: { from: string; to: string }): boolean {
  return range.from.endsWith('-01') && range.to === monthEnd(monthOf(range.to));
}

function needs(d: Dimension): { column: ColumnDimension | null; tags: boolean } {
  if (isTagDimension(d) || isConceptDimension(d)) return { column: null, tags: true };
  if (d === 'geography' || d === 'country') return { column: 'region', tags: false };
  return { column: d as ColumnDimension, tags: false };
}

/** The table the allocated view reads: pools and teams are split per month, at this table's grain. */
const ALLOCATION_SOURCE = FACT_SOURCES.find((s) => s.table === 'cost_monthly') as FactSource;

/**
 * Why the allocated view cannot answer `q` (null when it can): shared costs are split per month,
 * on the monthly rollup's dimensions, for costs (a quantity is not shared).
 */
export function allocationProblem(q: Pick<ExplorerQuery, 'range' | 'granularity' | 'groupBy' | 'filters' | 'metric'>): string | null {
  if (!monthAligned(q.range) || (q.granularity !== 'month' && q.granularity !== 'total'))
    return 'the allocated view splits shared costs per month: choose whole months and monthly or total granularity';
  if (q.metric === 'usage') return 'the allocated view splits costs; usage quantities are not shared';
  const dims = [...(q.groupBy ? [q.groupBy] : []), ...q.filters.map((f) => f.dimension)];
  const missing = dims.find((d) => {
    const n = needs(d);
    return n.column !== null && !ALLOCATION_SOURCE.columns.has(n.column);
  });
  if (missing) return `the allocated view is per team, account, service and region: it has no ${missing.replace('_', ' ')} dimension`;
  return null;
}

/** The smallest table that holds every dimension, the metric and the grain the query asks for. */
export function chooseSource(q: ExplorerQuery): FactSource {
  if (q.allocated) {
    const problem = allocationProblem(q);
    if (problem) throw new ExplorerQueryError(problem.charAt(0).toUpperCase() + problem.slice(1));
    return ALLOCATION_SOURCE;
  }
  const dims = [...(q.groupBy ? [q.groupBy] : []), ...q.filters.map((f) => f.dimension)].map(needs);
  const monthly = monthAligned(q.range) && (q.granularity === 'month' || q.granularity === 'total');
  for (const s of FACT_SOURCES) {
    if (s.grain === 'month' && !monthly) continue;
    if (q.metric === 'usage' && !s.usage) continue;
    if (dims.some((d) => (d.tags && !s.tags) || (d.column && !s.columns.has(d.column)))) continue;
    return s;
  }
  throw new Error('no source holds this query'); // the line items hold everything
}

/** An exact amount with its unit: a currency code for costs, the usage unit ('Hrs', 'GB-Mo') for quantities. */
export interface Amount {
  unit: string;
  amount: string;
}

export interface ExplorerRow {
  /** The group's value ('' for a missing one); for geography and country, the geography or country code. */
  key: string;
  label: string;
  /** Per currency (per unit for usage: quantities of different units are never added), largest first. */
  amounts: Amount[];
  /** The allocated view: the part of `amounts` that came from shared costs, per currency (absent otherwise). */
  shared?: Amount[];
}

export interface ExplorerResult {
  query: ExplorerQuery;
  /** The table that answered (a rollup, or cost_line_items). */
  answeredFrom: string;
  /** Period starts (YYYY-MM-DD) in order; granularity 'total' has one, the range's first day. */
  periods: string[];
  /** Groups by their amount in the main currency or unit (the one with the largest total), largest first. */
  rows: ExplorerRow[];
  series: { period: string; key: string; unit: string; amount: string }[];
  totals: Amount[];
  /** Line items summed; and, for effective cost, those the export gave no effective cost (left out of the sums). */
  lineItems: number;
  effectiveCostMissing: number;
  /**
   * The allocated view: the rules applied, in priority order; `shared`: the part of the totals split
   * across teams; `pooled`: what the rules took, split or not (pooled − shared stayed unallocated:
   * no team to split it to in its month and currency).
   */
  allocation?: { rules: SharedCostRuleInput[]; shared: Amount[]; pooled: Amount[] };
}

interface SqlRow {
  period: string;
  grp: string | null;
  /** The billing currency, or for usage the consumed unit. */
  unit: string;
  amount: string | null;
  line_items: string;
  missing: string;
  /** The allocated view's shared part of amount, and the pooled part (split or not). */
  shared?: string | null;
  pooled?: string | null;
}

class Sql {
  readonly params: unknown[] = [];
  param(v: unknown): string {
    this.params.push(v);
    return `$${this.params.length}`;
  }
}

function columnSql(s: FactSource, column: ColumnDimension): string {
  const c = COLUMN_DIMENSIONS[column].column;
  return s.blanked ? c : `coalesce(${c}, '')`;
}

function dimensionSql(s: FactSource, d: Dimension, sql: Sql, tagRules: TagRules | undefined): string {
  if (isTagDimension(d)) {
    return `coalesce(tags_normalized ->> ${sql.param(tagKeyOf(d))}, '')`;
  }
  if (isConceptDimension(d)) {
    if (!tagRules) throw new Error(`explorerSql: the query names ${d}, which needs the tag rules (loadTagRules)`);
    return conceptValueSql(tagRules[d], sql);
  }
  const n = needs(d);
  return columnSql(s, n.column as ColumnDimension);
}

/** Region id -> geography, and region id -> country code, for every region in the table (lib/focus/regions.ts). */
const REGION_MAPS = (() => {
  const ids: string[] = [];
  const geography: string[] = [];
  const country: string[] = [];
  const countryNames = new Map<string, string>();
  for (const r of REGIONS.values()) {
    ids.push(r.id);
    geography.push(geographyOf(r) ?? '');
    country.push(r.country?.code ?? '');
    if (r.country) countryNames.set(r.country.code, r.country.name);
  }
  return { ids, geography, country, countryNames };
})();

/** Grouping by geography or country joins the region table as two arrays: the mapping stays in SQL. */
function regionMapJoin(s: FactSource, d: 'geography' | 'country', sql: Sql): string {
  const region = s.blanked ? `${s.table}.region_id` : `coalesce(${s.table}.region_id, '')`;
  const labels = d === 'geography' ? REGION_MAPS.geography : REGION_MAPS.country;
  return `LEFT JOIN unnest(${sql.param(REGION_MAPS.ids)}::text[], ${sql.param(labels)}::text[]) AS region_map(map_region, map_label)
      ON region_map.map_region = ${region}`;
}

/** Region ids of the filter's geographies or countries; '' (unknown location) is every id not in the region table. */
function regionFilterSql(expr: string, f: ExplorerFilter, sql: Sql): string {
  const ids: string[] = [];
  let unknown = false;
  for (const v of f.values) {
    if (v === '') unknown = true;
    else if (f.dimension === 'geography') {
      if (!(GEOGRAPHIES as readonly string[]).includes(v))
        throw new ExplorerQueryError(`unknown geography ${JSON.stringify(v)}: one of ${GEOGRAPHIES.join(', ')}`);
      ids.push(...regionIdsIn(v as Geography));
    } else ids.push(...regionIdsInCountry(v));
  }
  const parts = [`${expr} = ANY(${sql.param(ids)}::text[])`];
  if (unknown) parts.push(`NOT (${expr} = ANY(${sql.param([...REGIONS.keys()])}::text[]))`);
  const any = `(${parts.join(' OR ')})`;
  return f.exclude ? `NOT ${any}` : any;
}

export class ExplorerQueryError extends Error {}

function dateColumn(s: FactSource): string {
  if (s.table === 'cost_line_items') return "(charge_period_start AT TIME ZONE 'UTC')::date";
  return s.grain === 'day' ? 'day' : 'month';
}

function periodSql(s: FactSource, g: Granularity, sql: Sql, from: string): string {
  const d = dateColumn(s);
  if (g === 'day') return `${d}`;
  if (g === 'week') return `date_trunc('week', ${d})::date`;
  if (g === 'month') return `date_trunc('month', ${d})::date`;
  return `${sql.param(from)}::date`;
}

function rangeSql(s: FactSource, range: { from: string; to: string }, sql: Sql): string {
  if (s.table === 'cost_line_items') {
    return `charge_period_start >= (${sql.param(range.from)}::date)::timestamp AT TIME ZONE 'UTC'
        AND charge_period_start < (${sql.param(range.to)}::date + 1)::timestamp AT TIME ZONE 'UTC'`;
  }
  if (s.grain === 'month') return `month BETWEEN ${sql.param(range.from)}::date AND ${sql.param(range.to)}::date`;
  return `day BETWEEN ${sql.param(range.from)}::date AND ${sql.param(range.to)}::date`;
}

/** Whether the query groups or filters by a tag-rule concept (team, environment, cost centre), or allocates (by team). */
export function usesTagRules(q: ExplorerQuery): boolean {
  return q.allocated || [q.groupBy, ...q.filters.map((f) => f.dimension)].some((d) => d !== null && isConceptDimension(d));
}

/** The tag rules a query needs, read once (undefined when it names no concept). */
export async function tagRulesFor(db: pg.Pool | pg.PoolClient, q: ExplorerQuery): Promise<TagRules | undefined> {
  return usesTagRules(q) ? loadTagRules(db) : undefined;
}

/**
 * The SQL and parameters that answer `q` from `s`, grouped by period, group value, currency (and
 * unit for usage). A query naming a concept (team…) needs `tagRules` (tagRulesFor): applied here,
 * at query time, so a rule change shows on every month at once.
 */
export function explorerSql(
  q: ExplorerQuery,
  s: FactSource = chooseSource(q),
  tagRules?: TagRules,
  sharedRules?: readonly SharedCostRuleInput[],
): { text: string; values: unknown[] } {
  if (q.allocated) return allocatedSql(q, s, tagRules, sharedRules);
  const sql = new Sql();
  const period = periodSql(s, q.granularity, sql, q.range.from);
  const byRegion = q.groupBy === 'geography' || q.groupBy === 'country';
  const join = byRegion ? regionMapJoin(s, q.groupBy as 'geography' | 'country', sql) : '';
  const group = !q.groupBy ? "''" : byRegion ? "coalesce(region_map.map_label, '')" : dimensionSql(s, q.groupBy, sql, tagRules);
  const where = [rangeSql(s, q.range, sql)];
  for (const f of q.filters) {
    where.push(filterSql(dimensionSql(s, f.dimension, sql, tagRules), f, sql));
  }
  const metric = METRICS[q.metric].column;
  // Costs are kept per currency, quantities per unit: neither is ever added across.
  const unit = q.metric !== 'usage' ? 'billing_currency' : s.blanked ? 'consumed_unit' : "coalesce(consumed_unit, '')";
  const lineItems = s.table === 'cost_line_items' ? 'count(*)' : 'sum(line_items)';
  const missing = s.table === 'cost_line_items' ? 'count(*) FILTER (WHERE effective_cost IS NULL)' : 'sum(effective_cost_missing)';
  // Grouped by the date itself; its text only for the few output rows.
  const text = `SELECT period::text AS period, grp, unit, amount::text AS amount, line_items::text AS line_items, missing::text AS missing
    FROM (SELECT ${period} AS period, ${group} AS grp, ${unit} AS unit,
                 sum(${metric}) AS amount, ${lineItems} AS line_items, ${missing} AS missing
            FROM ${s.table} ${join}
           WHERE ${where.join('\n             AND ')}
           GROUP BY 1, 2, 3) cells
   ORDER BY cells.period, grp COLLATE "C", unit COLLATE "C"`;
  return { text, values: sql.params };
}

/** A filter's condition on `expr`. */
function filterSql(expr: string, f: ExplorerFilter, sql: Sql): string {
  if (f.dimension === 'geography' || f.dimension === 'country') return regionFilterSql(expr, f, sql);
  return `${f.exclude ? 'NOT ' : ''}(${expr} = ANY(${sql.param(f.values)}::text[]))`;
}

/**
 * The allocated view (lib/allocation/allocation-sql.ts): the monthly rollup's rows with shared
 * pools split across teams; filters on the team apply after the split, every other filter before
 * (the split keeps a row's other dimensions). Cells also sum the shared part.
 */
function allocatedSql(
  q: ExplorerQuery,
  s: FactSource,
  tagRules: TagRules | undefined,
  sharedRules: readonly SharedCostRuleInput[] | undefined,
): { text: string; values: unknown[] } {
  if (!tagRules || !sharedRules)
    throw new Error('explorerSql: the allocated view needs the tag rules and the shared-cost rules (loadSharedCostRules)');
  const sql = new Sql();
  const byRegion = q.groupBy === 'geography' || q.groupBy === 'country';
  const join = byRegion ? regionMapJoin(s, q.groupBy as 'geography' | 'country', sql) : '';
  const groupIsTeam = q.groupBy === 'team';
  const group =
    !q.groupBy || groupIsTeam ? "''" : byRegion ? "coalesce(region_map.map_label, '')" : dimensionSql(s, q.groupBy, sql, tagRules);
  const keep: string[] = [];
  const teamFilters: ExplorerFilter[] = [];
  for (const f of q.filters) {
    if (f.dimension === 'team') teamFilters.push(f);
    else keep.push(filterSql(dimensionSql(s, f.dimension, sql, tagRules), f, sql));
  }
  const facts = allocatedFactsSql({
    table: s.table,
    join,
    rangeWhere: rangeSql(s, q.range, sql),
    period: periodSql(s, q.granularity, sql, q.range.from),
    group,
    groupIsTeam,
    keep: keep.length ? keep.join(' AND ') : 'true',
    team: conceptValueSql(tagRules.team, sql),
    metric: METRICS[q.metric].column,
    unit: 'billing_currency',
    rules: sharedRules,
    sql,
  });
  const where = teamFilters.map((f) => filterSql('team', f, sql));
  const text = `SELECT period::text AS period, grp, unit, amount::text AS amount, shared::text AS shared, pooled::text AS pooled,
                       line_items::text AS line_items, missing::text AS missing
    FROM (SELECT period, grp, unit, sum(amount) AS amount, sum(shared) AS shared, sum(pooled) AS pooled,
                 sum(line_items) AS line_items, sum(missing) AS missing
            FROM (${facts}) facts
           ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
           GROUP BY 1, 2, 3) cells
   ORDER BY cells.period, grp COLLATE "C", unit COLLATE "C"`;
  return { text, values: sql.params };
}

/** A group value as shown: a region's name, a country's name; '' as the dimension's empty label. */
function labelOf(d: Dimension | null, key: string): string {
  if (!d) return 'Total';
  if (key === '') return emptyValueLabel(d);
  if (d === 'region') return lookupRegion(key)?.name ?? key;
  if (d === 'country') return REGION_MAPS.countryNames.get(key) ?? key;
  return key;
}

/**
 * Runs the query: PostgreSQL sums the cells (period, group, unit); each group's and unit's total is
 * the exact sum of its cells here (DecimalSum: safe integers while they suffice, BigInt beyond),
 * which costs less than a second aggregation in SQL.
 */
export async function runExplorerQuery(db: pg.Pool | pg.PoolClient, input: ExplorerQueryInput): Promise<ExplorerResult> {
  const q = ExplorerQuerySchema.parse(input);
  // Keyed by the parsed query: defaults filled in, so equal questions share one answer.
  if (isSharedPool(db)) return cachedAnswer('explorer', q, () => answerWithSavedRules(db, q));
  return answerWithSavedRules(db, q);
}

async function answerWithSavedRules(db: pg.Pool | pg.PoolClient, q: ExplorerQuery): Promise<ExplorerResult> {
  const source = chooseSource(q);
  const sharedRules = q.allocated ? await loadSharedCostRules(db) : undefined;
  return answerExplorerQuery(db, q, source, await tagRulesFor(db, q), sharedRules);
}

/**
 * runExplorerQuery with the rules given (the shared-cost rules' preview passes a rule list that is
 * not saved yet).
 */
export async function answerExplorerQuery(
  db: pg.Pool | pg.PoolClient,
  q: ExplorerQuery,
  source: FactSource,
  tagRules: TagRules | undefined,
  sharedRules: readonly SharedCostRuleInput[] | undefined,
): Promise<ExplorerResult> {
  const cells = explorerSql(q, source, tagRules, sharedRules);
  const { rows } = await db.query<SqlRow>(cells.text, cells.values);
  const series: ExplorerResult['series'] = [];
  const groups = new Map<string, Map<string, DecimalSum>>();
  const totals = new Map<string, DecimalSum>();
  const sharedByGroup = new Map<string, Map<string, DecimalSum>>();
  const sharedTotals = new Map<string, DecimalSum>();
  const pooledTotals = new Map<string, DecimalSum>();
  const add = (m: Map<string, DecimalSum>, unit: string, amount: string) => {
    let sum = m.get(unit);
    if (!sum) {
      sum = new DecimalSum();
      m.set(unit, sum);
    }
    sum.addString(amount);
  };
  let lineItems = 0;
  let missing = 0;
  for (const r of rows) {
    lineItems += Number(r.line_items);
    missing += Number(r.missing);
    if (r.amount === null) continue;
    const key = r.grp ?? '';
    series.push({ period: r.period, key, unit: r.unit, amount: r.amount });
    let g = groups.get(key);
    if (!g) {
      g = new Map();
      groups.set(key, g);
    }
    add(g, r.unit, r.amount);
    add(totals, r.unit, r.amount);
    if (r.shared != null && r.shared !== '0') {
      let sg = sharedByGroup.get(key);
      if (!sg) {
        sg = new Map();
        sharedByGroup.set(key, sg);
      }
      add(sg, r.unit, r.shared);
      add(sharedTotals, r.unit, r.shared);
    }
    if (r.pooled != null && r.pooled !== '0') add(pooledTotals, r.unit, r.pooled);
  }
  const amountsOf = (m: Map<string, DecimalSum>): Amount[] => [...m].map(([unit, sum]) => ({ unit, amount: sum.value() as string }));
  const totalList = amountsOf(totals);
  const resultRows: ExplorerRow[] = [...groups].map(([key, g]) => {
    const row: ExplorerRow = { key, label: labelOf(q.groupBy, key), amounts: amountsOf(g) };
    if (q.allocated) row.shared = amountsOf(sharedByGroup.get(key) ?? new Map());
    return row;
  });
  const sortAmounts = (list: Amount[]) => list.sort((a, b) => compareDecimals(b.amount, a.amount) || (a.unit < b.unit ? -1 : 1));
  sortAmounts(totalList);
  const main = totalList[0]?.unit;
  for (const g of resultRows) sortAmounts(g.amounts);
  const inMain = (r: ExplorerRow) => r.amounts.find((a) => a.unit === main)?.amount ?? null;
  resultRows.sort((a, b) => {
    const x = inMain(a);
    const y = inMain(b);
    if (x !== null && y !== null) return compareDecimals(y, x) || a.label.localeCompare(b.label);
    if (x !== null || y !== null) return x !== null ? -1 : 1;
    return compareDecimals(b.amounts[0]?.amount ?? '0', a.amounts[0]?.amount ?? '0') || a.label.localeCompare(b.label);
  });
  return {
    query: q,
    answeredFrom: source.table,
    periods: periodsOf(q),
    rows: resultRows,
    series,
    totals: totalList,
    lineItems,
    effectiveCostMissing: q.metric === 'effective' ? missing : 0,
    ...(q.allocated && sharedRules
      ? { allocation: { rules: [...sharedRules], shared: amountsOf(sharedTotals), pooled: amountsOf(pooledTotals) } }
      : {}),
  };
}

/** Every period start of the query's range at its granularity (empty ones included, for the chart's axis). */
export function periodsOf(q: Pick<ExplorerQuery, 'range' | 'granularity'>): string[] {
  const { from, to } = q.range;
  if (q.granularity === 'total') return [from];
  const out: string[] = [];
  if (q.granularity === 'month') {
    for (let m = monthOf(from); `${m}-01` <= to; m = addMonths(m, 1)) out.push(`${m}-01`);
    return out;
  }
  const step = q.granularity === 'week' ? 7 : 1;
  let d = new Date(`${from}T00:00:00Z`);
  if (q.granularity === 'week') d = new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * 86_400_000); // ISO weeks start on Monday
  for (; d.toISOString().slice(0, 10) <= to; d = new Date(d.getTime() + step * 86_400_000)) out.push(d.toISOString().slice(0, 10));
  return out;
}
