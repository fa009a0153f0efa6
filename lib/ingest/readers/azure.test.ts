import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sumDecimals } from '../../../tests/helpers/bigint-decimal';
import type { CostRow } from '../../focus/columns';
import { ValueError } from '../../focus/normalize';
import { openRecordSource } from '../source';
import { IngestError } from '../types';
import { armResourceType, azureHeaderKey, azureReader, azureRegion, azureService } from './azure';

const FIXTURES = path.resolve(__dirname, '../../../tests/fixtures/azure');

async function readFixture(name: string, headersOnly = false): Promise<{ headers: string[]; records: (string | null)[][] }> {
  const source = await openRecordSource(path.join(FIXTURES, name));
  const records: (string | null)[][] = [];
  try {
    if (!headersOnly) for await (const batch of source.records()) for (const r of batch) records.push(r.values);
  } finally {
    await source.close();
  }
  return { headers: source.headers, records };
}

function single(mapped: CostRow | CostRow[] | null): CostRow {
  if (mapped === null || Array.isArray(mapped)) throw new Error('expected exactly one row');
  return mapped;
}

async function mapFixture(name: string, dataset?: 'actual' | 'amortized'): Promise<CostRow[]> {
  const { headers, records } = await readFixture(name);
  const mapper = azureReader.createMapper(headers, { file: name, dataset });
  return records.map((r) => single(mapper(r)));
}

/** A modern EA row (the columns the cost rules read), one object per row, for table-driven tests. */
const EA_HEADERS = [
  'SubscriptionId',
  'Date',
  'BillingPeriodStartDate',
  'BillingPeriodEndDate',
  'CostInBillingCurrency',
  'BillingCurrencyCode',
  'ChargeType',
  'Frequency',
  'PricingModel',
  'ReservationId',
  'benefitId',
  'ConsumedService',
  'MeterCategory',
  'ResourceLocation',
  'Tags',
  'Quantity',
  'UnitOfMeasure',
  'PayGPrice',
] as const;
type EaRow = Partial<Record<(typeof EA_HEADERS)[number], string>>;

function mapEa(row: EaRow, dataset?: 'actual' | 'amortized', headers: readonly string[] = EA_HEADERS): CostRow {
  const base: EaRow = {
    SubscriptionId: 'sub-1',
    Date: '06/01/2024',
    CostInBillingCurrency: '10.00',
    BillingCurrencyCode: 'USD',
    ChargeType: 'Usage',
    Frequency: 'UsageBased',
    PricingModel: 'OnDemand',
    ConsumedService: 'Microsoft.Compute',
    MeterCategory: 'Virtual Machines',
  };
  const merged: Record<string, string> = { ...base, ...row };
  const mapper = azureReader.createMapper(headers, { file: 'test.csv', dataset });
  return single(mapper(headers.map((h) => merged[h] ?? '')));
}

const RI = '/providers/Microsoft.Capacity/reservationOrders/o-1/reservations/r-1';
const SP = '/providers/Microsoft.BillingBenefits/savingsPlanOrders/o-2/savingsPlans/s-2';

describe('azureReader.detect', () => {
  const azure = [
    ['EA PascalCase (CostInBillingCurrency)', 'opencost-headersets/Enterprise.csv'],
    ['EA PascalCase (sample export)', 'sample-anonymous-ea-export-dataset.csv'],
    ['EA PascalCase (Cost, BillingCurrency; header only, BOM)', 'EA_NoRows.csv'],
    ['EA PascalCase (koku v2)', 'koku/azure_version_2.csv'],
    ['MCA camelCase', 'koku/camel_azure_version_2.csv'],
    ['MCA camelCase (opencost)', 'opencost-values/test_azure_billing.csv'],
    ['CSP camelCase (partnerName)', 'opencost-headersets/EnterpriseCamel.csv'],
    ['pay-as-you-go (PreTaxCost, UsageDateTime, SubscriptionGuid)', 'opencost-headersets/PayAsYouGo.csv'],
    ['pay-as-you-go with BOM', 'opencost-headersets/BOM.csv'],
    ['older koku camelCase (preTaxCost, usageDateTime, subscriptionGuid)', 'koku/azure_camelCased.csv'],
    ['older PascalCase with BOM (koku costreport)', 'koku/costreport_a243c6f2-199f-4074-9a2c-40e671cf1584.csv'],
    ['German localized headers', 'opencost-headersets/German.csv'],
    ['mixed camelCase / German headers', 'opencost-headersets/YA.csv'],
    ['lower-case subset without currency', 'opencost-values/Template.csv'],
  ] as const;
  it.each(azure)('recognizes %s', async (_label, file) => {
    const { headers } = await readFixture(file, true);
    expect(azureReader.detect(headers)).toBeGreaterThan(0.5);
  });

  it('is case-insensitive', () => {
    expect(azureReader.detect(['SUBSCRIPTIONID', 'DATE', 'COSTINBILLINGCURRENCY', 'BILLINGCURRENCY'])).toBeGreaterThan(0);
    expect(azureReader.detect(['subscriptionid', 'date', 'costinbillingcurrency'])).toBeGreaterThan(0);
  });

  it('reads the English name in parentheses of localized headers', () => {
    expect(azureHeaderKey('Abonnement-GUID (SubscriptionGuid)')).toBe('subscriptionguid');
    expect(azureHeaderKey('Maßeinheit (UnitOfMeasure)')).toBe('unitofmeasure');
    expect(azureHeaderKey('\uFEFFSubscriptionGuid')).toBe('subscriptionguid');
  });

  it('returns 0 for localized headers without the English name (the mapping would be a guess)', () => {
    expect(azureReader.detect(['Abonnement-GUID', 'Datum', 'Kosten', 'Währung', 'Kategorie der Verbrauchseinheit'])).toBe(0);
  });

  it('returns 0 for other billing formats', () => {
    const focus = ['BilledCost', 'BillingCurrency', 'ChargePeriodStart', 'ChargePeriodEnd', 'ProviderName', 'SubAccountId', 'ServiceName'];
    const cur = [
      'identity/LineItemId',
      'lineItem/UsageStartDate',
      'lineItem/UnblendedCost',
      'lineItem/CurrencyCode',
      'lineItem/UsageAccountId',
    ];
    const gcp = ['billing_account_id', 'service.description', 'usage_start_time', 'cost', 'currency', 'project.id'];
    for (const headers of [focus, cur, gcp]) expect(azureReader.detect(headers)).toBe(0);
  });
});

// The region table the reader carried before the one table in lib/focus/regions-data.ts:
// [id, Microsoft's RegionName, ...legacy spellings]. Every entry must still map to its id.
const REGIONS_THE_READER_KNEW: readonly (readonly string[])[] = [
  ['australiacentral', 'Australia Central', 'au central'],
  ['australiacentral2', 'Australia Central 2', 'au central 2'],
  ['australiaeast', 'Australia East', 'au east'],
  ['australiasoutheast', 'Australia Southeast', 'au southeast'],
  ['austriaeast', 'Austria East', 'at east'],
  ['belgiumcentral', 'Belgium Central', 'be central'],
  ['brazilsouth', 'Brazil South', 'br south'],
  ['brazilsoutheast', 'Brazil Southeast', 'br southeast'],
  ['canadacentral', 'Canada Central', 'ca central', 'centralcanada'],
  ['canadaeast', 'Canada East', 'ca east', 'eastcanada'],
  ['centralindia', 'Central India', 'in central', 'indiacentral'],
  ['centralus', 'Central US', 'us central'],
  ['centraluseuap', 'Central US EUAP'],
  ['chilecentral', 'Chile Central', 'cl central'],
  ['chinaeast', 'China East', 'cn east'],
  ['chinaeast2', 'China East 2', 'cn east 2'],
  ['chinaeast3', 'China East 3', 'cn east 3'],
  ['chinanorth', 'China North', 'cn north'],
  ['chinanorth2', 'China North 2', 'cn north 2'],
  ['chinanorth3', 'China North 3', 'cn north 3'],
  ['denmarkeast', 'Denmark East'],
  ['eastasia', 'East Asia', 'ap east', 'asiaeast'],
  ['eastus', 'East US', 'us east'],
  ['eastus2', 'East US 2', 'us east 2'],
  ['eastus2euap', 'East US 2 EUAP'],
  ['eastus3', 'East US 3', 'us east 3'],
  ['finlandcentral', 'Finland Central', 'fi central'],
  ['francecentral', 'France Central', 'fr central'],
  ['francesouth', 'France South', 'fr south'],
  ['germanycentral', 'Germany Central', 'de central'],
  ['germanynorth', 'Germany North', 'de north'],
  ['germanynortheast', 'Germany NorthEast', 'de northeast'],
  ['germanywestcentral', 'Germany West Central', 'de west central'],
  ['global', 'Global'],
  ['greececentral', 'Greece Central', 'gr central'],
  ['indiasouthcentral', 'India South Central', 'in south central'],
  ['indonesiacentral', 'Indonesia Central', 'id central'],
  ['israelcentral', 'Israel Central', 'il central'],
  ['italynorth', 'Italy North', 'it north'],
  ['japaneast', 'Japan East', 'ja east', 'eastjapan'],
  ['japanwest', 'Japan West', 'ja west'],
  ['jioindiacentral', 'Jio India Central', 'in central jio'],
  ['jioindiawest', 'Jio India West', 'in west jio'],
  ['koreacentral', 'Korea Central', 'kr central'],
  ['koreasouth', 'Korea South', 'kr south'],
  ['malaysiasouth', 'Malaysia South'],
  ['malaysiawest', 'Malaysia West', 'my west'],
  ['mexicocentral', 'Mexico Central', 'mx central'],
  ['newzealandnorth', 'New Zealand North', 'nz north'],
  ['northcentralus', 'North Central US', 'us north central', 'usnorth'],
  ['northeurope', 'North Europe', 'eu north', 'europenorth'],
  ['norwayeast', 'Norway East', 'no east'],
  ['norwaywest', 'Norway West', 'no west'],
  ['polandcentral', 'Poland Central', 'pl central'],
  ['qatarcentral', 'Qatar Central', 'qa central'],
  ['saudiarabiaeast', 'Saudi Arabia East', 'sa east'],
  ['southafricanorth', 'South Africa North', 'za north'],
  ['southafricawest', 'South Africa West', 'za west'],
  ['southcentralus', 'South Central US', 'us south central', 'ussouth'],
  ['southeastasia', 'Southeast Asia', 'ap southeast', 'asiasoutheast'],
  ['southindia', 'South India', 'in south', 'indiasouth'],
  ['spaincentral', 'Spain Central', 'es central'],
  ['swedencentral', 'Sweden Central', 'se central'],
  ['swedensouth', 'Sweden South', 'se south'],
  ['switzerlandnorth', 'Switzerland North', 'ch north'],
  ['switzerlandwest', 'Switzerland West', 'ch west'],
  ['taiwannorth', 'Taiwan North', 'tw north'],
  ['taiwannorthwest', 'Taiwan Northwest'],
  ['uaecentral', 'UAE Central', 'ae central'],
  ['uaenorth', 'UAE North', 'ae north'],
  ['uknorth', 'UK North'],
  ['uksouth', 'UK South'],
  ['uksouth2', 'UK South 2'],
  ['ukwest', 'UK West'],
  ['usdodcentral', 'USDoD Central'],
  ['usdodeast', 'USDoD East'],
  ['usgovarizona', 'USGov Arizona', 'us gov az'],
  ['usgoviowa', 'USGov Iowa'],
  ['usgovtexas', 'USGov Texas', 'us gov tx', 'usgov south central'],
  ['usgovvirginia', 'USGov Virginia'],
  ['westcentralus', 'West Central US', 'us west central'],
  ['westeurope', 'West Europe', 'eu west', 'europewest'],
  ['westindia', 'West India', 'in west', 'indiawest'],
  ['westus', 'West US', 'us west'],
  ['westus2', 'West US 2', 'us west 2'],
  ['westus3', 'West US 3', 'us west 3'],
];

describe('azure regions from the one region table', () => {
  it.each(REGIONS_THE_READER_KNEW.map((r) => [r[0] as string, r.slice(1)] as const))(
    '%s: its id, name and spellings map to it',
    (id, spellings) => {
      const region = azureRegion(id);
      expect(region.id).toBe(id);
      expect(region.name, 'a display name from the table').toBeTruthy();
      for (const spelling of spellings) expect(azureRegion(spelling), spelling).toEqual(region);
    },
  );

  it('stores the display name the overview shows (the table’s, with the location), not a second spelling', () => {
    expect(azureRegion('East US')).toEqual({ id: 'eastus', name: 'East US (Virginia)' });
    expect(azureRegion('US Gov TX')).toEqual({ id: 'usgovtexas', name: 'USGov Texas' });
    expect(azureRegion('in central jio')).toEqual({ id: 'jioindiacentral', name: 'Jio India Central (Nagpur)' });
  });
});

describe('azure region folding', () => {
  it.each(['EastUS', 'eastus', 'East US', 'US East', 'us_east', ' east us '])('%j is eastus / East US (Virginia)', (location) => {
    expect(azureRegion(location)).toEqual({ id: 'eastus', name: 'East US (Virginia)' });
  });

  it('maps the legacy EA spellings with Microsoft’s Regions data', () => {
    expect(azureRegion('US East 2')).toEqual({ id: 'eastus2', name: 'East US 2 (Virginia)' });
    expect(azureRegion('EU West')).toEqual({ id: 'westeurope', name: 'West Europe (Netherlands)' });
    expect(azureRegion('CA Central')).toEqual({ id: 'canadacentral', name: 'Canada Central (Toronto)' });
    expect(azureRegion('usnorth')).toEqual({ id: 'northcentralus', name: 'North Central US (Illinois)' });
    expect(azureRegion('CentralUS')).toEqual({ id: 'centralus', name: 'Central US (Iowa)' });
  });

  it('keeps unknown locations folded, with their given name, and nulls unassigned', () => {
    expect(azureRegion('Mars North')).toEqual({ id: 'marsnorth', name: 'Mars North' });
    expect(azureRegion('Unassigned')).toEqual({ id: null, name: null });
    expect(azureRegion('')).toEqual({ id: null, name: null });
  });

  it('groups rows of the same region written three ways', () => {
    const ids = ['EastUS', 'eastus', 'East US'].map((l) => mapEa({ ResourceLocation: l }).region_id);
    expect(new Set(ids)).toEqual(new Set(['eastus']));
  });
});

describe('azure mapping of the fixtures', () => {
  it('strips the UTF-8 BOM so the first column is found', async () => {
    const [row] = await mapFixture('koku/costreport_a243c6f2-199f-4074-9a2c-40e671cf1584.csv');
    expect(row.sub_account_id).toBe('0039de71-ca37-4a17-a104-17665a50e7fc');
    const [bom] = await mapFixture('opencost-headersets/BOM.csv');
    expect(bom.charge_period_start).toBe('2022-11-03T00:00:00Z');
  });

  it('maps an empty export (header only) to no rows', async () => {
    expect(await mapFixture('EA_NoRows.csv')).toEqual([]);
  });

  it('maps the EA sample: every row, exact costs, region, tags, billing period', async () => {
    const rows = await mapFixture('sample-anonymous-ea-export-dataset.csv');
    expect(rows).toHaveLength(27);
    const first = rows[0];
    expect(first).toMatchObject({
      provider_name: 'Microsoft',
      publisher_name: 'Microsoft',
      invoice_issuer_name: 'Microsoft',
      billing_account_id: '12345678',
      billing_account_name: 'Example LTD.',
      sub_account_id: 'e18e1552-c6dd-45d1-973c-999999999999',
      sub_account_name: 'sub-example',
      billing_period_start: '2023-09-01T00:00:00Z',
      billing_period_end: '2023-10-01T00:00:00Z',
      charge_period_start: '2023-09-02T00:00:00Z',
      charge_period_end: '2023-09-03T00:00:00Z',
      charge_category: 'Usage',
      charge_frequency: 'Usage-Based',
      pricing_category: 'Standard',
      region_id: 'centralus',
      region_name: 'Central US (Iowa)',
      billed_cost: '0.000305367',
      effective_cost: '0.000305367',
      billing_currency: 'CAD',
      list_unit_price: '0.40000',
      contracted_unit_price: '0.1',
      consumed_quantity: '0.027265128',
      consumed_unit: '1 GB',
      tags: { tagA: 'valueA', tagB: 'valueB', tagC: 'valueC' },
      cost_dataset: 'actual',
    });
    expect(first.extras).toMatchObject({
      MeterCategory: 'Virtual Network',
      MeterSubCategory: 'Peering',
      ResourceGroup: 'rg-example',
      AdditionalInfo: { additional: 'meta-data', appears: 'in these', key: 'value pairs' },
    });
    expect(rows.find((r) => r.pricing_category === 'Dynamic')?.extras?.PricingModel).toBe('Spot');
    // Scientific notation stays exact (PostgreSQL numeric reads it as written).
    expect(rows[1].billed_cost).toBe('5.64902E-05');
  });

  it('maps MCA camelCase: billing profile as billing account, SkuId, list price × exchange rate, ListCost', async () => {
    const [row] = await mapFixture('koku/camel_azure_version_2.csv');
    expect(row).toMatchObject({
      billing_account_id: 'NF5V-BI6B-BG7-PGB',
      sub_account_name: 'Cost Management SaaS Dev/Test',
      sku_id: 'DZH318Z0BNZJ005D',
      list_unit_price: '0.0589',
      list_cost: '0.0000204972',
      region_id: 'eastus',
      region_name: 'East US (Virginia)',
      service_name: 'Storage Accounts',
      service_category: 'Storage',
      resource_type: 'microsoft.storage/storageaccounts',
      resource_name: 'filtereddatademo',
      // No billing period columns filled: the calendar month of the charge date.
      billing_period_start: '2023-08-01T00:00:00Z',
      billing_period_end: '2023-09-01T00:00:00Z',
      pricing_currency: 'USD',
    });
    expect(row.extras?.BillingAccountId).toBe('3c100a8a-215e-5a7e-24b2-61aa86945012');
  });

  it('names the CSP partner as invoice issuer', async () => {
    const [row] = await mapFixture('opencost-headersets/EnterpriseCamel.csv');
    expect(row.invoice_issuer_name).toBe('PartnerName');
    expect(row.extras?.CustomerName).toBe('Customer Name');
  });

  it('maps the legacy pay-as-you-go schema and the German headers alike', async () => {
    const [payg] = await mapFixture('opencost-headersets/PayAsYouGo.csv');
    const [german] = await mapFixture('opencost-headersets/German.csv');
    const expected = {
      sub_account_id: '11111111-12ab-34dc-56ef-123456abcdef',
      charge_period_start: '2021-02-02T00:00:00Z',
      charge_category: 'Usage',
      billed_cost: '0.075',
      billing_currency: 'USD',
      region_id: 'eastus',
      service_name: 'Load Balancer',
      service_category: 'Networking',
      resource_type: 'microsoft.network/loadbalancers',
      consumed_unit: '100 Hours',
    };
    expect(payg).toMatchObject(expected);
    expect(german).toMatchObject(expected);
    expect(german.extras).toMatchObject({ ResourceGroup: 'Example-Resource-Group', MeterCategory: 'Load Balancer' });
  });

  it('keeps a reservation-covered EA usage row without inventing its amortized cost', async () => {
    const [row] = await mapFixture('opencost-headersets/Enterprise.csv');
    expect(row).toMatchObject({
      billed_cost: '0',
      effective_cost: null,
      commitment_discount_id: '11111111-12ab-34dc-56ef-123456abcdef',
      commitment_discount_type: 'Reservation',
      commitment_discount_status: 'Used',
      billing_period_end: '2021-06-01T00:00:00Z',
    });
  });

  it('rejects a currency that is not an ISO code, naming it', async () => {
    await expect(mapFixture('koku/azure_version_2.csv')).rejects.toThrow(/"MC"/);
  });

  it('refuses a file without a billing currency column instead of guessing one', async () => {
    const { headers } = await readFixture('opencost-values/VirtualMachine.csv');
    expect(() => azureReader.createMapper(headers, { file: 'VirtualMachine.csv' })).toThrow(IngestError);
    expect(() => azureReader.createMapper(headers, { file: 'VirtualMachine.csv' })).toThrow(/billing currency/);
  });

  it('sums the costs of a fixture exactly', async () => {
    const rows = await mapFixture('opencost-values/test_azure_billing.csv');
    expect(sumDecimals(rows.map((r) => r.billed_cost ?? '0'))).toBe('42.676');
  });
});

describe('azure dates', () => {
  it('reads US month/day and ISO dates as the same day', () => {
    for (const day of ['09/21/2023', '9/21/2023', '2023-09-21', '2023-09-21 00:00:00', '2023-09-21T00:00:00Z']) {
      expect(mapEa({ Date: day })).toMatchObject({
        charge_period_start: '2023-09-21T00:00:00Z',
        charge_period_end: '2023-09-22T00:00:00Z',
        billing_period_start: '2023-09-01T00:00:00Z',
        billing_period_end: '2023-10-01T00:00:00Z',
      });
    }
  });

  it('makes the billing period end exclusive', () => {
    expect(mapEa({ Date: '12/31/2023', BillingPeriodStartDate: '12/01/2023', BillingPeriodEndDate: '12/31/2023' })).toMatchObject({
      billing_period_start: '2023-12-01T00:00:00Z',
      billing_period_end: '2024-01-01T00:00:00Z',
      charge_period_end: '2024-01-01T00:00:00Z',
    });
    expect(mapEa({ Date: '2024-02-10', BillingPeriodStartDate: '2024-02-01', BillingPeriodEndDate: '2024-02-29' }).billing_period_end).toBe(
      '2024-03-01T00:00:00Z',
    );
    // Already exclusive (first of the next month): kept as is.
    expect(mapEa({ Date: '2024-02-10', BillingPeriodStartDate: '2024-02-01', BillingPeriodEndDate: '2024-03-01' }).billing_period_end).toBe(
      '2024-03-01T00:00:00Z',
    );
  });

  it('derives the calendar month when the export has no billing period', () => {
    expect(mapEa({ Date: '12/15/2023' })).toMatchObject({
      billing_period_start: '2023-12-01T00:00:00Z',
      billing_period_end: '2024-01-01T00:00:00Z',
    });
  });

  it('throws a ValueError naming a bad date', () => {
    expect(() => mapEa({ Date: '31/12/2023' })).toThrow(ValueError);
    expect(() => mapEa({ Date: '31/12/2023' })).toThrow(/31\/12\/2023/);
  });
});

describe('azure tags', () => {
  it('reads Azure’s brace-less key/value list', () => {
    expect(mapEa({ Tags: '"env": "prod","team": "web"' }).tags).toEqual({ env: 'prod', team: 'web' });
  });
  it('reads a JSON object', () => {
    expect(mapEa({ Tags: '{"env":"prod","cost center":"42"}' }).tags).toEqual({ env: 'prod', 'cost center': '42' });
  });
  it('gives null for no tags', () => {
    expect(mapEa({ Tags: '' }).tags).toBeNull();
    expect(mapEa({ Tags: '{}' }).tags).toBeNull();
  });
});

describe('azure costs per dataset', () => {
  const onDemand: EaRow = { CostInBillingCurrency: '10.50' };
  const riPurchase: EaRow = {
    ChargeType: 'Purchase',
    Frequency: 'Recurring',
    PricingModel: 'Reservation',
    ConsumedService: 'Microsoft.Capacity',
    ReservationId: 'r-1',
    benefitId: RI,
    CostInBillingCurrency: '720.00',
  };
  const riUsageActual: EaRow = { PricingModel: 'Reservation', ReservationId: 'r-1', benefitId: RI, CostInBillingCurrency: '0' };
  const riUsageAmortized: EaRow = { ...riUsageActual, CostInBillingCurrency: '24.00' };
  const unused: EaRow = {
    ChargeType: 'UnusedReservation',
    PricingModel: 'Reservation',
    ReservationId: 'r-1',
    CostInBillingCurrency: '24.00',
  };
  const spUsage: EaRow = { PricingModel: 'SavingsPlan', benefitId: SP, CostInBillingCurrency: '3.00' };
  const marketplace: EaRow = { ChargeType: 'Purchase', Frequency: 'Recurring', PricingModel: '', CostInBillingCurrency: '99.00' };
  const refund: EaRow = {
    ChargeType: 'Refund',
    Frequency: 'OneTime',
    PricingModel: 'Reservation',
    benefitId: RI,
    CostInBillingCurrency: '-720.00',
  };

  it.each([
    ['on-demand usage', 'actual', '10.50', '10.50', onDemand],
    ['on-demand usage', 'amortized', '10.50', '10.50', onDemand],
    ['reservation purchase', 'actual', '720.00', '0', riPurchase],
    ['reservation purchase (not expected in amortized data)', 'amortized', '720.00', '0', riPurchase],
    ['reservation-covered usage', 'actual', '0', null, riUsageActual],
    ['reservation-covered usage', 'amortized', '0', '24.00', riUsageAmortized],
    ['unused reservation', 'amortized', '0', '24.00', unused],
    ['savings-plan-covered usage', 'amortized', '0', '3.00', spUsage],
    ['marketplace purchase (not a commitment)', 'actual', '99.00', '99.00', marketplace],
    ['marketplace purchase (not a commitment)', 'amortized', '99.00', '99.00', marketplace],
    ['reservation refund', 'actual', '-720.00', '0', refund],
  ] as const)('%s, %s dataset: billed %s, effective %s', (_label, dataset, billed, effective, row) => {
    const mapped = mapEa(row, dataset);
    expect(mapped.billed_cost).toBe(billed);
    expect(mapped.effective_cost).toBe(effective);
    expect(mapped.cost_dataset).toBe(dataset);
  });

  it('defaults to the actual dataset', () => {
    expect(mapEa(riUsageActual).cost_dataset).toBe('actual');
    expect(mapEa(riUsageActual).effective_cost).toBeNull();
  });

  it('describes the commitment discount', () => {
    expect(mapEa(riUsageAmortized, 'amortized')).toMatchObject({
      commitment_discount_id: RI,
      commitment_discount_type: 'Reservation',
      commitment_discount_category: 'Usage',
      commitment_discount_status: 'Used',
      pricing_category: 'Committed',
    });
    expect(mapEa(spUsage, 'amortized')).toMatchObject({
      commitment_discount_id: SP,
      commitment_discount_type: 'Savings Plan',
      commitment_discount_category: 'Spend',
      commitment_discount_status: 'Used',
    });
    expect(mapEa(unused, 'amortized')).toMatchObject({
      charge_category: 'Usage',
      commitment_discount_id: 'r-1',
      commitment_discount_type: 'Reservation',
      commitment_discount_status: 'Unused',
      consumed_quantity: null,
    });
    expect(mapEa(riPurchase)).toMatchObject({
      charge_category: 'Purchase',
      commitment_discount_status: null,
      charge_frequency: 'Recurring',
    });
  });

  it('maps charge types and frequencies per Microsoft’s table', () => {
    expect(mapEa(refund)).toMatchObject({ charge_category: 'Purchase', charge_class: 'Correction', charge_frequency: 'One-Time' });
    expect(mapEa({ ChargeType: 'Tax', Frequency: 'OneTime' })).toMatchObject({ charge_category: 'Tax', charge_class: null });
    expect(mapEa({ ChargeType: 'Credit' }).charge_category).toBe('Credit');
    expect(mapEa({ ChargeType: 'RoundingAdjustment' }).charge_category).toBe('Adjustment');
    expect(mapEa({ ChargeType: 'UnusedSavingsPlan', PricingModel: 'SavingsPlan' }).charge_category).toBe('Usage');
    expect(mapEa({ Frequency: 'Sometimes' }).charge_frequency).toBeNull();
  });

  it('uses PayGPrice as list price only where Cost Management populates it', () => {
    expect(mapEa({ PayGPrice: '0.50' }).list_unit_price).toBe('0.50');
    expect(mapEa({ ...riUsageAmortized, PayGPrice: '0' }, 'amortized').list_unit_price).toBeNull();
    expect(mapEa({ PayGPrice: '0' }).list_unit_price).toBe('0');
  });
});

describe('azure values', () => {
  it('throws a ValueError naming a bad number', () => {
    expect(() => mapEa({ CostInBillingCurrency: '1,234.50' })).toThrow(ValueError);
    expect(() => mapEa({ CostInBillingCurrency: '1,234.50' })).toThrow(/"1,234.50"/);
    expect(() => mapEa({ Quantity: 'twelve' })).toThrow(/"twelve"/);
  });

  it('derives resource type and service from the resource id', () => {
    expect(armResourceType('/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/s1/databases/d1')).toBe(
      'microsoft.sql/servers/databases',
    );
    expect(armResourceType('/subscriptions/s/resourceGroups/rg')).toBeNull();
    expect(azureService('Microsoft.Compute', 'microsoft.compute/virtualmachines')).toEqual({
      name: 'Virtual Machines',
      category: 'Compute',
    });
    expect(azureService('Microsoft.Sql', null)).toEqual({ name: 'Azure SQL Database', category: 'Databases' });
    // A namespace whose types are different services still has one category.
    expect(azureService('Microsoft.Compute', null)).toEqual({ name: null, category: 'Compute' });
    expect(azureService('appservices', 'microsoft.security/pricings')).toEqual({ name: 'Azure App Service', category: 'Web' });
    expect(azureService('Contoso.Widgets', 'contoso.widgets/things')).toEqual({ name: null, category: null });
  });

  it('falls back to MeterCategory for the service name when Microsoft’s table has no answer', () => {
    expect(mapEa({ ConsumedService: 'Contoso.Widgets', MeterCategory: 'Widgets' })).toMatchObject({
      service_name: 'Widgets',
      service_category: null,
    });
  });
});
