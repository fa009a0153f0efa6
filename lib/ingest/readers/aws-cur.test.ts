import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { CostRow } from '../../focus/columns';
import { ValueError } from '../../focus/normalize';
import { IngestError } from '../types';
import { awsCurReader } from './aws-cur';

const FIXTURES = path.resolve(__dirname, '../../../tests/fixtures/aws-cur');

function fixture(name: string): string[][] {
  return parse(readFileSync(path.join(FIXTURES, name)), { bom: true }) as string[][];
}

const LEGACY = [
  'identity/LineItemId',
  'identity/TimeInterval',
  'bill/BillType',
  'bill/BillingEntity',
  'bill/BillingPeriodStartDate',
  'bill/BillingPeriodEndDate',
  'bill/InvoiceId',
  'bill/PayerAccountId',
  'lineItem/UsageAccountId',
  'lineItem/LineItemType',
  'lineItem/UsageStartDate',
  'lineItem/UsageEndDate',
  'lineItem/ProductCode',
  'lineItem/UsageType',
  'lineItem/Operation',
  'lineItem/AvailabilityZone',
  'lineItem/ResourceId',
  'lineItem/UsageAmount',
  'lineItem/CurrencyCode',
  'lineItem/UnblendedCost',
  'lineItem/LineItemDescription',
  'lineItem/LegalEntity',
  'product/ProductName',
  'product/region',
  'product/location',
  'product/sku',
  'product/instanceType',
  'pricing/RateCode',
  'pricing/RateId',
  'pricing/term',
  'pricing/unit',
  'pricing/publicOnDemandRate',
  'pricing/publicOnDemandCost',
  'reservation/ReservationARN',
  'reservation/EffectiveCost',
  'reservation/UnusedAmortizedUpfrontFeeForBillingPeriod',
  'reservation/UnusedRecurringFee',
  'savingsPlan/SavingsPlanARN',
  'savingsPlan/SavingsPlanEffectiveCost',
  'savingsPlan/TotalCommitmentToDate',
  'savingsPlan/UsedCommitment',
  'resourceTags/user:team',
  'resourceTags/user:env',
  'resourceTags/aws:createdBy',
  'costCategory/project',
];

const RI_ARN = 'arn:aws:ec2:us-east-1:111122223333:reserved-instances/abcd-1234';
const SP_ARN = 'arn:aws:savingsplans::111122223333:savingsplan/5678-efgh';

const BASE: Record<string, string> = {
  'identity/LineItemId': 'id-1',
  'bill/BillType': 'Anniversary',
  'bill/BillingEntity': 'AWS',
  'bill/BillingPeriodStartDate': '2024-03-01T00:00:00Z',
  'bill/BillingPeriodEndDate': '2024-04-01T00:00:00Z',
  'bill/InvoiceId': 'INV-1',
  'bill/PayerAccountId': '111122223333',
  'lineItem/UsageAccountId': '444455556666',
  'lineItem/UsageStartDate': '2024-03-05T10:00:00Z',
  'lineItem/UsageEndDate': '2024-03-05T11:00:00Z',
  'lineItem/ProductCode': 'AmazonEC2',
  'lineItem/UsageType': 'BoxUsage:m5.large',
  'lineItem/Operation': 'RunInstances',
  'lineItem/AvailabilityZone': 'us-east-1a',
  'lineItem/ResourceId': 'i-0abc',
  'lineItem/UsageAmount': '1',
  'lineItem/CurrencyCode': 'USD',
  'lineItem/LineItemDescription': 'm5.large hour',
  'lineItem/LegalEntity': 'Amazon Web Services, Inc.',
  'product/ProductName': 'Amazon Elastic Compute Cloud',
  'product/region': 'us-east-1',
  'product/location': 'US East (N. Virginia)',
  'product/sku': 'SKU123',
  'product/instanceType': 'm5.large',
  'pricing/RateCode': 'SKU123.JRTCKXETXF.6YS6EN2CT7',
  'pricing/RateId': '1234567',
  'pricing/term': 'OnDemand',
  'pricing/unit': 'Hrs',
  'pricing/publicOnDemandRate': '0.096',
  'pricing/publicOnDemandCost': '0.096',
};

function values(headers: readonly string[], fields: Record<string, string>): string[] {
  return headers.map((h) => fields[h] ?? '');
}

/** Maps one legacy CUR record built from BASE plus the given fields. */
function mapLegacy(fields: Record<string, string>, headers: readonly string[] = LEGACY): CostRow {
  const mapper = awsCurReader.createMapper(headers, { file: 'test.csv' });
  const out = mapper(values(headers, { ...BASE, ...fields }));
  if (out === null || Array.isArray(out)) throw new Error('expected exactly one row');
  return out;
}

describe('awsCurReader.detect', () => {
  const legacy = fixture('keboola-cur1/sample_billing_data.csv')[0] ?? [];
  const cur2 = fixture('keboola-cur2/sample_billing_data_v2.csv')[0] ?? [];

  it('recognises legacy CUR headers (category/Name)', () => {
    expect(awsCurReader.detect(legacy)).toBeGreaterThanOrEqual(60);
    expect(awsCurReader.detect(LEGACY)).toBeGreaterThanOrEqual(60);
  });

  it('recognises CUR 2.0 / Athena snake_case headers', () => {
    expect(awsCurReader.detect(cur2)).toBeGreaterThanOrEqual(60);
    expect(awsCurReader.detect(fixture('koku/2022-07-01-alt-columns.csv')[0] ?? [])).toBeGreaterThanOrEqual(60);
  });

  it('compares header names case-insensitively', () => {
    expect(awsCurReader.detect(legacy.map((h) => h.toUpperCase()))).toBe(awsCurReader.detect(legacy));
    expect(awsCurReader.detect(cur2.map((h) => h.toUpperCase()))).toBe(awsCurReader.detect(cur2));
  });

  it('scores 0 without both the cost and the billing period columns', () => {
    expect(awsCurReader.detect(legacy.filter((h) => h !== 'lineItem/UnblendedCost'))).toBe(0);
    expect(awsCurReader.detect(cur2.filter((h) => h !== 'bill_billing_period_start_date'))).toBe(0);
    // The two columns alone are enough to load, but less certain than a full CUR header.
    const minimal = ['lineItem/UnblendedCost', 'bill/BillingPeriodStartDate'];
    expect(awsCurReader.detect(minimal)).toBeGreaterThanOrEqual(50);
    expect(awsCurReader.detect(minimal)).toBeLessThan(awsCurReader.detect(legacy));
  });

  it('scores 0 for FOCUS, Azure and GCP headers', () => {
    const focus = [
      'BilledCost',
      'BillingPeriodStart',
      'BillingPeriodEnd',
      'ChargePeriodStart',
      'ChargeCategory',
      'ProviderName',
      'BillingCurrency',
    ];
    const azure = [
      'SubscriptionId',
      'Date',
      'MeterCategory',
      'CostInBillingCurrency',
      'BillingCurrency',
      'BillingPeriodStartDate',
      'ResourceId',
    ];
    const gcp = ['billing_account_id', 'service.description', 'usage_start_time', 'cost', 'currency', 'invoice.month', 'credits'];
    expect(awsCurReader.detect(focus)).toBe(0);
    expect(awsCurReader.detect(azure)).toBe(0);
    expect(awsCurReader.detect(gcp)).toBe(0);
  });
});

describe('awsCurReader.createMapper', () => {
  it('refuses a CUR without a currency column, naming it', () => {
    expect(() =>
      awsCurReader.createMapper(
        LEGACY.filter((h) => h !== 'lineItem/CurrencyCode'),
        { file: 'x.csv' },
      ),
    ).toThrow(IngestError);
    expect(() =>
      awsCurReader.createMapper(
        LEGACY.filter((h) => h !== 'lineItem/CurrencyCode'),
        { file: 'x.csv' },
      ),
    ).toThrow(/lineItem\/CurrencyCode/);
  });

  it('refuses a CUR with neither usage dates nor identity/TimeInterval', () => {
    const headers = LEGACY.filter((h) => h !== 'lineItem/UsageEndDate' && h !== 'identity/TimeInterval');
    expect(() => awsCurReader.createMapper(headers, { file: 'x.csv' })).toThrow(/UsageEndDate/);
  });
});

describe('AWS CUR → FOCUS: common columns', () => {
  it('maps accounts, periods, service, location, SKU and pricing of a usage line', () => {
    const row = mapLegacy({ 'lineItem/LineItemType': 'Usage', 'lineItem/UnblendedCost': '0.096' });
    expect(row).toMatchObject({
      provider_name: 'AWS',
      publisher_name: 'AWS',
      invoice_issuer_name: 'AWS',
      billing_account_id: '111122223333',
      sub_account_id: '444455556666',
      invoice_id: 'INV-1',
      billing_period_start: '2024-03-01T00:00:00Z',
      billing_period_end: '2024-04-01T00:00:00Z',
      charge_period_start: '2024-03-05T10:00:00Z',
      charge_period_end: '2024-03-05T11:00:00Z',
      charge_description: 'm5.large hour',
      service_name: 'Amazon Elastic Compute Cloud',
      service_category: 'Compute',
      region_id: 'us-east-1',
      region_name: 'US East (N. Virginia)',
      availability_zone: 'us-east-1a',
      resource_id: 'i-0abc',
      sku_id: 'SKU123',
      sku_price_id: 'SKU123.JRTCKXETXF.6YS6EN2CT7',
      pricing_quantity: '1',
      pricing_unit: 'Hrs',
      list_unit_price: '0.096',
      list_cost: '0.096',
      billing_currency: 'USD',
    });
    expect(row.extras).toMatchObject({
      lineItemType: 'Usage',
      productCode: 'AmazonEC2',
      usageType: 'BoxUsage:m5.large',
      operation: 'RunInstances',
      instanceType: 'm5.large',
    });
  });

  it('falls back to the product code for the service name and pricing/RateId for the price id', () => {
    const row = mapLegacy({
      'lineItem/LineItemType': 'Usage',
      'lineItem/UnblendedCost': '1',
      'product/ProductName': '',
      'pricing/RateCode': '',
    });
    expect(row.service_name).toBe('AmazonEC2');
    expect(row.sku_price_id).toBe('1234567');
  });

  it('leaves ServiceCategory null for product codes without a documented category', () => {
    expect(
      mapLegacy({ 'lineItem/LineItemType': 'Usage', 'lineItem/UnblendedCost': '1', 'lineItem/ProductCode': 'mra' }).service_category,
    ).toBeNull();
  });

  it('folds the region code and keeps sub-account names when the CUR has them', () => {
    const headers = [...LEGACY, 'lineItem/UsageAccountName', 'bill/PayerAccountName'];
    const row = mapLegacy(
      {
        'lineItem/LineItemType': 'Usage',
        'lineItem/UnblendedCost': '1',
        'product/region': 'US-EAST-1',
        'lineItem/UsageAccountName': 'prod',
        'bill/PayerAccountName': 'acme-payer',
      },
      headers,
    );
    expect(row.region_id).toBe('us-east-1');
    expect(row.sub_account_name).toBe('prod');
    expect(row.billing_account_name).toBe('acme-payer');
  });

  it('names the Marketplace seller (lineItem/LegalEntity) as publisher', () => {
    const row = mapLegacy({
      'lineItem/LineItemType': 'Usage',
      'lineItem/UnblendedCost': '0.5',
      'bill/BillingEntity': 'AWS Marketplace',
      'lineItem/LegalEntity': 'Red Hat, Inc.',
    });
    expect(row.publisher_name).toBe('Red Hat, Inc.');
    expect(row.invoice_issuer_name).toBe('AWS');
    const anonymous = mapLegacy({
      'lineItem/LineItemType': 'Usage',
      'lineItem/UnblendedCost': '0.5',
      'bill/BillingEntity': 'AWS Marketplace',
      'lineItem/LegalEntity': '',
    });
    expect(anonymous.publisher_name).toBe('AWS');
  });

  it('takes the charge period from identity/TimeInterval when the usage dates are absent', () => {
    const headers = LEGACY.filter((h) => h !== 'lineItem/UsageStartDate' && h !== 'lineItem/UsageEndDate');
    const row = mapLegacy(
      {
        'lineItem/LineItemType': 'Usage',
        'lineItem/UnblendedCost': '1',
        'identity/TimeInterval': '2024-03-05T10:00:00Z/2024-03-05T11:00:00Z',
      },
      headers,
    );
    expect(row.charge_period_start).toBe('2024-03-05T10:00:00Z');
    expect(row.charge_period_end).toBe('2024-03-05T11:00:00Z');
  });
});

describe('AWS CUR → FOCUS: line item types', () => {
  it('Usage: on-demand usage', () => {
    const row = mapLegacy({ 'lineItem/LineItemType': 'Usage', 'lineItem/UnblendedCost': '0.096' });
    expect(row).toMatchObject({
      charge_category: 'Usage',
      charge_class: null,
      charge_frequency: 'Usage-Based',
      pricing_category: 'Standard',
      billed_cost: '0.096',
      effective_cost: '0.096',
      consumed_quantity: '1',
      consumed_unit: 'Hrs',
      commitment_discount_id: null,
      commitment_discount_type: null,
      commitment_discount_status: null,
    });
  });

  it('Usage: spot usage is Dynamic pricing', () => {
    const row = mapLegacy({
      'lineItem/LineItemType': 'Usage',
      'lineItem/UnblendedCost': '0.03',
      'lineItem/UsageType': 'USE1-SpotUsage:c5.large',
      'pricing/term': '',
    });
    expect(row.pricing_category).toBe('Dynamic');
  });

  it('DiscountedUsage: reservation-covered usage at the reservation effective cost', () => {
    const row = mapLegacy({
      'lineItem/LineItemType': 'DiscountedUsage',
      'lineItem/UnblendedCost': '0',
      'pricing/term': 'Reserved',
      'reservation/ReservationARN': RI_ARN,
      'reservation/EffectiveCost': '0.0581',
    });
    expect(row).toMatchObject({
      charge_category: 'Usage',
      charge_frequency: 'Usage-Based',
      pricing_category: 'Committed',
      billed_cost: '0',
      effective_cost: '0.0581',
      consumed_quantity: '1',
      commitment_discount_id: RI_ARN,
      commitment_discount_type: 'Reservation',
      commitment_discount_category: 'Usage',
      commitment_discount_status: 'Used',
    });
  });

  it('SavingsPlanCoveredUsage: savings-plan-covered usage at the savings plan effective cost', () => {
    const row = mapLegacy({
      'lineItem/LineItemType': 'SavingsPlanCoveredUsage',
      'lineItem/UnblendedCost': '0.096',
      'savingsPlan/SavingsPlanARN': SP_ARN,
      'savingsPlan/SavingsPlanEffectiveCost': '0.0612',
    });
    expect(row).toMatchObject({
      charge_category: 'Usage',
      pricing_category: 'Committed',
      billed_cost: '0.096',
      effective_cost: '0.0612',
      consumed_quantity: '1',
      commitment_discount_id: SP_ARN,
      commitment_discount_type: 'Savings Plan',
      commitment_discount_category: 'Spend',
      commitment_discount_status: 'Used',
    });
  });

  it('SavingsPlanNegation: offsets the covered usage in Usage, with no effective cost and no consumption', () => {
    const row = mapLegacy({
      'lineItem/LineItemType': 'SavingsPlanNegation',
      'lineItem/UnblendedCost': '-0.096',
      'savingsPlan/SavingsPlanARN': SP_ARN,
    });
    expect(row).toMatchObject({
      charge_category: 'Usage',
      pricing_category: 'Committed',
      billed_cost: '-0.096',
      effective_cost: '0',
      consumed_quantity: null,
      consumed_unit: null,
      commitment_discount_id: SP_ARN,
      commitment_discount_status: 'Used',
    });
  });

  it('SavingsPlanRecurringFee: a recurring purchase whose effective cost is the unused commitment', () => {
    const row = mapLegacy({
      'lineItem/LineItemType': 'SavingsPlanRecurringFee',
      'lineItem/UnblendedCost': '1.00000000001',
      'savingsPlan/SavingsPlanARN': SP_ARN,
      'savingsPlan/TotalCommitmentToDate': '1.00000000001',
      'savingsPlan/UsedCommitment': '0.99999999999',
    });
    expect(row).toMatchObject({
      charge_category: 'Purchase',
      charge_frequency: 'Recurring',
      pricing_category: null,
      billed_cost: '1.00000000001',
      effective_cost: '0.00000000002',
      consumed_quantity: null,
      commitment_discount_id: SP_ARN,
      commitment_discount_type: 'Savings Plan',
      commitment_discount_status: null,
    });
  });

  it('SavingsPlanUpfrontFee: a one-time purchase with zero effective cost', () => {
    const row = mapLegacy({
      'lineItem/LineItemType': 'SavingsPlanUpfrontFee',
      'lineItem/UnblendedCost': '8760',
      'savingsPlan/SavingsPlanARN': SP_ARN,
    });
    expect(row).toMatchObject({ charge_category: 'Purchase', charge_frequency: 'One-Time', billed_cost: '8760', effective_cost: '0' });
  });

  it('RIFee: a recurring purchase whose effective cost is the unused amortized upfront plus unused recurring fee', () => {
    const row = mapLegacy({
      'lineItem/LineItemType': 'RIFee',
      'lineItem/UnblendedCost': '30.24',
      'reservation/ReservationARN': RI_ARN,
      'reservation/UnusedAmortizedUpfrontFeeForBillingPeriod': '1.5',
      'reservation/UnusedRecurringFee': '2.25',
    });
    expect(row).toMatchObject({
      charge_category: 'Purchase',
      charge_frequency: 'Recurring',
      billed_cost: '30.24',
      effective_cost: '3.75',
      commitment_discount_id: RI_ARN,
      commitment_discount_type: 'Reservation',
      commitment_discount_category: 'Usage',
      commitment_discount_status: null,
    });
  });

  it('Fee: an upfront RI fee has zero effective cost (it is amortized into DiscountedUsage); other fees keep theirs', () => {
    const riUpfront = mapLegacy({ 'lineItem/LineItemType': 'Fee', 'lineItem/UnblendedCost': '500', 'reservation/ReservationARN': RI_ARN });
    expect(riUpfront).toMatchObject({ charge_category: 'Purchase', charge_frequency: 'One-Time', billed_cost: '500', effective_cost: '0' });
    const other = mapLegacy({
      'lineItem/LineItemType': 'Fee',
      'lineItem/UnblendedCost': '29',
      'lineItem/ProductCode': 'AWSSupportBusiness',
    });
    expect(other).toMatchObject({ charge_category: 'Purchase', billed_cost: '29', effective_cost: '29' });
  });

  it('Tax', () => {
    const row = mapLegacy({
      'lineItem/LineItemType': 'Tax',
      'lineItem/UnblendedCost': '4.20',
      'lineItem/UsageAmount': '',
      'pricing/unit': '',
    });
    expect(row).toMatchObject({
      charge_category: 'Tax',
      charge_class: null,
      pricing_category: null,
      billed_cost: '4.20',
      effective_cost: '4.20',
      consumed_quantity: null,
    });
  });

  it('Credit', () => {
    const row = mapLegacy({ 'lineItem/LineItemType': 'Credit', 'lineItem/UnblendedCost': '-100' });
    expect(row).toMatchObject({
      charge_category: 'Credit',
      charge_class: null,
      charge_frequency: 'One-Time',
      billed_cost: '-100',
      effective_cost: '-100',
    });
  });

  it('Refund: a credit that corrects an earlier charge', () => {
    const row = mapLegacy({ 'lineItem/LineItemType': 'Refund', 'lineItem/UnblendedCost': '-12.5' });
    expect(row).toMatchObject({ charge_category: 'Credit', charge_class: 'Correction', billed_cost: '-12.5', effective_cost: '-12.5' });
  });

  it('any line item on a Refund bill is a correction', () => {
    const row = mapLegacy({ 'lineItem/LineItemType': 'Usage', 'lineItem/UnblendedCost': '-3', 'bill/BillType': 'Refund' });
    expect(row.charge_class).toBe('Correction');
  });

  it.each(['BundledDiscount', 'Discount', 'EdpDiscount', 'PrivateRateDiscount', 'SppDiscount', 'RIVolumeDiscount'])(
    '%s: a credit',
    (type) => {
      const row = mapLegacy({ 'lineItem/LineItemType': type, 'lineItem/UnblendedCost': '-0.0042' });
      expect(row).toMatchObject({
        charge_category: 'Credit',
        charge_frequency: 'Usage-Based',
        billed_cost: '-0.0042',
        effective_cost: '-0.0042',
      });
    },
  );

  it('an unknown line item type still loads, as an Adjustment that keeps its AWS type', () => {
    const row = mapLegacy({ 'lineItem/LineItemType': 'SomethingNew', 'lineItem/UnblendedCost': '7' });
    expect(row).toMatchObject({ charge_category: 'Adjustment', charge_frequency: null, billed_cost: '7', effective_cost: '7' });
    expect(row.extras).toMatchObject({ lineItemType: 'SomethingNew' });
  });

  it('an empty line item type is an error', () => {
    expect(() => mapLegacy({ 'lineItem/LineItemType': '', 'lineItem/UnblendedCost': '7' })).toThrow(ValueError);
  });
});

describe('AWS CUR → FOCUS: commitment rows without the columns their effective cost needs', () => {
  it('leave EffectiveCost null rather than falling back to the unblended cost', () => {
    const withoutCommitmentCosts = LEGACY.filter(
      (h) =>
        h !== 'savingsPlan/SavingsPlanEffectiveCost' &&
        h !== 'savingsPlan/UsedCommitment' &&
        h !== 'reservation/EffectiveCost' &&
        h !== 'reservation/UnusedRecurringFee',
    );
    const covered = mapLegacy(
      { 'lineItem/LineItemType': 'SavingsPlanCoveredUsage', 'lineItem/UnblendedCost': '0.096' },
      withoutCommitmentCosts,
    );
    const recurring = mapLegacy(
      { 'lineItem/LineItemType': 'SavingsPlanRecurringFee', 'lineItem/UnblendedCost': '1', 'savingsPlan/TotalCommitmentToDate': '1' },
      withoutCommitmentCosts,
    );
    const discounted = mapLegacy({ 'lineItem/LineItemType': 'DiscountedUsage', 'lineItem/UnblendedCost': '0' }, withoutCommitmentCosts);
    const riFee = mapLegacy(
      { 'lineItem/LineItemType': 'RIFee', 'lineItem/UnblendedCost': '30', 'reservation/UnusedAmortizedUpfrontFeeForBillingPeriod': '0' },
      withoutCommitmentCosts,
    );
    expect([covered.effective_cost, recurring.effective_cost, discounted.effective_cost, riFee.effective_cost]).toEqual([
      null,
      null,
      null,
      null,
    ]);
    expect(covered.billed_cost).toBe('0.096');
  });
});

describe('AWS CUR → FOCUS: exact decimals', () => {
  it('keeps costs and quantities exactly as written', () => {
    const row = mapLegacy({
      'lineItem/LineItemType': 'Usage',
      'lineItem/UnblendedCost': '0.0000012345',
      'lineItem/UsageAmount': '0.01001837025713806',
      'pricing/publicOnDemandCost': '1.5E-7',
      'pricing/publicOnDemandRate': '0.0000230000',
    });
    expect(row.billed_cost).toBe('0.0000012345');
    expect(row.effective_cost).toBe('0.0000012345');
    expect(row.pricing_quantity).toBe('0.01001837025713806');
    expect(row.consumed_quantity).toBe('0.01001837025713806');
    expect(row.list_cost).toBe('1.5E-7');
    expect(row.list_unit_price).toBe('0.0000230000');
  });

  it('a cost that is not a number is an error naming the value and the column', () => {
    const bad = () => mapLegacy({ 'lineItem/LineItemType': 'Usage', 'lineItem/UnblendedCost': '12,50' });
    expect(bad).toThrow(ValueError);
    expect(bad).toThrow(/lineItem\/UnblendedCost.*"12,50"/);
    expect(() => mapLegacy({ 'lineItem/LineItemType': 'Usage', 'lineItem/UnblendedCost': 'abc' })).toThrow(/"abc"/);
  });

  it('a bad currency or date is an error naming the column', () => {
    expect(() => mapLegacy({ 'lineItem/LineItemType': 'Usage', 'lineItem/UnblendedCost': '1', 'lineItem/CurrencyCode': 'US$' })).toThrow(
      /lineItem\/CurrencyCode.*"US\$"/,
    );
    expect(() =>
      mapLegacy({ 'lineItem/LineItemType': 'Usage', 'lineItem/UnblendedCost': '1', 'lineItem/UsageStartDate': '2024-13-01' }),
    ).toThrow(/lineItem\/UsageStartDate/);
  });
});

describe('AWS CUR → FOCUS: tags', () => {
  it('reads resourceTags/ columns of the legacy CUR, keys and values as given, absent tags skipped', () => {
    const row = mapLegacy({
      'lineItem/LineItemType': 'Usage',
      'lineItem/UnblendedCost': '1',
      'resourceTags/user:team': 'Core Platform',
      'resourceTags/user:env': '',
      'resourceTags/aws:createdBy': 'None',
    });
    expect(row.tags).toEqual({ 'user:team': 'Core Platform', 'aws:createdBy': 'None' });
  });

  it('gives null tags when a line item has none', () => {
    expect(mapLegacy({ 'lineItem/LineItemType': 'Tax', 'lineItem/UnblendedCost': '1' }).tags).toBeNull();
  });

  it('reads the CUR 2.0 resource_tags map and Athena-style resource_tags_ columns', () => {
    const headers = [
      'bill_billing_period_start_date',
      'bill_billing_period_end_date',
      'line_item_line_item_type',
      'line_item_usage_start_date',
      'line_item_usage_end_date',
      'line_item_unblended_cost',
      'line_item_currency_code',
      'resource_tags',
      'resource_tags_user_cost_center',
    ];
    const mapper = awsCurReader.createMapper(headers, { file: 'cur2.csv' });
    const row = mapper([
      '2024-09-01T00:00:00Z',
      '2024-09-30T23:59:59Z',
      'Usage',
      '2024-09-01T00:00:00Z',
      '2024-09-01T01:00:00Z',
      '0.5',
      'EUR',
      '{"user_team":"core","user_env":"prod"}',
      'cc-42',
    ]) as CostRow;
    expect(row.tags).toEqual({ user_team: 'core', user_env: 'prod', user_cost_center: 'cc-42' });
    expect(row.billing_currency).toBe('EUR');
  });

  it('keeps cost categories (legacy columns or the CUR 2.0 map) in extras, not in tags', () => {
    const row = mapLegacy({ 'lineItem/LineItemType': 'Usage', 'lineItem/UnblendedCost': '1', 'costCategory/project': 'apollo' });
    expect(row.extras).toMatchObject({ costCategories: { project: 'apollo' } });
    expect(row.tags).toBeNull();
  });
});

describe('AWS CUR → FOCUS: billing period end', () => {
  const headers = [
    'bill_billing_period_start_date',
    'bill_billing_period_end_date',
    'line_item_line_item_type',
    'line_item_usage_start_date',
    'line_item_usage_end_date',
    'line_item_unblended_cost',
    'line_item_currency_code',
  ];
  const map = (start: string, end: string) =>
    awsCurReader.createMapper(headers, { file: 'cur2.csv' })([start, end, 'Usage', start, start, '1', 'USD']) as CostRow;

  it('turns the CUR 2.0 inclusive end (last second of the month) into the first instant of the next month', () => {
    expect(map('2024-09-01T00:00:00Z', '2024-09-30T23:59:59Z').billing_period_end).toBe('2024-10-01T00:00:00Z');
    expect(map('2024-12-01T00:00:00Z', '2024-12-31T23:59:59Z').billing_period_end).toBe('2025-01-01T00:00:00Z');
    expect(map('2024-02-01T00:00:00Z', '2024-02-29 23:59:59.999').billing_period_end).toBe('2024-03-01T00:00:00Z');
  });

  it('leaves an already exclusive end alone', () => {
    expect(map('2023-06-01T00:00:00Z', '2023-07-01T00:00:00Z').billing_period_end).toBe('2023-07-01T00:00:00Z');
    expect(map('2022-07-01 00:00:00.000', '2022-08-01 00:00:00.000')).toMatchObject({
      billing_period_start: '2022-07-01T00:00:00Z',
      billing_period_end: '2022-08-01T00:00:00Z',
    });
  });
});

describe('AWS CUR → FOCUS: published sample files', () => {
  it('maps the keboola CUR 2.0 mock (snake_case) with the period [month start, next month start)', () => {
    const [headers = [], first = []] = fixture('keboola-cur2/sample_billing_data_v2.csv');
    const row = awsCurReader.createMapper(headers, { file: 'v2.csv' })(first) as CostRow;
    expect(row).toMatchObject({
      billing_account_id: '123456789012',
      invoice_id: '987654321',
      billing_period_start: '2024-09-01T00:00:00Z',
      billing_period_end: '2024-10-01T00:00:00Z',
      charge_period_start: '2024-09-01T00:00:00Z',
      charge_period_end: '2024-09-01T01:00:00Z',
      charge_category: 'Usage',
      service_name: 'Amazon Elastic Compute Cloud',
      billed_cost: '0.0216',
      effective_cost: '0.0216',
      billing_currency: 'USD',
    });
  });

  it('maps koku SavingsPlanCoveredUsage rows (NOK) and ignores columns that are not resource tags', () => {
    const [headers = [], first = []] = fixture('koku/2023-06-01.csv');
    const row = awsCurReader.createMapper(headers, { file: 'koku.csv' })(first) as CostRow;
    expect(row).toMatchObject({
      charge_category: 'Usage',
      pricing_category: 'Committed',
      billed_cost: '10',
      effective_cost: '0.1',
      billing_currency: 'NOK',
      region_id: 'us-west-1',
      sku_id: 'VEAJHRNKTJZA',
      tags: null,
    });
  });

  it('maps the koku Athena-style Marketplace rows', () => {
    const [headers = [], first = []] = fixture('koku/2022-07-01-alt-columns.csv');
    const row = awsCurReader.createMapper(headers, { file: 'alt.csv' })(first) as CostRow;
    expect(row).toMatchObject({
      publisher_name: 'Red Hat, Inc.',
      service_name: 'Red Hat® Enterprise Linux®',
      billing_period_end: '2022-08-01T00:00:00Z',
      sku_price_id: '52KUDV3HNNAWJGTF.4799GE89SK.6YS6EN2CT7',
      tags: { aws_created_by: 'IAMUser:fake:and' },
    });
  });

  it('reads the CUR 2.0 product name from the product map when there is no product_product_name column', () => {
    const headers = [
      'bill_billing_period_start_date',
      'bill_billing_period_end_date',
      'line_item_line_item_type',
      'line_item_usage_start_date',
      'line_item_usage_end_date',
      'line_item_unblended_cost',
      'line_item_currency_code',
      'line_item_product_code',
      'product',
      'product_region_code',
    ];
    const mapper = awsCurReader.createMapper(headers, { file: 'cur2.csv' });
    const at = (product: string) =>
      mapper([
        '2024-09-01T00:00:00Z',
        '2024-09-30T23:59:59Z',
        'Usage',
        '2024-09-01T00:00:00Z',
        '2024-09-01T01:00:00Z',
        '1',
        'USD',
        'AmazonS3',
        product,
        'eu-west-1',
      ]) as CostRow;
    expect(at('{"product_name":"Amazon Simple Storage Service","servicename":"Amazon S3"}')).toMatchObject({
      service_name: 'Amazon Simple Storage Service',
      service_category: 'Storage',
      region_id: 'eu-west-1',
    });
    expect(at('').service_name).toBe('AmazonS3');
  });
});
