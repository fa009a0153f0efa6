import type pg from 'pg';
import { priceText } from './load';

/** One on-demand Linux price a refresher read from a provider's price API. */
export interface RefreshedPrice {
  type: string;
  region: string;
  currency: string;
  /** Exact decimal text, per hour. */
  hourly: string;
  /** The API and the price's effective date, e.g. 'AWS Price List API (effective 2026-11-01)'. */
  source: string;
}

export interface StoreResult {
  prices: number;
  refreshId: string;
}

/**
 * Stores a refresh's prices in catalog_prices (replacing the same provider/type/region) and records
 * the refresh, in one transaction: a refresh that fails half way leaves the previous prices whole.
 * The same type and region twice with different prices is an error naming both.
 */
export async function storeRefreshedPrices(
  db: pg.Pool,
  provider: 'aws' | 'azure' | 'gcp',
  prices: readonly RefreshedPrice[],
  meta: { regions: readonly string[]; startedAt: Date },
): Promise<StoreResult> {
  const unique = new Map<string, RefreshedPrice>();
  for (const p of prices) {
    const hourly = priceText(p.hourly, () => `${provider} ${p.type} in ${p.region}`);
    if (!/^[A-Z]{3}$/.test(p.currency))
      throw new Error(`${provider} ${p.type} in ${p.region}: currency ${JSON.stringify(p.currency)} is not ISO 4217`);
    const key = `${p.type}\u0000${p.region}`;
    const seen = unique.get(key);
    if (seen && (seen.hourly !== hourly || seen.currency !== p.currency)) {
      throw new Error(
        `${provider} ${p.type} in ${p.region} has two prices: ${seen.hourly} ${seen.currency} (${seen.source}) and ${hourly} ${p.currency} (${p.source})`,
      );
    }
    unique.set(key, { ...p, hourly });
  }
  const rows = [...unique.values()];
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    for (let i = 0; i < rows.length; i += 5000) {
      const batch = rows.slice(i, i + 5000);
      await client.query(
        `INSERT INTO catalog_prices (provider, instance_type, region_id, currency, hourly, source, refreshed_at)
         SELECT $1, t, r, c, h::numeric, s, now() FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS x(t, r, c, h, s)
         ON CONFLICT (provider, instance_type, region_id) DO UPDATE
           SET currency = EXCLUDED.currency, hourly = EXCLUDED.hourly, source = EXCLUDED.source, refreshed_at = EXCLUDED.refreshed_at`,
        [
          provider,
          batch.map((p) => p.type),
          batch.map((p) => p.region),
          batch.map((p) => p.currency),
          batch.map((p) => p.hourly),
          batch.map((p) => p.source),
        ],
      );
    }
    const { rows: run } = await client.query<{ id: string }>(
      'INSERT INTO catalog_refreshes (provider, regions, prices, started_at) VALUES ($1, $2, $3, $4) RETURNING id::text AS id',
      [provider, [...meta.regions], rows.length, meta.startedAt],
    );
    await client.query('COMMIT');
    return { prices: rows.length, refreshId: run[0]!.id };
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}
