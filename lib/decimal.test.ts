// The decimal module against literals worked out by hand, and against BigInt arithmetic on
// integers written out in the test (never against itself).
import { describe, expect, it } from 'vitest';
import {
  addDecimals,
  compareDecimals,
  divideDecimals,
  fromScaled,
  multiplyDecimals,
  subtractDecimals,
  toScaled,
  trimDecimal,
} from './decimal';
import { ValueError } from './focus/normalize';

describe('toScaled', () => {
  it.each([
    ['0', 0n, 0],
    ['1.50', 150n, 2],
    ['-0.005', -5n, 3],
    ['+12', 12n, 0],
    ['.5', 5n, 1],
    ['7.', 7n, 0],
    ['1.5E-3', 15n, 4],
    ['12e2', 1200n, 0],
    ['-2.5e+1', -25n, 0],
    ['1.25e1', 125n, 1],
    [' 3.10 ', 310n, 2],
    ['123456789012345678901234567890.123456789', 123456789012345678901234567890123456789n, 9],
  ] as const)('%j is %s × 10^-%i', (text, unscaled, scale) => {
    expect(toScaled(text)).toEqual([unscaled, scale]);
  });

  it.each(['', '-', '.', 'e5', '1,5', '1.2.3', 'NaN', 'Infinity', '0x10', '1e'])('refuses %j with a ValueError naming it', (text) => {
    expect(() => toScaled(text)).toThrow(ValueError);
    expect(() => toScaled(text)).toThrow(`not a decimal number: ${JSON.stringify(text)}`);
  });
});

describe('fromScaled', () => {
  it.each([
    [123450000000001n, 10, '12345.0000000001'],
    [-5n, 3, '-0.005'],
    [0n, 2, '0.00'],
    [150n, 2, '1.50'],
    [42n, 0, '42'],
    [42n, -2, '4200'],
    [0n, -3, '0'],
    [-1n, 9, '-0.000000001'],
    [9007199254740993000000001n, 9, '9007199254740993.000000001'],
  ] as const)('%s × 10^-%i is %j', (unscaled, scale, text) => {
    expect(fromScaled(unscaled, scale)).toBe(text);
  });
});

describe('trimDecimal', () => {
  it.each([
    ['1.500', '1.5'],
    ['100', '100'],
    ['100.00', '100'],
    ['0.000', '0'],
    ['-0.00', '0'],
    ['-0', '0'],
    ['-0.0100', '-0.01'],
    ['10', '10'],
  ])('%j is %j', (text, trimmed) => {
    expect(trimDecimal(text)).toBe(trimmed);
  });
});

describe('addDecimals', () => {
  it('sums exactly at the largest scale of its inputs, as sum(numeric) does', () => {
    expect(addDecimals([])).toBe('0');
    expect(addDecimals(['0.1', '0.2'])).toBe('0.3'); // 0.30000000000000004 in floats
    expect(addDecimals(['1.10', '2.2', '-0.005'])).toBe('3.295');
    expect(addDecimals(['1.5E-3', '2'])).toBe('2.0015');
    expect(addDecimals(['12e2', '0.50'])).toBe('1200.50');
    expect(addDecimals(['-1.00', '1'])).toBe('0.00');
    expect(addDecimals(['9007199254740993', '0.000000001'])).toBe('9007199254740993.000000001');
  });

  it('agrees with BigInt sums of whole 10^-6 units on 2,000 random values', () => {
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const values: string[] = [];
    let units = 0n; // the expected sum in 10^-6 units, added as integers
    for (let i = 0; i < 2000; i++) {
      const whole = BigInt(Math.floor(rand() * 1e12));
      const micros = BigInt(Math.floor(rand() * 1e6));
      const negative = rand() < 0.3;
      const n = whole * 1_000_000n + micros;
      units += negative ? -n : n;
      values.push(`${negative ? '-' : ''}${whole}.${micros.toString().padStart(6, '0')}`);
    }
    const abs = units < 0n ? -units : units;
    const expected = `${units < 0n ? '-' : ''}${abs / 1_000_000n}.${(abs % 1_000_000n).toString().padStart(6, '0')}`;
    expect(addDecimals(values)).toBe(expected);
  });
});

describe('multiplyDecimals', () => {
  it.each([
    ['0.1', '3', '0.3'],
    ['0.0589', '1.0', '0.0589'],
    ['1.5E-3', '2', '0.003'],
    ['-2.50', '0.4', '-1'],
    ['0.000000144', '1.36', '0.00000019584'],
    ['-0.5', '0', '0'],
    ['25', '4', '100'],
    ['123456789.123456789', '1000000000', '123456789123456789'],
  ])('%s × %s is %s', (a, b, product) => {
    expect(multiplyDecimals(a, b)).toBe(product);
  });
});

describe('divideDecimals', () => {
  it.each([
    ['0.504', '1.008', 6, '0.5'],
    ['1', '3', 6, '0.333333'],
    ['2', '3', 6, '0.666667'],
    ['-2', '3', 2, '-0.67'],
    ['5.672', '-1.006', 4, '-5.6382'],
    ['0.0005', '1', 3, '0.001'],
    // Ties round away from zero on both sides (PostgreSQL's round(numeric)); lib/fx/convert.ts relies on it.
    ['-0.0005', '1', 3, '-0.001'],
    ['-0.0015', '1', 3, '-0.002'],
    ['0.00049', '1', 3, '0'],
    ['98.32', '98.32', 6, '1'],
    ['1.5E-3', '0.5', 4, '0.003'],
  ])('%s ÷ %s to %i digits is %s (worked out by hand)', (a, b, digits, expected) => {
    expect(divideDecimals(a, b, digits)).toBe(expected);
  });

  it('refuses a zero divisor, naming both operands', () => {
    expect(() => divideDecimals('1', '0.00', 2)).toThrow('cannot divide 1 by 0.00');
  });
});

describe('compareDecimals', () => {
  it('compares exactly across scales and signs', () => {
    expect(compareDecimals('0.10', '0.1')).toBe(0);
    expect(compareDecimals('0.0832', '0.096')).toBe(-1);
    expect(compareDecimals('1E2', '99.999999999')).toBe(1);
    expect(compareDecimals('-0.5', '0')).toBe(-1);
    // Beyond a double's precision: 2^53 + 1 against 2^53.
    expect(compareDecimals('9007199254740993', '9007199254740992')).toBe(1);
  });
});

describe('subtractDecimals', () => {
  it('is exact at the larger scale, either sign', () => {
    expect(subtractDecimals('5.25', '2.5')).toBe('2.75');
    expect(subtractDecimals('2.5', '5.25')).toBe('-2.75');
    expect(subtractDecimals('0.1', '0.1')).toBe('0.0');
    expect(subtractDecimals('100', '0.001')).toBe('99.999');
    expect(subtractDecimals('-1', '12345678901234567890.5')).toBe('-12345678901234567891.5');
  });
});
