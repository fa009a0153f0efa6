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
