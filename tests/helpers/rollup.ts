// What a source has stored, as comparable text rows: its line items, its daily rollup, and the
// rollup as the SQL in lib/ingest/pipeline.ts (refreshDailyRollup) computes it from the line items.
import { DAILY_COPY_COLUMNS, ROLLUP_GROUP_BY_SQL, ROLLUP_SELECT_SQL } from '../../lib/ingest/daily-rollup';
import { sql } from './db';

// cost_daily's columns but source_id, as the rollup defines them (lib/ingest/daily-rollup.ts).
const DAILY_COLUMNS = DAILY_COPY_COLUMNS.filter((c) => c !== 'source_id').join(', ');

/**
 * Every column of cost_line_items but source_id and ingest_run_id, read from the table itself: a
 * column added by a migration is compared at once, without a list here to keep up to date.
 */
async function lineColumns(url: string): Promise<string> {
  const columns = await sql<{ name: string }>(
    url,
    `SELECT column_name AS name FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = 'cost_line_items' AND column_name NOT IN ('source_id', 'ingest_run_id')
      ORDER BY ordinal_position`,
  );
  return columns.map((c) => c.name).join(', ');
}

export async function lineItems(url: string, source: string): Promise<string[]> {
  const rows = await sql<{ r: string }>(
    url,
    `SELECT row(${await lineColumns(url)})::text AS r FROM cost_line_items
      WHERE source_id = (SELECT id FROM billing_sources WHERE name = $1) ORDER BY 1`,
    [source],
  );
  return rows.map((r) => r.r);
}

export async function daily(url: string, source: string): Promise<string[]> {
  const rows = await sql<{ r: string }>(
    url,
    `SELECT row(${DAILY_COLUMNS})::text AS r FROM cost_daily WHERE source_id = (SELECT id FROM billing_sources WHERE name = $1) ORDER BY 1`,
    [source],
  );
  return rows.map((r) => r.r);
}

/** The rollup as the SQL in refreshDailyRollup computes it from cost_line_items. */
export async function dailyFromLineItems(url: string, source: string): Promise<string[]> {
  const rows = await sql<{ r: string }>(
    url,
    `SELECT row(${DAILY_COLUMNS})::text AS r
       FROM (SELECT ${ROLLUP_SELECT_SQL} FROM cost_line_items WHERE source_id = (SELECT id FROM billing_sources WHERE name = $1)
              GROUP BY ${ROLLUP_GROUP_BY_SQL}) g
      ORDER BY 1`,
    [source],
  );
  return rows.map((r) => r.r);
}

/** The explorer rollups' group columns (migration 0018), written out here rather than taken from the code under test. */
const EXPLORER_ROLLUPS = {
  cost_monthly_detail: {
    date: "date_trunc('month', charge_period_start AT TIME ZONE 'UTC')::date",
    key: [
      'provider_name',
      "coalesce(billing_account_id, '')",
      "coalesce(sub_account_id, '')",
      "coalesce(service_name, '')",
      "coalesce(service_category, '')",
      "coalesce(region_id, '')",
      "coalesce(availability_zone, '')",
      "coalesce(sku_id, '')",
      'charge_category',
      "coalesce(pricing_category, '')",
      "coalesce(commitment_discount_id, '')",
      "coalesce(resource_id, '')",
      "coalesce(resource_name, '')",
      'billing_currency',
      "coalesce(consumed_unit, '')",
      'tags_normalized',
    ],
    measures: ['billed_cost', 'effective_cost', 'list_cost', 'contracted_cost', 'consumed_quantity'],
  },
  cost_monthly: {
    date: "date_trunc('month', charge_period_start AT TIME ZONE 'UTC')::date",
    key: [
      'provider_name',
      "coalesce(billing_account_id, '')",
      "coalesce(sub_account_id, '')",
      "coalesce(service_name, '')",
      "coalesce(service_category, '')",
      "coalesce(region_id, '')",
      'charge_category',
      "coalesce(pricing_category, '')",
      "coalesce(commitment_discount_id, '')",
      'billing_currency',
      'tags_normalized',
    ],
    measures: ['billed_cost', 'effective_cost', 'list_cost', 'contracted_cost'],
  },
  cost_daily_region: {
    date: "(charge_period_start AT TIME ZONE 'UTC')::date",
    key: ['provider_name', "coalesce(region_id, '')", 'charge_category', 'billing_currency'],
    measures: ['billed_cost', 'effective_cost', 'list_cost', 'contracted_cost'],
  },
} as const;
export type ExplorerRollup = keyof typeof EXPLORER_ROLLUPS;
export const EXPLORER_ROLLUP_NAMES = Object.keys(EXPLORER_ROLLUPS) as ExplorerRollup[];

/** A source's rows of one explorer rollup, as text, sorted. */
export async function explorerRollup(url: string, source: string, table: ExplorerRollup): Promise<string[]> {
  const r = EXPLORER_ROLLUPS[table];
  const columns = [
    table === 'cost_daily_region' ? 'day' : 'month',
    'billing_period_start',
    ...r.key.map((k) => /\w+(?=, ''\)$)/.exec(k)?.[0] ?? k),
  ];
  const rows = await sql<{ r: string }>(
    url,
    `SELECT row(${[...columns, ...r.measures, 'effective_cost_missing', 'line_items'].join(', ')})::text AS r
       FROM ${table} WHERE source_id = (SELECT id FROM billing_sources WHERE name = $1) ORDER BY 1`,
    [source],
  );
  return rows.map((x) => x.r);
}

/** The same rollup summed straight from the source's line items. */
export async function explorerRollupFromLineItems(url: string, source: string, table: ExplorerRollup): Promise<string[]> {
  const r = EXPLORER_ROLLUPS[table];
  const groups = [r.date, "(billing_period_start AT TIME ZONE 'UTC')::date", ...r.key];
  const rows = await sql<{ r: string }>(
    url,
    `SELECT row(g.*)::text AS r FROM (
       SELECT ${groups.join(', ')}, ${r.measures.map((m) => `sum(${m})`).join(', ')},
              count(*) FILTER (WHERE effective_cost IS NULL), count(*)
         FROM cost_line_items WHERE source_id = (SELECT id FROM billing_sources WHERE name = $1)
        GROUP BY ${groups.map((_, i) => i + 1).join(', ')}) g
      ORDER BY 1`,
    [source],
  );
  return rows.map((x) => x.r);
}

/** Every explorer rollup of the source equals its sums over the line items. */
export async function expectExplorerRollupsMatch(
  url: string,
  source: string,
  expectEqual: (actual: string[], expected: string[], table: string) => void,
): Promise<void> {
  for (const table of EXPLORER_ROLLUP_NAMES) {
    expectEqual(await explorerRollup(url, source, table), await explorerRollupFromLineItems(url, source, table), table);
  }
}
