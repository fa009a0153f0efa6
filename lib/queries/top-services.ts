import { cachedAnswer } from '../cache/data-version';
import type { DayRange } from '../calendar';
import { getPool } from '../db/pool';
import type { CostMetric } from '../schema';

export interface ServiceSpend {
  provider: string;
  /** '' when the export gave no service name. */
  serviceName: string;
  serviceCategory: string;
  amount: string;
  /** Share of the currency's total x 100, rounded to 0.01; null when the total is 0. */
  share: string | null;
}

export interface TopServices {
  currency: string;
  total: string;
  rows: ServiceSpend[];
  /** Services beyond the top `limit`. */
  otherCount: number;
  otherAmount: string;
}

interface Row {
  currency: string;
  provider: string;
  service_name: string;
  service_category: string;
  amount: string;
  share: string | null;
  total: string;
  groups: string;
  other_amount: string;
}

/** The largest services (per provider) in a window, per billing currency, with their share of it. */
export async function getTopServices(input: { range: DayRange; metric: CostMetric; limit?: number }): Promise<TopServices[]> {
  return cachedAnswer('top-services', input, () => uncachedGetTopServices(input));
}

async function uncachedGetTopServices(input: { range: DayRange; metric: CostMetric; limit?: number }): Promise<TopServices[]> {
  const { range, metric, limit = 10 } = input;
  const { rows } = await getPool().query<Row>(
    `WITH g AS (
       SELECT billing_currency AS currency, provider_name AS provider, service_name, min(service_category) AS service_category,
              coalesce(sum(CASE WHEN $3::text = 'billed' THEN billed_cost ELSE effective_cost END), 0) AS amount
         FROM cost_daily
        WHERE day >= $1 AND day <= $2
        GROUP BY 1, 2, 3
     ), ranked AS (
       SELECT g.*, sum(amount) OVER (PARTITION BY currency) AS total, count(*) OVER (PARTITION BY currency) AS groups,
              row_number() OVER (PARTITION BY currency ORDER BY amount DESC, provider, service_name) AS rank
         FROM g
     ), top AS (
       SELECT * FROM ranked WHERE rank <= $4
     )
     SELECT currency, provider, service_name, service_category, amount, total, groups,
            CASE WHEN total = 0 THEN NULL ELSE round(amount * 100 / total, 2) END AS share,
            total - sum(amount) OVER (PARTITION BY currency) AS other_amount
       FROM top
      ORDER BY currency, rank`,
    [range.from, range.to, metric, limit],
  );
  const out = new Map<string, TopServices>();
  for (const r of rows) {
    let t = out.get(r.currency);
    if (!t) {
      t = { currency: r.currency, total: r.total, rows: [], otherCount: Number(r.groups), otherAmount: r.other_amount };
      out.set(r.currency, t);
    }
    t.rows.push({
      provider: r.provider,
      serviceName: r.service_name,
      serviceCategory: r.service_category,
      amount: r.amount,
      share: r.share,
    });
  }
  for (const t of out.values()) t.otherCount -= t.rows.length;
  return [...out.values()];
}
