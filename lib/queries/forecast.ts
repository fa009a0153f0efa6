import { cachedAnswer } from '../cache/data-version';
import { addDays, addMonths, type DayRange, daysBetween, maxDay, minDay, monthEnd, monthStart } from '../calendar';
import { getPool } from '../db/pool';
import type { CostMetric } from '../schema';

/** Days of recent spend the run rate is averaged over. */
export const RUN_RATE_DAYS = 7;

export interface CurrencyForecast {
  currency: string;
  /** Spend from the 1st through lastCompleteDay (0 when that day is before the month). */
  actualToDate: string;
  /** Spend over the run-rate window. */
  runRateTotal: string;
  /** runRateTotal / 7, rounded to 4 decimals (display only). */
  dailyAverage: string;
  /** actualToDate + runRateTotal x remainingDays / 7, rounded to 4 decimals. */
  forecast: string;
  /** The whole previous month, for "vs last month". */
  previousMonthTotal: string;
  /** (forecast - previousMonthTotal) / |previousMonthTotal| x 100, rounded to 0.1; null when that total is 0. */
  forecastVsPreviousPercent: string | null;
}

export interface MonthForecast {
  month: string;
  /** Last day counted as actual: yesterday (UTC), or the latest delivered day if the export lags. */
  lastCompleteDay: string;
  /** The 7 complete days the daily average is taken over (may reach into the previous month). */
  runRateWindow: DayRange;
  /** Days from lastCompleteDay (exclusive) to month end (inclusive) that the average fills in. */
  remainingDays: number;
  byCurrency: CurrencyForecast[];
}

interface LatestRow {
  latest: string | null;
}

interface Row {
  currency: string;
  actual: string;
  run_rate_total: string;
  daily_average: string;
  forecast: string;
  previous_month: string;
  vs_previous_percent: string | null;
}

/**
 * End-of-month forecast for `month` (meant for the current month): actual spend through the last
 * complete day, plus the average daily spend of the 7 complete days before it times the days left.
 * Today is excluded because its data is partial. Returns null when the last delivered data is
 * older than the run-rate window before the month (nothing recent to extrapolate from).
 */
export async function getMonthForecast(input: { month: string; today: string; metric: CostMetric }): Promise<MonthForecast | null> {
  return cachedAnswer('month-forecast', input, () => uncachedGetMonthForecast(input));
}

async function uncachedGetMonthForecast(input: { month: string; today: string; metric: CostMetric }): Promise<MonthForecast | null> {
  const { month, today, metric } = input;
  const pool = getPool();
  const start = monthStart(month);
  const end = monthEnd(month);
  const yesterday = addDays(today, -1);
  const { rows: latestRows } = await pool.query<LatestRow>('SELECT max(day) AS latest FROM cost_daily WHERE day <= $1', [
    minDay(yesterday, end),
  ]);
  const latest = latestRows[0]?.latest ?? null;
  if (latest === null) return null;
  const lastCompleteDay = minDay(latest, minDay(yesterday, end));
  if (lastCompleteDay < addDays(start, -RUN_RATE_DAYS)) return null;
  const runRateWindow: DayRange = { from: addDays(lastCompleteDay, -(RUN_RATE_DAYS - 1)), to: lastCompleteDay };
  const remainingDays = daysBetween(maxDay(lastCompleteDay, addDays(start, -1)), end);
  const previous = addMonths(month, -1);
  const prevFrom = monthStart(previous);
  const prevTo = monthEnd(previous);

  const { rows } = await pool.query<Row>(
    `WITH t AS (
       SELECT billing_currency AS currency,
              coalesce(sum(CASE WHEN $7::text = 'billed' THEN billed_cost ELSE effective_cost END)
                         FILTER (WHERE day >= $1 AND day <= $2), 0) AS actual,
              coalesce(sum(CASE WHEN $7::text = 'billed' THEN billed_cost ELSE effective_cost END)
                         FILTER (WHERE day >= $3 AND day <= $2), 0) AS run_rate_total,
              coalesce(sum(CASE WHEN $7::text = 'billed' THEN billed_cost ELSE effective_cost END)
                         FILTER (WHERE day >= $4 AND day <= $5), 0) AS previous_month
         FROM cost_daily
        WHERE day >= least($3::date, $4::date) AND day <= greatest($2::date, $5::date)
        GROUP BY billing_currency
     )
     , f AS (
       SELECT t.*, round(run_rate_total / $8::numeric, 4) AS daily_average,
              round(actual + run_rate_total * $6::numeric / $8::numeric, 4) AS forecast
         FROM t
     )
     SELECT currency, actual, run_rate_total, previous_month, daily_average, forecast,
            CASE WHEN previous_month = 0 THEN NULL
                 ELSE round((forecast - previous_month) * 100 / abs(previous_month), 1) END AS vs_previous_percent
       FROM f
      ORDER BY currency`,
    [start, lastCompleteDay, runRateWindow.from, prevFrom, prevTo, remainingDays, metric, RUN_RATE_DAYS],
  );
  return {
    month,
    lastCompleteDay,
    runRateWindow,
    remainingDays,
    byCurrency: rows.map((r) => ({
      currency: r.currency,
      actualToDate: r.actual,
      runRateTotal: r.run_rate_total,
      dailyAverage: r.daily_average,
      forecast: r.forecast,
      previousMonthTotal: r.previous_month,
      forecastVsPreviousPercent: r.vs_previous_percent,
    })),
  };
}
