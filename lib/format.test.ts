import { describe, expect, it } from 'vitest';
import { formatDayRange, formatMoney, formatMoneyList, formatMonthShort, formatPercentChange, formatShare } from './format';

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

  it('refuses non-decimal input instead of printing NaN', () => {
    expect(() => formatMoney('1,234.00', 'USD')).toThrow(/not a decimal/);
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
