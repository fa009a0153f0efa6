import { cachedAnswer } from '../cache/data-version';
import type { DayRange } from '../calendar';
import { getPool } from '../db/pool';
import type { CostMetric } from '../schema';

export interface RegionSpend {
  /** RegionId as stored ('' for charges without a region, e.g. taxes and support). */
  regionId: string;
  /** The export's RegionName ('' when it gave none); the UI prefers lib/focus/regions names. */
  regionName: string;
  providers: string[];
  amount: string;
  /** Share of the currency's total x 100, rounded to 0.01; null when the total is 0. */
  share: string | null;
}

export interface TopRegions {
  currency: string;
  total: string;
  rows: RegionSpend[];
  otherCount: number;
  otherAmount: string;
}

interface Row {
  currency: string;
  region_id: string;
  region_name: string;
  providers: string[];
  amount: string;
  share: string | null;
  total: string;
  groups: string;
  other_amount: string;
}

/** The largest regions in a window, per billing currency, with their share of it. */
export async function getTopRegions(input: { range: DayRange; metric: CostMetric; limit?: number }): Promise<TopRegions[]> {
  return cachedAnswer('top-regions', input, () => uncachedGetTopRegions(input));
}

async function uncachedGetTopRegions(input: { range: DayRange; metric: CostMetric; limit?: number }): Promise<TopRegions[]> {
  const { range, metric, limit = 10 } = input;
  const { rows } = await getPool().query<Row>(
    `WITH g AS (
       SELECT billing_currency AS currency, region_id, max(region_name) AS region_name,
              array_agg(DISTINCT provider_name ORDER BY provider_name) AS providers,
              coalesce(sum(CASE WHEN $3::text = 'billed' THEN billed_cost ELSE effective_cost END), 0) AS amount
         FROM cost_daily
        WHERE day >= $1 AND day <= $2
        GROUP BY 1, 2
     ), ranked AS (
       SELECT g.*, sum(amount) OVER (PARTITION BY currency) AS total, count(*) OVER (PARTITION BY currency) AS groups,
              row_number() OVER (PARTITION BY currency ORDER BY amount DESC, region_id) AS rank
         FROM g
     ), top AS (
       SELECT * FROM ranked WHERE rank <= $4
     )
     SELECT currency, region_id, region_name, providers, amount, total, groups,
            CASE WHEN total = 0 THEN NULL ELSE round(amount * 100 / total, 2) END AS share,
            total - sum(amount) OVER (PARTITION BY currency) AS other_amount
       FROM top
      ORDER BY currency, rank`,
    [range.from, range.to, metric, limit],
  );
  const out = new Map<string, TopRegions>();
  for (const r of rows) {
    let t = out.get(r.currency);
    if (!t) {
      t = { currency: r.currency, total: r.total, rows: [], otherCount: Number(r.groups), otherAmount: r.other_amount };
      out.set(r.currency, t);
    }
    t.rows.push({ regionId: r.region_id, regionName: r.region_name, providers: r.providers, amount: r.amount, share: r.share });
  }
  for (const t of out.values()) t.otherCount -= t.rows.length;
  return [...out.values()];
}
