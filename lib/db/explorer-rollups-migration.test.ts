// Migration 0018 (the explorer's rollups) on a database that already holds bills: it fills the three
// rollups from the stored line items and cost_daily, with the same rows the ingest writes
// (compared with the sums straight over the line items, tests/helpers/rollup.ts).
import { describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { migrationsUpTo } from '../../tests/helpers/migrations';
import { EXPLORER_ROLLUP_NAMES, expectExplorerRollupsMatch, explorerRollup } from '../../tests/helpers/rollup';
import { DAILY_COPY_COLUMNS, ROLLUP_GROUP_BY_SQL, ROLLUP_SELECT_SQL } from '../ingest/daily-rollup';
import { migrate } from './migrate';

describe('migration 0018 (explorer rollups) on a database with bills', () => {
  it('fills cost_monthly_detail, cost_monthly and cost_daily_region from what is stored', async () => {
    const url = await useTestDatabase();
    await sql(url, 'DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    const upTo16 = await migrate(url, { dir: await migrationsUpTo('0016_metric_raw_chunks') });
    expect(upTo16.applied.at(-1)).toBe('0016_metric_raw_chunks');
    await sql(
      url,
      `INSERT INTO billing_sources (id, name, provider) VALUES (1, 'm-a', 'aws'), (2, 'm-b', 'focus');
       INSERT INTO cost_line_items (source_id, ingest_run_id, provider_name, billing_period_start, billing_period_end,
              charge_period_start, charge_period_end, charge_category, service_name, region_id, resource_id, sku_id,
              consumed_quantity, consumed_unit, billed_cost, effective_cost, billing_currency, tags_normalized)
       VALUES
        (1, 1, 'AWS', '2026-01-01Z', '2026-02-01Z', '2026-01-05Z', '2026-01-06Z', 'Usage', 'EC2', 'us-east-1', 'i-1', 'S1', 24, 'Hrs', 10.50, 9.5, 'USD', '{"team":"ml"}'),
        (1, 1, 'AWS', '2026-01-01Z', '2026-02-01Z', '2026-01-06Z', '2026-01-07Z', 'Usage', 'EC2', 'us-east-1', 'i-1', 'S1', 12, 'Hrs', 5.25, NULL, 'USD', '{"team":"ml"}'),
        (1, 1, 'AWS', '2026-01-01Z', '2026-02-01Z', '2026-01-06Z', '2026-01-07Z', 'Tax', NULL, NULL, NULL, NULL, NULL, NULL, 1.01, 1.01, 'USD', NULL),
        (1, 1, 'AWS', '2026-02-01Z', '2026-03-01Z', '2026-02-01Z', '2026-02-02Z', 'Usage', 'S3', 'eu-west-1', 'b-1', 'S2', 3.5, 'GB-Mo', 0.333, 0.333, 'USD', '{"team":"web","env":"prod"}'),
        (2, 2, 'Acme', '2026-01-01Z', '2026-02-01Z', '2026-01-31Z', '2026-02-01Z', 'Usage', 'DB', 'westeurope', 'd-1', 'S3', 1, 'h', 100, 90, 'EUR', '{"team":"ml"}');
       INSERT INTO cost_daily (${DAILY_COPY_COLUMNS.join(', ')}) SELECT ${ROLLUP_SELECT_SQL} FROM cost_line_items GROUP BY ${ROLLUP_GROUP_BY_SQL};`,
    );
    const rest = await migrate(url);
    expect(rest.applied).toContain('0018_explorer_rollups');
    for (const source of ['m-a', 'm-b']) {
      await expectExplorerRollupsMatch(url, source, (actual, expected, table) => expect(actual, `${source} ${table}`).toEqual(expected));
    }
    for (const table of EXPLORER_ROLLUP_NAMES) expect((await explorerRollup(url, 'm-a', table)).length, table).toBeGreaterThan(1);
    // January's EC2 hours: one detail row for the resource (two days), quantity summed with its unit.
    const [ec2] = await sql<{ billed: string; qty: string; unit: string; missing: string; n: string }>(
      url,
      `SELECT billed_cost::text AS billed, consumed_quantity::text AS qty, consumed_unit AS unit, effective_cost_missing::text AS missing, line_items::text AS n
         FROM cost_monthly_detail WHERE source_id = 1 AND month = '2026-01-01' AND resource_id = 'i-1'`,
    );
    expect(ec2).toEqual({ billed: '15.75', qty: '36', unit: 'Hrs', missing: '1', n: '2' });
  });
});
