import { cachedAnswer } from '../cache/data-version';
import { monthEnd, monthStart } from '../calendar';
import { getPool } from '../db/pool';
import type { CostMetric } from '../schema';

export interface MonthlyProviderPoint {
  month: string;
  /** Spend per provider in this month; '0' where a provider had none. */
  byProvider: Record<string, string>;
  total: string;
}

/** One currency's monthly spend by provider (never mixed with other currencies). */
export interface MonthlyProviderSeries {
  currency: string;
  /** Providers, largest over the whole span first (the stacking order). */
  providers: string[];
  /** One point per requested month, oldest first, including months without spend. */
  points: MonthlyProviderPoint[];
}

interface Row {
  currency: string;
  month: string;
  provider: string;
  amount: string;
  provider_total: string;
  month_total: string;
}

/** Monthly spend by provider for `months` (consecutive 'YYYY-MM', oldest first), one series per currency. */
export async function getMonthlySpendByProvider(input: { months: string[]; metric: CostMetric }): Promise<MonthlyProviderSeries[]> {
  return cachedAnswer('monthly-by-provider', input, () => uncachedGetMonthlySpendByProvider(input));
}

async function uncachedGetMonthlySpendByProvider(input: { months: string[]; metric: CostMetric }): Promise<MonthlyProviderSeries[]> {
  const { months, metric } = input;
  if (!months.length) return [];
  const { rows } = await getPool().query<Row>(
    `WITH g AS (
       SELECT billing_currency AS currency, to_char(day, 'YYYY-MM') AS month, provider_name AS provider,
              coalesce(sum(CASE WHEN $3::text = 'billed' THEN billed_cost ELSE effective_cost END), 0) AS amount
         FROM cost_daily
        WHERE day >= $1 AND day <= $2
        GROUP BY 1, 2, 3
     )
     SELECT currency, month, provider, amount,
            sum(amount) OVER (PARTITION BY currency, provider) AS provider_total,
            sum(amount) OVER (PARTITION BY currency, month) AS month_total
       FROM g
      ORDER BY currency, provider_total DESC, provider, month`,
    [monthStart(months[0]), monthEnd(months[months.length - 1]), metric],
  );
  const byCurrency = new Map<string, { providers: string[]; cells: Map<string, Map<string, string>>; totals: Map<string, string> }>();
  for (const r of rows) {
    let s = byCurrency.get(r.currency);
    if (!s) {
      s = { providers: [], cells: new Map(), totals: new Map() };
      byCurrency.set(r.currency, s);
    }
    if (!s.providers.includes(r.provider)) s.providers.push(r.provider);
    let cell = s.cells.get(r.month);
    if (!cell) {
      cell = new Map();
      s.cells.set(r.month, cell);
    }
    cell.set(r.provider, r.amount);
    s.totals.set(r.month, r.month_total);
  }
  return [...byCurrency.entries()].map(([currency, s]) => ({
    currency,
    providers: s.providers,
    points: months.map((month) => ({
      month,
      byProvider: Object.fromEntries(s.providers.map((p) => [p, s.cells.get(month)?.get(p) ?? '0'])),
      total: s.totals.get(month) ?? '0',
    })),
  }));
}
