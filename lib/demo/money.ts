/**
 * Exact money for the demo generator. Amounts are integers in units of 10^-10 (a price with
 * `p` decimals times a quantity with `10 - p` decimals), formatted to decimal strings at the end.
 * Products are checked to stay below 2^52 so Number arithmetic on them is exact; sums over
 * millions of rows go through BigInt.
 */

/** Every cost the generator writes is an integer count of 10^-10 currency units. */
export const COST_SCALE = 10;

const POW10 = Array.from({ length: 16 }, (_, i) => 10 ** i);
const LIMIT = 2 ** 52;

/** Parses a plain decimal string ("0.0000166667") into an integer at `scale` decimals; it must fit exactly. */
export function toScaled(value: string, scale: number): number {
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value);
  if (!m) throw new Error(`not a plain decimal: ${value}`);
  const [, sign, int = '0', frac = ''] = m;
  if (frac.length > scale) throw new Error(`${value} has more than ${scale} decimals`);
  const n = Number(int + frac.padEnd(scale, '0'));
  if (!Number.isSafeInteger(n)) throw new Error(`${value} does not fit at scale ${scale}`);
  return sign ? -n : n;
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

/** Formats a BigInt count of 10^-scale units the same way. */
export function formatScaledBig(value: bigint, scale: number): string {
  const neg = value < 0n;
  const digits = (neg ? -value : value).toString().padStart(scale + 1, '0');
  const int = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale).replace(/0+$/, '');
  return (neg ? '-' : '') + int + (frac ? `.${frac}` : '');
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
    return formatScaledBig(this.big + BigInt(this.small), COST_SCALE);
  }
}
