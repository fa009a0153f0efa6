/**
 * Converting amounts into a reporting currency with daily rates: pure (rates in, totals out); the
 * stored rates come through lib/fx/store.ts `convertWithStoredRates`.
 *
 * Which rate a charge gets (`resolveRate`):
 * - The rate of the charge's own day. Where the source published none that day (the ECB: weekends
 *   and TARGET holidays), the latest earlier day's, at most `lookbackDays` (default 7) calendar
 *   days back, and the result says which day's rate was used for which day. Seven days cover the
 *   longest TARGET closure (Good Friday to Easter Monday, four days) with room for a missed
 *   publication; beyond that the rate is missing, never guessed.
 * - On that day: the direct pair (from→to), else the inverse pair (to→from, divided), else a cross
 *   rate through a common base, both legs from that same day (the ECB's EUR: USD→GBP is
 *   EUR→GBP ÷ EUR→USD); with several common bases, the first in alphabetical order. A more recent
 *   day wins over a more direct path.
 * - A currency with no usable rate for a day is `missing` for that day: its amount is left out of
 *   the converted totals and reported (day, currency, amount), never converted at 1.
 *
 * Rounding: each (day, currency) amount is summed exactly, then converted once from the stored
 * rates (amount × the multiplied legs ÷ the divided legs), rounded half away from zero at
 * CONVERSION_SCALE (12) decimal places (lib/decimal.ts divideDecimals, the rule of PostgreSQL's
 * round(numeric), so a check in SQL agrees); totals are exact sums of those. Twelve places are far
 * below any currency's minor unit: display rounds again (lib/format.ts), storage never does.
 * Amounts already in the reporting currency are added unchanged.
 */
import { addDays, isCalendarDay } from '../calendar';
import { addDecimals, divideDecimals, multiplyDecimals, toScaled, trimDecimal } from '../decimal';
import { CURRENCY_CODE } from './currencies';
import type { FxRate } from './types';

export const DEFAULT_LOOKBACK_DAYS = 7;
export const MAX_LOOKBACK_DAYS = 31;
/** Decimal places converted amounts (and inverse or cross rates) are rounded to, half away from zero. */
export const CONVERSION_SCALE = 12;

/** An amount of one currency on one day (several of the same day and currency are added first). */
export interface DayAmount {
  day: string;
  currency: string;
  /** Exact decimal string. */
  amount: string;
}

/** The rate used to convert one currency on one day. */
export interface RateUsed {
  /** The charge's day. */
  day: string;
  from: string;
  to: string;
  /** The day the rates come from: `day`, or an earlier day within the lookback. */
  rateDay: string;
  method: 'direct' | 'inverse' | 'cross';
  /** The common base of a cross rate (EUR for the ECB's); null otherwise. */
  via: string | null;
  /** Units of `to` per 1 `from`: exact for a direct rate, rounded at CONVERSION_SCALE otherwise. */
  rate: string;
  /** The stored rates it was computed from (one, or two for a cross rate). */
  legs: FxRate[];
}

export interface ConvertedDay {
  day: string;
  /** The day's converted amounts added, in the reporting currency (missing ones left out). */
  total: string;
  /** False when an amount of that day could not be converted (see `missing`). */
  complete: boolean;
}

export interface MissingRate {
  day: string;
  currency: string;
  /** The amount left out of the converted total, in `currency`. */
  amount: string;
}

export interface Conversion {
  /** The reporting currency every total is in. */
  currency: string;
  scale: number;
  lookbackDays: number;
  /** One per day of the input, in day order. */
  days: ConvertedDay[];
  /** Every day's total added. */
  total: string;
  /** One per day and currency converted (not for amounts already in the reporting currency). */
  rates: RateUsed[];
  /** Days and currencies without a usable rate, in day and currency order. */
  missing: MissingRate[];
}

/** Rates by day, then by "BASE QUOTE". */
export type RateIndex = Map<string, Map<string, FxRate>>;

export function indexRates(rates: Iterable<FxRate>): RateIndex {
  const index: RateIndex = new Map();
  for (const r of rates) {
    const day = index.get(r.day) ?? new Map<string, FxRate>();
    index.set(r.day, day);
    day.set(`${r.base} ${r.quote}`, r);
  }
  return index;
}

/** A conversion step: multiply by the rate (the pair as stored) or divide by it (the inverse). */
interface Leg {
  rate: FxRate;
  divide: boolean;
}

/** from→to on one day from the rates of that day: direct, inverse, or through a common base. */
function pathOnDay(
  rates: Map<string, FxRate>,
  from: string,
  to: string,
): { method: RateUsed['method']; via: string | null; legs: Leg[] } | null {
  const direct = rates.get(`${from} ${to}`);
  if (direct) return { method: 'direct', via: null, legs: [{ rate: direct, divide: false }] };
  const inverse = rates.get(`${to} ${from}`);
  if (inverse) return { method: 'inverse', via: null, legs: [{ rate: inverse, divide: true }] };
  const step = (a: string, b: string): Leg | null => {
    const d = rates.get(`${a} ${b}`);
    if (d) return { rate: d, divide: false };
    const i = rates.get(`${b} ${a}`);
    return i ? { rate: i, divide: true } : null;
  };
  const bases = new Set<string>();
  for (const r of rates.values()) {
    if (r.quote === from) bases.add(r.base);
    if (r.base === from) bases.add(r.quote);
  }
  for (const via of [...bases].sort()) {
    if (via === to) continue;
    const first = step(from, via);
    const second = step(via, to);
    if (first && second) return { method: 'cross', via, legs: [first, second] };
  }
  return null;
}

/** The multiplied legs' product and the divided legs' product. */
function factors(legs: readonly Leg[]): { num: string; den: string } {
  let num = '1';
  let den = '1';
  for (const l of legs) {
    if (l.divide) den = multiplyDecimals(den, l.rate.rate);
    else num = multiplyDecimals(num, l.rate.rate);
  }
  return { num, den };
}

/**
 * The rate from→to for `day` (see the header for the policy), or null when none is usable within
 * the lookback. from === to is not asked: such amounts need no rate.
 */
export function resolveRate(
  index: RateIndex,
  day: string,
  from: string,
  to: string,
  lookbackDays = DEFAULT_LOOKBACK_DAYS,
): RateUsed | null {
  for (let back = 0; back <= lookbackDays; back++) {
    const rateDay = addDays(day, -back);
    const rates = index.get(rateDay);
    if (!rates) continue;
    const path = pathOnDay(rates, from, to);
    if (!path) continue;
    const { num, den } = factors(path.legs);
    return {
      day,
      from,
      to,
      rateDay,
      method: path.method,
      via: path.via,
      rate: den === '1' ? num : divideDecimals(num, den, CONVERSION_SCALE),
      legs: path.legs.map((l) => l.rate),
    };
  }
  return null;
}

/** `amount` in `rate.to`: amount × the multiplied legs ÷ the divided legs, rounded once at CONVERSION_SCALE. */
export function applyRate(amount: string, rate: RateUsed): string {
  const legs: Leg[] =
    rate.method === 'direct'
      ? [{ rate: rate.legs[0] as FxRate, divide: false }]
      : rate.method === 'inverse'
        ? [{ rate: rate.legs[0] as FxRate, divide: true }]
        : rate.legs.map((r, i) => {
            // A cross rate's legs are from→via then via→to, each stored either way round.
            const [a, b] = i === 0 ? [rate.from, rate.via] : [rate.via, rate.to];
            return { rate: r, divide: !(r.base === a && r.quote === b) };
          });
  const { num, den } = factors(legs);
  return divideDecimals(multiplyDecimals(amount, num), den, CONVERSION_SCALE);
}

function checkAmount(a: DayAmount): void {
  if (!isCalendarDay(a.day)) throw new Error(`convertAmounts: day ${JSON.stringify(a.day)} is not YYYY-MM-DD`);
  if (!CURRENCY_CODE.test(a.currency)) throw new Error(`convertAmounts: currency ${JSON.stringify(a.currency)} is not an ISO 4217 code`);
  toScaled(a.amount); // throws naming the value
}

/**
 * Converts amounts per (day, currency) into `reporting` with `rates` (the rates of the days
 * concerned and the lookback before them; more do no harm). See the header for the policy.
 */
export function convertAmounts(
  amounts: readonly DayAmount[],
  reporting: string,
  rates: Iterable<FxRate> | RateIndex,
  opts: { lookbackDays?: number } = {},
): Conversion {
  if (!CURRENCY_CODE.test(reporting))
    throw new Error(`convertAmounts: reporting currency ${JSON.stringify(reporting)} is not an ISO 4217 code`);
  const lookbackDays = opts.lookbackDays ?? DEFAULT_LOOKBACK_DAYS;
  if (!Number.isInteger(lookbackDays) || lookbackDays < 0 || lookbackDays > MAX_LOOKBACK_DAYS)
    throw new Error(`convertAmounts: lookbackDays must be a whole number from 0 to ${MAX_LOOKBACK_DAYS}`);
  const index = rates instanceof Map ? rates : indexRates(rates);

  // Exact sums per day and currency first: one conversion (one rounding) each.
  const byDay = new Map<string, Map<string, string[]>>();
  for (const a of amounts) {
    checkAmount(a);
    const day = byDay.get(a.day) ?? new Map<string, string[]>();
    byDay.set(a.day, day);
    const list = day.get(a.currency) ?? [];
    list.push(a.amount);
    day.set(a.currency, list);
  }

  const days: ConvertedDay[] = [];
  const used: RateUsed[] = [];
  const missing: MissingRate[] = [];
  for (const day of [...byDay.keys()].sort()) {
    const currencies = byDay.get(day) as Map<string, string[]>;
    const parts: string[] = [];
    let complete = true;
    for (const currency of [...currencies.keys()].sort()) {
      const amount = addDecimals(currencies.get(currency) ?? []);
      if (currency === reporting) {
        parts.push(amount);
        continue;
      }
      const rate = resolveRate(index, day, currency, reporting, lookbackDays);
      if (!rate) {
        complete = false;
        missing.push({ day, currency, amount: trimDecimal(amount) });
        continue;
      }
      used.push(rate);
      parts.push(applyRate(amount, rate));
    }
    days.push({ day, total: trimDecimal(addDecimals(parts)), complete });
  }
  return {
    currency: reporting,
    scale: CONVERSION_SCALE,
    lookbackDays,
    days,
    total: trimDecimal(addDecimals(days.map((d) => d.total))),
    rates: used,
    missing,
  };
}
