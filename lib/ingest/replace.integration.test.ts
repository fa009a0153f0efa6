// deleteBillingPeriod against a real database: it removes one billing period of one source (line
// items, rollup, delivery record) and nothing else, and it waits for the source's ingest lock.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { expectExplorerRollupsMatch, explorerRollup } from '../../tests/helpers/rollup';
import { removeTempDirs, tempDir } from '../../tests/helpers/temp-dir';
import { ingestFile } from './pipeline';
import { deleteBillingPeriod, INGEST_LOCK_CLASS } from './replace';

afterAll(removeTempDirs);

const HEADER =
  'BillingAccountId,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ProviderName,BilledCost,BillingCurrency';
// January: 1.10 + 2.20; February: 4.00 (one source); another source also holds January.
const CSV = `${HEADER}
acct,2026-01-01T00:00:00Z,2026-02-01T00:00:00Z,2026-01-05T00:00:00Z,2026-01-06T00:00:00Z,Usage,AWS,1.10,USD
acct,2026-01-01T00:00:00Z,2026-02-01T00:00:00Z,2026-01-06T00:00:00Z,2026-01-07T00:00:00Z,Usage,AWS,2.20,USD
acct,2026-02-01T00:00:00Z,2026-03-01T00:00:00Z,2026-02-03T00:00:00Z,2026-02-04T00:00:00Z,Usage,AWS,4.00,USD
`;

let url: string;
let dir: string;

beforeAll(async () => {
  url = await useTestDatabase();
  dir = await tempDir('burnrate-replace-');
});

async function ingest(name: string): Promise<number> {
  const file = path.join(dir, `${name}.csv`);
  await writeFile(file, CSV);
  return (await ingestFile({ file, format: 'focus', sourceName: name })).sourceId;
}

async function stored(sourceId: number): Promise<{ items: Record<string, string>; daily: Record<string, string> }> {
  const items = await sql<{ p: string; billed: string }>(
    url,
    `SELECT to_char(billing_period_start AT TIME ZONE 'UTC', 'YYYY-MM') AS p, sum(billed_cost)::text AS billed
       FROM cost_line_items WHERE source_id = $1 GROUP BY 1 ORDER BY 1`,
    [sourceId],
  );
  const daily = await sql<{ p: string; billed: string }>(
    url,
    `SELECT to_char(billing_period_start, 'YYYY-MM') AS p, sum(billed_cost)::text AS billed
       FROM cost_daily WHERE source_id = $1 GROUP BY 1 ORDER BY 1`,
    [sourceId],
  );
  return {
    items: Object.fromEntries(items.map((r) => [r.p, r.billed])),
    daily: Object.fromEntries(daily.map((r) => [r.p, r.billed])),
  };
}

describe('deleteBillingPeriod', () => {
  it('deletes one billing period of one source: line items, daily and explorer rollups and the delivery record', async () => {
    const a = await ingest('replace-a');
    const b = await ingest('replace-b');
    await sql(url, `INSERT INTO source_deliveries (source_id, delivery_key, fingerprint) VALUES ($1, 'jan', 'x'), ($1, 'feb', 'y')`, [a]);

    expect(await deleteBillingPeriod({ sourceId: a, billingPeriod: '2026-01-01', deliveryKey: 'jan' })).toBe(2);

    expect(await stored(a)).toEqual({ items: { '2026-02': '4.00' }, daily: { '2026-02': '4.00' } });
    expect(await stored(b)).toEqual({ items: { '2026-01': '3.30', '2026-02': '4.00' }, daily: { '2026-01': '3.30', '2026-02': '4.00' } });
    // The explorer's rollups lose the period too, and still equal their sums over what is left.
    for (const source of ['replace-a', 'replace-b']) {
      await expectExplorerRollupsMatch(url, source, (actual, expected, table) => expect(actual, `${source} ${table}`).toEqual(expected));
    }
    expect((await explorerRollup(url, 'replace-a', 'cost_monthly_detail')).length).toBeGreaterThan(0);
    const keys = await sql<{ delivery_key: string }>(url, 'SELECT delivery_key FROM source_deliveries WHERE source_id = $1', [a]);
    expect(keys.map((k) => k.delivery_key)).toEqual(['feb']);
    // Nothing left to delete: idempotent.
    expect(await deleteBillingPeriod({ sourceId: a, billingPeriod: '2026-01-01' })).toBe(0);
  });

  it('waits while another transaction holds the source’s ingest lock', async () => {
    const sourceId = await ingest('replace-locked');
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1, $2)', [INGEST_LOCK_CLASS, sourceId]);
      let done = false;
      const deleting = deleteBillingPeriod({ sourceId, billingPeriod: '2026-02-01' }).then((n) => {
        done = true;
        return n;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(done).toBe(false);
      expect((await stored(sourceId)).items).toEqual({ '2026-01': '3.30', '2026-02': '4.00' });
      await holder.query('COMMIT');
      expect(await deleting).toBe(1);
    } finally {
      await holder.end();
    }
    expect((await stored(sourceId)).items).toEqual({ '2026-01': '3.30' });
  });

  it('refuses a billing period that is not a date', async () => {
    await expect(deleteBillingPeriod({ sourceId: 1, billingPeriod: '2026-01' })).rejects.toThrow(/"2026-01" is not a YYYY-MM-DD date/);
  });
});
