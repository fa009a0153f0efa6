import { cachedAnswer } from '../cache/data-version';
import type { DayRange } from '../calendar';
import { getPool } from '../db/pool';

export interface CurrencyPresence {
  currency: string;
  /** Line items billed in this currency inside the selected window (a count, as a decimal string). */
  lineItemsInWindow: string;
  /** Line items in this currency over the chart's 13 months. */
  lineItemsInChart: string;
}

interface Row {
  currency: string;
  in_window: string;
  in_chart: string;
}

/**
 * Billing currencies present in the window or the chart span, the dominant one first (most line
 * items in the window, then in the chart span). Amounts in different currencies are never added,
 * so the page shows one currency at a time in the chart and tables and lets the user switch.
 */
export async function getCurrencies(input: { window: DayRange; chart: DayRange }): Promise<CurrencyPresence[]> {
  return cachedAnswer('currencies', input, () => uncachedGetCurrencies(input));
}

async function uncachedGetCurrencies(input: { window: DayRange; chart: DayRange }): Promise<CurrencyPresence[]> {
  const { rows } = await getPool().query<Row>(
    `SELECT billing_currency AS currency,
            coalesce(sum(line_items) FILTER (WHERE day >= $1 AND day <= $2), 0) AS in_window,
            coalesce(sum(line_items) FILTER (WHERE day >= $3 AND day <= $4), 0) AS in_chart
       FROM cost_daily
      WHERE (day >= $1 AND day <= $2) OR (day >= $3 AND day <= $4)
      GROUP BY billing_currency
      ORDER BY in_window DESC, in_chart DESC, billing_currency`,
    [input.window.from, input.window.to, input.chart.from, input.chart.to],
  );
  return rows.map((r) => ({ currency: r.currency, lineItemsInWindow: r.in_window, lineItemsInChart: r.in_chart }));
}
