// Shared-cost rules through the explorer's allocated view, on bills ingested through the real
// pipeline. The expected splits are worked out by hand below (largest remainder, ties by team
// name); the invariant checks compare with sums over cost_line_items in SQL, not with this code.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { removeTempDirs, tempDir } from '../../tests/helpers/temp-dir';
import { getPool, withTransaction } from '../db/pool';
import { type ExplorerQueryInput, type ExplorerResult, runExplorerQuery } from '../explorer/query';
import { ingestFile } from '../ingest/pipeline';
import { previewSharedCostRule } from './preview';
import { deleteSharedCostRule, parseSharedCostRuleForm, SharedCostRuleError, saveSharedCostRule } from './rules';

afterAll(removeTempDirs);

const HEADER =
  'ProviderName,BillingAccountId,SubAccountId,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ServiceName,ServiceCategory,RegionId,BilledCost,EffectiveCost,ListCost,ContractedCost,BillingCurrency,Tags';

interface Line {
  account?: string;
  month: string;
  day: string;
  category?: string;
  service: string;
  region?: string;
  billed: string;
  currency?: string;
  team?: string;
}

function csv(lines: Line[]): string {
  const rows = lines.map((l) => {
    const [y, m] = l.month.split('-').map(Number) as [number, number];
    const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
    return [
      'AWS',
      l.account ?? 'main',
      'sub-1',
      `${l.month}-01T00:00:00Z`,
      `${next}-01T00:00:00Z`,
      `${l.month}-${l.day}T00:00:00Z`,
      `${l.month}-${l.day}T23:59:59Z`,
      l.category ?? 'Usage',
      l.service,
      'Compute',
      l.region ?? 'us-east-1',
      l.billed,
      l.billed,
      l.billed,
      l.billed,
      l.currency ?? 'USD',
      l.team ? `"{""team"":""${l.team}""}"` : '',
    ].join(',');
  });
  return `${HEADER}\n${rows.join('\n')}\n`;
}

const MARCH: Line[] = [
  { month: '2026-03', day: '02', service: 'EC2', billed: '60.00', team: 'ml' },
  { month: '2026-03', day: '03', service: 'EC2', billed: '30.00', team: 'web' },
  { month: '2026-03', day: '04', service: 'EC2', billed: '10.00', team: 'data', region: 'eu-west-1' },
  { month: '2026-03', day: '05', service: 'AWS Support', billed: '10.00' },
  { month: '2026-03', day: '31', service: 'Credits', category: 'Credit', billed: '-0.20' },
  { month: '2026-03', day: '06', service: 'S3', billed: '1.01' },
  { month: '2026-03', day: '07', service: 'EC2', billed: '7.77', team: 'platform', account: 'shared-acct' },
  { month: '2026-03', day: '08', service: 'VM', billed: '5.00', team: 'ml', currency: 'EUR' },
  { month: '2026-03', day: '09', service: 'VM', billed: '0.05', currency: 'EUR' },
];
// April: untagged spend only, so a proportional split has no basis and leaves it where it is.
const APRIL: Line[] = [{ month: '2026-04', day: '02', service: 'S3', billed: '5.00' }];

const MARCH_RANGE = { from: '2026-03-01', to: '2026-03-31' };

async function rule(text: { name: string; poolDimension: string; poolValues?: string; method: string; targets?: string }) {
  const parsed = parseSharedCostRuleForm({ poolValues: '', targets: '', ...text });
  return withTransaction((c) => saveSharedCostRule(c, parsed, null, 'test'));
}

function amountsOf(r: ExplorerResult): Record<string, Record<string, string>> {
  return Object.fromEntries(r.rows.map((row) => [row.key, Object.fromEntries(row.amounts.map((a) => [a.unit, a.amount]))]));
}

function sharedOf(r: ExplorerResult): Record<string, Record<string, string>> {
  return Object.fromEntries(r.rows.map((row) => [row.key, Object.fromEntries((row.shared ?? []).map((a) => [a.unit, a.amount]))]));
}

/** Billed cost per currency straight from the line items. */
async function lineItemTotals(url: string, from: string, to: string): Promise<Record<string, string>> {
  const rows = await sql<{ currency: string; total: string }>(
    url,
    `SELECT billing_currency AS currency, sum(billed_cost)::text AS total FROM cost_line_items
      WHERE charge_period_start >= $1::date AND charge_period_start < $2::date + 1 GROUP BY 1`,
    [from, to],
  );
  return Object.fromEntries(rows.map((r) => [r.currency, r.total]));
}

let url: string;

beforeAll(async () => {
  url = await useTestDatabase();
  const dir = await tempDir('burnrate-allocation-');
  const file = path.join(dir, 'march-april.csv');
  await writeFile(file, csv([...MARCH, ...APRIL]));
  await ingestFile({ file, sourceName: 'allocation-test' });
  // 1. The support plan, evenly; 2. the shared account, 50/25/25; 3. untagged spend, by direct spend.
  await rule({ name: 'Support', poolDimension: 'service', poolValues: 'AWS Support', method: 'even', targets: 'ml\nweb\ndata' });
  await rule({
    name: 'Shared account',
    poolDimension: 'billing_account',
    poolValues: 'shared-acct',
    method: 'fixed',
    targets: 'ml = 50\nweb = 25%\ndata = 25',
  });
  await rule({ name: 'Untagged', poolDimension: 'untagged', method: 'proportional' });
});

const byTeam = (extra: Partial<ExplorerQueryInput> = {}): ExplorerQueryInput => ({
  range: MARCH_RANGE,
  granularity: 'total',
  groupBy: 'team',
  metric: 'billed',
  allocated: true,
  ...extra,
});

describe('the allocated view', () => {
  it('splits each pool by its rule, to the cent, remainders to the largest fraction then by team name', async () => {
    const r = await runExplorerQuery(getPool(), byTeam());
    expect(r.answeredFrom).toBe('cost_monthly');
    // Support 10.00 evenly: 3.33 each and the leftover cent to data (ties by name). Shared account 7.77 at 50/25/25: 3.885, 1.9425,
    // 1.9425 -> 3.88, 1.94, 1.94 and the cent to ml (largest remainder). Untagged S3 1.01 by direct
    // spend 60:30:10 -> 0.606, 0.303, 0.101 -> 0.60, 0.30, 0.10 and the cent to ml; the untagged
    // credit -0.20 -> -0.12, -0.06, -0.02. EUR untagged
    // 0.05 to ml, the only team with direct EUR spend.
    expect(amountsOf(r)).toEqual({
      ml: { USD: '67.71', EUR: '5.05' },
      web: { USD: '35.51' },
      data: { USD: '15.36' },
    });
    expect(sharedOf(r)).toEqual({
      ml: { USD: '7.71', EUR: '0.05' },
      web: { USD: '5.51' },
      data: { USD: '5.36' },
    });
    // Nothing lost or invented: the allocated totals are the line items' totals.
    const truth = await lineItemTotals(url, MARCH_RANGE.from, MARCH_RANGE.to);
    expect(Object.fromEntries(r.totals.map((t) => [t.unit, t.amount]))).toEqual({ USD: truth.USD, EUR: truth.EUR });
    expect(truth).toEqual({ USD: '118.58', EUR: '5.05' });
    expect(r.allocation?.rules.map((x) => x.name)).toEqual(['Support', 'Shared account', 'Untagged']);
    expect(r.allocation?.pooled).toEqual(expect.arrayContaining([{ unit: 'USD', amount: '18.58' }]));
  });

  it('the unallocated view is unchanged: untagged and platform spend where they were', async () => {
    const r = await runExplorerQuery(getPool(), byTeam({ allocated: false }));
    expect(amountsOf(r)).toEqual({
      ml: { USD: '60.00', EUR: '5.00' },
      web: { USD: '30.00' },
      data: { USD: '10.00' },
      platform: { USD: '7.77' },
      '': { USD: '10.81', EUR: '0.05' },
    });
  });

  it('a team filter applies after the split; other filters before, on the same split', async () => {
    const ml = await runExplorerQuery(
      getPool(),
      byTeam({ groupBy: 'service', filters: [{ dimension: 'team', values: ['ml'], exclude: false }] }),
    );
    expect(amountsOf(ml)).toEqual({
      EC2: { USD: '63.89' },
      'AWS Support': { USD: '3.33' },
      Credits: { USD: '-0.12' },
      S3: { USD: '0.61' },
      VM: { EUR: '5.05' },
    });
    // A region filter keeps the same basis (the whole month), so data's share of the support plan
    // in us-east-1 is what it is in the unfiltered view.
    const east = await runExplorerQuery(getPool(), byTeam({ filters: [{ dimension: 'region', values: ['us-east-1'], exclude: false }] }));
    expect(amountsOf(east).data).toEqual({ USD: '5.36' });
  });

  it('grouped by anything else, the allocated totals equal the unallocated ones', async () => {
    for (const groupBy of ['service', 'region', 'billing_account', 'geography', null] as const) {
      const a = await runExplorerQuery(getPool(), byTeam({ groupBy }));
      const u = await runExplorerQuery(getPool(), byTeam({ groupBy, allocated: false }));
      expect(amountsOf(a), String(groupBy)).toEqual(amountsOf(u));
    }
  });

  it('a month whose untagged spend has no team to follow stays unallocated, and says so', async () => {
    const r = await runExplorerQuery(getPool(), byTeam({ range: { from: '2026-04-01', to: '2026-04-30' } }));
    expect(amountsOf(r)).toEqual({ '': { USD: '5.00' } });
    expect(r.allocation?.pooled).toEqual([{ unit: 'USD', amount: '5.00' }]);
    expect(r.allocation?.shared).toEqual([]);
  });

  it('refuses views it cannot split: days, usage, resources', async () => {
    await expect(runExplorerQuery(getPool(), byTeam({ granularity: 'day' }))).rejects.toThrow(/per month/);
    await expect(runExplorerQuery(getPool(), byTeam({ metric: 'usage' }))).rejects.toThrow(/usage quantities are not shared/);
    await expect(runExplorerQuery(getPool(), byTeam({ groupBy: 'resource' }))).rejects.toThrow(/no resource dimension/);
  });
});

describe('exactness at scale', () => {
  it('many teams, amounts with ten decimals, a proportional split: every row adds up to the digit', async () => {
    // A second month of 41 teams with uneven spend and 7 untagged rows of awkward amounts.
    const lines: Line[] = [];
    for (let t = 0; t < 41; t++) {
      lines.push({
        month: '2026-06',
        day: '03',
        service: 'EC2',
        billed: `${(t * 7919) % 1000}.${String((t * 104729) % 10 ** 10).padStart(10, '0')}`,
        team: `team-${t}`,
      });
    }
    for (let u = 0; u < 7; u++)
      lines.push({ month: '2026-06', day: String(10 + u), service: `Svc${u}`, billed: `${u * 3 + 1}.000000000${u + 1}` });
    const dir = await tempDir('burnrate-allocation-');
    const file = path.join(dir, 'june.csv');
    await writeFile(file, csv(lines));
    await ingestFile({ file, sourceName: 'allocation-june' });
    const r = await runExplorerQuery(getPool(), byTeam({ range: { from: '2026-06-01', to: '2026-06-30' } }));
    const truth = await lineItemTotals(url, '2026-06-01', '2026-06-30');
    expect(r.totals).toEqual([{ unit: 'USD', amount: truth.USD }]);
    expect(Object.keys(amountsOf(r))).not.toContain('');
    // The untagged pool went to the teams with direct spend in proportion: the shares are within a
    // unit of the last digit of the exact proportion, computed here with BigInt.
    const untagged = lines.filter((l) => !l.team);
    const direct = lines.filter((l) => l.team);
    const toUnits = (v: string) => BigInt(v.replace('.', '').replace(/^0+(?=\d)/, '')) * 10n ** BigInt(10 - (v.split('.')[1]?.length ?? 0));
    const basis = direct.map((l) => toUnits(l.billed));
    const totalBasis = basis.reduce((a, b) => a + b, 0n);
    const shared = sharedOf(r);
    direct.forEach((l, i) => {
      // Each untagged row is split on its own: the team's share is Σ floor or ceil of row × w / W.
      let low = 0n;
      for (const u of untagged) low += (toUnits(u.billed) * (basis[i] as bigint)) / totalBasis;
      const got = toUnits(shared[l.team as string]?.USD ?? '0');
      expect(got >= low && got <= low + BigInt(untagged.length), l.team).toBe(true);
    });
  });
});

describe('the preview', () => {
  it('shows before, after and the change per team; totals balance; nothing is saved', async () => {
    const candidate = parseSharedCostRuleForm({
      name: 'Platform',
      poolDimension: 'team',
      poolValues: 'platform',
      method: 'even',
      targets: 'ml\nweb',
    });
    // Added last, its pool is empty in March: the account rule takes platform's only row first.
    const last = await previewSharedCostRule(getPool(), candidate, null, '2026-03');
    expect(last.pool).toEqual([]);
    expect(last.balanced).toBe(true);
    expect(last.teams.every((t) => t.amounts.every((a) => a.change === '0.00'))).toBe(true);
    // In the account rule's place, it takes the row: 7.77 evenly -> 3.885 each -> 3.88 + 3.88 and
    // the cent to ml (ties by name), where the account rule gave 3.89, 1.94 and 1.94.
    const accountRule = (await sql<{ id: number }>(url, "SELECT id FROM shared_cost_rules WHERE name = 'Shared account'"))[0] as {
      id: number;
    };
    const p = await previewSharedCostRule(getPool(), candidate, accountRule.id, '2026-03');
    expect(p.pool).toEqual([{ unit: 'USD', amount: '7.77' }]);
    expect(p.unallocated).toEqual([]);
    expect(p.balanced).toBe(true);
    const usd = Object.fromEntries(p.teams.map((t) => [t.key, t.amounts.find((a) => a.unit === 'USD')]));
    expect(usd.ml).toEqual({ unit: 'USD', before: '67.71', after: '67.71', change: '0.00' });
    expect(usd.web?.change).toBe('1.94');
    expect(usd.data?.change).toBe('-1.94');
    expect(p.totals).toEqual([
      { unit: 'EUR', before: '5.05', after: '5.05' },
      { unit: 'USD', before: '118.58', after: '118.58' },
    ]);
    expect(await sql(url, "SELECT 1 FROM shared_cost_rules WHERE name = 'Platform'")).toEqual([]);
  });

  it('a rule can be deleted', async () => {
    const parsed = parseSharedCostRuleForm({
      name: 'Temporary',
      poolDimension: 'service',
      poolValues: 'S3',
      method: 'even',
      targets: 'web',
    });
    const { after } = await withTransaction((c) => saveSharedCostRule(c, parsed, null, 'test'));
    const removed = await withTransaction((c) => deleteSharedCostRule(c, after.id));
    expect(removed?.name).toBe('Temporary');
    expect(await withTransaction((c) => deleteSharedCostRule(c, after.id))).toBeNull();
  });
});

describe('the rule form', () => {
  it('names the field and line of a bad value', () => {
    const form = { name: 'x', poolDimension: 'service', poolValues: 'Support', method: 'fixed', targets: 'ml = 50\nweb = 40' };
    expect(() => parseSharedCostRuleForm(form)).toThrow('Teams: the percentages add up to 90, not 100');
    expect(() => parseSharedCostRuleForm({ ...form, targets: 'ml = 50\nweb 50' })).toThrow('Teams, line 2: write "team = percent"');
    expect(() => parseSharedCostRuleForm({ ...form, targets: 'ml = 50.12345\nweb = 49.87655' })).toThrow(/at most 4 decimals/);
    expect(() => parseSharedCostRuleForm({ ...form, method: 'even', targets: '' })).toThrow('Teams: at least one team');
    expect(() => parseSharedCostRuleForm({ ...form, poolValues: '\n  \n' })).toThrow('Values: at least one service');
    expect(() => parseSharedCostRuleForm({ ...form, poolDimension: 'team', poolValues: 'ml', method: 'even', targets: 'ml\nweb' })).toThrow(
      '"ml" is both shared and a team it is split across',
    );
    try {
      parseSharedCostRuleForm({ ...form, targets: 'ml = 50\nml = 50' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SharedCostRuleError);
      expect((e as SharedCostRuleError).field).toBe('targets');
      expect((e as SharedCostRuleError).line).toBe(2);
    }
  });

  it('refuses a second rule of the same name', async () => {
    const parsed = parseSharedCostRuleForm({
      name: 'Support',
      poolDimension: 'untagged',
      poolValues: '',
      method: 'proportional',
      targets: '',
    });
    await expect(withTransaction((c) => saveSharedCostRule(c, parsed, null, 'test'))).rejects.toThrow('another rule is called "Support"');
  });
});
