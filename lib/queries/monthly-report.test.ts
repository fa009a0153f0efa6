// getMonthlyReport against the real test database: cost_daily, line items with team tags and
// recommendations inserted here, expected figures computed by hand (in the comments).
import { beforeAll, describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { getMonthlyReport, spendByTeam } from './monthly-report';

let url: string;

interface Daily {
  day: string;
  provider: string;
  account?: string;
  accountName?: string;
  service: string;
  region?: string;
  regionName?: string;
  currency: string;
  billed: string;
}

async function insertDaily(rows: Daily[]): Promise<void> {
  const [src] = await sql<{ id: number }>(url, `INSERT INTO billing_sources (name, provider) VALUES ('bills', 'focus') RETURNING id`);
  for (const r of rows) {
    await sql(
      url,
      `INSERT INTO cost_daily (day, source_id, billing_period_start, provider_name, sub_account_id, sub_account_name, service_name,
                               region_id, region_name, charge_category, billing_currency, billed_cost, effective_cost, line_items)
       VALUES ($1, $2, date_trunc('month', $1::date)::date, $3, $4, $5, $6, $7, $8, 'Usage', $9, $10, $10, 1)`,
      [
        r.day,
        src?.id,
        r.provider,
        r.account ?? '',
        r.accountName ?? '',
        r.service,
        r.region ?? '',
        r.regionName ?? '',
        r.currency,
        r.billed,
      ],
    );
  }
}

async function insertLineItems(
  rows: { at: string; currency: string; billed: string; tags: Record<string, string> | null }[],
): Promise<void> {
  for (const r of rows) {
    await sql(
      url,
      `INSERT INTO cost_line_items (source_id, ingest_run_id, provider_name, billing_period_start, billing_period_end, charge_period_start,
                                    charge_period_end, charge_category, billed_cost, billing_currency, tags_normalized)
       VALUES (1, 1, 'AWS', date_trunc('month', $1::timestamptz), date_trunc('month', $1::timestamptz) + interval '1 month', $1, $1::timestamptz + interval '1 hour',
               'Usage', $2, $3, $4::jsonb)`,
      [r.at, r.billed, r.currency, r.tags === null ? null : JSON.stringify(r.tags)],
    );
  }
}

async function insertRecommendation(n: number, status: string, currency: string | null, savings: string | null): Promise<void> {
  await sql(
    url,
    `INSERT INTO recommendations (fingerprint, kind, provider, resource_id, action, currency, monthly_savings, evidence, parameters, status, dismiss_reason)
     VALUES ($1, 'idle-instance', 'AWS', $1, 'Stop it', $2, $3, '{}', '{}', $4, CASE WHEN $4 = 'dismissed' THEN 'not ours' END)`,
    [`r-${n}`, currency, savings, status],
  );
}

beforeAll(async () => {
  url = await useTestDatabase();
  await insertDaily([
    {
      day: '2026-11-01',
      provider: 'AWS',
      account: '111',
      accountName: 'prod',
      service: 'EC2',
      region: 'us-east-1',
      regionName: 'US East (N. Virginia)',
      currency: 'USD',
      billed: '100.10',
    },
    {
      day: '2026-11-30',
      provider: 'AWS',
      account: '111',
      accountName: 'prod',
      service: 'S3',
      region: 'us-east-1',
      regionName: 'US East (N. Virginia)',
      currency: 'USD',
      billed: '0.20',
    },
    { day: '2026-11-15', provider: 'Google Cloud', account: 'proj-a', service: 'BigQuery', currency: 'USD', billed: '50.00' },
    {
      day: '2026-11-02',
      provider: 'Microsoft',
      account: 'sub-1',
      service: 'VMs',
      region: 'westeurope',
      regionName: 'West Europe',
      currency: 'EUR',
      billed: '78.90',
    },
    {
      day: '2026-10-05',
      provider: 'AWS',
      account: '111',
      accountName: 'prod',
      service: 'EC2',
      region: 'us-east-1',
      regionName: 'US East (N. Virginia)',
      currency: 'USD',
      billed: '40.00',
    },
    {
      day: '2026-10-06',
      provider: 'Microsoft',
      account: 'sub-1',
      service: 'VMs',
      region: 'westeurope',
      regionName: 'West Europe',
      currency: 'EUR',
      billed: '100.00',
    },
    // Outside both months.
    { day: '2026-12-01', provider: 'AWS', account: '111', service: 'EC2', region: 'us-east-1', currency: 'USD', billed: '999' },
    { day: '2026-09-30', provider: 'AWS', account: '111', service: 'EC2', region: 'us-east-1', currency: 'USD', billed: '999' },
  ]);
  await insertLineItems([
    { at: '2026-11-01T00:00:00Z', currency: 'USD', billed: '60.00', tags: { team: 'ml', env: 'prod' } },
    { at: '2026-11-10T12:00:00Z', currency: 'USD', billed: '40.10', tags: { team: 'ml' } },
    { at: '2026-11-11T00:00:00Z', currency: 'USD', billed: '50.20', tags: null },
    { at: '2026-11-30T23:59:59Z', currency: 'USD', billed: '5.00', tags: { team: '', env: 'dev' } },
    { at: '2026-11-03T00:00:00Z', currency: 'EUR', billed: '78.90', tags: { team: 'data' } },
    { at: '2026-10-31T23:59:59Z', currency: 'USD', billed: '1000', tags: { team: 'ml' } },
    { at: '2026-12-01T00:00:00Z', currency: 'USD', billed: '1000', tags: { team: 'ml' } },
  ]);
  await insertRecommendation(1, 'open', 'USD', '30.00');
  await insertRecommendation(2, 'open', 'USD', '12.50');
  await insertRecommendation(3, 'open', 'EUR', '7.00');
  await insertRecommendation(4, 'dismissed', 'USD', '100.00');
  await insertRecommendation(5, 'open', null, null);
});

describe('getMonthlyReport', () => {
  it('sums the month and the month before per currency, with the change in SQL', async () => {
    const report = await getMonthlyReport('2026-11', { now: new Date('2026-12-02T06:00:00Z'), top: 3 });
    expect(report).toMatchObject({ month: '2026-11', previousMonth: '2026-10', metric: 'billed' });
    // USD: 100.10 + 0.20 + 50.00 = 150.30 against 40.00: +110.30, 275.75 % → 275.8. EUR: 78.90 against 100.00.
    expect(report.totals).toEqual([
      { currency: 'USD', current: '150.30', previous: '40.00', delta: '110.30', deltaPercent: '275.8', lineItems: '3', daysWithData: 3 },
      { currency: 'EUR', current: '78.90', previous: '100.00', delta: '-21.10', deltaPercent: '-21.1', lineItems: '1', daysWithData: 1 },
    ]);
    // AWS: 100.30 against 40.00 (+150.75 % → 150.8); Google Cloud new.
    expect(report.byProvider).toEqual([
      { currency: 'EUR', provider: 'Microsoft', current: '78.90', previous: '100.00', delta: '-21.10', deltaPercent: '-21.1' },
      { currency: 'USD', provider: 'AWS', current: '100.30', previous: '40.00', delta: '60.30', deltaPercent: '150.8' },
      { currency: 'USD', provider: 'Google Cloud', current: '50.00', previous: '0', delta: '50.00', deltaPercent: null },
    ]);
  });

  it('lists top services and regions per currency, and the largest movers by service, region and account', async () => {
    const report = await getMonthlyReport('2026-11', { top: 2 });
    expect(report.topServices).toEqual([
      {
        currency: 'EUR',
        provider: 'Microsoft',
        service: 'VMs',
        current: '78.90',
        previous: '100.00',
        delta: '-21.10',
        deltaPercent: '-21.1',
      },
      // 60.10 / 40.00 = 150.25 % → 150.3
      { currency: 'USD', provider: 'AWS', service: 'EC2', current: '100.10', previous: '40.00', delta: '60.10', deltaPercent: '150.3' },
      {
        currency: 'USD',
        provider: 'Google Cloud',
        service: 'BigQuery',
        current: '50.00',
        previous: '0',
        delta: '50.00',
        deltaPercent: null,
      },
    ]);
    expect(report.topRegions).toEqual([
      { currency: 'EUR', provider: 'Microsoft', regionId: 'westeurope', regionName: 'West Europe', amount: '78.90' },
      { currency: 'USD', provider: 'AWS', regionId: 'us-east-1', regionName: 'US East (N. Virginia)', amount: '100.30' },
      { currency: 'USD', provider: 'Google Cloud', regionId: '', regionName: '', amount: '50.00' },
    ]);
    const movers = (await getMonthlyReport('2026-11', { top: 4 })).topMovers;
    // |change| first; ties by dimension (account < region < service), then provider and name.
    expect(movers.map((m) => [m.currency, m.dimension, m.provider, m.name, m.label, m.delta, m.deltaPercent])).toEqual([
      ['EUR', 'account', 'Microsoft', 'sub-1', '', '-21.10', '-21.1'],
      ['EUR', 'region', 'Microsoft', 'westeurope', 'West Europe', '-21.10', '-21.1'],
      ['EUR', 'service', 'Microsoft', 'VMs', '', '-21.10', '-21.1'],
      ['USD', 'account', 'AWS', '111', 'prod', '60.30', '150.8'],
      ['USD', 'region', 'AWS', 'us-east-1', 'US East (N. Virginia)', '60.30', '150.8'],
      ['USD', 'service', 'AWS', 'EC2', '', '60.10', '150.3'],
      ['USD', 'account', 'Google Cloud', 'proj-a', '', '50.00', null],
    ]);
  });

  it('gives daily spend per currency and the open recommendations’ savings per currency', async () => {
    const report = await getMonthlyReport('2026-11');
    expect(report.daily).toEqual([
      { day: '2026-11-02', currency: 'EUR', amount: '78.90' },
      { day: '2026-11-01', currency: 'USD', amount: '100.10' },
      { day: '2026-11-15', currency: 'USD', amount: '50.00' },
      { day: '2026-11-30', currency: 'USD', amount: '0.20' },
    ]);
    // Open and priced only: 30.00 + 12.50 in USD; the dismissed one and the unpriced one are not counted.
    expect(report.openSavings).toEqual([
      { currency: 'USD', amount: '42.50', count: 2 },
      { currency: 'EUR', amount: '7.00', count: 1 },
    ]);
  });

  it('splits the month by team tag from the month’s line items, untagged (no tag or an empty one) as its own row', async () => {
    // USD: ml 60.00 + 40.10 = 100.10; untagged 50.20 + 5.00 = 55.20; of 155.30: 64.46 % and 35.54 %.
    expect(await spendByTeam('2026-11')).toEqual([
      { currency: 'EUR', team: 'data', amount: '78.90', share: '100.0' },
      { currency: 'USD', team: 'ml', amount: '100.10', share: '64.5' },
      { currency: 'USD', team: null, amount: '55.20', share: '35.5' },
    ]);
    expect((await getMonthlyReport('2026-11')).byTeam).toEqual(await spendByTeam('2026-11'));
  });

  it('reports an empty month as empty lists, not zeros', async () => {
    const report = await getMonthlyReport('2025-01');
    expect(report.totals).toEqual([]);
    expect(report.byTeam).toEqual([]);
    expect(report.topMovers).toEqual([]);
  });
});
