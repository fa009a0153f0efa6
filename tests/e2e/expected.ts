// Figures the Overview should show, computed independently with plain SQL over the raw line items
// (cost_line_items, not the cost_daily rollup the app reads), so the rollup is checked as well.
import pg from 'pg';

export type Metric = 'amortized' | 'billed';

let client: pg.Client | undefined;

export async function db(): Promise<pg.Client> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL must point at the database the app under test reads');
  if (!client) {
    client = new pg.Client({ connectionString: url, application_name: 'burnrate-e2e' });
    await client.connect();
  }
  return client;
}

export async function closeDb(): Promise<void> {
  await client?.end();
  client = undefined;
}

/** Minor-unit digits of a currency (2 for USD, 0 for JPY), as the UI rounds. */
export function minorDigits(currency: string): number {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

// UTC calendar days [from, to] as a half-open timestamptz range, so partitions are pruned.
const IN_DAYS = `charge_period_start >= ($1::date)::timestamp AT TIME ZONE 'UTC'
             AND charge_period_start < ($2::date + 1)::timestamp AT TIME ZONE 'UTC'`;
const COST = `CASE WHEN $3::text = 'billed' THEN billed_cost ELSE effective_cost END`;

/** Exact spend per currency over UTC days [from, to]. */
export async function spendByCurrency(from: string, to: string, metric: Metric): Promise<Map<string, string>> {
  const { rows } = await (await db()).query<{ currency: string; amount: string }>(
    `SELECT billing_currency AS currency, coalesce(sum(${COST}), 0)::text AS amount
       FROM cost_line_items WHERE ${IN_DAYS} GROUP BY 1`,
    [from, to, metric],
  );
  return new Map(rows.map((r) => [r.currency, r.amount]));
}

export interface Ranked {
  key: string;
  label: string;
  amount: string;
}

/** Largest service (provider + name) in a currency over [from, to]. */
export async function topService(from: string, to: string, metric: Metric, currency: string): Promise<Ranked | undefined> {
  const { rows } = await (await db()).query<{ provider: string; service: string; amount: string }>(
    `SELECT provider_name AS provider, coalesce(service_name, '') AS service, coalesce(sum(${COST}), 0)::text AS amount
       FROM cost_line_items WHERE ${IN_DAYS} AND billing_currency = $4
      GROUP BY 1, 2 ORDER BY coalesce(sum(${COST}), 0) DESC, 1, 2 LIMIT 1`,
    [from, to, metric, currency],
  );
  const r = rows[0];
  return r && { key: `${r.provider}|${r.service}`, label: r.service, amount: r.amount };
}

/** Largest region id in a currency over [from, to] ('' = no region). */
export async function topRegion(from: string, to: string, metric: Metric, currency: string): Promise<Ranked | undefined> {
  const { rows } = await (await db()).query<{ region: string; amount: string }>(
    `SELECT coalesce(region_id, '') AS region, coalesce(sum(${COST}), 0)::text AS amount
       FROM cost_line_items WHERE ${IN_DAYS} AND billing_currency = $4
      GROUP BY 1 ORDER BY coalesce(sum(${COST}), 0) DESC, 1 LIMIT 1`,
    [from, to, metric, currency],
  );
  const r = rows[0];
  return r && { key: r.region, label: r.region, amount: r.amount };
}

/** Latest UTC day with line items in [from, to], or null. */
export async function latestDay(from: string, to: string): Promise<string | null> {
  const { rows } = await (await db()).query<{ latest: string | null }>(
    `SELECT to_char(max((charge_period_start AT TIME ZONE 'UTC')::date), 'YYYY-MM-DD') AS latest FROM cost_line_items WHERE ${IN_DAYS}`,
    [from, to],
  );
  return rows[0]?.latest ?? null;
}

/** Month ('YYYY-MM') of the latest line item up to today, or null for an empty database. */
export async function latestDataMonth(today: string): Promise<string | null> {
  const { rows } = await (await db()).query<{ m: string | null }>(
    `SELECT to_char(max(charge_period_start AT TIME ZONE 'UTC'), 'YYYY-MM') AS m FROM cost_line_items
      WHERE charge_period_start < ($1::date + 1)::timestamp AT TIME ZONE 'UTC'`,
    [today],
  );
  return rows[0]?.m ?? null;
}

/** Line items without an effective cost in [from, to]. */
export async function missingEffective(from: string, to: string): Promise<number> {
  const { rows } = await (await db()).query<{ n: string }>(
    `SELECT count(*)::text AS n FROM cost_line_items WHERE ${IN_DAYS} AND effective_cost IS NULL`,
    [from, to],
  );
  return Number(rows[0]?.n ?? 0);
}

/** Rounds an exact decimal to `digits` places, half away from zero, in SQL (no floats). */
export async function roundDecimal(value: string, digits: number): Promise<string> {
  const { rows } = await (await db()).query<{ v: string }>('SELECT round($1::numeric, $2)::text AS v', [value, digits]);
  return rows[0].v;
}

/** '-USD 1,234.50' -> { currency: 'USD', amount: '-1234.50' } */
export function parseMoney(text: string): { currency: string; amount: string } {
  const t = text.replace(/[\u00a0\u202f]/g, ' ').trim();
  const m = /^([+-]?)([A-Z]{3}) ([\d,]+(?:\.\d+)?)$/.exec(t);
  if (!m) throw new Error(`not a displayed amount: ${JSON.stringify(text)}`);
  const amount = `${m[1] === '-' ? '-' : ''}${m[3].replaceAll(',', '')}`;
  return { currency: m[2], amount: amount === '-0' || /^-0\.0*$/.test(amount) ? amount.slice(1) : amount };
}

// UTC calendar helpers (the app's days are UTC days).
export function utcToday(): string {
  return new Date().toISOString().slice(0, 10);
}
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1 + n, 1)).toISOString().slice(0, 7);
}
export function monthEnd(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}
