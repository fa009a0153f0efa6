// Tag rules against bills ingested through the real pipeline: the stored rule, the SQL expression
// the explorer groups and filters by, every table that can answer giving the same figures, a rule
// change applied to past months at once, and the monthly report's team split. Expected figures are
// literals computed by hand from the rows below (in the comments).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../tests/helpers/db';
import { removeTempDirs, tempDir } from '../../tests/helpers/temp-dir';
import { getPool, withTransaction } from '../db/pool';
import { isConceptDimension, isTagDimension } from '../explorer/dimensions';
import { chooseSource, type ExplorerQueryInput, ExplorerQuerySchema, explorerSql, FACT_SOURCES, runExplorerQuery } from '../explorer/query';
import { ingestFile } from '../ingest/pipeline';
import { spendByTeam } from '../queries/monthly-report';
import { loadTagRules, parseRuleForm, saveTagRule, TagRuleError } from './rules';

afterAll(removeTempDirs);

const HEADER =
  'ProviderName,BillingAccountId,SubAccountId,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ServiceName,ServiceCategory,RegionId,ResourceId,ConsumedQuantity,ConsumedUnit,BilledCost,EffectiveCost,ListCost,ContractedCost,BillingCurrency,Tags';

// [provider, month, day, service, resource, billed, currency, tags]
const LINES: [string, '01' | '02', string, string, string, string, string, string][] = [
  ['AWS', '01', '03', 'EC2', 'i-1', '10.00', 'USD', '{"Team":"ML"}'],
  ['AWS', '01', '04', 'EC2', 'i-2', '20.50', 'USD', '{"owner-team":"machine-learning"}'],
  ['AWS', '01', '05', 'S3', 'b-1', '5.25', 'USD', '{"team":"web"}'],
  ['AWS', '01', '06', 'S3', 'b-2', '1.10', 'USD', ''],
  ['AWS', '01', '07', 'EC2', 'i-3', '3.00', 'USD', '{"squad":"Web","team":"ml"}'],
  ['Microsoft', '01', '10', 'Virtual Machines', 'vm-1', '40.00', 'EUR', '{"Owner-Team":"ML"}'],
  ['AWS', '02', '01', 'EC2', 'i-1', '7.00', 'USD', '{"team":"Ml"}'],
  ['AWS', '02', '02', 'S3', 'b-1', '2.00', 'USD', '{"squad":"web"}'],
];

function csv(): string {
  const rows = LINES.map(([p, m, d, svc, res, billed, cur, tags]) => {
    const next = m === '01' ? '02' : '03';
    return [
      p,
      'a1',
      's1',
      `2026-${m}-01T00:00:00Z`,
      `2026-${next}-01T00:00:00Z`,
      `2026-${m}-${d}T00:00:00Z`,
      `2026-${m}-${d}T23:59:59Z`,
      'Usage',
      svc,
      'Compute',
      'us-east-1',
      res,
      '1',
      'Hrs',
      billed,
      billed,
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
  const dir = await tempDir('burnrate-tag-rules-');
  const file = path.join(dir, 'tags.csv');
  await writeFile(file, csv());
  await ingestFile({ file, sourceName: 'tag-rules-test' });
});

async function save(text: { keys: string; caseFold: boolean; mappings: string }, concept = 'team') {
  const rule = parseRuleForm({ concept, ...text });
  return withTransaction((client) => saveTagRule(client, rule, 'test@example.com'));
}

/** The answer, and the same question's cells from every table that can answer it. */
async function viaEverySource(input: ExplorerQueryInput) {
  const q = ExplorerQuerySchema.parse(input);
  const result = await runExplorerQuery(getPool(), q);
  const rules = await loadTagRules(getPool());
  const chosen = chooseSource(q);
  const monthly = q.range.from.endsWith('-01') && (q.granularity === 'month' || q.granularity === 'total');
  const dims = [...(q.groupBy ? [q.groupBy] : []), ...q.filters.map((f) => f.dimension)];
  const tagged = dims.some((d) => isTagDimension(d) || isConceptDimension(d));
  const answers: Record<string, string[]> = {};
  for (const s of FACT_SOURCES.slice(FACT_SOURCES.indexOf(chosen))) {
    const columnsOk = dims.every((d) => isTagDimension(d) || isConceptDimension(d) || s.columns.has(d as never));
    if ((s.grain === 'month' && !monthly) || (tagged && !s.tags) || !columnsOk) continue;
    const { text, values } = explorerSql(q, s, rules);
    const { rows } = await getPool().query<{ period: string; grp: string; unit: string; amount: string | null }>(
      `SELECT period, grp, unit, amount::numeric::text AS amount FROM (${text}) x ORDER BY 1, 2, 3`,
      values,
    );
    answers[s.table] = rows.map((r) => `${r.period} ${r.grp} ${r.unit} ${r.amount}`);
  }
  const [first, ...rest] = Object.entries(answers);
  expect(rest.length).toBeGreaterThan(0);
  for (const [table, rows] of rest) expect(rows, `${table} vs ${first?.[0]}`).toEqual(first?.[1]);
  return result;
}

const byKey = (r: Awaited<ReturnType<typeof runExplorerQuery>>) =>
  Object.fromEntries(r.rows.map((x) => [x.key, x.amounts.map((a) => `${a.unit} ${a.amount}`).join(', ')]));

const JAN = { from: '2026-01-01', to: '2026-01-31' };
const JAN_FEB = { from: '2026-01-01', to: '2026-02-28' };

describe('tag rules in the explorer', () => {
  it('without a rule, team is the tag key team as tagged (the same as tag:team)', async () => {
    const r = await viaEverySource({ range: JAN, granularity: 'total', groupBy: 'team', metric: 'billed' });
    expect(r.answeredFrom).toBe('cost_monthly');
    // '' = 20.50 (owner-team only) + 1.10 (no tags) USD, and the EUR row (Owner-Team only).
    expect(byKey(r)).toEqual({ ML: 'USD 10.00', web: 'USD 5.25', ml: 'USD 3.00', '': 'EUR 40.00, USD 21.60' });
    expect(r.rows.find((x) => x.key === '')?.label).toBe('(untagged)');
    const tag = await runExplorerQuery(getPool(), { range: JAN, granularity: 'total', groupBy: 'tag:team', metric: 'billed' });
    expect(tag.rows).toEqual(r.rows);
  });

  it('aliases in priority order, case-folding and mappings merge the spellings, on every source', async () => {
    const saved = await save({ keys: 'Team\n owner-team \n\nsquad', caseFold: true, mappings: 'machine-learning => ml' });
    expect(saved.before.keys).toEqual(['team']); // the fallback it replaced
    expect(saved.after).toMatchObject({
      keys: ['team', 'owner-team', 'squad'],
      caseFold: true,
      mappings: [{ from: 'machine-learning', to: 'ml' }],
    });
    const r = await viaEverySource({ range: JAN, granularity: 'total', groupBy: 'team', metric: 'billed' });
    // ml: 10.00 (Team: ML) + 20.50 (owner-team: machine-learning) + 3.00 (team: ml wins over squad) USD; 40.00 EUR (Owner-Team: ML)
    expect(byKey(r)).toEqual({ ml: 'EUR 40.00, USD 33.50', web: 'USD 5.25', '': 'USD 1.10' });
    expect(r.totals).toEqual([
      { unit: 'EUR', amount: '40.00' },
      { unit: 'USD', amount: '39.85' },
    ]);
    // Monthly over two months, and daily (the line items only).
    const months = await viaEverySource({ range: JAN_FEB, granularity: 'month', groupBy: 'team', metric: 'billed' });
    expect(months.series.filter((s) => s.period === '2026-02-01')).toEqual([
      { period: '2026-02-01', key: 'ml', unit: 'USD', amount: '7.00' }, // team: Ml
      { period: '2026-02-01', key: 'web', unit: 'USD', amount: '2.00' }, // squad: web
    ]);
    const daily = await runExplorerQuery(getPool(), { range: JAN_FEB, granularity: 'day', groupBy: 'team', metric: 'billed' });
    expect(daily.answeredFrom).toBe('cost_line_items');
    expect(byKey(daily)).toEqual({ ml: 'USD 40.50, EUR 40.00', web: 'USD 7.25', '': 'USD 1.10' });
  });

  it('filters on team, untagged as the empty value, include and exclude', async () => {
    const ml = await viaEverySource({
      range: JAN_FEB,
      granularity: 'total',
      groupBy: 'service',
      metric: 'billed',
      filters: [{ dimension: 'team', values: ['ml'] }],
    });
    // EC2: 10.00 + 20.50 + 3.00 + 7.00
    expect(byKey(ml)).toEqual({ EC2: 'USD 40.50', 'Virtual Machines': 'EUR 40.00' });
    const untagged = await viaEverySource({
      range: JAN_FEB,
      granularity: 'month',
      groupBy: 'resource',
      metric: 'billed',
      filters: [{ dimension: 'team', values: [''] }],
    });
    expect(byKey(untagged)).toEqual({ 'b-2': 'USD 1.10' });
    const rest = await viaEverySource({
      range: JAN_FEB,
      granularity: 'total',
      groupBy: 'team',
      metric: 'billed',
      filters: [{ dimension: 'team', exclude: true, values: ['ml', ''] }],
    });
    expect(byKey(rest)).toEqual({ web: 'USD 7.25' }); // 5.25 + 2.00
  });

  it('a rule change applies at once to past months', async () => {
    // squad before team, owner-team no longer an alias, web renamed.
    await save({ keys: 'squad\nteam', caseFold: true, mappings: 'web => frontend' });
    const r = await viaEverySource({ range: JAN, granularity: 'total', groupBy: 'team', metric: 'billed' });
    // i-3 {"squad":"Web","team":"ml"} is now squad's Web -> web -> frontend: 5.25 + 3.00; owner-team rows are untagged.
    expect(byKey(r)).toEqual({ ml: 'USD 10.00', frontend: 'USD 8.25', '': 'EUR 40.00, USD 21.60' });
    // Without case-folding a mapping matches the value as tagged.
    await save({ keys: 'team', caseFold: false, mappings: 'ML => ml' });
    const exact = await viaEverySource({ range: JAN_FEB, granularity: 'total', groupBy: 'team', metric: 'billed' });
    expect(byKey(exact)).toEqual({ ml: 'USD 13.00', web: 'USD 5.25', Ml: 'USD 7.00', '': 'EUR 40.00, USD 23.60' });
  });

  it('other concepts fall back to their own key; environment rules are separate', async () => {
    await save({ keys: 'squad', caseFold: true, mappings: '' }, 'environment');
    const env = await viaEverySource({ range: JAN_FEB, granularity: 'total', groupBy: 'environment', metric: 'billed' });
    expect(byKey(env)).toEqual({ web: 'USD 5.00', '': 'USD 43.85, EUR 40.00' }); // 3.00 + 2.00; the rest of 48.85 USD
    const cc = await viaEverySource({ range: JAN, granularity: 'total', groupBy: 'cost_centre', metric: 'billed' });
    expect(byKey(cc)).toEqual({ '': 'EUR 40.00, USD 39.85' });
  });

  it('the monthly report splits by the team rule, untagged as its own row', async () => {
    await save({ keys: 'team\nowner-team\nsquad', caseFold: true, mappings: 'machine-learning => ml' });
    // USD of 39.85: ml 33.50 (84.06 %), web 5.25 (13.17 %), untagged 1.10 (2.76 %).
    expect(await spendByTeam('2026-01')).toEqual([
      { currency: 'EUR', team: 'ml', amount: '40.00', share: '100.0' },
      { currency: 'USD', team: 'ml', amount: '33.50', share: '84.1' },
      { currency: 'USD', team: 'web', amount: '5.25', share: '13.2' },
      { currency: 'USD', team: null, amount: '1.10', share: '2.8' },
    ]);
  });
});

describe('parseRuleForm', () => {
  it('normalizes keys and folded mappings', () => {
    expect(parseRuleForm({ concept: 'team', keys: ' Owner-Team\r\nteam ', caseFold: true, mappings: ' ML => Machine Learning ' })).toEqual({
      concept: 'team',
      keys: ['owner-team', 'team'],
      caseFold: true,
      mappings: [{ from: 'ml', to: 'machine learning' }],
    });
  });

  it('names the field and line of a bad input', () => {
    const err = (input: { keys?: string; mappings?: string; caseFold?: boolean; concept?: string }) => {
      try {
        parseRuleForm({ concept: 'team', keys: 'team', caseFold: true, mappings: '', ...input });
      } catch (e) {
        if (e instanceof TagRuleError) return [e.field, e.line, e.message];
        throw e;
      }
      return null;
    };
    expect(err({ mappings: 'a => b\nno arrow here' })).toEqual([
      'mappings',
      2,
      'Value mappings, line 2: write "from => to" (got "no arrow here")',
    ]);
    expect(err({ mappings: 'a => b\n\nA => c' })).toEqual(['mappings', 3, 'Value mappings, line 3: "A" is mapped twice (also mapping 1)']);
    expect(err({ mappings: ' => b' })).toEqual(['mappings', 1, 'Value mappings, line 1 (before =>): a value cannot be empty']);
    expect(err({ keys: 'team\nsquad\nTeam' })).toEqual(['keys', 3, 'Tag keys, line 3: "team" is listed twice']);
    expect(err({ keys: '  \n' })).toEqual(['keys', null, 'Tag keys: at least one tag key']);
    expect(err({ keys: `team\n${'x'.repeat(129)}` })?.slice(0, 2)).toEqual(['keys', 2]);
    expect(err({ concept: 'colour' })?.[2]).toMatch(/concept must be one of team, environment, cost_centre/);
  });
});
