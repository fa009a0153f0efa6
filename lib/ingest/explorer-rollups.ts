/**
 * The explorer's rollups (migration 0018), kept by the ingest for exactly the billing periods it
 * replaces, in its transaction, like cost_daily:
 * - cost_monthly_detail: per charge month every dimension the explorer knows, resource and
 *   normalized tags included (MONTHLY_DETAIL_SPEC in daily-rollup.ts); streamed while rows are
 *   COPYed when the fast path runs, else summed in SQL from the period's line items;
 * - cost_monthly: the same months without resource, SKU, zone and unit (so usage quantities are
 *   not summed across units), from cost_monthly_detail;
 * - cost_daily_region: per day, provider, region, charge category and currency, from cost_daily:
 *   a year of spend by region and day reads about one row per region and day (~90× fewer rows than
 *   cost_daily in the query benchmark).
 * Every rollup keeps source_id and billing_period_start, so replacing or deleting a period is one
 * DELETE each. lib/explorer/sources.ts says which rollup answers which question.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { utcDay } from '../focus/normalize';
import { MONTHLY_DETAIL_SPEC, rollupColumns, rollupGroupBySql, rollupSelectSql, type StreamRollup } from './daily-rollup';

/** A rollup summed from another rollup's rows. */
export interface DerivedRollup {
  readonly table: string;
  readonly from: string;
  readonly date: 'day' | 'month';
  readonly key: readonly string[];
  readonly measures: readonly string[];
}

export const MONTHLY_ROLLUP: DerivedRollup = {
  table: 'cost_monthly',
  from: MONTHLY_DETAIL_SPEC.table,
  date: 'month',
  key: [
    'provider_name',
    'billing_account_id',
    'sub_account_id',
    'service_name',
    'service_category',
    'region_id',
    'charge_category',
    'pricing_category',
    'commitment_discount_id',
    'billing_currency',
    'tags_normalized',
  ],
  measures: ['billed_cost', 'effective_cost', 'list_cost', 'contracted_cost'],
};

export const DAILY_REGION_ROLLUP: DerivedRollup = {
  table: 'cost_daily_region',
  from: 'cost_daily',
  date: 'day',
  key: ['provider_name', 'region_id', 'charge_category', 'billing_currency'],
  measures: ['billed_cost', 'effective_cost', 'list_cost', 'contracted_cost'],
};

/** In the order they are refreshed (each after the one it is summed from). */
export const DERIVED_ROLLUPS = [MONTHLY_ROLLUP, DAILY_REGION_ROLLUP] as const;

/** Every rollup table that holds a source's billing periods (for deleting a period). */
export const EXPLORER_ROLLUP_TABLES = [MONTHLY_DETAIL_SPEC.table, ...DERIVED_ROLLUPS.map((r) => r.table)] as const;

export function derivedColumns(r: DerivedRollup): string[] {
  return [r.date, 'source_id', 'billing_period_start', ...r.key, ...r.measures, 'effective_cost_missing', 'line_items'];
}

/** SELECT of a derived rollup from its source table, for the rows matching `where` (built from constants only). */
export function derivedSelectSql(r: DerivedRollup, where: string): string {
  const groups = [r.date, 'source_id', 'billing_period_start', ...r.key];
  return `SELECT ${groups.join(', ')}, ${r.measures.map((m) => `sum(${m})`).join(', ')}, sum(effective_cost_missing), sum(line_items)
      FROM ${r.from} WHERE ${where}
     GROUP BY ${groups.map((_, i) => i + 1).join(', ')}`;
}

const DETAIL_COLUMNS = rollupColumns(MONTHLY_DETAIL_SPEC).join(', ');

/** Replaces the source's monthly detail rows for `periods` (billing period starts as stored) with the streamed rollup. */
export async function replaceMonthlyDetail(
  client: pg.PoolClient,
  sourceId: number,
  periods: string[],
  rollup: StreamRollup,
): Promise<void> {
  await client.query(`DELETE FROM ${MONTHLY_DETAIL_SPEC.table} WHERE source_id = $1 AND billing_period_start = ANY($2::date[])`, [
    sourceId,
    periods.map((p) => utcDay(p)),
  ]);
  const copy = client.query(copyFrom(`COPY ${MONTHLY_DETAIL_SPEC.table} (${DETAIL_COLUMNS}) FROM STDIN`));
  await pipeline(Readable.from(rollup.copyText(sourceId)), copy);
}

/** Recomputes the source's monthly detail rows for `periods` from its line items (the generic path, Azure merges, too many groups). */
export async function refreshMonthlyDetail(client: pg.PoolClient, sourceId: number, periods: string[]): Promise<void> {
  await client.query(`DELETE FROM ${MONTHLY_DETAIL_SPEC.table} WHERE source_id = $1 AND billing_period_start = ANY($2::date[])`, [
    sourceId,
    periods.map((p) => utcDay(p)),
  ]);
  if (!periods.length) return;
  await client.query(
    `INSERT INTO ${MONTHLY_DETAIL_SPEC.table} (${DETAIL_COLUMNS})
     SELECT ${rollupSelectSql(MONTHLY_DETAIL_SPEC)}
       FROM cost_line_items
      WHERE source_id = $1 AND billing_period_start = ANY($2::timestamptz[])
      GROUP BY ${rollupGroupBySql(MONTHLY_DETAIL_SPEC)}`,
    [sourceId, periods],
  );
}

/** Recomputes the derived rollups of the source's `periods` from the rollups they are summed from (already current). */
export async function refreshDerivedRollups(client: pg.Pool | pg.PoolClient, sourceId: number, periods: string[]): Promise<void> {
  const days = periods.map((p) => utcDay(p));
  for (const r of DERIVED_ROLLUPS) {
    await client.query(`DELETE FROM ${r.table} WHERE source_id = $1 AND billing_period_start = ANY($2::date[])`, [sourceId, days]);
    if (!days.length) continue;
    await client.query(
      `INSERT INTO ${r.table} (${derivedColumns(r).join(', ')})
       ${derivedSelectSql(r, 'source_id = $1 AND billing_period_start = ANY($2::date[])')}`,
      [sourceId, days],
    );
  }
}

/** Deletes the source's rows of one billing period (YYYY-MM-DD) from every explorer rollup. */
export async function deleteExplorerRollups(client: pg.PoolClient, sourceId: number, billingPeriod: string): Promise<void> {
  for (const table of EXPLORER_ROLLUP_TABLES) {
    await client.query(`DELETE FROM ${table} WHERE source_id = $1 AND billing_period_start = $2::date`, [sourceId, billingPeriod]);
  }
}
