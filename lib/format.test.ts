import { describe, expect, it } from 'vitest';
import {
  formatCount,
  formatDayRange,
  formatHours,
  formatMeasure,
  formatMoney,
  formatMoneyAxis,
  formatMoneyList,
  formatMonthShort,
  formatPercentChange,
  formatQuantity,
  formatShare,
  INVALID_NUMBER,
} from './format';

const nbsp = (s: string) => s.replace(/\u00a0/g, ' ');

describe('formatMoney formats the decimal string exactly', () => {
  it('rounds half away from zero on the exact decimal, like SQL round()', () => {
    expect(nbsp(formatMoney('1.005', 'USD'))).toBe('USD 1.01');
    expect(nbsp(formatMoney('2.675', 'USD'))).toBe('USD 2.68'); // 2.675 as a float is 2.67499…
    expect(nbsp(formatMoney('-0.125', 'EUR'))).toBe('-EUR 0.13');
  });

  it('keeps every cent past 2^53 cents', () => {
    expect(nbsp(formatMoney('90071992547409.93', 'USD'))).toBe('USD 90,071,992,547,409.93');
    expect(nbsp(formatMoney('12345678901234567890.125', 'USD'))).toBe('USD 12,345,678,901,234,567,890.13');
  });

  it("uses the currency's minor unit and shows no sign for an amount that rounds to zero", () => {
    expect(nbsp(formatMoney('1234.5', 'JPY'))).toBe('JPY 1,235');
    expect(nbsp(formatMoney('1.2345', 'BHD'))).toBe('BHD 1.235');
    expect(nbsp(formatMoney('-0.004', 'USD'))).toBe('USD 0.00');
    expect(nbsp(formatMoney('12', 'USD', { sign: 'always' }))).toBe('+USD 12.00');
    expect(nbsp(formatMoney('0.001', 'USD', { sign: 'always' }))).toBe('USD 0.00');
  });

  it('lists currencies side by side instead of adding them', () => {
    expect(
      nbsp(
        formatMoneyList([
          { amount: '1234.56', currency: 'USD' },
          { amount: '78.9', currency: 'EUR' },
        ]),
      ),
    ).toBe('USD 1,234.56 · EUR 78.90');
  });

  it('shows an explicit marker, never ∞ or NaN, for what is not a finite decimal', () => {
    expect(formatMoney('1,234.00', 'USD')).toBe('USD ⚠ invalid number');
    expect(formatMoney('NaN', 'USD')).toBe('USD ⚠ invalid number');
    expect(formatMoney('Infinity', 'USD')).toBe('USD ⚠ invalid number');
    // A decimal string Intl can only print as ∞ (the ingest refuses such amounts; this guards the page).
    expect(formatMoney('1e400', 'USD')).toBe('USD ⚠ invalid number');
    expect(formatMoney('-1e309', 'EUR', { sign: 'always' })).toBe('EUR ⚠ invalid number');
    expect(formatMoneyList([{ amount: '1e400', currency: 'USD' }])).toBe('USD ⚠ invalid number');
    expect(formatMoneyAxis(Number.POSITIVE_INFINITY, 'USD')).toBe('USD ⚠ invalid number');
    expect(formatMoneyAxis(Number.NaN, 'USD')).toBe('USD ⚠ invalid number');
    expect(formatPercentChange('1e999')).toBe('⚠ invalid number');
    expect(formatShare('NaN')).toBe('⚠ invalid number');
    expect(formatCount(Number.POSITIVE_INFINITY)).toBe('⚠ invalid number');
    expect(formatCount('1e400')).toBe('⚠ invalid number');
    expect(formatHours('5954.2348')).toBe('5,954.2');
    expect(formatHours('30')).toBe('30');
    expect(formatHours('NaN')).toBe('⚠ invalid number');
    // The largest amount the ingest accepts still prints in full.
    expect(nbsp(formatMoney('99999999999999999999999999999999999999.99', 'USD'))).toBe(
      'USD 99,999,999,999,999,999,999,999,999,999,999,999,999.99',
    );
  });
});

describe('other formats', () => {
  it('formats percentages and shares', () => {
    expect(formatPercentChange('2.04')).toBe('+2.0%');
    expect(formatPercentChange('-25.0')).toBe('-25.0%');
    expect(formatPercentChange('0.0')).toBe('0.0%');
    expect(formatShare('46.55')).toBe('46.6%');
  });

  it('formats UTC day ranges and month labels', () => {
    expect(nbsp(formatDayRange({ from: '2026-11-01', to: '2026-11-23' })).replace(/\u2009/g, ' ')).toBe('Nov 1 – 23, 2026');
    expect(formatMonthShort('2025-11')).toBe('Nov ’25');
  });
});

describe('formatMeasure', () => {
  it('writes each unit of the metrics and rule parameters', () => {
    expect(formatMeasure(12.345, 'percent')).toBe('12.35%');
    expect(formatMeasure(1536, 'bytes')).toBe('1.5 KiB');
    expect(formatMeasure(3 * 1024 ** 3, 'bytes')).toBe('3 GiB');
    expect(formatMeasure(380, 'bytes/s')).toBe('380 B/s');
    expect(formatMeasure(1, 'days')).toBe('1 day');
    expect(formatMeasure(30, 'days')).toBe('30 days');
    expect(formatMeasure(0.2, 'ratio')).toBe('0.2');
    expect(formatMeasure(7, 'requests/s')).toBe('7 requests/s');
    expect(formatMeasure(Number.NaN, 'percent')).toBe(INVALID_NUMBER);
  });
});

describe('formatQuantity', () => {
  it('groups digits, keeps up to 3 decimals and names the unit', () => {
    expect(formatQuantity('1234.5678', 'Hrs')).toBe('1,234.568 Hrs');
    expect(formatQuantity('100', 'GB-Mo')).toBe('100 GB-Mo');
    expect(formatQuantity('0.5', '')).toBe('0.5');
  });
});
