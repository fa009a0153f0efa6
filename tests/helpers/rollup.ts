// What a source has stored, as comparable text rows: its line items, its daily rollup, and the
// rollup as the SQL in lib/ingest/pipeline.ts (refreshDailyRollup) computes it from the line items.
import { DAILY_COPY_COLUMNS, ROLLUP_GROUP_BY_SQL, ROLLUP_SELECT_SQL } from '../../lib/ingest/daily-rollup';
import { sql } from './db';

const LINE_COLUMNS = `cost_dataset, provider_name, publisher_name, invoice_issuer_name, billing_account_id, billing_account_name,
  sub_account_id, sub_account_name, invoice_id, billing_period_start, billing_period_end, charge_period_start, charge_period_end,
  charge_category, charge_class, charge_description, charge_frequency, service_name, service_category, service_subcategory,
  region_id, region_name, availability_zone, resource_id, resource_name, resource_type, sku_id, sku_price_id, pricing_category,
  pricing_quantity, pricing_unit, list_unit_price, contracted_unit_price, consumed_quantity, consumed_unit, list_cost,
  contracted_cost, billed_cost, effective_cost, billing_currency, commitment_discount_id, commitment_discount_type,
  commitment_discount_category, commitment_discount_status, commitment_discount_name, commitment_discount_quantity,
  commitment_discount_unit, commitment_program_eligibility_details, capacity_reservation_id, capacity_reservation_status,
  service_provider_name, host_provider_name, billing_account_type, sub_account_type, invoice_detail_id, sku_meter,
  sku_price_details, pricing_currency, pricing_currency_contracted_unit_price, pricing_currency_effective_cost,
  pricing_currency_list_unit_price, contract_applied, allocated_method_id, allocated_method_details, allocated_resource_id,
  allocated_resource_name, allocated_tags, tags, tags_normalized, extras`;
// cost_daily's columns but source_id, as the rollup defines them (lib/ingest/daily-rollup.ts).
const DAILY_COLUMNS = DAILY_COPY_COLUMNS.filter((c) => c !== 'source_id').join(', ');

export async function lineItems(url: string, source: string): Promise<string[]> {
  const rows = await sql<{ r: string }>(
    url,
    `SELECT row(${LINE_COLUMNS})::text AS r FROM cost_line_items WHERE source_id = (SELECT id FROM billing_sources WHERE name = $1) ORDER BY 1`,
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
