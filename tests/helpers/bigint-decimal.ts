// Decimal sums for tests' expected values, written apart from lib/decimal.ts (which the readers and
// the ingest compute with), so that a bug there cannot hide in both the result and its oracle.
// A character scan into a BigInt of 10^-scale units; the output follows PostgreSQL numeric's text.

interface Units {
  units: bigint;
  scale: number;
}

function read(text: string): Units {
  const s = text.trim();
  let i = 0;
  let negative = false;
  if (s[i] === '-' || s[i] === '+') negative = s[i++] === '-';
  let digits = '';
  let afterPoint = 0;
  let seenPoint = false;
  for (; i < s.length; i++) {
    const c = s[i] as string;
    if (c >= '0' && c <= '9') {
      digits += c;
      if (seenPoint) afterPoint++;
    } else if (c === '.' && !seenPoint) seenPoint = true;
    else break;
  }
  let exponent = 0;
  if (i < s.length) {
    if (s[i] !== 'e' && s[i] !== 'E') throw new Error(`test oracle: not a decimal: ${JSON.stringify(text)}`);
    const e = s.slice(i + 1);
    if (!/^[+-]?\d+$/.test(e)) throw new Error(`test oracle: bad exponent in ${JSON.stringify(text)}`);
    exponent = Number.parseInt(e, 10);
  }
  if (digits === '') throw new Error(`test oracle: no digits in ${JSON.stringify(text)}`);
  let units = BigInt(digits);
  let scale = afterPoint - exponent;
  if (scale < 0) {
    units *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { units: negative ? -units : units, scale };
}

/** `units` × 10^-scale written with exactly `scale` digits after the point (a negative scale appends zeros). */
export function unscaledText(units: bigint, scale: number): string {
  if (scale <= 0) return (units * 10n ** BigInt(-scale)).toString();
  const sign = units < 0n ? '-' : '';
  const abs = units < 0n ? -units : units;
  const unit = 10n ** BigInt(scale);
  return `${sign}${abs / unit}.${(abs % unit).toString().padStart(scale, '0')}`;
}

/** A decimal as PostgreSQL numeric prints it: '1.5E-3' is '0.0015', '12e2' is '1200', '1.50' stays '1.50'. */
export function numericText(text: string): string {
  const { units, scale } = read(text);
  return unscaledText(units, scale);
}

/** The exact sum of decimal strings, with as many digits after the point as the input with the most ('0' for none). */
export function sumDecimals(values: Iterable<string>): string {
  const all = [...values].map(read);
  const scale = all.reduce((m, v) => Math.max(m, v.scale), 0);
  let total = 0n;
  for (const v of all) total += v.units * 10n ** BigInt(scale - v.scale);
  return unscaledText(total, scale);
}

/** A decimal in one spelling per value, for comparing totals: exponent applied, no trailing zeros, '0' for any zero ('1.50' is '1.5', '-0.00' is '0'). */
export function canonicalDecimal(value: string): string;
export function canonicalDecimal(value: string | null | undefined): string | null;
export function canonicalDecimal(value: string | null | undefined): string | null {
  if (value == null) return null;
  const { units, scale } = read(value);
  if (units === 0n) return '0';
  let u = units;
  let s = scale;
  while (s > 0 && u % 10n === 0n) {
    u /= 10n;
    s--;
  }
  return unscaledText(u, s);
}
