// The FX store on a real PostgreSQL: a file is stored whole or not at all, a reload replaces the
// same days and pairs and says how many rates were new, changed or unchanged (in the audit line
// too), the loaded ranges per pair, and conversion with the stored rates checked against
// PostgreSQL's own numeric arithmetic (an implementation apart from lib/decimal.ts) and literals.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import type { Actor } from '../auth/actor';
import { getPool } from '../db/pool';
import { convertAmounts } from './convert';
import { FxFileError, parseFxFile } from './parse';
import { convertWithStoredRates, importFxFile, listRateRanges, ratesFor, storeRates } from './store';

const CLI: Actor = { kind: 'cli', osUser: 'finance-test' };
const HIST = readFileSync('tests/fixtures/fx/ecb-hist-2024-03-25-to-04-05.csv', 'utf8');

let url: string;
beforeAll(async () => {
  url = await useTestDatabase();
});

async function auditLines() {
  return sql<{
    actor_kind: string;
    actor_detail: string | null;
    action: string;
    object_id: string;
    outcome: string;
    detail: Record<string, unknown>;
  }>(url, `SELECT actor_kind, actor_detail, action, object_id, outcome, detail FROM audit_log WHERE action = 'fx_rates.load' ORDER BY id`);
}

describe('storing rates', () => {
  it('loads the ECB excerpt whole, then a reload changes nothing and says so', async () => {
    const first = await importFxFile(HIST, { file: 'eurofxref-hist.csv', actor: CLI });
    expect(first).toMatchObject({
      format: 'ecb',
      rates: 240,
      inserted: 240,
      changed: 0,
      unchanged: 0,
      pairs: 30,
      firstDay: '2024-03-25',
      lastDay: '2024-04-05',
      notAvailable: 88,
    });
    const [row] = await sql<{ rate: string; source_file: string; source_format: string; loaded_by: string }>(
      url,
      `SELECT rate::text AS rate, source_file, source_format, loaded_by FROM fx_rates WHERE day = '2024-03-28' AND base = 'EUR' AND quote = 'USD'`,
    );
    expect(row).toEqual({ rate: '1.0811', source_file: 'eurofxref-hist.csv', source_format: 'ecb', loaded_by: 'cli' });

    const again = await importFxFile(HIST, { file: 'eurofxref-hist.csv', actor: CLI });
    expect(again).toMatchObject({ inserted: 0, changed: 0, unchanged: 240 });
    const [{ n }] = (await sql<{ n: string }>(url, 'SELECT count(*)::text AS n FROM fx_rates')) as [{ n: string }];
    expect(n).toBe('240');

    const lines = await auditLines();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      actor_kind: 'cli',
      actor_detail: 'finance-test',
      object_id: 'eurofxref-hist.csv',
      outcome: 'ok',
      detail: {
        file: 'eurofxref-hist.csv',
        format: 'ecb',
        rates: 240,
        new: 240,
        changed: 0,
        unchanged: 0,
        pairs: 30,
        firstDay: '2024-03-25',
        lastDay: '2024-04-05',
      },
    });
    expect(lines[1]?.detail).toMatchObject({ new: 0, changed: 0, unchanged: 240 });
  });

  it('a simple file replaces the same day and pair (changed) and adds the others (new); the rows name their last load', async () => {
    const text =
      'date,from,to,rate\n2024-03-28,EUR,USD,1.0812\n2024-03-28,EUR,GBP,0.8551\n2024-04-08,EUR,USD,1.0823\n2024-04-08,USD,JPY,151.92\n';
    const s = await importFxFile(text, {
      file: 'treasury.csv',
      actor: { kind: 'user', userId: 'u_fin', email: 'fin@example.test', role: 'finance', via: 'session', ip: null },
    });
    expect(s).toMatchObject({
      format: 'simple',
      rates: 4,
      inserted: 2,
      changed: 1,
      unchanged: 1,
      pairs: 3,
      firstDay: '2024-03-28',
      lastDay: '2024-04-08',
    });
    const rows = await sql<{ day: string; base: string; quote: string; rate: string; source_file: string; loaded_by: string }>(
      url,
      `SELECT day::text, base, quote, rate::text AS rate, source_file, loaded_by FROM fx_rates
        WHERE (day = '2024-03-28' AND quote IN ('USD', 'GBP')) OR day = '2024-04-08' ORDER BY day, base, quote`,
    );
    expect(rows).toEqual([
      { day: '2024-03-28', base: 'EUR', quote: 'GBP', rate: '0.8551', source_file: 'treasury.csv', loaded_by: 'u_fin' },
      { day: '2024-03-28', base: 'EUR', quote: 'USD', rate: '1.0812', source_file: 'treasury.csv', loaded_by: 'u_fin' },
      { day: '2024-04-08', base: 'EUR', quote: 'USD', rate: '1.0823', source_file: 'treasury.csv', loaded_by: 'u_fin' },
      { day: '2024-04-08', base: 'USD', quote: 'JPY', rate: '151.92', source_file: 'treasury.csv', loaded_by: 'u_fin' },
    ]);
    expect((await auditLines()).at(-1)).toMatchObject({ actor_kind: 'user', detail: { new: 2, changed: 1, unchanged: 1 } });
    // Put the ECB's value back for the conversions below.
    await importFxFile('date,from,to,rate\n2024-03-28,EUR,USD,1.0811\n', { file: 'fix.csv', actor: CLI });
  });

  it('a refused file stores nothing and writes no ok line; a write that fails half way rolls back whole', async () => {
    const before = await sql<{ n: string }>(url, 'SELECT count(*)::text AS n FROM fx_rates');
    const lines = (await auditLines()).length;
    await expect(
      importFxFile('date,from,to,rate\n2024-05-02,EUR,USD,1.07\n2024-05-02,EUR,USD,0\n', { file: 'bad.csv', actor: CLI }),
    ).rejects.toBeInstanceOf(FxFileError);
    // Past the parser (a caller's bug): the table's CHECK refuses the zero rate; the transaction rolls back whole.
    await expect(
      storeRates({
        file: 'direct.csv',
        format: 'simple',
        actor: CLI,
        rates: [
          { day: '2024-05-03', base: 'EUR', quote: 'USD', rate: '1.07' },
          { day: '2024-05-03', base: 'EUR', quote: 'GBP', rate: '0' },
        ],
      }),
    ).rejects.toThrow(/fx_rates_rate_check/);
    expect(await sql<{ n: string }>(url, 'SELECT count(*)::text AS n FROM fx_rates')).toEqual(before);
    expect((await auditLines()).length).toBe(lines);
  });

  it('lists each pair with its first and last day, days and last load', async () => {
    const ranges = await listRateRanges();
    expect(ranges).toHaveLength(31);
    expect(ranges.find((r) => r.base === 'EUR' && r.quote === 'USD')).toMatchObject({
      firstDay: '2024-03-25',
      lastDay: '2024-04-08',
      days: 9,
      lastFile: 'fix.csv',
    });
    expect(ranges.find((r) => r.base === 'EUR' && r.quote === 'ZAR')).toMatchObject({
      firstDay: '2024-03-25',
      lastDay: '2024-04-05',
      days: 8,
      lastFile: 'eurofxref-hist.csv',
    });
    expect(ranges.find((r) => r.base === 'USD')).toMatchObject({ quote: 'JPY', firstDay: '2024-04-08', lastDay: '2024-04-08', days: 1 });
    expect(ranges.map((r) => `${r.base}${r.quote}`)).toEqual([...ranges.map((r) => `${r.base}${r.quote}`)].sort());
  });
});

describe('converting with the stored rates', () => {
  it('1000 EUR and 100 USD on Good Friday 2024 into GBP use the rates of 2024-03-28; a JPY amount a month later is missing', async () => {
    const result = await convertWithStoredRates(
      [
        { day: '2024-03-29', currency: 'EUR', amount: '1000' },
        { day: '2024-03-29', currency: 'USD', amount: '100' },
        { day: '2024-03-29', currency: 'GBP', amount: '0.01' },
        { day: '2024-05-02', currency: 'JPY', amount: '5000' },
      ],
      'GBP',
    );
    // 1000 × 0.8551 = 855.1; 100 × 0.8551 / 1.0811 = 79.095365831098 (Python decimal); + 0.01.
    expect(result.days).toEqual([
      { day: '2024-03-29', total: '934.205365831098', complete: true },
      { day: '2024-05-02', total: '0', complete: false },
    ]);
    expect(result.missing).toEqual([{ day: '2024-05-02', currency: 'JPY', amount: '5000' }]);
    expect(result.rates.map((r) => [r.day, r.from, r.rateDay, r.method])).toEqual([
      ['2024-03-29', 'EUR', '2024-03-28', 'direct'],
      ['2024-03-29', 'USD', '2024-03-28', 'cross'],
    ]);
  });

  it('a day that is not YYYY-MM-DD is refused before any query', async () => {
    await expect(convertWithStoredRates([{ day: '28.03.2024', currency: 'EUR', amount: '1' }], 'USD')).rejects.toThrow(
      /day "28\.03\.2024"/,
    );
  });

  it('a loaded direct pair (USD→JPY on 2024-04-08) is used; JPY→USD on that day is its inverse', async () => {
    const r = await convertWithStoredRates([{ day: '2024-04-08', currency: 'JPY', amount: '151.92' }], 'USD');
    expect(r.total).toBe('1');
    expect(r.rates[0]).toMatchObject({ method: 'inverse', legs: [{ base: 'USD', quote: 'JPY', rate: '151.92' }] });
  });

  it('every ECB currency of every day into USD agrees with PostgreSQL numeric: round(amount × USD / X, 12)', async () => {
    const days = ['2024-03-25', '2024-03-26', '2024-03-27', '2024-03-28', '2024-04-02', '2024-04-03', '2024-04-04', '2024-04-05'];
    const currencies = [...new Set(parseFxFile(HIST, { file: 'x' }).rates.map((r) => r.quote))].filter((c) => c !== 'USD');
    const amount = '98765.4321';
    const expected = await sql<{ day: string; currency: string; usd: string }>(
      url,
      `SELECT x.day::text, x.quote AS currency,
              round(($1::numeric(60, 30) * u.rate) / x.rate, 12)::text AS usd
         FROM fx_rates x JOIN fx_rates u ON u.day = x.day AND u.base = 'EUR' AND u.quote = 'USD'
        WHERE x.base = 'EUR' AND x.quote <> 'USD' AND x.day = ANY($2::date[])
        ORDER BY 1, 2`,
      [amount, days],
    );
    expect(expected).toHaveLength(days.length * currencies.length);
    const rates = await ratesFor(getPool(), { from: days[0] as string, to: days.at(-1) as string, currencies: [...currencies, 'USD'] });
    for (const e of expected) {
      const got = convertAmounts([{ day: e.day, currency: e.currency, amount }], 'USD', rates);
      expect(got.days[0]?.total, `${e.day} ${e.currency}`).toBe(e.usd.replace(/\.?0+$/, ''));
    }
  });
});
