// The explorer's query against bills ingested through the real pipeline: hand-computed figures for a
// small FOCUS file, the rollup each question is answered from, and every other table that can
// answer the same question (down to the line items) giving exactly the same figures.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../tests/helpers/db';
import { removeTempDirs, tempDir } from '../../tests/helpers/temp-dir';
import { getPool } from '../db/pool';
import { ingestFile } from '../ingest/pipeline';
import { convertExplorerView } from './convert';
import { topMovers } from './movers';
import { chooseSource, type ExplorerQueryInput, ExplorerQuerySchema, explorerSql, FACT_SOURCES, runExplorerQuery } from './query';

afterAll(removeTempDirs);

const HEADER =
  'ProviderName,BillingAccountId,SubAccountId,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ServiceName,ServiceCategory,RegionId,ResourceId,SkuId,ConsumedQuantity,ConsumedUnit,BilledCost,EffectiveCost,ListCost,ContractedCost,BillingCurrency,Tags';

// [provider, account, sub, month, day, category, service, serviceCategory, region, resource, sku, qty, unit, billed, effective, currency, tags]
type Line = [
  string,
  string,
  string,
  '01' | '02',
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
];
const LINES: Line[] = [
  [
    'AWS',
    'a1',
    's1',
    '01',
    '03',
    'Usage',
    'EC2',
    'Compute',
    'us-east-1',
    'i-1',
    'K1',
    '24',
    'Hrs',
    '10.10',
    '9.10',
    'USD',
    '{"Team":"ml","env":"prod"}',
  ],
  [
    'AWS',
    'a1',
    's1',
    '01',
    '04',
    'Usage',
    'EC2',
    'Compute',
    'us-east-1',
    'i-1',
    'K1',
    '24',
    'Hrs',
    '10.10',
    '9.10',
    'USD',
    '{"team":"ml","env":"prod"}',
  ],
  [
    'AWS',
    'a1',
    's2',
    '01',
    '04',
    'Usage',
    'EC2',
    'Compute',
    'ap-northeast-2',
    'i-2',
    'K2',
    '10',
    'Hrs',
    '30.005',
    '30.005',
    'USD',
    '{"team":"web"}',
  ],
  ['AWS', 'a1', 's2', '01', '20', 'Usage', 'S3', 'Storage', 'ap-northeast-2', 'b-1', 'K3', '100', 'GB-Mo', '2.30', '2.30', 'USD', ''],
  ['AWS', 'a1', 's1', '01', '31', 'Tax', 'EC2', 'Compute', '', '', '', '', '', '1.01', '1.01', 'USD', ''],
  [
    'AWS',
    'a1',
    's1',
    '02',
    '01',
    'Usage',
    'EC2',
    'Compute',
    'us-east-1',
    'i-1',
    'K1',
    '24',
    'Hrs',
    '12.00',
    '11.00',
    'USD',
    '{"team":"ml","env":"prod"}',
  ],
  ['AWS', 'a1', 's2', '02', '02', 'Usage', 'EC2', 'Compute', 'me-central-1', 'i-3', 'K2', '5', 'Hrs', '7.5', '', 'USD', '{"team":"web"}'],
  [
    'Microsoft',
    'm1',
    'sub-a',
    '01',
    '10',
    'Usage',
    'Virtual Machines',
    'Compute',
    'westeurope',
    'vm-1',
    'Z1',
    '24',
    'Hours',
    '50.00',
    '45.00',
    'EUR',
    '{"team":"ml"}',
  ],
  [
    'Microsoft',
    'm1',
    'sub-a',
    '02',
    '10',
    'Usage',
    'Virtual Machines',
    'Compute',
    'westeurope',
    'vm-1',
    'Z1',
    '24',
    'Hours',
    '55.55',
    '50.00',
    'EUR',
    '{"team":"ml"}',
  ],
  [
    'Microsoft',
    'm1',
    'sub-a',
    '02',
    '11',
    'Usage',
    'Storage',
    'Storage',
    'southafricanorth',
    'd-1',
    'Z2',
    '1',
    'GB',
    '0.45',
    '0.45',
    'EUR',
    '{"team":"data"}',
  ],
];

function csv(): string {
  const rows = LINES.map(([p, a, s, m, d, cat, svc, scat, region, res, sku, qty, unit, billed, eff, cur, tags]) => {
    const next = m === '01' ? '02' : '03';
    return [
      p,
      a,
      s,
      `2026-${m}-01T00:00:00Z`,
      `2026-${next}-01T00:00:00Z`,
      `2026-${m}-${d}T00:00:00Z`,
      `2026-${m}-${d}T23:59:59Z`,
      cat,
      svc,
      scat,
      region,
      res,
      sku,
      qty,
      unit,
      billed,
      eff,
      billed,
      billed,
      cur,
      tags ? `"${tags.replaceAll('"', '""')}"` : '',
    ].join(',');
  });
  return `${HEADER}\n${rows.join('\n')}\n`;
}

beforeAll(async () => {
  await useTestDatabase();
  const dir = await tempDir('burnrate-explorer-');
  const file = path.join(dir, 'explorer.csv');
  await writeFile(file, csv());
  await ingestFile({ file, sourceName: 'explorer-test' });
});

const JAN_FEB = { from: '2026-01-01', to: '2026-02-28' };

/** The table a query reads, and the same figures from every other table that can answer it. */
async function viaEverySource(input: ExplorerQueryInput) {
  const q = ExplorerQuerySchema.parse(input);
  const result = await runExplorerQuery(getPool(), q);
  const chosen = chooseSource(q);
  const answers: Record<string, string[]> = {};
  const monthAligned = q.range.from.endsWith('-01') && (q.granularity === 'month' || q.granularity === 'total');
  for (const s of FACT_SOURCES.slice(FACT_SOURCES.indexOf(chosen))) {
    const dims = [...(q.groupBy ? [q.groupBy] : []), ...q.filters.map((f) => f.dimension)];
    const tagged = dims.some((d) => d.startsWith('tag:'));
    const columnsOk = dims.every(
      (d) => d.startsWith('tag:') || s.columns.has((d === 'geography' || d === 'country' ? 'region' : d) as never),
    );
    if ((s.grain === 'month' && !monthAligned) || (tagged && !s.tags) || !columnsOk || (q.metric === 'usage' && !s.usage)) continue;
    const { text, values } = explorerSql(q, s);
    const { rows } = await getPool().query<{ period: string; grp: string; unit: string; amount: string | null }>(
      `SELECT period, grp, unit, amount::numeric::text AS amount FROM (${text}) x ORDER BY 1, 2, 3`,
      values,
    );
    answers[s.table] = rows.map((r) => `${r.period} ${r.grp} ${r.unit} ${r.amount}`);
  }
  return { result, answers };
}

function expectAllEqual(answers: Record<string, string[]>): void {
  const [first, ...rest] = Object.entries(answers);
  expect(first).toBeDefined();
  expect(rest.length).toBeGreaterThan(0);
  for (const [table, rows] of rest) expect(rows, `${table} vs ${first?.[0]}`).toEqual(first?.[1]);
}

describe('runExplorerQuery', () => {
  it('spend by service for a month comes from cost_monthly, per currency, and equals the line items', async () => {
    const { result, answers } = await viaEverySource({
      range: { from: '2026-01-01', to: '2026-01-31' },
      granularity: 'month',
      groupBy: 'service',
      metric: 'billed',
    });
    expect(result.answeredFrom).toBe('cost_monthly');
    expect(result.rows.map((r) => [r.label, r.amounts])).toEqual([
      ['EC2', [{ unit: 'USD', amount: '51.215' }]], // 10.10 + 10.10 + 30.005 + 1.01
      ['S3', [{ unit: 'USD', amount: '2.30' }]],
      ['Virtual Machines', [{ unit: 'EUR', amount: '50.00' }]],
    ]);
    // USD is the main currency (53.515 > 50.00); totals never add the two.
    expect(result.totals).toEqual([
      { unit: 'USD', amount: '53.515' },
      { unit: 'EUR', amount: '50.00' },
    ]);
    expect(Object.keys(answers)).toEqual(['cost_monthly', 'cost_daily', 'cost_monthly_detail', 'cost_line_items']);
    expectAllEqual(answers);
  });

  it('by tag key over two months: untagged spend is its own group; key spellings are folded', async () => {
    const { result, answers } = await viaEverySource({ range: JAN_FEB, granularity: 'total', groupBy: 'tag:team', metric: 'billed' });
    expect(result.answeredFrom).toBe('cost_monthly');
    const usd = Object.fromEntries(result.rows.map((r) => [r.label, r.amounts.find((a) => a.unit === 'USD')?.amount ?? null]));
    expect(usd).toEqual({ ml: '32.20', web: '37.505', '(untagged)': '3.31', data: null });
    expect(result.rows.find((r) => r.key === 'ml')?.amounts).toEqual([
      { unit: 'EUR', amount: '105.55' },
      { unit: 'USD', amount: '32.20' },
    ]);
    expectAllEqual(answers);
  });

  it('by region and day answers from cost_daily_region; geography groups regions of every provider', async () => {
    const byDay = await viaEverySource({ range: JAN_FEB, granularity: 'day', groupBy: 'region', metric: 'billed' });
    expect(byDay.result.answeredFrom).toBe('cost_daily_region');
    expect(byDay.result.periods).toHaveLength(59);
    expect(byDay.result.series.filter((s) => s.key === 'ap-northeast-2')).toEqual([
      { period: '2026-01-04', key: 'ap-northeast-2', unit: 'USD', amount: '30.005' },
      { period: '2026-01-20', key: 'ap-northeast-2', unit: 'USD', amount: '2.30' },
    ]);
    expect(byDay.result.rows.find((r) => r.key === 'ap-northeast-2')?.label).toBe('Asia Pacific (Seoul)');
    expectAllEqual(byDay.answers);

    const geo = await viaEverySource({ range: JAN_FEB, granularity: 'total', groupBy: 'geography', metric: 'billed' });
    // EUR is the main currency over the two months (106.00 against USD 73.015): its groups lead.
    expect(geo.result.rows.map((r) => [r.key, r.amounts])).toEqual([
      ['Europe', [{ unit: 'EUR', amount: '105.55' }]],
      ['Africa', [{ unit: 'EUR', amount: '0.45' }]],
      ['Asia Pacific', [{ unit: 'USD', amount: '32.305' }]],
      ['Americas', [{ unit: 'USD', amount: '32.20' }]],
      ['Middle East', [{ unit: 'USD', amount: '7.5' }]],
      ['', [{ unit: 'USD', amount: '1.01' }]], // the tax line has no region
    ]);
    expectAllEqual(geo.answers);
    expect(geo.result.rows.find((r) => r.key === '')?.label).toBe('(unknown location)');
  });

  it('by resource with a tag filter reads the monthly detail; a daily granularity falls to the line items', async () => {
    const monthly = await viaEverySource({
      range: JAN_FEB,
      granularity: 'month',
      groupBy: 'resource',
      metric: 'effective',
      filters: [{ dimension: 'tag:team', values: ['ml'] }],
    });
    expect(monthly.result.answeredFrom).toBe('cost_monthly_detail');
    expect(monthly.result.series).toEqual([
      { period: '2026-01-01', key: 'i-1', unit: 'USD', amount: '18.20' },
      { period: '2026-01-01', key: 'vm-1', unit: 'EUR', amount: '45.00' },
      { period: '2026-02-01', key: 'i-1', unit: 'USD', amount: '11.00' },
      { period: '2026-02-01', key: 'vm-1', unit: 'EUR', amount: '50.00' },
    ]);
    expectAllEqual(monthly.answers);
    const daily = await runExplorerQuery(getPool(), { ...monthly.result.query, granularity: 'day' });
    expect(daily.answeredFrom).toBe('cost_line_items');
    expect(daily.totals).toEqual(monthly.result.totals);
  });

  it('exclude and untagged filters; effective cost counts the line items without one', async () => {
    const r = await runExplorerQuery(getPool(), {
      range: { from: '2026-02-01', to: '2026-02-28' },
      granularity: 'total',
      groupBy: 'sub_account',
      metric: 'effective',
      filters: [{ dimension: 'provider', exclude: true, values: ['Microsoft'] }],
    });
    expect(r.rows.map((x) => [x.key, x.amounts[0]?.amount])).toEqual([['s1', '11.00']]); // s2's one line has no effective cost
    expect(r.effectiveCostMissing).toBe(1);
    const untagged = await viaEverySource({
      range: JAN_FEB,
      granularity: 'month',
      groupBy: 'service',
      metric: 'billed',
      filters: [{ dimension: 'tag:team', values: [''] }],
    });
    expect(untagged.result.totals).toEqual([{ unit: 'USD', amount: '3.31' }]);
    expectAllEqual(untagged.answers);
  });

  it('usage quantity is summed per unit, never across units', async () => {
    const r = await viaEverySource({ range: JAN_FEB, granularity: 'total', groupBy: 'provider', metric: 'usage' });
    expect(r.result.answeredFrom).toBe('cost_monthly_detail');
    expect(r.result.rows.map((x) => [x.key, x.amounts])).toEqual([
      [
        'AWS',
        [
          { unit: 'GB-Mo', amount: '100' },
          { unit: 'Hrs', amount: '87' },
        ],
      ], // the tax line has no quantity
      [
        'Microsoft',
        [
          { unit: 'Hours', amount: '48' },
          { unit: 'GB', amount: '1' },
        ],
      ],
    ]);
    expect(r.result.totals.map((t) => t.unit)).toEqual(['GB-Mo', 'Hrs', 'Hours', 'GB']);
    expectAllEqual(r.answers);
  });

  it('refuses what it cannot answer with a message naming the field', () => {
    expect(() => ExplorerQuerySchema.parse({ range: { from: '2026-02-01', to: '2026-01-01' } })).toThrow(
      /`from` must be on or before `to`/,
    );
    expect(() => ExplorerQuerySchema.parse({ range: JAN_FEB, groupBy: 'colour' })).toThrow(/unknown dimension/);
    expect(() => ExplorerQuerySchema.parse({ range: JAN_FEB, groupBy: 'tag:Team' })).toThrow(/lower case/);
    expect(() => ExplorerQuerySchema.parse({ range: JAN_FEB, metric: 'profit' })).toThrow(/metric must be one of/);
  });
});

describe('topMovers', () => {
  it('ranks month-over-month changes per currency with absolute and relative change', async () => {
    const r = await topMovers(getPool(), { month: '2026-02', dimension: 'service', metric: 'billed' });
    expect(r.previous).toBe('2026-01');
    expect(r.answeredFrom).toBe('cost_monthly');
    // EUR is February's and the pair's main currency (106.00 against 73.015 USD).
    expect(r.movers.map((m) => [m.label, m.unit, m.previous, m.current, m.change, m.relative])).toEqual([
      ['Virtual Machines', 'EUR', '50.00', '55.55', '5.55', '0.111'],
      ['Storage', 'EUR', '0', '0.45', '0.45', null],
      ['EC2', 'USD', '51.215', '19.50', '-31.715', '-0.6193'],
      ['S3', 'USD', '2.30', '0', '-2.30', '-1'],
    ]);
  });
});

describe('convertExplorerView', () => {
  it('converts each charge day at its rate (or the latest earlier one), per group, and lists days without a rate', async () => {
    const pool = getPool();
    await pool.query(
      `INSERT INTO fx_rates (day, base, quote, rate, source_file, source_format, loaded_by)
       VALUES ('2026-01-09', 'EUR', 'USD', 1.1, 't.csv', 'simple', 'cli'), ('2026-02-10', 'EUR', 'USD', 1.2, 't.csv', 'simple', 'cli')
       ON CONFLICT DO NOTHING`,
    );
    // January: USD 53.515 as is, EUR 50.00 charged on the 10th at the 9th's rate (none on the 10th).
    const jan = await convertExplorerView(
      pool,
      ExplorerQuerySchema.parse({ range: { from: '2026-01-01', to: '2026-01-31' }, groupBy: 'provider', metric: 'billed' }),
      'USD',
    );
    expect(jan.total).toBe('108.515');
    expect(jan.byGroup.get('Microsoft')).toEqual({ total: '55', complete: true });
    expect(jan.byGroup.get('AWS')?.total).toBe('53.515');
    expect(jan.rates).toEqual([
      { from: 'EUR', to: 'USD', method: 'direct', days: 1, earlierDays: 1, firstRateDay: '2026-01-09', lastRateDay: '2026-01-09' },
    ]);
    expect(jan.missing).toEqual([]);
    // Both months with only February's rate: January 10th's EUR is more than 7 days from any rate.
    const both = await convertExplorerView(
      pool,
      ExplorerQuerySchema.parse({ range: JAN_FEB, groupBy: 'provider', metric: 'billed' }),
      'USD',
    );
    await pool.query("DELETE FROM fx_rates WHERE day = '2026-01-09'");
    const without = await convertExplorerView(
      pool,
      ExplorerQuerySchema.parse({ range: JAN_FEB, groupBy: 'provider', metric: 'billed' }),
      'USD',
    );
    expect(without.missing).toEqual([{ day: '2026-01-10', currency: 'EUR', amount: '50' }]);
    // 73.015 USD + 55.55 × 1.2 + 0.45 × 1.2 (the 11th at the 10th's rate)
    expect(without.total).toBe('140.215');
    expect(without.byGroup.get('Microsoft')?.complete).toBe(false);
    expect(both.total).toBe('195.215');
    await pool.query("DELETE FROM fx_rates WHERE source_file = 't.csv'");
  });
});
