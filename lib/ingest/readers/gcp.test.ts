import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CostRow } from '../../focus/columns';
import { ValueError } from '../../focus/normalize';
import { openRecordSource } from '../source';
import { focusReader } from './focus';
import { gcpReader, parseCredits, parseLiteral } from './gcp';

const FIXTURES = path.join(import.meta.dirname, '../../../tests/fixtures/gcp');
const ctx = { file: 'gcp.csv' };

async function mapFixture(name: string): Promise<{ headers: string[]; rows: CostRow[] }> {
  const source = await openRecordSource(path.join(FIXTURES, name));
  const mapper = gcpReader.createMapper(source.headers, ctx);
  const rows: CostRow[] = [];
  for await (const batch of source.records()) for (const r of batch) rows.push(mapper(r.values) as CostRow);
  await source.close();
  return { headers: source.headers, rows };
}

const HEADERS = [
  'billing_account_id',
  'service.description',
  'sku.id',
  'sku.description',
  'usage_start_time',
  'usage_end_time',
  'cost',
  'currency',
  'credits',
  'invoice.month',
  'cost_type',
];
function line(overrides: Partial<Record<(typeof HEADERS)[number], string>>): string[] {
  const base: Record<string, string> = {
    billing_account_id: 'AAA-BBB',
    'service.description': 'Compute Engine',
    'sku.id': 'SKU-1',
    'sku.description': 'N1 core',
    usage_start_time: '2024-01-31 23:00:00 UTC',
    usage_end_time: '2024-02-01 00:00:00 UTC',
    cost: '1.1',
    currency: 'usd',
    credits: '[]',
    'invoice.month': '202401',
    cost_type: 'regular',
    ...overrides,
  };
  return HEADERS.map((h) => base[h] as string);
}
function mapOne(values: string[], headers = HEADERS): CostRow {
  return gcpReader.createMapper(headers, ctx)(values) as CostRow;
}

describe('gcpReader.detect', () => {
  it('recognizes dotted and underscore-flattened billing export headers', async () => {
    const { headers } = await mapFixture('koku-2022-08-01_5.csv');
    expect(gcpReader.detect(headers)).toBeGreaterThan(50);
    expect(gcpReader.detect(headers.map((h) => h.replace(/\./g, '_')))).toBeGreaterThan(50);
    expect(focusReader.detect(headers)).toBe(0);
  });

  it('does not claim FOCUS or unrelated files', () => {
    expect(gcpReader.detect(['BilledCost', 'ChargePeriodStart', 'BillingCurrency'])).toBe(0);
    expect(gcpReader.detect(['cost', 'currency', 'date'])).toBe(0);
  });
});

describe('credits', () => {
  it('parses Python-repr and JSON lists with the amounts as exact text', () => {
    const repr = "[{'name': 'FreeTrial:Credit-1', 'amount': -5e-06, 'full_name': None, 'id': 'FreeTrial:Credit-1', 'type': 'PROMOTION'}]";
    expect(parseCredits(repr)).toEqual([
      { name: 'FreeTrial:Credit-1', amount: '-5e-06', fullName: null, id: 'FreeTrial:Credit-1', type: 'PROMOTION' },
    ]);
    const json =
      '[{"name":"SUD","amount":-0.123456789012345678901,"full_name":null,"id":"","type":"SUSTAINED_USAGE_DISCOUNT"},{"name":"x","amount":"-1.10","type":null}]';
    expect(parseCredits(json).map((c) => c.amount)).toEqual(['-0.123456789012345678901', '-1.10']);
    expect(parseCredits("[{'name': 'n', 'amount': Decimal('-0.000000001'), 'type': 'FREE_TIER'}]")[0]?.amount).toBe('-0.000000001');
    expect(parseCredits(null)).toEqual([]);
    expect(parseCredits('[]')).toEqual([]);
  });

  it('reads quotes and escapes the way Python prints them', () => {
    expect(parseLiteral(`[{'key': 'owner', 'value': "O'Brien"}, {'key': 'k\\'s', 'value': 'a\\\\b'}, (1, True, False, nan)]`)).toEqual([
      { key: 'owner', value: "O'Brien" },
      { key: "k's", value: 'a\\b' },
      [{ number: '1' }, true, false, null],
    ]);
  });

  it('rejects what it cannot read, with the text', () => {
    expect(() => parseCredits("[{'name': 'x'}]")).toThrow(/a credit has no amount/);
    expect(() => parseCredits("[{'amount': -1")).toThrow(ValueError);
    expect(() => parseCredits("{'amount': -1}")).toThrow(/credits are not a list/);
  });

  it('refuses credit amounts no amount column could hold, as decimal() does', () => {
    expect(() => parseCredits("[{'name': 'x', 'amount': -1e400}]")).toThrow(/amount out of range: "-1e400"/);
    expect(() => parseCredits('[{"name":"x","amount":1e-39}]')).toThrow(/amount out of range: "1e-39"/);
    expect(() => parseCredits("[{'name': 'x', 'amount': Decimal('1e200000')}]")).toThrow(/amount out of range: "1e200000"/);
    expect(() => parseCredits("[{'name': 'x', 'amount': nan}]")).toThrow(/a credit has no amount/);
  });
});

describe('gcpReader mapping', () => {
  it('maps the koku standard export rows', async () => {
    const { rows } = await mapFixture('koku-2022-08-01_5.csv');
    expect(rows).toHaveLength(9);
    expect(rows[0]).toEqual({
      provider_name: 'Google Cloud',
      publisher_name: 'Google Cloud',
      invoice_issuer_name: 'Google Cloud',
      billing_account_id: '018984-D0AAA4-940B88',
      sub_account_id: 'cloud-billing-292519',
      sub_account_name: 'cm_example',
      billing_period_start: '2022-08-01T00:00:00Z',
      billing_period_end: '2022-09-01T00:00:00Z',
      charge_period_start: '2022-08-01T03:00:00Z',
      charge_period_end: '2022-08-01T04:00:00Z',
      charge_category: 'Usage',
      charge_class: null,
      charge_description: 'Network Internet Egress from Americas to APAC',
      service_name: 'Compute Engine',
      region_id: 'us-central1',
      region_name: 'Iowa',
      availability_zone: null,
      resource_id: '//example',
      resource_name: 'instance-1',
      resource_type: 'example',
      sku_id: '6B8F-E63D-832B',
      pricing_category: 'Standard',
      pricing_quantity: '1.385e-05',
      pricing_unit: 'gibibyte',
      contracted_unit_price: null,
      consumed_quantity: '14871.0',
      consumed_unit: 'bytes',
      list_cost: null,
      contracted_cost: '0.0',
      billed_cost: '0.0',
      effective_cost: '0.0',
      billing_currency: 'USD',
      commitment_discount_category: null,
      commitment_discount_id: null,
      tags: null,
      extras: {
        'service.id': '6F81-5844-456A',
        'sku.description': 'Network Internet Egress from Americas to APAC',
        'project.ancestry_numbers': '/1234567/237691936840/',
        'location.location': 'us-central1',
        'location.country': 'US',
        export_time: '2022-08-02 01:11:12.066000+00:00',
        currency_conversion_rate: '1.0',
        cost_type: 'regular',
        partition_date: '2022-08-01',
      },
    });
  });

  it('adds credits to cost exactly for BilledCost and EffectiveCost, keeping cost as ContractedCost', async () => {
    const { rows } = await mapFixture('koku-202011-credits.csv');
    const withCredit = rows[0];
    expect(withCredit?.contracted_cost).toBe('5e-06');
    expect(withCredit?.billed_cost).toBe('0.000000');
    expect(withCredit?.effective_cost).toBe('0.000000');
    expect(withCredit?.extras?.credits).toContain("'amount': -5e-06");
    expect(withCredit?.region_id).toBe('global'); // location.location, as location.region is empty
    expect(withCredit?.region_name).toBeNull();
    expect(rows.find((r) => r.tags)?.tags).toEqual({ 'goog-resource-type': 'bigquery_resource' });

    const row = mapOne(line({ cost: '1.1', credits: '[{"name":"a","amount":-0.3},{"name":"b","amount":-1e-18,"type":"PROMOTION"}]' }));
    expect(row.billed_cost).toBe('0.799999999999999999');
    expect(row.effective_cost).toBe('0.799999999999999999');
    expect(row.contracted_cost).toBe('1.1');
    expect(row.billing_currency).toBe('USD');
  });

  it('maps the detailed export: categories, corrections, commitments, marketplace, labels', async () => {
    const { rows } = await mapFixture('detailed-usage-multi-currency.csv');
    const [vm, cud, tax, adjustment, rounding, marketplace, bigquery, storage, tokyo] = rows;
    expect(vm).toMatchObject({
      billed_cost: '1.111111101111111111',
      contracted_cost: '1.234567890123456789',
      list_cost: '1.5',
      contracted_unit_price: '0.3086419725',
      pricing_quantity: '4',
      pricing_unit: 'hour',
      consumed_quantity: '14400.0',
      consumed_unit: 'seconds',
      availability_zone: 'us-central1-a',
      resource_type: 'compute.instances',
      resource_name: 'vm-1',
      charge_period_start: '2024-11-01T10:00:00Z',
      pricing_category: 'Standard',
      // project labels < resource-manager tags < resource labels
      tags: { 'cost-center': 'cc-100', env: 'prod-eu', '123/team': 'payments', app: 'checkout' },
    });
    expect(vm?.extras?.system_labels).toContain('machine_spec');
    expect(cud).toMatchObject({
      billed_cost: '0.0',
      pricing_category: 'Committed',
      commitment_discount_category: 'Usage',
      commitment_discount_id: 'commitment-1',
    });
    expect(tax).toMatchObject({
      charge_category: 'Tax',
      sku_id: null,
      pricing_category: null,
      consumed_quantity: null,
      billed_cost: '0.25',
    });
    expect(tax?.extras?.['sku.id']).toBe('TAX-US');
    expect(adjustment).toMatchObject({
      charge_category: 'Adjustment',
      charge_class: 'Correction',
      billed_cost: '-0.05',
      billing_period_start: '2024-11-01T00:00:00Z',
    });
    expect(adjustment?.extras?.['adjustment_info.description']).toBe('Correction of October usage');
    expect(rounding).toMatchObject({ charge_category: 'Adjustment', charge_class: null, billed_cost: '-0.000001' });
    expect(marketplace).toMatchObject({ publisher_name: 'Example Partner Inc', invoice_issuer_name: 'Google Cloud', region_id: 'global' });
    expect(bigquery).toMatchObject({
      billing_currency: 'EUR',
      billed_cost: '1.9999999',
      // usage in November, invoiced in December
      charge_period_start: '2024-11-30T23:00:00Z',
      billing_period_start: '2024-12-01T00:00:00Z',
      billing_period_end: '2025-01-01T00:00:00Z',
      region_id: 'eu',
      resource_name: null, // "None"
      tags: { owner: "O'Brien" },
    });
    expect(storage).toMatchObject({
      billed_cost: '0.000000001',
      list_cost: '0.000000002',
      pricing_quantity: '4.5e-12',
      region_name: 'Frankfurt',
    });
    expect(tokyo).toMatchObject({
      billing_currency: 'JPY',
      billed_cost: '1250',
      commitment_discount_category: 'Spend',
      region_name: 'Tokyo',
    });
  });

  it('derives the billing period from invoice.month, across the year end', () => {
    expect(mapOne(line({ 'invoice.month': '202312' }))).toMatchObject({
      billing_period_start: '2023-12-01T00:00:00Z',
      billing_period_end: '2024-01-01T00:00:00Z',
      charge_period_start: '2024-01-31T23:00:00Z',
      charge_period_end: '2024-02-01T00:00:00Z',
    });
    const headers = HEADERS.filter((h) => h !== 'invoice.month');
    const values = line({}).filter((_, i) => HEADERS[i] !== 'invoice.month');
    expect(mapOne(values, headers)).toMatchObject({
      billing_period_start: '2024-01-01T00:00:00Z',
      billing_period_end: '2024-02-01T00:00:00Z',
    });
    expect(() => mapOne(line({ 'invoice.month': '2024-13' }))).toThrow('invoice.month: not an invoice month (YYYYMM): "2024-13"');
  });

  it('names the column of a bad or missing value', () => {
    expect(() => mapOne(line({ cost: '' }))).toThrow('missing cost');
    expect(() => mapOne(line({ cost: '1,5' }))).toThrow('cost: not a decimal number: "1,5"');
    expect(() => mapOne(line({ currency: 'None' }))).toThrow('missing currency');
    expect(() => mapOne(line({ cost_type: 'surprise' }))).toThrow('unknown cost_type "surprise"');
    expect(() => mapOne(line({ usage_start_time: 'yesterday' }))).toThrow('usage_start_time: not a date/time: "yesterday"');
    expect(() => mapOne(line({ credits: "[{'amount': }]" }))).toThrow(/^credits: cannot read/);
  });
});
