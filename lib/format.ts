/**
 * Display formatting. Used by the UI only: query functions return decimal strings and Dates.
 *
 * Money is formatted straight from its decimal string. ECMA-402 (Intl.NumberFormat v3, ES2023)
 * reads a string argument as an exact decimal, not a float, so `format('12345678901234567.125')`
 * rounds the exact value (half away from zero, like SQL round()) and no amount ever loses a cent,
 * however large. lib/format.test.ts pins that behaviour.
 */
import type { DayRange } from './calendar';

const LOCALE = 'en-US';

type DecimalString = `${number}`;
const DECIMAL_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Shown instead of a number that is not a finite decimal. The ingest refuses such values (README,
 * Limits), so this means corrupt data; the page says so rather than printing "∞" or "NaN" (or
 * failing to render).
 */
export const INVALID_NUMBER = '⚠ invalid number';

function asDecimal(value: string): DecimalString | null {
  return DECIMAL_RE.test(value) ? (value as DecimalString) : null;
}

/** `nf.format(value)`, or the marker for input that is not a decimal or that Intl can only print as ∞ (beyond ~1e308). */
function formatFinite(nf: Intl.NumberFormat, value: string | number): string {
  const input = typeof value === 'number' ? (Number.isFinite(value) ? value : null) : asDecimal(value);
  if (input === null) return INVALID_NUMBER;
  const out = nf.format(input);
  return out.includes('∞') || out.includes('NaN') ? INVALID_NUMBER : out;
}

const cache = new Map<string, Intl.NumberFormat>();
function numberFormat(key: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  let nf = cache.get(key);
  if (!nf) {
    nf = new Intl.NumberFormat(LOCALE, options);
    cache.set(key, nf);
  }
  return nf;
}

export interface Money {
  amount: string;
  currency: string;
}

/**
 * "USD 1,234.56", rounded to the currency's minor unit (JPY has none). The ISO code, not a symbol,
 * because "$" is ambiguous across USD/CAD/AUD and finance compares codes. `sign: 'always'` is for
 * deltas ("+USD 12.00"); a value that rounds to zero never shows a sign.
 */
export function formatMoney(amount: string, currency: string, options: { sign?: 'always' | 'negative' } = {}): string {
  const sign = options.sign ?? 'negative';
  const nf = numberFormat(`money:${currency}:${sign}`, {
    style: 'currency',
    currency,
    currencyDisplay: 'code',
    signDisplay: sign === 'always' ? 'exceptZero' : 'negative',
  });
  const out = formatFinite(nf, amount);
  return out === INVALID_NUMBER ? `${currency} ${INVALID_NUMBER}` : out;
}

/** One figure per currency, never summed across currencies: "USD 1,234.56 · EUR 78.90". */
export function formatMoneyList(items: readonly Money[]): string {
  return items.map((m) => formatMoney(m.amount, m.currency)).join(' · ');
}

/**
 * Short axis labels ("USD 12K"). Axis ticks are positions on a chart, not amounts anyone reads
 * to the cent, so a float is fine here; tooltips and tables use formatMoney.
 */
export function formatMoneyAxis(value: number, currency: string): string {
  if (!Number.isFinite(value)) return `${currency} ${INVALID_NUMBER}`;
  return numberFormat(`axis:${currency}`, {
    style: 'currency',
    currency,
    currencyDisplay: 'code',
    notation: 'compact',
    maximumFractionDigits: 1,
  }).format(value);
}

/** A percentage already multiplied by 100, as a decimal string: '12.34' -> "+12.3%". */
export function formatPercentChange(pct: string): string {
  const out = formatFinite(
    numberFormat('pct-change', { maximumFractionDigits: 1, minimumFractionDigits: 1, signDisplay: 'exceptZero' }),
    pct,
  );
  return out === INVALID_NUMBER ? out : `${out}%`;
}

/** A share already multiplied by 100: '45.678' -> "45.7%". */
export function formatShare(pct: string): string {
  const out = formatFinite(numberFormat('share', { maximumFractionDigits: 1, minimumFractionDigits: 1 }), pct);
  return out === INVALID_NUMBER ? out : `${out}%`;
}

export function formatCount(value: string | number): string {
  return formatFinite(numberFormat('count', { maximumFractionDigits: 0 }), value);
}

/** Hours to one decimal, grouped: '5954.2348' → "5,954.2". */
export function formatHours(value: string | number): string {
  return formatFinite(numberFormat('hours', { maximumFractionDigits: 1 }), value);
}

const UTC_DAY = new Intl.DateTimeFormat(LOCALE, { month: 'short', day: 'numeric', year: 'numeric', timeZone: 'UTC' });
const UTC_MONTH_LONG = new Intl.DateTimeFormat(LOCALE, { month: 'long', year: 'numeric', timeZone: 'UTC' });
const UTC_MONTH_ABBR = new Intl.DateTimeFormat(LOCALE, { month: 'short', timeZone: 'UTC' });
const UTC_DATETIME = new Intl.DateTimeFormat(LOCALE, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZone: 'UTC',
});

function dayDate(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

/** '2026-11' -> "November 2026" */
export function formatMonthLong(month: string): string {
  return UTC_MONTH_LONG.format(dayDate(`${month}-01`));
}

/** '2026-11' -> "Nov ’26" (chart axis; "Nov 26" would read as a day) */
export function formatMonthShort(month: string): string {
  return `${UTC_MONTH_ABBR.format(dayDate(`${month}-01`))} ’${month.slice(2, 4)}`;
}

/** '2026-11-23' -> "Nov 23, 2026" */
export function formatDay(day: string): string {
  return UTC_DAY.format(dayDate(day));
}

/** { '2026-11-01', '2026-11-23' } -> "Nov 1 – 23, 2026" */
export function formatDayRange(range: DayRange): string {
  return UTC_DAY.formatRange(dayDate(range.from), dayDate(range.to));
}

/** A timestamp in UTC, the time zone billing data uses: "Nov 24, 17:52 UTC". */
export function formatDateTimeUtc(value: Date): string {
  return `${UTC_DATETIME.format(value)} UTC`;
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** Bytes in binary units: 1536 -> "1.5 KiB". A measurement, not money: a float is fine. */
export function formatBytes(value: number): string {
  if (!Number.isFinite(value)) return INVALID_NUMBER;
  let v = Math.abs(value);
  let i = 0;
  while (v >= 1024 && i < BYTE_UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  const n = numberFormat('bytes', { maximumFractionDigits: 1 }).format(value < 0 ? -v : v);
  return `${n} ${BYTE_UNITS[i]}`;
}

/**
 * A utilization measurement in its unit (lib/metrics/names.ts): "12.5%", "380 B/s", "1.5 GiB";
 * days and counts as plain numbers with their word.
 */
export function formatMeasure(value: number, unit: string): string {
  if (!Number.isFinite(value)) return INVALID_NUMBER;
  const plain = (v: number) => numberFormat('measure', { maximumFractionDigits: 2 }).format(v);
  switch (unit) {
    case 'percent':
      return `${plain(value)}%`;
    case 'bytes':
      return formatBytes(value);
    case 'bytes/s':
      return `${formatBytes(value)}/s`;
    case 'days':
      return `${plain(value)} ${value === 1 ? 'day' : 'days'}`;
    case 'hours':
      return `${plain(value)} ${value === 1 ? 'hour' : 'hours'}`;
    case 'ratio':
    case 'count':
    case '':
      return plain(value);
    default:
      return `${plain(value)} ${unit}`;
  }
}

/** A usage quantity from an exact decimal string, grouped, up to 3 decimals, with its unit: "1,234.5 Hrs". */
export function formatQuantity(value: string, unit: string): string {
  const n = formatFinite(numberFormat('quantity', { maximumFractionDigits: 3 }), value);
  return unit ? `${n} ${unit}` : n;
}
