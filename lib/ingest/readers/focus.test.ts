import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ValueError } from '../../focus/normalize';
import { openRecordSource } from '../source';
import { IngestError } from '../types';
import { focusReader } from './focus';
import { gcpReader } from './gcp';

const FIXTURES = path.join(import.meta.dirname, '../../../tests/fixtures/focus');
const ctx = { file: 'test.csv' };

async function readFixture(name: string) {
  const source = await openRecordSource(path.join(FIXTURES, name));
  const records: (string | null)[][] = [];
  for await (const batch of source.records()) for (const r of batch) records.push(r.values);
  await source.close();
  return { headers: source.headers, records };
}

function mapOne(headers: string[], values: (string | null)[]) {
  const row = focusReader.createMapper(headers, ctx)(values);
  if (!row || Array.isArray(row)) throw new Error('expected one row');
  return row;
}

const MINIMAL = [
  'ProviderName',
  'BillingPeriodStart',
  'BillingPeriodEnd',
  'ChargePeriodStart',
  'ChargePeriodEnd',
  'ChargeCategory',
  'BilledCost',
  'BillingCurrency',
];
const MINIMAL_ROW = [
  'AWS',
  '2024-01-01T00:00:00Z',
  '2024-02-01T00:00:00Z',
  '2024-01-05T00:00:00Z',
  '2024-01-06T00:00:00Z',
  'Usage',
  '1.5',
  'USD',
];

describe('focusReader.detect', () => {
  it('scores FOCUS 1.x headers high and 0.5 headers above zero', async () => {
    const v12 = await readFixture('focus-1.2-multi-currency.csv');
    const v05 = await readFixture('validator-all_pass.csv');
    expect(focusReader.detect(v12.headers)).toBeGreaterThan(100);
    expect(focusReader.detect(v05.headers)).toBeGreaterThan(50);
    expect(focusReader.detect(['InvoiceIssuer', 'ResourceID', 'ChargeType'])).toBeGreaterThan(0);
  });

  it('sees through a UTF-8 BOM on the first header', async () => {
    const { headers } = await readFixture('spec-virtual_currency_pricing_model_a1.csv');
    expect(headers[0]).toBe('BilledCost');
    expect(focusReader.detect(headers)).toBeGreaterThan(100);
  });

  it('does not claim Azure, AWS CUR or GCP exports', () => {
    const azureEa = [
      'InvoiceSectionName',
      'AccountName',
      'BillingPeriodStartDate',
      'Date',
      'ProductName',
      'MeterCategory',
      'Quantity',
      'EffectivePrice',
      'CostInBillingCurrency',
      'BillingCurrency',
      'ResourceId',
      'Tags',
      'PublisherName',
      'ChargeType',
    ];
    const azureMca = [
      'billingAccountId',
      'billingAccountName',
      'billingPeriodStartDate',
      'date',
      'costInBillingCurrency',
      'billingCurrency',
      'chargeType',
      'publisherName',
      'tags',
      'provider',
    ];
    const cur = ['identity/LineItemId', 'bill/BillingPeriodStartDate', 'lineItem/UnblendedCost', 'lineItem/CurrencyCode'];
    const gcp = ['billing_account_id', 'service.description', 'usage_start_time', 'cost', 'currency', 'invoice.month'];
    for (const headers of [azureEa, azureMca, cur, gcp]) expect(focusReader.detect(headers)).toBe(0);
  });

  it('outscores the GCP reader on a FOCUS file', async () => {
    const { headers } = await readFixture('focus-1.2-multi-currency.csv');
    expect(focusReader.detect(headers)).toBeGreaterThan(gcpReader.detect(headers));
  });
});

describe('focusReader mapping', () => {
  it('maps every FOCUS 1.2 column, tags, x_ and unknown columns', async () => {
    const { headers, records } = await readFixture('focus-1.2-multi-currency.csv');
    const mapper = focusReader.createMapper(headers, ctx);
    const rows = records.map((r) => mapper(r));
    expect(rows).toHaveLength(8);
    expect(rows[0]).toEqual({
      provider_name: 'Contoso Cloud',
      publisher_name: 'Contoso Cloud',
      invoice_issuer_name: 'Contoso Cloud',
      billing_account_id: 'ba-0001',
      billing_account_name: 'Contoso Holdings',
      sub_account_id: 'sub-42',
      sub_account_name: 'analytics-prod',
      invoice_id: 'INV-2024-11',
      billing_period_start: '2024-11-01T00:00:00Z',
      billing_period_end: '2024-12-01T00:00:00Z',
      charge_period_start: '2024-11-03T00:00:00Z',
      charge_period_end: '2024-11-04T00:00:00Z',
      charge_category: 'Usage',
      charge_class: null,
      charge_description: 'D4s v5 VM, 100 hours',
      charge_frequency: 'Usage-Based',
      service_name: 'Virtual Machines',
      service_category: 'Compute',
      service_subcategory: 'Virtual Machines',
      region_id: 'eastus',
      region_name: 'East US',
      availability_zone: 'eastus-1',
      resource_id: '/subscriptions/sub-42/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1',
      resource_name: 'vm1',
      resource_type: 'Virtual machine',
      sku_id: 'DZH318Z0BQ4L',
      sku_price_id: 'DZH318Z0BQ4L-0001',
      pricing_category: 'Standard',
      pricing_quantity: '100',
      pricing_unit: '1 Hour',
      list_unit_price: '0.155',
      contracted_unit_price: '0.1234567890',
      consumed_quantity: '100',
      consumed_unit: 'Hours',
      list_cost: '15.5',
      contracted_cost: '12.3456789012',
      billed_cost: '12.3456789012',
      effective_cost: '10.0000000001',
      billing_currency: 'USD',
      commitment_discount_id: null,
      commitment_discount_type: null,
      commitment_discount_category: null,
      commitment_discount_status: null,
      // FOCUS 1.1/1.2 columns that used to land in extras
      billing_account_type: 'Billing Profile',
      sub_account_type: 'Subscription',
      commitment_discount_name: null,
      commitment_discount_quantity: null,
      commitment_discount_unit: null,
      pricing_currency: 'USD',
      sku_meter: 'D4s v5',
      sku_price_details: '{"CoreCount": 4}',
      tags: { env: 'prod', team: 'data' },
      extras: { x_CostCenter: 'CC-100', x_SkuDescription: 'D4s v5 Linux' },
    });
  });

  it('treats the literal NULL and empty values as null and keeps decimals exact', async () => {
    const { headers, records } = await readFixture('focus-1.2-multi-currency.csv');
    const mapper = focusReader.createMapper(headers, ctx);
    const [, storage, purchase, , , eur, jpy, adjustment] = records.map((r) => mapper(r)) as Record<string, unknown>[];
    expect(storage?.billed_cost).toBe('0.0000000123456789');
    expect(storage?.availability_zone).toBeNull();
    expect(storage?.region_id).toBe('westeurope');
    expect(storage?.tags).toEqual({ legacy: 'true' });
    expect(storage?.extras).toBeNull(); // x_CostCenter is NULL there, and nothing else is left over
    expect(purchase?.billed_cost).toBe('1234567890.123456789');
    expect(purchase?.billing_currency).toBe('USD'); // "usd" in the file
    expect(purchase?.region_id).toBe('global');
    expect(eur?.tags).toEqual({ env: 'staging', Team: 'Data ' }); // as given; the pipeline stores a normalized copy
    expect(jpy?.consumed_quantity).toBe('1.5E+3');
    expect(jpy?.tags).toBeNull();
    expect(adjustment?.tags).toBeNull();
    expect(adjustment?.billing_currency).toBe('EUR');
  });

  it('reads FOCUS 0.5 names: Provider, ChargeType, BilledCurrency, AmortizedCost, Region, ResourceID', async () => {
    const { headers, records } = await readFixture('validator-all_pass.csv');
    const mapper = focusReader.createMapper(headers, ctx);
    expect(mapper(records[0] as string[])).toEqual({
      provider_name: 'A',
      publisher_name: 'Publisher1',
      invoice_issuer_name: 'test-entity-1',
      billing_account_id: 'a1',
      billing_account_name: 'Account-1',
      // the sample has its billing period bounds reversed; periods are kept as given
      billing_period_start: '2023-06-30T00:00:00Z',
      billing_period_end: '2023-06-01T00:00:00Z',
      charge_period_start: '2023-06-01T00:00:00Z',
      charge_period_end: '2023-06-01T00:01:00Z',
      charge_category: 'Purchase',
      service_name: 'Sample-service-1',
      service_category: 'Compute',
      region_id: 'a',
      resource_id: 'r1',
      resource_name: 'Test Resource 1',
      billed_cost: '0.1',
      effective_cost: '0.01',
      billing_currency: 'AUD',
    });
    expect(mapper(records[1] as string[])).toMatchObject({
      billing_account_name: null,
      billing_currency: 'USD',
      charge_category: 'Adjustment',
    });
  });

  it('prefers the current name when a file has both spellings, keeping the other in extras', async () => {
    const { headers, records } = await readFixture('validator-all_pass_0.5.csv');
    const row = focusReader.createMapper(headers, ctx)(records[0] as string[]);
    expect(row).toMatchObject({
      billing_currency: 'USD',
      sub_account_id: 'a09876543212',
      sub_account_name: 'IT',
      billing_account_type: 'Account',
      extras: { BilledCurrency: 'AUD' },
    });
  });

  it('reads 1.0-preview UsageQuantity/UsageUnit and matches names case-insensitively', () => {
    const row = mapOne(
      [...MINIMAL, 'UsageQuantity', 'UsageUnit', 'SkuPriceid', 'Region', 'ChargeSubcategory'],
      [...MINIMAL_ROW, '3.000', 'Hours', 'SKU-1', 'US East', 'On-Demand'],
    );
    expect(row).toMatchObject({
      consumed_quantity: '3.000',
      consumed_unit: 'Hours',
      sku_price_id: 'SKU-1',
      region_id: 'useast',
      extras: { ChargeSubcategory: 'On-Demand' },
    });
    expect(row.region_name).toBeUndefined();
  });

  it('keeps raw x_ values as given', () => {
    const row = mapOne([...MINIMAL, 'x_Discounts', 'x_Blank'], [...MINIMAL_ROW, ' {"a": 0.10} ', '']);
    expect(row.extras).toEqual({ x_Discounts: ' {"a": 0.10} ' });
  });

  it('FOCUS 1.3/1.4 provider columns: provider_name from ServiceProviderName when ProviderName is absent or empty', () => {
    const without = MINIMAL.slice(1);
    const row14 = mapOne([...without, 'ServiceProviderName', 'HostProviderName'], [...MINIMAL_ROW.slice(1), 'StackLens', 'Aura Web']);
    expect(row14).toMatchObject({ provider_name: 'StackLens', service_provider_name: 'StackLens', host_provider_name: 'Aura Web' });
    expect(row14.publisher_name).toBeUndefined();
    const headers13 = [...MINIMAL, 'ServiceProviderName'];
    expect(mapOne(headers13, [...MINIMAL_ROW, 'StackLens'])).toMatchObject({ provider_name: 'AWS', service_provider_name: 'StackLens' });
    expect(mapOne(headers13, ['', ...MINIMAL_ROW.slice(1), 'StackLens'])).toMatchObject({ provider_name: 'StackLens' });
    expect(mapOne(headers13, ['NULL', ...MINIMAL_ROW.slice(1), 'StackLens'])).toMatchObject({ provider_name: 'StackLens' });
    expect(() => mapOne(headers13, ['', ...MINIMAL_ROW.slice(1), ''])).toThrow('missing ProviderName (mandatory FOCUS column)');
  });

  it('a JSON column holds valid JSON, kept as written; anything else names the column and the value', () => {
    const row = mapOne([...MINIMAL, 'SkuPriceDetails', 'AllocatedTags'], [...MINIMAL_ROW, ' {"CoreCount": 4, "Price": 0.10} ', '{}']);
    expect(row).toMatchObject({ sku_price_details: '{"CoreCount": 4, "Price": 0.10}', allocated_tags: '{}' });
    expect(() => mapOne([...MINIMAL, 'ContractApplied'], [...MINIMAL_ROW, '{"Elements": [}'])).toThrow(
      /^ContractApplied: not valid JSON \(.*\): "\{\\"Elements\\": \[\}"$/,
    );
    expect(() => mapOne([...MINIMAL, 'AllocatedTags'], [...MINIMAL_ROW, '{"a": "\\u0000"}'])).toThrow(
      /^AllocatedTags: JSON with \\u0000 or an unpaired surrogate/,
    );
  });

  it('a missing mandatory value is a ValueError naming the column', () => {
    const mapper = focusReader.createMapper(MINIMAL, ctx);
    const noCurrency = [...MINIMAL_ROW];
    noCurrency[7] = 'NULL';
    expect(() => mapper(noCurrency)).toThrow(ValueError);
    expect(() => mapper(noCurrency)).toThrow(/BillingCurrency/);
    const noCost = [...MINIMAL_ROW];
    noCost[6] = '';
    expect(() => mapper(noCost)).toThrow(/missing BilledCost/);
  });

  it('a bad value names the column and the value', () => {
    const mapper = focusReader.createMapper(MINIMAL, ctx);
    const bad = [...MINIMAL_ROW];
    bad[6] = '$1,000.00';
    expect(() => mapper(bad)).toThrow('BilledCost: not a decimal number: "$1,000.00"');
    const badDate = [...MINIMAL_ROW];
    badDate[3] = '4/1/25';
    expect(() => mapper(badDate)).toThrow('ChargePeriodStart: not a date/time: "4/1/25"');
    expect(() => mapOne([...MINIMAL, 'Tags'], [...MINIMAL_ROW, '{not json'])).toThrow(/^Tags: tags are neither JSON/);
  });

  it('an amount in PricingCurrency needs PricingCurrency: refused without it, naming the amount and its value', () => {
    const headers = [...MINIMAL, 'PricingCurrency', 'PricingCurrencyListUnitPrice', 'PricingCurrencyEffectiveCost'];
    const mapper = focusReader.createMapper(headers, ctx);
    expect(() => mapper([...MINIMAL_ROW, '', '', '0.25'])).toThrow(
      new ValueError('PricingCurrencyEffectiveCost: 0.25 has no PricingCurrency (an amount needs its currency)'),
    );
    expect(() => mapOne(MINIMAL.concat('PricingCurrencyListUnitPrice'), [...MINIMAL_ROW, '0.1'])).toThrow(
      /^PricingCurrencyListUnitPrice: 0\.1 has no PricingCurrency/,
    );
    // With its currency (a virtual one here), or without any such amount, the row maps.
    expect(mapOne(headers, [...MINIMAL_ROW, 'Credits', '', '0.25'])).toMatchObject({
      pricing_currency: 'Credits',
      pricing_currency_effective_cost: '0.25',
    });
    expect(mapOne(headers, [...MINIMAL_ROW, '', 'NULL', ''])).toMatchObject({
      pricing_currency: null,
      pricing_currency_list_unit_price: null,
    });
  });

  it('a file without mandatory columns is rejected up front, listing them with their old names', () => {
    const create = () => focusReader.createMapper(['InvoiceIssuer', 'ResourceID', 'ChargeType'], ctx);
    expect(create).toThrow(IngestError);
    expect(create).toThrow(
      'test.csv: missing mandatory FOCUS columns ProviderName/Provider/ServiceProviderName, BillingPeriodStart, BillingPeriodEnd, ChargePeriodStart, ChargePeriodEnd, BilledCost, BillingCurrency/BilledCurrency',
    );
  });
});
