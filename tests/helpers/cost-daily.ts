// cost_daily rows with defaults, for the query modules' tests.
import pg from 'pg';
import { addDays } from '../../lib/calendar';

export interface DailyRow {
  day: string;
  billed: string;
  /** Defaults to `billed`; null = the export gave no effective cost for these line items. */
  effective?: string | null;
  currency?: string;
  provider?: string;
  service?: string;
  category?: string;
  regionId?: string;
  regionName?: string;
  chargeCategory?: string;
  lineItems?: number;
  /** Defaults to lineItems when effective is null, else 0. */
  effectiveMissing?: number;
}

/** Inserts cost_daily rows (creating the billing source on first use). */
export async function insertDaily(url: string, rows: DailyRow[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: src } = await client.query<{ id: number }>(
      `INSERT INTO billing_sources (name, provider) VALUES ('test', 'focus')
       ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id`,
    );
    const sourceId = src[0].id;
    for (const r of rows) {
      const effective = r.effective === undefined ? r.billed : r.effective;
      const lineItems = r.lineItems ?? 1;
      await client.query(
        `INSERT INTO cost_daily (day, source_id, billing_period_start, provider_name, service_name, service_category, region_id, region_name,
                                 charge_category, billing_currency, billed_cost, effective_cost, effective_cost_missing, line_items)
         VALUES ($1, $2, date_trunc('month', $1::date)::date, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
        [
          r.day,
          sourceId,
          r.provider ?? 'AWS',
          r.service ?? 'Amazon Elastic Compute Cloud',
          r.category ?? 'Compute',
          r.regionId ?? 'us-east-1',
          r.regionName ?? '',
          r.chargeCategory ?? 'Usage',
          r.currency ?? 'USD',
          r.billed,
          effective,
          r.effectiveMissing ?? (effective === null ? lineItems : 0),
          lineItems,
        ],
      );
    }
  } finally {
    await client.end();
  }
}

/** One row per day from `from` to `to` inclusive, built by `make`. */
export function everyDay(from: string, to: string, make: (day: string) => Omit<DailyRow, 'day'>): DailyRow[] {
  const out: DailyRow[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push({ day: d, ...make(d) });
  return out;
}

export async function clearCosts(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('TRUNCATE cost_daily, ingest_runs, billing_sources RESTART IDENTITY CASCADE');
  } finally {
    await client.end();
  }
}
