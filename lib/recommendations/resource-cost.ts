import type pg from 'pg';
import { addDays, type DayRange } from '../calendar';
import type { Money } from '../format';
import { type ResourceProvider, resourceProvider } from '../resources/normalize';

/**
 * A resource's own cost per day over a range of UTC days, from its bill lines (cost_line_items):
 * what accepting a recommendation records as its baseline (the 30 days before), and what later
 * bills are compared with for realized savings.
 *
 * - Cost is the effective cost (after discounts and commitments); a line whose export gave none
 *   counts its billed cost, the only figure it has.
 * - Days counted are the days the provider's bills cover (any line of that provider on that day,
 *   from the daily rollup), so days not billed yet are not taken for days without cost, while a
 *   billed day on which the resource cost nothing (stopped, deleted) counts as zero.
 * - `from: 'first-charge'` starts the range at the resource's first charge within it: a resource
 *   created ten days ago has ten days of cost, not thirty.
 * - One figure per currency (a resource is billed in one, but nothing here assumes it); the
 *   quotient is rounded to 10 decimal places (numeric division, no float).
 */
export interface DailyCost {
  /** Days counted: billed days of the provider in the range. */
  days: number;
  /** Cost per day, per currency; empty when the resource had no charge in the counted days. */
  perDay: Money[];
}

export async function resourceDailyCost(
  db: pg.Pool | pg.PoolClient,
  args: { provider: ResourceProvider; resourceId: string; range: DayRange; start?: 'range' | 'first-charge' },
): Promise<DailyCost> {
  // The bills' provider names that are this provider (resourceProvider is the one mapping).
  const { rows: names } = await db.query<{ provider_name: string }>('SELECT DISTINCT provider_name FROM cost_daily');
  const providerNames = names.map((r) => r.provider_name).filter((n) => resourceProvider(n) === args.provider);
  if (providerNames.length === 0) return { days: 0, perDay: [] };
  const { rows } = await db.query<{ days: number; currency: string | null; per_day: string | null }>(
    `WITH lines AS (
       SELECT (charge_period_start AT TIME ZONE 'UTC')::date AS day, billing_currency,
              coalesce(effective_cost, billed_cost) AS cost
         FROM cost_line_items
        WHERE provider_name = ANY($1::text[])
          AND charge_period_start >= $3::date::timestamp AT TIME ZONE 'UTC'
          AND charge_period_start < ($4::date + 1)::timestamp AT TIME ZONE 'UTC'
          AND CASE WHEN $5 THEN lower(btrim(resource_id)) ELSE btrim(resource_id) END = $2),
     start AS (
       SELECT CASE WHEN $6 THEN (SELECT min(day) FROM lines) ELSE $3::date END AS day),
     days AS (
       SELECT count(DISTINCT d.day)::int AS n FROM cost_daily d, start
        WHERE d.provider_name = ANY($1::text[]) AND d.day >= start.day AND d.day <= $4::date)
     SELECT days.n AS days, c.currency, round(c.cost / nullif(days.n, 0), 10) AS per_day
       FROM days LEFT JOIN (
         SELECT billing_currency AS currency, sum(cost) AS cost FROM lines, start WHERE lines.day >= start.day GROUP BY 1
       ) c ON true
      ORDER BY c.currency`,
    [providerNames, args.resourceId, args.range.from, args.range.to, args.provider === 'azure', args.start === 'first-charge'],
  );
  const days = rows[0]?.days ?? 0;
  if (days === 0) return { days: 0, perDay: [] };
  return {
    days,
    perDay: rows.flatMap((r) => (r.currency !== null && r.per_day !== null ? [{ currency: r.currency, amount: r.per_day }] : [])),
  };
}

/** The baseline accepting a recommendation records: cost per day over the 30 days before `day`, from the resource's first charge in them. */
export function baselineRange(day: string): DayRange {
  return { from: addDays(day, -30), to: addDays(day, -1) };
}
