import type pg from 'pg';
import { cachedAnswer, isSharedPool } from '../cache/data-version';
import { addDays, addMonths, monthOf, utcToday } from '../calendar';
import { getPool } from '../db/pool';
import { type ClosedMonthDifference, closedMonthDifference } from './close';

/** One currency of a month on /close: billed at the last close (null: never closed), billed now, now − closed. */
export interface MonthCurrencyTotal {
  currency: string;
  closedBilled: string | null;
  currentBilled: string;
  billedDifference: string | null;
}

export interface MonthCloseStatus {
  month: string;
  status: 'open' | 'closed' | 'reopened';
  closedAt: Date | null;
  closedBy: string | null;
  reopenedAt: Date | null;
  reopenedBy: string | null;
  reason: string | null;
  totals: MonthCurrencyTotal[];
}

/** The 12 billing months before the current one, newest first, with their close and billed totals per currency. */
export async function listMonthCloses(now: Date = new Date(), db: pg.Pool = getPool()): Promise<MonthCloseStatus[]> {
  const last = addMonths(monthOf(utcToday(now)), -1);
  const first = addMonths(last, -11);
  const closes = await db.query<{
    month: string;
    status: 'closed' | 'reopened';
    closed_at: Date;
    closed_by: string;
    reopened_at: Date | null;
    reopened_by: string | null;
    reason: string | null;
  }>(
    `SELECT to_char(month, 'YYYY-MM') AS month, status, closed_at, closed_by, reopened_at, reopened_by, reason
       FROM month_closes WHERE month BETWEEN $1::date AND $2::date`,
    [`${first}-01`, `${last}-01`],
  );
  const totals = await db.query<{
    month: string;
    currency: string;
    closed: string | null;
    current: string | null;
    difference: string | null;
  }>(
    `WITH now AS (
       SELECT date_trunc('month', billing_period_start)::date AS month, billing_currency AS currency, sum(billed_cost) AS billed
         FROM cost_daily
        WHERE billing_period_start >= $1::date AND billing_period_start < ($2::date + interval '1 month')
        GROUP BY 1, 2
     ), closed AS (
       SELECT month, billing_currency AS currency, sum(billed_cost) AS billed
         FROM month_close_figures WHERE month BETWEEN $1::date AND $2::date GROUP BY 1, 2
     )
     SELECT to_char(month, 'YYYY-MM') AS month, currency, c.billed::text AS closed, k.billed::text AS current,
            (coalesce(k.billed, 0) - coalesce(c.billed, 0))::text AS difference
       FROM closed c FULL JOIN now k USING (month, currency)
      ORDER BY month, currency`,
    [`${first}-01`, `${last}-01`],
  );
  const byMonth = new Map(closes.rows.map((r) => [r.month, r]));
  const result: MonthCloseStatus[] = [];
  for (let m = last; m >= first; m = addMonths(m, -1)) {
    const c = byMonth.get(m);
    result.push({
      month: m,
      status: c?.status ?? 'open',
      closedAt: c?.closed_at ?? null,
      closedBy: c?.closed_by ?? null,
      reopenedAt: c?.reopened_at ?? null,
      reopenedBy: c?.reopened_by ?? null,
      reason: c?.reason ?? null,
      totals: totals.rows
        .filter((t) => t.month === m)
        .map((t) => ({
          currency: t.currency,
          closedBilled: c ? (t.closed ?? '0') : null,
          currentBilled: t.current ?? '0',
          billedDifference: c ? t.difference : null,
        })),
    });
  }
  return result;
}

/**
 * For the explorer: when a day range is exactly whole months that are all closed, each month's
 * closed figures against the current data; null otherwise (a partial month, an open month).
 */
export async function closedMonthsInRange(
  range: { from: string; to: string },
  db: pg.Pool = getPool(),
): Promise<ClosedMonthDifference[] | null> {
  if (!range.from.endsWith('-01')) return null;
  if (isSharedPool(db)) return cachedAnswer('closed-months', { from: range.from, to: range.to }, () => closedMonths(range, db));
  return closedMonths(range, db);
}

async function closedMonths(range: { from: string; to: string }, db: pg.Pool): Promise<ClosedMonthDifference[] | null> {
  const lastMonth = monthOf(range.to);
  if (addMonths(lastMonth, 1) !== monthOf(addDays(range.to, 1))) return null;
  const months: string[] = [];
  for (let m = monthOf(range.from); m <= lastMonth && months.length <= 12; m = addMonths(m, 1)) months.push(m);
  if (months.length > 12) return null;
  const result: ClosedMonthDifference[] = [];
  for (const m of months) {
    const d = await closedMonthDifference(m, db);
    if (d.status !== 'closed') return null;
    result.push(d);
  }
  return result;
}
