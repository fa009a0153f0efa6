import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { removeTempDirs, tempDir } from '../../tests/helpers/temp-dir';
import { ingestFile } from './pipeline';

afterAll(removeTempDirs);

const HEADER =
  'BillingAccountId,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ProviderName,ServiceName,RegionId,BilledCost,EffectiveCost,BillingCurrency,Tags';

interface Line {
  bp: string; // YYYY-MM
  day: string; // YYYY-MM-DD
  billed: string;
  effective: string;
  currency?: string;
  region?: string;
}

function nextMonth(ym: string): string {
  const [y, m] = ym.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

function focusCsv(lines: Line[]): string {
  const body = lines.map((l) => {
    const end = new Date(Date.parse(`${l.day}T00:00:00Z`) + 86_400_000).toISOString().replace('.000', '');
    return [
      'acct-1',
      `${l.bp}-01T00:00:00Z`,
      `${nextMonth(l.bp)}-01T00:00:00Z`,
      `${l.day}T00:00:00Z`,
      end,
      'Usage',
      'AWS',
      'Amazon EC2',
      l.region ?? 'us-east-1',
      l.billed,
      l.effective,
      l.currency ?? 'USD',
      '"{""team"":""core""}"',
    ].join(',');
  });
  return `${HEADER}\n${body.join('\n')}\n`;
}

let dir: string;
let url: string;

async function file(name: string, content: string): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, content);
  return p;
}

/** A fingerprint of all billing data, to prove a failed ingest changed nothing. */
async function snapshot(): Promise<string> {
  const [items] = await sql<{ h: string | null; n: string }>(
    url,
    `SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) AS h, count(*) AS n
       FROM (SELECT source_id, ingest_run_id, billing_period_start, charge_period_start, billed_cost, effective_cost, billing_currency, region_id FROM cost_line_items) t`,
  );
  const [daily] = await sql<{ h: string | null }>(
    url,
    `SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) AS h FROM (SELECT day, source_id, billed_cost, effective_cost, billing_currency FROM cost_daily) t`,
  );
  return `${items?.h}:${items?.n}:${daily?.h}`;
}

async function sums(sourceName: string) {
  return sql<{ bp: string; currency: string; billed: string; effective: string; n: string }>(
    url,
    `SELECT to_char(billing_period_start AT TIME ZONE 'UTC', 'YYYY-MM') AS bp, billing_currency AS currency,
            sum(billed_cost)::text AS billed, sum(effective_cost)::text AS effective, count(*)::text AS n
       FROM cost_line_items c JOIN billing_sources s ON s.id = c.source_id
      WHERE s.name = $1 GROUP BY 1, 2 ORDER BY 1, 2`,
    [sourceName],
  );
}

describe('ingest pipeline', () => {
  beforeAll(async () => {
    url = await useTestDatabase();
    dir = await tempDir('burnrate-pipeline-');
  });

  const janFeb: Line[] = [
    { bp: '2024-01', day: '2024-01-01', billed: '10.000000001', effective: '9.5' },
    { bp: '2024-01', day: '2024-01-31', billed: '0.1', effective: '0.1' },
    { bp: '2024-01', day: '2024-01-31', billed: '0.2', effective: '0.2' },
    { bp: '2024-01', day: '2024-01-15', billed: '5', effective: '5', currency: 'EUR' },
    { bp: '2024-02', day: '2024-02-29', billed: '1234567890.123456789', effective: '1234567890.123456789' },
  ];

  it('stores exact decimals per currency and a matching daily rollup', async () => {
    const summary = await ingestFile({ file: await file('a.csv', focusCsv(janFeb)), sourceName: 'exact' });
    expect(summary.format).toBe('focus');
    expect(summary.rows).toBe(5);
    expect(summary.billingPeriods).toEqual(['2024-01-01', '2024-02-01']);
    const usd = summary.totals.find((t) => t.currency === 'USD');
    expect(usd?.billedCost).toBe('1234567900.423456790');
    expect(summary.totals.find((t) => t.currency === 'EUR')?.billedCost).toBe('5');
    const daily = await sql<{ currency: string; billed: string }>(
      url,
      `SELECT billing_currency AS currency, sum(billed_cost)::text AS billed FROM cost_daily d JOIN billing_sources s ON s.id = d.source_id
        WHERE s.name = 'exact' GROUP BY 1 ORDER BY 1`,
    );
    expect(daily).toEqual([
      { currency: 'EUR', billed: '5' },
      { currency: 'USD', billed: '1234567900.423456790' },
    ]);
    const [days] = await sql<{ n: string }>(url, `SELECT count(DISTINCT day)::text AS n FROM cost_daily WHERE source_id = $1`, [
      summary.sourceId,
    ]);
    expect(days?.n).toBe('4');
  });

  it('re-ingesting the same file replaces its billing periods instead of doubling them', async () => {
    const p = await file('idem.csv', focusCsv(janFeb));
    const first = await ingestFile({ file: p, sourceName: 'idem' });
    const before = await sums('idem');
    const second = await ingestFile({ file: p, sourceName: 'idem' });
    expect(second.replacedRows).toBe(first.rows);
    expect(await sums('idem')).toEqual(before);
    const [daily] = await sql<{ billed: string }>(
      url,
      `SELECT sum(billed_cost)::text AS billed FROM cost_daily d JOIN billing_sources s ON s.id = d.source_id WHERE s.name = 'idem' AND billing_currency = 'USD'`,
    );
    expect(daily?.billed).toBe('1234567900.423456790');
  });

  it('a restated month replaces that month only', async () => {
    await ingestFile({ file: await file('orig.csv', focusCsv(janFeb)), sourceName: 'restate' });
    const restated = await ingestFile({
      file: await file('jan-restated.csv', focusCsv([{ bp: '2024-01', day: '2024-01-02', billed: '7.77', effective: '7' }])),
      sourceName: 'restate',
    });
    expect(restated.replacedRows).toBe(4);
    expect(await sums('restate')).toEqual([
      { bp: '2024-01', currency: 'USD', billed: '7.77', effective: '7', n: '1' },
      { bp: '2024-02', currency: 'USD', billed: '1234567890.123456789', effective: '1234567890.123456789', n: '1' },
    ]);
    // The rollup lost the days that only the replaced rows had.
    const days = await sql<{ day: string }>(
      url,
      `SELECT DISTINCT day::text FROM cost_daily d JOIN billing_sources s ON s.id = d.source_id WHERE s.name = 'restate' ORDER BY 1`,
    );
    expect(days.map((d) => d.day)).toEqual(['2024-01-02', '2024-02-29']);
  });

  it('other sources are untouched by a re-ingest', async () => {
    await ingestFile({ file: await file('kept.csv', focusCsv(janFeb)), sourceName: 'kept' });
    const before = await sums('kept');
    expect(before).toHaveLength(3);
    await ingestFile({ file: await file('b.csv', focusCsv(janFeb)), sourceName: 'another' });
    await ingestFile({ file: await file('b2.csv', focusCsv(janFeb.slice(0, 1))), sourceName: 'another' });
    expect(await sums('another')).toEqual([
      { bp: '2024-01', currency: 'USD', billed: '10.000000001', effective: '9.5', n: '1' },
      expect.objectContaining({ bp: '2024-02' }),
    ]);
    expect(await sums('kept')).toEqual(before);
  });

  it('a malformed value fails with file, line and value, and leaves the database unchanged', async () => {
    await ingestFile({ file: await file('good.csv', focusCsv(janFeb)), sourceName: 'malformed' });
    const before = await snapshot();
    expect(before).not.toMatch(/:0:/);
    const lines: Line[] = [];
    for (let i = 0; i < 20_000; i++) lines.push({ bp: '2024-01', day: '2024-01-05', billed: '1.25', effective: '1' });
    lines.push({ bp: '2024-01', day: '2024-01-05', billed: '"12,50"', effective: '1' }); // a European decimal comma
    const p = await file('bad.csv', focusCsv(lines));
    await expect(ingestFile({ file: p, sourceName: 'malformed' })).rejects.toThrow(/bad\.csv, line 20002: .*"12,50"/);
    expect(await snapshot()).toBe(before);
    const runs = await sql<{ status: string; error: string }>(url, `SELECT status, error FROM ingest_runs WHERE file_name = $1`, [p]);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.status).toBe('failed');
    expect(runs[0]?.error).toMatch(/line 20002/);
  });

  it('a bad date and a missing mandatory value are named', async () => {
    await ingestFile({ file: await file('good-dates.csv', focusCsv(janFeb)), sourceName: 'named' });
    const before = await snapshot();
    expect(before).not.toMatch(/:0:/);
    const badDate = focusCsv([{ bp: '2024-01', day: '2024-01-05', billed: '1', effective: '1' }]).replace(
      '2024-01-05T00:00:00Z',
      '2024-02-30T00:00:00Z',
    );
    await expect(ingestFile({ file: await file('date.csv', badDate), sourceName: 'named' })).rejects.toThrow(/line 2: .*2024-02-30/);
    const noCurrency = focusCsv([{ bp: '2024-01', day: '2024-01-05', billed: '1', effective: '1', currency: '' }]);
    await expect(ingestFile({ file: await file('cur.csv', noCurrency), sourceName: 'named' })).rejects.toThrow(
      /line 2: .*(billing_currency|BillingCurrency)/,
    );
    expect(await snapshot()).toBe(before);
  });

  it('an unknown format lists what was expected', async () => {
    const p = await file('unknown.csv', 'a,b,c\n1,2,3\n');
    await expect(ingestFile({ file: p })).rejects.toThrow(/unknown billing export format.*a, b, c.*Expected one of:.*BilledCost/s);
  });

  it('rows of months beyond the first rows end up in their own partitions', async () => {
    const lines: Line[] = [];
    for (let i = 0; i < 5000; i++) lines.push({ bp: '2023-03', day: '2023-03-10', billed: '1', effective: '1' });
    lines.push({ bp: '2023-07', day: '2023-07-04', billed: '2', effective: '2' });
    await ingestFile({ file: await file('late.csv', focusCsv(lines)), sourceName: 'late' });
    const parts = await sql<{ part: string; n: string }>(
      url,
      `SELECT tableoid::regclass::text AS part, count(*)::text AS n FROM cost_line_items c
        WHERE source_id = (SELECT id FROM billing_sources WHERE name = 'late') GROUP BY 1 ORDER BY 1`,
    );
    expect(parts).toEqual([
      { part: 'cost_line_items_y2023m03', n: '5000' },
      { part: 'cost_line_items_y2023m07', n: '1' },
    ]);
    const [dflt] = await sql<{ n: string }>(
      url,
      `SELECT count(*)::text AS n FROM cost_line_items_default WHERE source_id = (SELECT id FROM billing_sources WHERE name = 'late')`,
    );
    expect(dflt?.n).toBe('0');
  });

  it('two ingests of one source racing end with exactly one copy of the data', async () => {
    const p1 = await file('race1.csv', focusCsv(janFeb));
    const p2 = await file('race2.csv', focusCsv(janFeb));
    await Promise.all([ingestFile({ file: p1, sourceName: 'race' }), ingestFile({ file: p2, sourceName: 'race' })]);
    const rows = await sums('race');
    expect(rows.reduce((n, r) => n + Number(r.n), 0)).toBe(5);
  });

  it('the parts of one delivery are ingested as one unit and replace the month together', async () => {
    const part1 = await file('part-1.csv', focusCsv([{ bp: '2024-04', day: '2024-04-01', billed: '1.5', effective: '1' }]));
    const part2 = await file('part-2.csv', focusCsv([{ bp: '2024-04', day: '2024-04-02', billed: '2.5', effective: '2' }]));
    const first = await ingestFile({ file: part1, parts: [part2], sourceName: 'parts' });
    expect(first.rows).toBe(2);
    const again = await ingestFile({ file: part1, parts: [part2], sourceName: 'parts' });
    expect(again.replacedRows).toBe(2);
    expect(await sums('parts')).toEqual([{ bp: '2024-04', currency: 'USD', billed: '4.0', effective: '3', n: '2' }]);
    const badPart = await file('part-bad.csv', focusCsv([{ bp: '2024-04', day: '2024-04-03', billed: 'x', effective: '1' }]));
    const before = await snapshot();
    await expect(ingestFile({ file: part1, parts: [part2, badPart], sourceName: 'parts' })).rejects.toThrow(/part-bad\.csv, line 2: .*"x"/);
    expect(await snapshot()).toBe(before);
  });

  it('two sources that both need a new month at once both land (regression: partition creation race)', async () => {
    const a = await file('new-month-a.csv', focusCsv([{ bp: '2019-02', day: '2019-02-03', billed: '1', effective: '1' }]));
    const b = await file('new-month-b.csv', focusCsv([{ bp: '2019-02', day: '2019-02-04', billed: '2', effective: '2' }]));
    const results = await Promise.all([ingestFile({ file: a, sourceName: 'month-a' }), ingestFile({ file: b, sourceName: 'month-b' })]);
    expect(results.map((r) => r.rows)).toEqual([1, 1]);
    const [part] = await sql<{ n: string }>(url, `SELECT count(*)::text AS n FROM cost_line_items_y2019m02`);
    expect(part?.n).toBe('2');
  });

  it('a billing period the delivery declares is replaced even when the file has no rows for it', async () => {
    const full = await file(
      'declared-full.csv',
      focusCsv([
        { bp: '2024-05', day: '2024-05-03', billed: '4.25', effective: '4' },
        { bp: '2024-06', day: '2024-06-02', billed: '10', effective: '9' },
      ]),
    );
    await ingestFile({ file: full, sourceName: 'declared' });
    const empty = await file('declared-empty.csv', `${HEADER}\n`);
    // Undeclared, an empty file says nothing about any month: nothing changes.
    const silent = await ingestFile({ file: empty, sourceName: 'declared' });
    expect([silent.rows, silent.replacedRows, silent.billingPeriods]).toEqual([0, 0, []]);
    // Declared as June's delivery, it clears June (rows and rollup); May stays.
    const cleared = await ingestFile({ file: empty, sourceName: 'declared', billingPeriods: ['2024-06-01'] });
    expect([cleared.rows, cleared.replacedRows, cleared.billingPeriods, cleared.totals]).toEqual([0, 1, ['2024-06-01'], []]);
    const left = await sql<{ bp: string; billed: string }>(
      url,
      `SELECT to_char(billing_period_start AT TIME ZONE 'UTC', 'YYYY-MM') AS bp, sum(billed_cost)::text AS billed
         FROM cost_line_items WHERE source_id = $1 GROUP BY 1`,
      [cleared.sourceId],
    );
    expect(left).toEqual([{ bp: '2024-05', billed: '4.25' }]);
    const daily = await sql<{ bp: string }>(
      url,
      `SELECT DISTINCT to_char(billing_period_start, 'YYYY-MM') AS bp FROM cost_daily WHERE source_id = $1`,
      [cleared.sourceId],
    );
    expect(daily).toEqual([{ bp: '2024-05' }]);
    await expect(ingestFile({ file: empty, sourceName: 'declared', billingPeriods: ['June 2024'] })).rejects.toThrow(
      'the delivery\'s billing period "June 2024" is not a YYYY-MM-DD date',
    );
  });
});
