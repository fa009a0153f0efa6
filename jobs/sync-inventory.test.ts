// The hourly inventory scheduler and the sync-inventory job on a real PostgreSQL with real pg-boss:
// which sources are enqueued (inventory on, enabled; one job per source at a time), what the job
// skips, records and retries.
import { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectorError } from '../lib/connectors/types';
import type { InventoryConnector, ResourceRecord, SampleBatch } from '../lib/inventory/types';
import { sql, useTestDatabase } from '../tests/helpers/db';
import { PGBOSS_SCHEMA, SYNC_INVENTORY_QUEUE } from './client';
import { createSyncInventoryJob, ensureQueue, type JobContext, scheduleInventorySyncsJob } from './definitions';

let url: string;
let boss: PgBoss;
const lines: string[] = [];

beforeAll(async () => {
  url = await useTestDatabase();
  boss = new PgBoss({ connectionString: url, schema: PGBOSS_SCHEMA, supervise: false, schedule: false });
  await boss.start();
  await ensureQueue(boss, createSyncInventoryJob());
});

afterAll(async () => {
  await boss?.stop({ graceful: false });
});

const ctx = (): JobContext => ({ boss, log: (l) => lines.push(l), retryCount: 0 });

async function source(name: string, kind: string, opts: { enabled?: boolean; inventory: boolean }): Promise<number> {
  const [row] = await sql<{ id: number }>(
    url,
    `INSERT INTO billing_sources (name, provider, kind, enabled, inventory_enabled, inventory_config)
     VALUES ($1, 'aws', $2, $3, $4, '{"regions":"us-east-1"}') RETURNING id`,
    [name, kind, opts.enabled ?? true, opts.inventory],
  );
  if (!row) throw new Error('no source row');
  return row.id;
}

function listing(records: ResourceRecord[], fail?: Error): InventoryConnector {
  return {
    testConnection: async () => {},
    listResources: async function* () {
      if (fail) throw fail;
      yield* records;
    },
    fetchMetrics: async function* (): AsyncIterable<SampleBatch> {},
  };
}

async function runs(sourceId: number): Promise<{ status: string; error: string | null; resources_listed: number }[]> {
  return sql(url, 'SELECT status, error, resources_listed FROM inventory_runs WHERE source_id = $1 ORDER BY id', [sourceId]);
}

describe('inventory jobs', () => {
  it('the hourly tick enqueues every enabled source with inventory on, once while one is pending', async () => {
    const billing = await source('s3-with-inventory', 'aws_s3', { inventory: true });
    const only = await source('inventory-only', 'aws_inventory', { inventory: true });
    await source('s3-without', 'aws_s3', { inventory: false });
    await source('disabled', 'aws_inventory', { enabled: false, inventory: true });
    const first = (await scheduleInventorySyncsJob.handler({}, ctx())) as { sources: number; enqueued: number[] };
    expect(first.enqueued).toEqual([billing, only]);
    const queued = await boss.findJobs(SYNC_INVENTORY_QUEUE);
    expect(queued.map((j) => (j.data as { sourceId: number }).sourceId).sort()).toEqual([billing, only].sort());
    const second = (await scheduleInventorySyncsJob.handler({}, ctx())) as { enqueued: number[] };
    expect(second.enqueued).toEqual([]);
  });

  it('skips sources without inventory; records a connector that cannot be built; retries throttling only', async () => {
    const off = await source('job-off', 'aws_s3', { inventory: false });
    const job = createSyncInventoryJob({
      buildConnector: (s) => {
        if (s.name === 'job-bad')
          throw new ConnectorError('job-bad: cannot read its stored credentials: BURNRATE_SECRET_KEY is not set', 'CONFIG');
        if (s.name === 'job-throttled')
          return listing([], new ConnectorError('AWS throttled the requests in us-east-1 (Throttling)', 'THROTTLED'));
        if (s.name === 'job-denied')
          return listing([], new ConnectorError('AWS denied access in us-east-1 (UnauthorizedOperation)', 'AUTH'));
        return listing([{ provider: 'aws', resourceId: 'i-0job1', kind: 'instance', accountId: '777777777777', regionId: 'us-east-1' }]);
      },
    });
    expect(await job.handler({ sourceId: off, trigger: 'schedule' }, ctx())).toEqual({ skipped: 'inventory is turned off for the source' });
    expect(await runs(off)).toEqual([]);

    const bad = await source('job-bad', 'aws_inventory', { inventory: true });
    expect(await job.handler({ sourceId: bad, trigger: 'manual' }, ctx())).toEqual({
      failed: 'job-bad: cannot read its stored credentials: BURNRATE_SECRET_KEY is not set',
    });
    expect(await runs(bad)).toEqual([
      { status: 'failed', error: 'job-bad: cannot read its stored credentials: BURNRATE_SECRET_KEY is not set', resources_listed: 0 },
    ]);

    const throttled = await source('job-throttled', 'aws_inventory', { inventory: true });
    await expect(job.handler({ sourceId: throttled, trigger: 'schedule' }, ctx())).rejects.toThrow('AWS throttled the requests');
    const denied = await source('job-denied', 'aws_inventory', { inventory: true });
    expect(await job.handler({ sourceId: denied, trigger: 'schedule' }, ctx())).toEqual({
      failed: 'AWS denied access in us-east-1 (UnauthorizedOperation)',
    });

    const ok = await source('job-ok', 'aws_s3', { inventory: true });
    expect(await job.handler({ sourceId: ok, trigger: 'schedule' }, ctx())).toMatchObject({ resourcesListed: 1, resourcesGone: 0 });
    expect(await runs(ok)).toEqual([{ status: 'succeeded', error: null, resources_listed: 1 }]);
  });
});
