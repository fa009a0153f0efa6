// Migration 0005 on a database that was at 0004 with line items in it: FOCUS columns that earlier
// ingests kept as strings in extras move to their new typed columns where the reader would have
// stored them unchanged; everything else stays where it was.
import { describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { migrationsUpTo } from '../../tests/helpers/migrations';
import { migrate } from './migrate';

interface Stored {
  description: string;
  extras: Record<string, string> | null;
  sku_meter: string | null;
  sku_price_details: unknown;
  cores: string | null;
  pricing_currency: string | null;
  billing_account_type: string | null;
  quantity: string | null;
  service_provider_name: string | null;
  host_provider_name: string | null;
  allocated_tags: unknown;
  contract_applied: unknown;
}

describe('migration 0005 (FOCUS 1.1-1.4 columns) on a database at 0004', () => {
  it('adds the columns to every partition and moves exact values out of extras', async () => {
    const url = await useTestDatabase();
    await sql(url, 'DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    const upTo4 = await migrate(url, { dir: await migrationsUpTo('0004_line_items_without_surrogate_key') });
    expect(upTo4.applied.at(-1)).toBe('0004_line_items_without_surrogate_key');

    await sql(
      url,
      `INSERT INTO billing_sources (id, name, provider) VALUES (1, 'focus-src', 'focus'), (2, 'azure-src', 'azure');
       INSERT INTO ingest_runs (id, source_id, file_name, format, status) VALUES (10, 1, 'a.csv', 'focus', 'succeeded'), (20, 2, 'b.csv', 'azure', 'succeeded');
       SELECT burnrate_ensure_month_partition('2024-01-01T00:00:00Z')`,
    );
    const row = (run: number, month: string, description: string, extras: object | null) =>
      sql(
        url,
        `INSERT INTO cost_line_items (source_id, ingest_run_id, provider_name, billing_period_start, billing_period_end, charge_period_start,
                                      charge_period_end, charge_category, charge_description, billed_cost, billing_currency, extras)
         VALUES ($1, $2, 'Aura Web', $3, $3::timestamptz + interval '1 month', $3, $3::timestamptz + interval '1 day', 'Usage', $4, 1.25, 'USD', $5)`,
        [run / 10, run, `${month}-01T00:00:00Z`, description, extras === null ? null : JSON.stringify(extras)],
      );
    // January has its own partition; February rows sit in the default partition.
    await row(10, '2024-01', 'all movable', {
      SkuMeter: 'D4s v5',
      SkuPriceDetails: '{"CoreCount": 4, "Price": 0.12345678901234567890}',
      PricingCurrency: 'USD',
      BillingAccountType: 'Billing Profile',
      CommitmentDiscountQuantity: '1.50',
      ServiceProviderName: 'StackLens',
      HostProviderName: 'Aura Web',
      AllocatedTags: '{"team": "a"}',
      ContractApplied: '{"Elements": [{"ContractID": "C-1", "ContractCommitmentID": "CC-1", "ContractCommitmentAppliedCost": 1.25}]}',
      x_CostCenter: 'CC-1',
    });
    await row(10, '2024-02', 'none movable', {
      SkuPriceDetails: '{not json',
      CommitmentDiscountQuantity: '1,5',
      SkuMeter: ' padded ',
      ContractApplied: '{"a": "\\u0000"}',
      skumeter: 'another spelling',
      HostProviderName: '\u00a0Aura Web',
      PricingCurrencyEffectiveCost: '1e1000000',
    });
    await row(10, '2024-02', 'only movable', { SkuMeter: 'Compute Usage' });
    await row(10, '2024-01', 'no extras', null);
    await row(20, '2024-01', 'azure export', { PricingCurrency: 'USD', MeterName: 'D4s v5' });

    const rest = await migrate(url);
    expect(rest.applied[0]).toBe('0005_focus_1_4_columns');

    const stored = await sql<Stored>(
      url,
      `SELECT charge_description AS description, extras, sku_meter, sku_price_details, sku_price_details->>'CoreCount' AS cores,
              pricing_currency, billing_account_type, commitment_discount_quantity::text AS quantity, service_provider_name,
              host_provider_name, allocated_tags, contract_applied
         FROM cost_line_items ORDER BY charge_description`,
    );
    const by = new Map(stored.map((s) => [s.description, s]));
    expect(by.get('all movable')).toEqual({
      description: 'all movable',
      extras: { x_CostCenter: 'CC-1' },
      sku_meter: 'D4s v5',
      // jsonb keeps all the digits of a number
      sku_price_details: { CoreCount: 4, Price: 0.12345678901234568 },
      cores: '4',
      pricing_currency: 'USD',
      billing_account_type: 'Billing Profile',
      quantity: '1.50',
      service_provider_name: 'StackLens',
      host_provider_name: 'Aura Web',
      allocated_tags: { team: 'a' },
      contract_applied: { Elements: [{ ContractID: 'C-1', ContractCommitmentID: 'CC-1', ContractCommitmentAppliedCost: 1.25 }] },
    });
    const [price] = await sql<{ price: string }>(
      url,
      `SELECT sku_price_details->>'Price' AS price FROM cost_line_items WHERE charge_description = 'all movable'`,
    );
    expect(price?.price).toBe('0.12345678901234567890');
    const untouched = {
      sku_meter: null,
      sku_price_details: null,
      cores: null,
      pricing_currency: null,
      billing_account_type: null,
      quantity: null,
      service_provider_name: null,
      host_provider_name: null,
      allocated_tags: null,
      contract_applied: null,
    };
    expect(by.get('none movable')).toEqual({
      description: 'none movable',
      extras: {
        SkuPriceDetails: '{not json',
        CommitmentDiscountQuantity: '1,5',
        SkuMeter: ' padded ',
        ContractApplied: '{"a": "\\u0000"}',
        skumeter: 'another spelling',
        HostProviderName: '\u00a0Aura Web',
        PricingCurrencyEffectiveCost: '1e1000000',
      },
      ...untouched,
    });
    expect(by.get('only movable')).toEqual({ ...untouched, description: 'only movable', extras: null, sku_meter: 'Compute Usage' });
    expect(by.get('no extras')).toEqual({ ...untouched, description: 'no extras', extras: null });
    // Azure's own PricingCurrency column is not FOCUS's: other formats' extras stay as they are.
    expect(by.get('azure export')).toEqual({
      ...untouched,
      description: 'azure export',
      extras: { PricingCurrency: 'USD', MeterName: 'D4s v5' },
    });

    // Partitions created after the migration have the new columns too.
    await sql(url, `SELECT burnrate_ensure_month_partition('2024-02-01T00:00:00Z')`);
    const [moved] = await sql<{ n: number }>(url, `SELECT count(sku_meter)::int AS n FROM cost_line_items_y2024m02`);
    expect(moved?.n).toBe(1);
  });
});
