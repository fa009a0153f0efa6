// Expected figures are literals: the exact ones worked out by hand (1081.1 ÷ 1.0811 = 1000), the
// rounded ones computed apart from lib/decimal.ts with Python's decimal module (60 digits,
// ROUND_HALF_UP, quantize(1e-12)), e.g. 100 × 0.8551 / 1.0811 = 79.095365831098|4… → 79.095365831098.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONVERSION_SCALE, convertAmounts, DEFAULT_LOOKBACK_DAYS, indexRates, resolveRate } from './convert';
import { parseFxFile } from './parse';

// The ECB's lines 2024-03-25 to 2024-04-05: no rates 2024-03-29 to 2024-04-01 (Easter, TARGET holidays).
const ECB = parseFxFile(readFileSync('tests/fixtures/fx/ecb-hist-2024-03-25-to-04-05.csv', 'utf8'), { file: 'ecb' }).rates;
const index = indexRates(ECB);

describe('resolveRate: direct, inverse, cross through EUR, with the lookback', () => {
  it('EUR→USD is the ECB value itself (direct, exact)', () => {
    expect(resolveRate(index, '2024-03-28', 'EUR', 'USD')).toEqual({
      day: '2024-03-28',
      from: 'EUR',
      to: 'USD',
      rateDay: '2024-03-28',
      method: 'direct',
      via: null,
      rate: '1.0811',
      legs: [{ day: '2024-03-28', base: 'EUR', quote: 'USD', rate: '1.0811' }],
    });
  });

  it('USD→EUR is 1 ÷ 1.0811 (inverse), rounded at 12 places', () => {
    expect(resolveRate(index, '2024-03-28', 'USD', 'EUR')).toMatchObject({ method: 'inverse', rate: '0.924983812783' });
  });

  it('USD→GBP is GBP/EUR ÷ USD/EUR (cross through EUR): 0.8551 ÷ 1.0811', () => {
    expect(resolveRate(index, '2024-03-28', 'USD', 'GBP')).toMatchObject({
      method: 'cross',
      via: 'EUR',
      rate: '0.790953658311',
      legs: [
        { day: '2024-03-28', base: 'EUR', quote: 'USD', rate: '1.0811' },
        { day: '2024-03-28', base: 'EUR', quote: 'GBP', rate: '0.8551' },
      ],
    });
  });

  it('Good Friday to Easter Monday use the rates of Thursday 2024-03-28; Tuesday has its own', () => {
    for (const day of ['2024-03-29', '2024-03-30', '2024-03-31', '2024-04-01'])
      expect(resolveRate(index, day, 'EUR', 'USD')).toMatchObject({ day, rateDay: '2024-03-28', rate: '1.0811' });
    expect(resolveRate(index, '2024-04-02', 'EUR', 'USD')).toMatchObject({ rateDay: '2024-04-02', rate: '1.0749' });
  });

  it(`looks back at most ${DEFAULT_LOOKBACK_DAYS} days: 2024-04-12 gets 2024-04-05's rate, 2024-04-13 none`, () => {
    expect(resolveRate(index, '2024-04-12', 'EUR', 'USD')).toMatchObject({ rateDay: '2024-04-05', rate: '1.0841' });
    expect(resolveRate(index, '2024-04-13', 'EUR', 'USD')).toBeNull();
    expect(resolveRate(index, '2024-03-30', 'EUR', 'USD', 1)).toBeNull();
    // Never a later day's rate: the days before the first line have none.
    expect(resolveRate(index, '2024-03-24', 'EUR', 'USD')).toBeNull();
  });

  it('a currency the file marks N/A (HRK) or does not quote (AED) has no rate', () => {
    expect(resolveRate(index, '2024-03-28', 'HRK', 'EUR')).toBeNull();
    expect(resolveRate(index, '2024-03-28', 'AED', 'USD')).toBeNull();
  });

  it('the most recent day wins over a more direct path, and a direct pair over a cross on the same day', () => {
    const mixed = indexRates([
      ...ECB,
      { day: '2024-03-27', base: 'USD', quote: 'GBP', rate: '0.79' },
      { day: '2024-04-02', base: 'USD', quote: 'GBP', rate: '0.7955' },
    ]);
    expect(resolveRate(mixed, '2024-03-28', 'USD', 'GBP')).toMatchObject({ rateDay: '2024-03-28', method: 'cross' });
    expect(resolveRate(mixed, '2024-04-02', 'USD', 'GBP')).toMatchObject({ method: 'direct', rate: '0.7955' });
    expect(resolveRate(mixed, '2024-04-02', 'GBP', 'USD')).toMatchObject({ method: 'inverse' });
  });
});

describe('convertAmounts', () => {
  it('converts per day into USD, says which rates it used, and reports what it could not convert', () => {
    const result = convertAmounts(
      [
        { day: '2024-03-28', currency: 'EUR', amount: '1000' },
        { day: '2024-03-28', currency: 'USD', amount: '19.99' },
        { day: '2024-03-28', currency: 'JPY', amount: '4000' },
        { day: '2024-03-28', currency: 'JPY', amount: '6000' }, // added to the line above first
        { day: '2024-03-29', currency: 'GBP', amount: '10' }, // Good Friday: 2024-03-28's rates
        { day: '2024-03-29', currency: 'HRK', amount: '75.5' }, // N/A in the ECB file
        { day: '2024-04-20', currency: 'EUR', amount: '3' }, // 15 days after the last line
        { day: '2024-04-20', currency: 'USD', amount: '2.5' },
      ],
      'USD',
      ECB,
    );
    expect(result.currency).toBe('USD');
    expect(result.scale).toBe(CONVERSION_SCALE);
    // 2024-03-28: 1000 × 1.0811 = 1081.1; 19.99 as is; 10000 JPY × 1.0811 / 163.45 = 66.142551238911.
    //   1081.1 + 19.99 + 66.142551238911 = 1167.232551238911
    // 2024-03-29: 10 GBP × 1.0811 / 0.8551 = 12.642965735002 (Python); HRK left out.
    // 2024-04-20: EUR has no rate within 7 days; 2.5 USD as is.
    expect(result.days).toEqual([
      { day: '2024-03-28', total: '1167.232551238911', complete: true },
      { day: '2024-03-29', total: '12.642965735002', complete: false },
      { day: '2024-04-20', total: '2.5', complete: false },
    ]);
    // 1167.232551238911 + 12.642965735002 + 2.5
    expect(result.total).toBe('1182.375516973913');
    expect(result.missing).toEqual([
      { day: '2024-03-29', currency: 'HRK', amount: '75.5' },
      { day: '2024-04-20', currency: 'EUR', amount: '3' },
    ]);
    expect(result.rates.map((r) => `${r.day} ${r.from}→${r.to} ${r.method} ${r.rate} of ${r.rateDay}`)).toEqual([
      '2024-03-28 EUR→USD direct 1.0811 of 2024-03-28',
      '2024-03-28 JPY→USD cross 0.006614255124 of 2024-03-28',
      // 1.0811 ÷ 0.8551 = 1.264296573500 at 12 places, written without trailing zeros.
      '2024-03-29 GBP→USD cross 1.2642965735 of 2024-03-28',
    ]);
  });

  it('into EUR: the inverse is exact where it divides (1081.1 USD is 1000 EUR); negative amounts round away from zero', () => {
    const result = convertAmounts(
      [
        { day: '2024-03-28', currency: 'USD', amount: '1081.1' },
        { day: '2024-04-02', currency: 'USD', amount: '-1' },
      ],
      'EUR',
      ECB,
    );
    // −1 ÷ 1.0749 = −0.930319099451|0… (Python)
    expect(result.days.map((d) => d.total)).toEqual(['1000', '-0.930319099451']);
    expect(result.missing).toEqual([]);
  });

  it('cross amounts are computed from the stored rates, not from the rounded cross rate', () => {
    // 100 × 0.8551 / 1.0811 = 79.095365831098 (Python); 100 × the rounded 0.790953658311 would be 79.0953658311.
    expect(convertAmounts([{ day: '2024-03-28', currency: 'USD', amount: '100' }], 'GBP', ECB).total).toBe('79.095365831098');
    // −40 × 0.8551 / 1.0811 = −31.638146332439 (Python)
    expect(convertAmounts([{ day: '2024-03-28', currency: 'USD', amount: '-40' }], 'GBP', ECB).total).toBe('-31.638146332439');
  });

  it('nothing to convert, or no rates at all: every foreign amount is missing, none counted as 1', () => {
    expect(convertAmounts([], 'USD', ECB)).toMatchObject({ days: [], total: '0', rates: [], missing: [] });
    const none = convertAmounts([{ day: '2024-03-28', currency: 'EUR', amount: '5' }], 'USD', []);
    expect(none).toMatchObject({ total: '0', days: [{ day: '2024-03-28', total: '0', complete: false }] });
    expect(none.missing).toEqual([{ day: '2024-03-28', currency: 'EUR', amount: '5' }]);
  });

  it('refuses input that is not a day, a currency code or a decimal, and an unreasonable lookback', () => {
    expect(() => convertAmounts([{ day: '2024-3-28', currency: 'EUR', amount: '1' }], 'USD', ECB)).toThrow(/day "2024-3-28"/);
    expect(() => convertAmounts([{ day: '2024-03-28', currency: 'eur', amount: '1' }], 'USD', ECB)).toThrow(/currency "eur"/);
    expect(() => convertAmounts([{ day: '2024-03-28', currency: 'EUR', amount: '1,5' }], 'USD', ECB)).toThrow(/not a decimal number/);
    expect(() => convertAmounts([], 'usd', ECB)).toThrow(/reporting currency/);
    expect(() => convertAmounts([], 'USD', ECB, { lookbackDays: 400 })).toThrow(/lookbackDays/);
  });
});
