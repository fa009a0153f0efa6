// The sync-source and scheduler jobs on a real PostgreSQL with real pg-boss (its schema in the test
// database): which sources are due, one sync per source at a time, retries of throttling only,
// failures recorded where the page shows them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredSource } from '../lib/connectors/registry';
import { type Connector, ConnectorError, type DeliveryRef } from '../lib/connectors/types';
import { getSyncHistory } from '../lib/queries/sources';
import { encryptSecret } from '../lib/secrets';
import { sql, useTestDatabase } from '../tests/helpers/db';
import { S3_TEST_REGION, S3RVER_CREDENTIALS, startS3Server } from '../tests/helpers/s3-server';
import { enqueueSourceSync, PGBOSS_SCHEMA, SYNC_SOURCE_QUEUE, SYNC_SOURCE_QUEUE_OPTIONS } from './client';
import { createScheduleSyncsJob, createSyncSourceJob, ensureQueue, type JobDefinition } from './definitions';
import { startWorker, type Worker } from './worker';

// The real queue policy (exclusive per source) with retries fast enough for a test.
const FAST_QUEUE = { ...SYNC_SOURCE_QUEUE_OPTIONS, retryDelay: 1, retryDelayMax: 1 };

let url: string;
let boss: PgBoss;
const workers: Worker[] = [];
const lines: string[] = [];
const log = (line: string) => lines.push(line);

beforeAll(async () => {
  url = await useTestDatabase();
  boss = new PgBoss({ connectionString: url, schema: PGBOSS_SCHEMA, supervise: false, schedule: false });
  await boss.start();
  // The first createQueue decides the queue's options for this database.
  await ensureQueue(boss, createSyncSourceJob({ queue: FAST_QUEUE }));
});

afterAll(async () => {
  for (const w of workers) await w.stop();
  await boss?.stop({ graceful: false });
});

async function startSyncWorker(buildConnector: (source: StoredSource) => Connector): Promise<Worker> {
  const job = createSyncSourceJob({ buildConnector, queue: FAST_QUEUE, work: { pollingIntervalSeconds: 0.5 } });
  const worker = await startWorker(url, log, { jobs: [job as JobDefinition], schedules: false });
  workers.push(worker);
  return worker;
}

async function stopWorker(worker: Worker): Promise<void> {
  await worker.stop();
  workers.splice(workers.indexOf(worker), 1);
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function addSource(
  name: string,
  fields: { kind?: string; enabled?: boolean; schedule?: string | null; lastSyncAt?: string | null } = {},
) {
  const [row] = await sql<{ id: number }>(
    url,
    `INSERT INTO billing_sources (name, provider, kind, config, enabled, schedule, last_sync_at)
     VALUES ($1, 'aws', $2, $3::jsonb, $4, $5, $6) RETURNING id`,
    [
      name,
      fields.kind ?? 'aws_s3',
      JSON.stringify({ bucket: 'billing', region: 'us-east-1', exportType: 'cur2', prefix: '' }),
      fields.enabled ?? true,
      fields.schedule ?? null,
      fields.lastSyncAt ?? null,
    ],
  );
  if (!row) throw new Error('no source');
  return row.id;
}

async function jobsOf(sourceId: number) {
  return boss.findJobs(SYNC_SOURCE_QUEUE, { key: String(sourceId) });
}

async function runsOf(sourceId: number) {
  return sql<{ trigger: string; status: string; error: string | null }>(
    url,
    'SELECT trigger, status, error FROM sync_runs WHERE source_id = $1 ORDER BY id',
    [sourceId],
  );
}

async function sourceState(sourceId: number) {
  const [row] = await sql<{ last_sync_status: string | null; consecutive_failures: number }>(
    url,
    'SELECT last_sync_status, consecutive_failures FROM billing_sources WHERE id = $1',
    [sourceId],
  );
  return row;
}

/** A connector with no deliveries whose discover() runs `behaviour` (count calls, block, fail). */
function fakeConnector(behaviour: (call: number) => Promise<DeliveryRef[]>): { connector: Connector; calls: () => number } {
  let calls = 0;
  return {
    calls: () => calls,
    connector: {
      discover: () => behaviour(++calls),
      download: async () => [],
      testConnection: async () => {},
    },
  };
}

describe('schedule-source-syncs', () => {
  it('enqueues the enabled connector sources whose schedule fired since their last sync, each once', async () => {
    const now = new Date('2026-11-24T12:05:00Z');
    const never = await addSource('never-synced');
    const missedSlot = await addSource('synced-before-12:00', { lastSyncAt: '2026-11-24T11:00:00Z' });
    const fresh = await addSource('synced-after-12:00', { lastSyncAt: '2026-11-24T12:01:00Z' });
    const custom = await addSource('every-5-minutes', { schedule: '*/5 * * * *', lastSyncAt: '2026-11-24T12:01:00Z' });
    const longAgo = await addSource('missed-many-slots', { lastSyncAt: '2026-11-01T00:00:00Z' });
    const disabled = await addSource('disabled', { enabled: false });
    const file = await addSource('demo-file', { kind: 'file' });

    const scheduler = createScheduleSyncsJob({ now: () => now });
    const ctx = { boss, log, retryCount: 0 };
    const first = (await scheduler.handler({}, ctx)) as { due: number[]; enqueued: number[] };
    expect(first.due).toEqual([never, missedSlot, custom, longAgo]);
    expect(first.enqueued).toEqual([never, missedSlot, custom, longAgo]);
    for (const id of [fresh, disabled, file]) expect(await jobsOf(id)).toEqual([]);
    // A source that missed many slots gets one sync, not one per slot.
    expect(await jobsOf(longAgo)).toHaveLength(1);
    expect((await jobsOf(never))[0]?.data).toEqual({ sourceId: never, trigger: 'schedule' });

    // The next tick, with those syncs still queued, adds nothing.
    const second = (await scheduler.handler({}, ctx)) as { due: number[]; enqueued: number[] };
    expect(second.due).toEqual(first.due);
    expect(second.enqueued).toEqual([]);
    for (const id of first.due) expect(await jobsOf(id)).toHaveLength(1);

    await sql(url, `DELETE FROM billing_sources WHERE id = ANY($1::int[])`, [[never, missedSlot, fresh, custom, longAgo, disabled, file]]);
  });
});

describe('sync-source', () => {
  it('runs one sync per source at a time: a second send while one is queued or running is refused', async () => {
    const id = await addSource('singleton');
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const fake = fakeConnector(async () => {
      await gate;
      return [];
    });

    expect(await enqueueSourceSync(boss, id, 'manual')).toEqual(expect.any(String));
    expect(await enqueueSourceSync(boss, id, 'schedule')).toBeNull();

    const worker = await startSyncWorker(() => fake.connector);
    await waitFor('the sync to start', async () => (await runsOf(id)).some((r) => r.status === 'running'));
    // Running counts too: no second sync of the same source can be queued until it ends.
    expect(await enqueueSourceSync(boss, id, 'manual')).toBeNull();
    release();
    await waitFor('the sync to finish', async () => (await runsOf(id)).every((r) => r.status === 'succeeded'));
    await waitFor('the job to complete', async () => (await jobsOf(id)).every((j) => j.state === 'completed'));

    expect(fake.calls()).toBe(1);
    expect(await runsOf(id)).toEqual([{ trigger: 'manual', status: 'succeeded', error: null }]);
    // Once it ended, the next sync may be queued.
    expect(await enqueueSourceSync(boss, id, 'manual')).toEqual(expect.any(String));
    await waitFor(
      'the second sync',
      async () => (await runsOf(id)).length === 2 && (await jobsOf(id)).every((j) => j.state === 'completed'),
    );
    await stopWorker(worker);
  });

  it('retries a throttled sync with the queue’s backoff; the retry succeeds and resets the failure count', async () => {
    const id = await addSource('throttled');
    const fake = fakeConnector(async (call) => {
      if (call === 1)
        throw new ConnectorError('S3 throttled the requests for bucket billing (SlowDown); the sync will be retried later.', 'THROTTLED');
      return [];
    });
    const worker = await startSyncWorker(() => fake.connector);
    await enqueueSourceSync(boss, id, 'schedule');
    const [job] = await waitFor('the retried job to complete', async () => {
      const jobs = await jobsOf(id);
      return jobs.length === 1 && jobs[0]?.state === 'completed' ? jobs : null;
    });
    expect(job?.retryCount).toBe(1);
    expect(fake.calls()).toBe(2);
    expect(await runsOf(id)).toEqual([
      {
        trigger: 'schedule',
        status: 'failed',
        error: 'S3 throttled the requests for bucket billing (SlowDown); the sync will be retried later.',
      },
      { trigger: 'schedule', status: 'succeeded', error: null },
    ]);
    expect(await sourceState(id)).toEqual({ last_sync_status: 'succeeded', consecutive_failures: 0 });
    await stopWorker(worker);
  });

  it('does not retry a failure that would repeat (bad credentials): one failed run, the job completes', async () => {
    const id = await addSource('bad-credentials');
    const fake = fakeConnector(async () => {
      throw new ConnectorError('AWS rejected the credentials for bucket billing (InvalidAccessKeyId).', 'AUTH');
    });
    const worker = await startSyncWorker(() => fake.connector);
    for (let i = 1; i <= 3; i++) {
      await enqueueSourceSync(boss, id, 'manual');
      await waitFor(`failed run ${i}`, async () => (await jobsOf(id)).filter((j) => j.state === 'completed').length === i);
    }
    expect(fake.calls()).toBe(3);
    expect((await jobsOf(id)).map((j) => j.retryCount)).toEqual([0, 0, 0]);
    expect((await runsOf(id)).map((r) => r.status)).toEqual(['failed', 'failed', 'failed']);
    expect(await sourceState(id)).toEqual({ last_sync_status: 'failed', consecutive_failures: 3 });
    await stopWorker(worker);
  });

  it('records a source whose credentials cannot be decrypted as a failed sync naming BURNRATE_SECRET_KEY, without retrying', async () => {
    const key = Buffer.alloc(32, 7);
    const id = await addSource('needs-key');
    await sql(url, 'UPDATE billing_sources SET secret_ciphertext = $2 WHERE id = $1', [
      id,
      encryptSecret(JSON.stringify({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'not-this' }), key),
    ]);
    const saved = process.env.BURNRATE_SECRET_KEY;
    delete process.env.BURNRATE_SECRET_KEY;
    try {
      // The registry's own connector builder: it decrypts with the key from the environment.
      const job = createSyncSourceJob({ queue: FAST_QUEUE, work: { pollingIntervalSeconds: 0.5 } });
      const worker = await startWorker(url, log, { jobs: [job as JobDefinition], schedules: false });
      workers.push(worker);
      await enqueueSourceSync(boss, id, 'manual');
      await waitFor('the job to complete', async () => (await jobsOf(id))[0]?.state === 'completed');
      const runs = await runsOf(id);
      expect(runs).toHaveLength(1);
      expect(runs[0]?.status).toBe('failed');
      expect(runs[0]?.error).toContain('BURNRATE_SECRET_KEY is not set');
      expect(runs[0]?.error).not.toContain('not-this');
      expect(await sourceState(id)).toEqual({ last_sync_status: 'failed', consecutive_failures: 1 });
      await stopWorker(worker);
    } finally {
      if (saved === undefined) delete process.env.BURNRATE_SECRET_KEY;
      else process.env.BURNRATE_SECRET_KEY = saved;
    }
  });

  it('skips a source that was disabled or deleted after its sync was queued', async () => {
    const disabled = await addSource('disabled-later');
    const deleted = await addSource('deleted-later');
    await enqueueSourceSync(boss, disabled, 'schedule');
    await enqueueSourceSync(boss, deleted, 'schedule');
    await sql(url, 'UPDATE billing_sources SET enabled = false WHERE id = $1', [disabled]);
    await sql(url, 'DELETE FROM billing_sources WHERE id = $1', [deleted]);
    const fake = fakeConnector(async () => []);
    const worker = await startSyncWorker(() => fake.connector);
    for (const id of [disabled, deleted]) await waitFor(`job of ${id}`, async () => (await jobsOf(id))[0]?.state === 'completed');
    expect(fake.calls()).toBe(0);
    expect(await runsOf(disabled)).toEqual([]);
    await stopWorker(worker);
  });

  it('syncs a stored aws_s3 source end to end: registry connector, decrypted credentials, S3, ingest, history', async () => {
    const s3 = await startS3Server();
    const key = Buffer.alloc(32, 5);
    const saved = process.env.BURNRATE_SECRET_KEY;
    process.env.BURNRATE_SECRET_KEY = key.toString('base64');
    try {
      const fixtures = path.resolve(__dirname, '../tests/fixtures');
      const bucket = 'keboola-cur2';
      await s3.createBucket(bucket);
      await s3.put(
        bucket,
        'data/BILLING_PERIOD=2024-09/MockTestReportV2-00001.csv.gz',
        readFileSync(path.join(fixtures, 'aws-cur/keboola-cur2/MockTestReportV2-00001.csv.gz')),
      );
      await s3.put(
        bucket,
        'metadata/BILLING_PERIOD=2024-09/MockTestReportV2-Manifest.json',
        readFileSync(path.join(fixtures, 'aws-s3/keboola-cur2/MockTestReportV2-Manifest.json')),
      );
      const [row] = await sql<{ id: number }>(
        url,
        `INSERT INTO billing_sources (name, provider, kind, config, secret_ciphertext) VALUES ('keboola-s3', 'aws', 'aws_s3', $1::jsonb, $2) RETURNING id`,
        [
          JSON.stringify({ bucket, region: S3_TEST_REGION, exportType: 'cur2', endpoint: s3.endpoint, forcePathStyle: true }),
          encryptSecret(JSON.stringify(S3RVER_CREDENTIALS), key),
        ],
      );
      const id = row?.id ?? 0;
      const job = createSyncSourceJob({ queue: FAST_QUEUE, work: { pollingIntervalSeconds: 0.5 } });
      const worker = await startWorker(url, log, { jobs: [job as JobDefinition], schedules: false });
      workers.push(worker);
      await enqueueSourceSync(boss, id, 'manual');
      await waitFor('the sync', async () => (await jobsOf(id))[0]?.state === 'completed', 60_000);
      const [run] = await getSyncHistory(id);
      expect(run).toMatchObject({ status: 'succeeded', trigger: 'manual', deliveriesSeen: 1, deliveriesIngested: 1, error: null });
      expect(Number(run?.rows)).toBeGreaterThan(0);
      expect(run?.billingPeriods).toEqual(['2024-09-01']);
      expect(run?.totals.map((t) => t.currency)).toEqual(['USD']);
      const [lineItems] = await sql<{ n: string }>(url, 'SELECT count(*) AS n FROM cost_line_items WHERE source_id = $1', [id]);
      expect(lineItems?.n).toBe(run?.rows);
      expect(await sourceState(id)).toEqual({ last_sync_status: 'succeeded', consecutive_failures: 0 });
      await stopWorker(worker);
    } finally {
      if (saved === undefined) delete process.env.BURNRATE_SECRET_KEY;
      else process.env.BURNRATE_SECRET_KEY = saved;
      await s3.stop();
    }
  });
});
