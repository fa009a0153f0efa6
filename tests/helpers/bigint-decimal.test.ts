// The tests' decimal oracle against literals worked out by hand.
import { describe, expect, it } from 'vitest';
import { canonicalDecimal, numericText, sumDecimals, unscaledText } from './bigint-decimal';

describe('the tests’ decimal oracle', () => {
  it('sums at the largest input scale', () => {
    expect(sumDecimals([])).toBe('0');
    expect(sumDecimals(['0.1', '0.2'])).toBe('0.3');
    expect(sumDecimals(['1.10', '-2.2', '0.005'])).toBe('-1.095');
    expect(sumDecimals(['1.5E-3', '+2'])).toBe('2.0015');
    expect(sumDecimals(['-0.5', '0.50'])).toBe('0.00');
  });

  it('writes numerics as PostgreSQL prints them, and canonically for comparisons', () => {
    expect(numericText('12e2')).toBe('1200');
    expect(numericText('-.5')).toBe('-0.5');
    expect(numericText('7.')).toBe('7');
    expect(unscaledText(-5n, 3)).toBe('-0.005');
    expect(unscaledText(42n, -2)).toBe('4200');
    expect(canonicalDecimal('1.500')).toBe('1.5');
    expect(canonicalDecimal('-0.000')).toBe('0');
    expect(canonicalDecimal('2.5E+2')).toBe('250');
    expect(canonicalDecimal(null)).toBeNull();
  });

  it('refuses what is not a decimal', () => {
    expect(() => sumDecimals(['1,5'])).toThrow(/not a decimal/);
    expect(() => sumDecimals(['.'])).toThrow(/no digits/);
    expect(() => sumDecimals(['1e'])).toThrow(/bad exponent/);
  });
});
