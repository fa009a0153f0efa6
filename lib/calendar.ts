/**
 * Calendar arithmetic on UTC calendar days written as 'YYYY-MM-DD' and months as 'YYYY-MM'.
 * Billing exports and cost_daily.day are UTC days, so nothing here touches local time.
 * Pure functions (no database): shared by the query modules, the page and the tests.
 */

const DAY_MS = 86_400_000;

/** Today's UTC calendar day. */
export function utcToday(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

function toMs(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

function fromMs(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  return fromMs(toMs(day) + days * DAY_MS);
}

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: string, to: string): number {
  return Math.round((toMs(to) - toMs(from)) / DAY_MS);
}

export function monthOf(day: string): string {
  return day.slice(0, 7);
}

export function monthStart(month: string): string {
  return `${month}-01`;
}

export function daysInMonth(month: string): number {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export function monthEnd(month: string): string {
  return `${month}-${String(daysInMonth(month)).padStart(2, '0')}`;
}

export function addMonths(month: string, months: number): string {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + months, 1));
  return d.toISOString().slice(0, 7);
}

/** Day of month, 1-based. */
export function dayOfMonth(day: string): number {
  return Number(day.slice(8, 10));
}

/** `month`'s day number `n`, clamped to the month's length (day 31 of a 30-day month is the 30th). */
export function clampedDayOfMonth(month: string, n: number): string {
  const d = Math.min(n, daysInMonth(month));
  return `${month}-${String(d).padStart(2, '0')}`;
}

/** True for a real calendar day ('2026-02-30' is not one). */
export function isCalendarDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const ms = toMs(value);
  return Number.isFinite(ms) && fromMs(ms) === value;
}

export function minDay(a: string, b: string): string {
  return a < b ? a : b;
}

export function maxDay(a: string, b: string): string {
  return a > b ? a : b;
}

/** An inclusive range of UTC days. */
export interface DayRange {
  from: string;
  to: string;
}

export function rangeLength(range: DayRange): number {
  return daysBetween(range.from, range.to) + 1;
}
