/**
 * Mutations of a source's stored billing data outside an ingest, and the one lock every writer of
 * a source's rows takes: the ingest pipeline (its swap), deleting a source, and dropping a billing
 * period (Cost Explorer months an export now covers). Holding it, a writer never sees another
 * one's half-done swap.
 */
import type pg from 'pg';
import { bumpDataVersion } from '../cache/data-version';
import { withTransaction } from '../db/pool';
import { deleteExplorerRollups } from './explorer-rollups';

/** pg_advisory_xact_lock's first key for per-source ingest writes ('burn'); the second is the source id. */
export const INGEST_LOCK_CLASS = 0x6275726e;

/** Waits for, then holds until the transaction ends, the source's ingest lock. Call inside a transaction. */
export async function lockSourceForIngest(client: pg.PoolClient, sourceId: number): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1, $2)', [INGEST_LOCK_CLASS, sourceId]);
}

/**
 * Deletes, in one transaction under the source's ingest lock, what a source holds for one billing
 * period: its line items, their daily and explorer rollups and, when `deliveryKey` is given, the record of the
 * delivery that brought them (so that a sync fetches it again if it reappears). Returns the number
 * of line items deleted.
 */
export async function deleteBillingPeriod(args: { sourceId: number; billingPeriod: string; deliveryKey?: string }): Promise<number> {
  const { sourceId, billingPeriod, deliveryKey } = args;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(billingPeriod))
    throw new Error(`billing period ${JSON.stringify(billingPeriod)} is not a YYYY-MM-DD date`);
  return withTransaction(async (client) => {
    await lockSourceForIngest(client, sourceId);
    const deleted = await client.query('DELETE FROM cost_line_items WHERE source_id = $1 AND billing_period_start = $2::timestamptz', [
      sourceId,
      `${billingPeriod}T00:00:00Z`,
    ]);
    await client.query('DELETE FROM cost_daily WHERE source_id = $1 AND billing_period_start = $2::date', [sourceId, billingPeriod]);
    await deleteExplorerRollups(client, sourceId, billingPeriod);
    if (deliveryKey !== undefined) {
      await client.query('DELETE FROM source_deliveries WHERE source_id = $1 AND delivery_key = $2', [sourceId, deliveryKey]);
    }
    await bumpDataVersion(client, 'billing period deleted');
    return deleted.rowCount ?? 0;
  });
}
