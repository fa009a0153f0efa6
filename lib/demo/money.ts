/**
 * Exact money for the demo generator: its hot path (lib/decimal.ts is the general module). Amounts
 * are integers in units of 10^-10 (a price with `p` decimals times a quantity with `10 - p`
 * decimals), formatted to decimal strings at the end. Products are checked to stay below 2^52 so
 * Number arithmetic on them is exact (millions of them per demo load); sums over millions of rows
 * go through BigInt. Parsing the catalog's prices and formatting the sums use lib/decimal.ts.
 */
import { fromScaled, toScaled, trimDecimal } from '../decimal';

/** Every cost the generator writes is an integer count of 10^-10 currency units. */
export const COST_SCALE = 10;

const POW10 = Array.from({ length: 16 }, (_, i) => 10 ** i);
const LIMIT = 2 ** 52;

/** A decimal string ("0.0000166667") as an integer count of 10^-scale units; it must fit exactly. */
export function scaledNumber(value: string, scale: number): number {
  const [unscaled, digits] = toScaled(value);
  if (digits > scale) throw new Error(`${value} has more than ${scale} decimals`);
  const n = unscaled * 10n ** BigInt(scale - digits);
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER))
    throw new Error(`${value} does not fit at scale ${scale}`);
  return Number(n);
}

/** Exact product of two integers; throws rather than let a float round a cost. */
export function mulExact(a: number, b: number): number {
  const p = a * b;
  if (!(p < LIMIT && p > -LIMIT)) throw new Error(`amount out of exact range: ${a} × ${b}`);
  return p;
}

/** `value` × 10^-scale as a decimal string without trailing zeros ("12.5", "0", "-0.0000012"). */
export function formatScaled(value: number, scale: number): string {
  if (scale === 0) return String(value);
  const neg = value < 0;
  const abs = neg ? -value : value;
  const unit = POW10[scale] as number;
  const frac = abs % unit;
  const int = (abs - frac) / unit;
  let out = String(int);
  if (frac !== 0) {
    let digits = String(frac).padStart(scale, '0');
    let end = digits.length;
    while (digits.charCodeAt(end - 1) === 48) end--;
    digits = digits.slice(0, end);
    out += `.${digits}`;
  }
  return neg ? `-${out}` : out;
}

/** An exact running sum of 10^-10 amounts: cheap Number adds, folded into a BigInt before they could round. */
export class ExactSum {
  private small = 0;
  private big = 0n;

  add(amount: number): void {
    this.small += amount;
    if (this.small > 2 ** 51 || this.small < -(2 ** 51)) {
      this.big += BigInt(this.small);
      this.small = 0;
    }
  }

  toString(): string {
    return trimDecimal(fromScaled(this.big + BigInt(this.small), COST_SCALE));
  }
}
