/**
 * Exact decimal arithmetic on decimal strings: the one module for it. Amounts travel as strings
 * ('12.50', '-1.5E-3', as PostgreSQL numeric reads them) and are computed on as BigInt unscaled
 * integers with a scale (digits after the point), never as floats. Checking that a value is a
 * decimal at all (and within an amount's range) is normalize.ts's `decimal()`; this module computes.
 *
 * Hot paths with their own measured implementation, built on these functions where they leave the
 * fast case:
 * - DecimalSum in lib/ingest/daily-rollup.ts: the streamed rollup's sums, in safe integers while
 *   the running sum fits and in BigInt (toScaled) beyond; `npm run bench:ingest` measures it.
 * - lib/demo/money.ts: the demo generator's amounts as Number integers of 10^-10 units (checked
 *   below 2^52), millions of products and sums per demo load.
 * - copy-binary.ts writes numeric in COPY's binary format from toScaled.
 */
import { ValueError } from './focus/normalize';

/**
 * An exact decimal string as an unscaled integer and its scale (digits after the point), as
 * PostgreSQL numeric reads it: '1.50' is [150n, 2], '1.5E-3' is [15n, 4], '12E2' is [1200n, 0].
 * Anything else is a ValueError naming the value (readers report it with the line and column).
 */
export function toScaled(v: string): [bigint, number] {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(v.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new ValueError(`not a decimal number: ${JSON.stringify(v)}`);
  const [, sign, int = '', frac = '', e = '0'] = m;
  let digits = `${int}${frac}`;
  let scale = frac.length - Number(e);
  if (scale < 0) {
    digits += '0'.repeat(-scale);
    scale = 0;
  }
  const mant = BigInt(digits) * (sign === '-' ? -1n : 1n);
  return [mant, scale];
}

/**
 * The decimal string of `value` / 10^scale, with exactly `scale` digits after the point; a negative
 * scale (Parquet DECIMAL allows one) multiplies by 10^-scale. fromScaled(150n, 2) is '1.50'.
 */
export function fromScaled(value: bigint, scale: number): string {
  const neg = value < 0n;
  let s = (neg ? -value : value).toString();
  if (scale > 0) {
    s = s.padStart(scale + 1, '0');
    s = `${s.slice(0, -scale)}.${s.slice(-scale)}`;
  } else if (scale < 0 && s !== '0') s += '0'.repeat(-scale);
  return (neg ? '-' : '') + s;
}

/** Without trailing zeros after the point, nor the point when nothing follows it: '1.500' is '1.5', '-0.00' is '0'. */
export function trimDecimal(v: string): string {
  if (!v.includes('.')) return v === '-0' ? '0' : v;
  const t = v.replace(/\.?0+$/, '');
  return t === '-0' || t === '' ? '0' : t;
}

/** The exact sum, with as many digits after the point as the input that has the most (as PostgreSQL's sum(numeric)); '0' for none. */
export function addDecimals(values: Iterable<string>): string {
  let scale = 0;
  const parts: [bigint, number][] = [];
  for (const v of values) {
    const part = toScaled(v);
    parts.push(part);
    if (part[1] > scale) scale = part[1];
  }
  let sum = 0n;
  for (const [mant, exp] of parts) sum += mant * 10n ** BigInt(scale - exp);
  return fromScaled(sum, scale);
}

/** a − b exactly, with as many digits after the point as the operand that has the most ('5.25' − '2.5' is '2.75'). */
export function subtractDecimals(a: string, b: string): string {
  const [am, as] = toScaled(a);
  const [bm, bs] = toScaled(b);
  const scale = Math.max(as, bs);
  return fromScaled(am * 10n ** BigInt(scale - as) - bm * 10n ** BigInt(scale - bs), scale);
}

/** The exact product, trimmed ('0.1' × '3' is '0.3'; '-2.50' × '0.4' is '-1'). */
export function multiplyDecimals(a: string, b: string): string {
  const [am, as] = toScaled(a);
  const [bm, bs] = toScaled(b);
  return trimDecimal(fromScaled(am * bm, as + bs));
}

/**
 * a ÷ b rounded half away from zero to `digits` places after the point, trimmed: price ratios and
 * savings fractions ('0.504' ÷ '1.008' is '0.5'; '1' ÷ '3' at 6 digits is '0.333333'). Division by
 * zero is an Error naming both operands.
 */
export function divideDecimals(a: string, b: string, digits: number): string {
  const [am, as] = toScaled(a);
  const [bm, bs] = toScaled(b);
  if (bm === 0n) throw new Error(`cannot divide ${a} by ${b}`);
  // a/b = (am / 10^as) / (bm / 10^bs); scaled by 10^digits and kept in integers throughout.
  let num = am * 10n ** BigInt(digits + bs);
  let den = bm * 10n ** BigInt(as);
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const neg = num < 0n;
  const abs = neg ? -num : num;
  const q = (abs * 2n + den) / (den * 2n);
  return trimDecimal(fromScaled(neg ? -q : q, digits));
}

/** −1, 0 or 1 as a is less than, equal to or greater than b, exactly ('0.10' equals '0.1'). */
export function compareDecimals(a: string, b: string): number {
  const [am, as] = toScaled(a);
  const [bm, bs] = toScaled(b);
  const scale = Math.max(as, bs);
  const x = am * 10n ** BigInt(scale - as);
  const y = bm * 10n ** BigInt(scale - bs);
  return x === y ? 0 : x < y ? -1 : 1;
}
