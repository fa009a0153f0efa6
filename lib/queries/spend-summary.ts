import { cachedAnswer } from '../cache/data-version';
import type { DayRange } from '../calendar';
import { getPool } from '../db/pool';
import type { CostMetric } from '../schema';

export interface CurrencySpend {
  currency: string;
  /** Spend in the current window (decimal string, exact). */
  current: string;
  /** Spend in the comparison window. */
  previous: string;
  /** current - previous, exact. */
  delta: string;
  /** (current - previous) / |previous| x 100, rounded to 0.1; null when previous is 0. */
  deltaPercent: string | null;
  /** Line items in the current window. */
  lineItems: string;
  /** Line items in the current window whose export gave no effective (amortized) cost. */
  effectiveCostMissing: string;
}

interface Row {
  currency: string;
  current: string;
  previous: string;
  delta: string;
  delta_percent: string | null;
  line_items: string;
  effective_cost_missing: string;
}

/**
 * Headline spend per billing currency for a window and its comparison window. Sums are SQL
 * numeric, returned as exact decimal strings; currencies are never added together. Amortized
 * sums skip line items without an effective cost (counted in effectiveCostMissing, which the UI
 * reports) rather than guessing a value for them.
 */
export async function getSpendSummary(input: { current: DayRange; comparison: DayRange; metric: CostMetric }): Promise<CurrencySpend[]> {
  return cachedAnswer('spend-summary', input, () => uncachedGetSpendSummary(input));
}

async function uncachedGetSpendSummary(input: { current: DayRange; comparison: DayRange; metric: CostMetric }): Promise<CurrencySpend[]> {
  const { current, comparison, metric } = input;
  const { rows } = await getPool().query<Row>(
    `WITH t AS (
       SELECT billing_currency AS currency,
              coalesce(sum(CASE WHEN $5::text = 'billed' THEN billed_cost ELSE effective_cost END)
                         FILTER (WHERE day >= $1 AND day <= $2), 0) AS current,
              coalesce(sum(CASE WHEN $5::text = 'billed' THEN billed_cost ELSE effective_cost END)
                         FILTER (WHERE day >= $3 AND day <= $4), 0) AS previous,
              coalesce(sum(line_items) FILTER (WHERE day >= $1 AND day <= $2), 0) AS line_items,
              coalesce(sum(effective_cost_missing) FILTER (WHERE day >= $1 AND day <= $2), 0) AS effective_cost_missing
         FROM cost_daily
        WHERE (day >= $1 AND day <= $2) OR (day >= $3 AND day <= $4)
        GROUP BY billing_currency
     )
     SELECT currency, current, previous, current - previous AS delta,
            CASE WHEN previous = 0 THEN NULL ELSE round((current - previous) * 100 / abs(previous), 1) END AS delta_percent,
            line_items, effective_cost_missing
       FROM t
      ORDER BY line_items DESC, currency`,
    [current.from, current.to, comparison.from, comparison.to, metric],
  );
  return rows.map((r) => ({
    currency: r.currency,
    current: r.current,
    previous: r.previous,
    delta: r.delta,
    deltaPercent: r.delta_percent,
    lineItems: r.line_items,
    effectiveCostMissing: r.effective_cost_missing,
  }));
}
