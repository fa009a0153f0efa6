// A connector sync whose worker process is killed (SIGKILL) mid-ingest: its sync run must not stay
// 'running' on the sources page. A real worker child (jobs/worker.ts, as `npm run worker` runs it)
// syncs an aws_s3 source from s3rver into a real PostgreSQL, and is killed while it ingests.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPool } from '../lib/db/pool';
import { reapDeadRuns } from '../lib/db/run-lock';
import { withCsvFile, writeBenchCsv } from '../lib/demo/generate';
import { ingestFile } from '../lib/ingest/pipeline';
import { getSyncHistory, listSources } from '../lib/queries/sources';
import { encryptSecret } from '../lib/secrets';
import { sql, useTestDatabase } from '../tests/helpers/db';
import { S3_TEST_REGION, S3RVER_CREDENTIALS, type S3TestServer, startS3Server } from '../tests/helpers/s3-server';
import { enqueueSourceSync, PGBOSS_SCHEMA, SYNC_SOURCE_QUEUE, SYNC_SOURCE_QUEUE_OPTIONS } from './client';
import { createSyncSourceJob, ensureQueue, type JobDefinition, reapDeadRunsJob } from './definitions';

const SYNC_DEAD_TEXT = 'the sync process stopped (killed or crashed) before finishing';

let url: string;
let s3: S3TestServer;
let boss: PgBoss;
let dir: string;
beforeAll(async () => {
  url = await useTestDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), 'burnrate-sync-killed-'));
  s3 = await startS3Server();
  boss = new PgBoss({ connectionString: url, schema: PGBOSS_SCHEMA, supervise: false, schedule: false });
  await boss.start();
  // The real queue policy with pg-boss's shortest heartbeat, so that the killed job's end is quick to see.
  await ensureQueue(boss, createSyncSourceJob({ queue: { ...SYNC_SOURCE_QUEUE_OPTIONS, heartbeatSeconds: 10 } }));
});
afterAll(async () => {
  await boss?.stop({ graceful: false });
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** The source's billing data, summed in SQL (numeric, exact). */
async function billingSnapshot(sourceId: number) {
  return {
    items: await sql(
      url,
      `SELECT count(*)::int AS rows, sum(billed_cost)::text AS billed, sum(effective_cost)::text AS effective
         FROM cost_line_items WHERE source_id = $1`,
      [sourceId],
    ),
    daily: await sql(url, 'SELECT count(*)::int AS rows, sum(billed_cost)::text AS billed FROM cost_daily WHERE source_id = $1', [
      sourceId,
    ]),
  };
}

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs: number,
  alive?: () => string | null,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    const dead = alive?.();
    if (dead) throw new Error(`${what}: ${dead}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('a connector sync whose worker is killed with SIGKILL', () => {
  it('is marked failed (with why) as soon as the sources page looks, the source counts a failed sync, and billing data is unchanged', async () => {
    const key = Buffer.alloc(32, 9);
    const bucket = 'killed-sync';
    await s3.createBucket(bucket);
    const [row] = await sql<{ id: number }>(
      url,
      `INSERT INTO billing_sources (name, provider, kind, config, secret_ciphertext)
       VALUES ('killed-sync', 'aws', 'aws_s3', $1::jsonb, $2) RETURNING id`,
      [
        JSON.stringify({
          bucket,
          region: S3_TEST_REGION,
          exportType: 'focus',
          prefix: 'focus/e',
          endpoint: s3.endpoint,
          forcePathStyle: true,
        }),
        encryptSecret(JSON.stringify(S3RVER_CREDENTIALS), key),
      ],
    );
    const sourceId = row?.id ?? 0;
    // The source already holds September 2026: the killed sync's delivery would have replaced it.
    const small = path.join(dir, 'small.csv');
    await withCsvFile(small, (out) => writeBenchCsv(out, { rows: 1_000, endDate: '2026-10-15' }));
    await ingestFile({ file: small, sourceName: 'killed-sync' });
    const before = await billingSnapshot(sourceId);
    expect(before.items).toEqual([expect.objectContaining({ rows: 1_000 })]);

    // A FOCUS Data Export of September 2026 large enough to be killed in the middle of its ingest.
    const big = path.join(dir, 'big.csv');
    await withCsvFile(big, (out) => writeBenchCsv(out, { rows: 120_000, endDate: '2026-10-15' }));
    const part = 'focus/e/data/BILLING_PERIOD=2026-09/e-00001.csv.gz';
    await s3.put(bucket, part, gzipSync(await readFile(big), { level: 1 }));
    await s3.put(
      bucket,
      'focus/e/metadata/BILLING_PERIOD=2026-09/e-Manifest.json',
      JSON.stringify({ executionId: 'exec-1', compression: 'GZIP', dataFiles: [`s3://${bucket}/${part}`] }),
    );

    const worker = spawn(process.execPath, ['--import', 'tsx', path.resolve(__dirname, 'worker.ts')], {
      env: { ...process.env, DATABASE_URL: url, BURNRATE_SECRET_KEY: key.toString('base64') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    worker.stdout.on('data', (c: Buffer) => {
      output += c.toString();
    });
    worker.stderr.on('data', (c: Buffer) => {
      output += c.toString();
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => worker.once('exit', (_code, signal) => resolve(signal)));
    let jobId: string | null = null;
    const alive = () => (worker.exitCode !== null ? `the worker exited (${worker.exitCode}): ${output}` : null);
    try {
      jobId = await enqueueSourceSync(boss, sourceId, 'manual');
      expect(jobId).toEqual(expect.any(String));
      // Mid-sync: its run is recorded and the delivery's ingest is under way.
      const syncRunId = await waitFor(
        'the sync to be ingesting',
        async () => {
          const [ingesting] = await sql<{ id: string }>(
            url,
            `SELECT s.id FROM sync_runs s JOIN ingest_runs i ON i.source_id = s.source_id AND i.status = 'running'
              WHERE s.source_id = $1 AND s.status = 'running'`,
            [sourceId],
          );
          return ingesting?.id;
        },
        // The worker is a child process started through tsx: under a loaded CI machine its start,
        // the S3 listing and the download have taken over 15 s. A deadline, not a speed check.
        60_000,
        alive,
      );
      // Alive: its lock is held, so neither the reaper nor the page's queries touch it.
      expect(await reapDeadRuns(getPool(), 'sync_runs')).toEqual([]);
      expect((await getSyncHistory(sourceId)).map((r) => [r.id, r.status])).toEqual([[syncRunId, 'running']]);
    } finally {
      worker.kill('SIGKILL');
    }
    expect(await exited).toBe('SIGKILL');
    const killedAt = Date.now();

    // PostgreSQL ends the dead sessions (dropping their locks) once it sees the sockets closed.
    const [run] = await waitFor(
      'the sync run to be reaped',
      async () => {
        const runs = await getSyncHistory(sourceId);
        return runs[0]?.status === 'running' ? null : runs;
      },
      60_000,
    );
    const elapsed = Date.now() - killedAt;
    expect(elapsed).toBeLessThan(60_000);
    expect(run).toMatchObject({ status: 'failed', deliveriesIngested: 0, rows: '0', totals: [] });
    expect(run?.error).toContain(SYNC_DEAD_TEXT);
    expect(run?.finishedAt).toBeInstanceOf(Date);

    // The sources list reaps the delivery's ingest run too, and shows the failed sync.
    const [listed] = (await listSources()).filter((s) => s.id === sourceId);
    expect(listed).toMatchObject({ lastSyncStatus: 'failed', consecutiveFailures: 1, lastIngestStatus: 'failed' });
    expect(await sql(url, `SELECT count(*)::int AS n FROM ingest_runs WHERE status = 'running'`)).toEqual([{ n: 0 }]);
    expect(await billingSnapshot(sourceId)).toEqual(before);
    // The delivery is not marked ingested: the next sync ingests it.
    expect(await sql(url, 'SELECT count(*)::int AS n FROM source_deliveries WHERE source_id = $1', [sourceId])).toEqual([{ n: 0 }]);

    // The killed worker's pg-boss job stops heartbeating: the supervisor fails it (a retry follows),
    // so it no longer holds the source's exclusive slot as 'active' until its 4-hour expiry.
    const supervisor = new PgBoss({
      connectionString: url,
      schema: PGBOSS_SCHEMA,
      schedule: false,
      superviseIntervalSeconds: 1,
      monitorIntervalSeconds: 1,
    });
    await supervisor.start();
    try {
      const job = await waitFor(
        'the dead job to be failed by its missed heartbeat',
        async () => {
          const found = await boss.getJobById(SYNC_SOURCE_QUEUE, jobId as string);
          return found && found.state !== 'active' ? found : null;
        },
        30_000,
      );
      expect(job.state).toBe('retry');
    } finally {
      await supervisor.stop({ graceful: false });
    }
    console.log(`sync run reaped ${elapsed} ms after SIGKILL, its job failed ${Date.now() - killedAt} ms after`);
  }, 180_000);

  it('a sync queue created before sync jobs had a heartbeat gets one when a worker ensures it', async () => {
    const { heartbeatSeconds, ...before } = SYNC_SOURCE_QUEUE_OPTIONS;
    const job = { ...createSyncSourceJob(), name: 'sync-source-made-earlier' } as JobDefinition;
    await boss.createQueue(job.name, before);
    expect((await boss.getQueue(job.name))?.heartbeatSeconds ?? null).toBeNull();
    await ensureQueue(boss, job);
    expect((await boss.getQueue(job.name))?.heartbeatSeconds).toBe(heartbeatSeconds);
    expect(heartbeatSeconds).toBe(60);
  });

  it('the every-minute reaper job marks a dead sync run failed, and its source only when no later sync has finished', async () => {
    expect(reapDeadRunsJob.cron).toBe('* * * * *');
    // Whatever another test of this file left dead is reaped first, so the job's counts are this test's.
    for (const table of ['ingest_runs', 'sync_runs'] as const) await reapDeadRuns(getPool(), table);
    const sources = await sql<{ id: number; name: string }>(
      url,
      `INSERT INTO billing_sources (name, provider, kind, last_sync_at, last_sync_status, consecutive_failures) VALUES
         ('reaped-a', 'aws', 'aws_s3', '2026-11-01T00:00:00Z', 'succeeded', 0),
         ('reaped-b', 'aws', 'aws_s3', '2026-11-02T12:00:00Z', 'succeeded', 0)
       RETURNING id, name`,
    );
    const [a, b] = sources.map((s) => s.id);
    // 'running' rows as a worker killed mid-sync leaves them (no session holds their lock). A later
    // sync of reaped-b finished (at 12:00) after its dead run started (at 11:00).
    const dead = await sql<{ id: string }>(
      url,
      `INSERT INTO sync_runs (source_id, trigger, started_at) VALUES ($1, 'schedule', '2026-11-02T10:00:00Z'), ($2, 'schedule', '2026-11-02T11:00:00Z')
       RETURNING id`,
      [a, b],
    );
    const result = await reapDeadRunsJob.handler(
      {},
      // The handler never uses pg-boss.
      { boss, log: () => {}, retryCount: 0 },
    );
    expect(result).toEqual({ reaped: { ingest_runs: 0, sync_runs: 2, inventory_runs: 0 } });
    const runs = await sql<{ status: string; error: string; finished: boolean }>(
      url,
      'SELECT status, error, finished_at IS NOT NULL AS finished FROM sync_runs WHERE id = ANY($1::bigint[]) ORDER BY id',
      [dead.map((d) => d.id)],
    );
    expect(runs.map((r) => [r.status, r.error.startsWith(SYNC_DEAD_TEXT), r.finished])).toEqual([
      ['failed', true, true],
      ['failed', true, true],
    ]);
    const states = await sql<{ last_sync_status: string; consecutive_failures: number; moved: boolean }>(
      url,
      `SELECT last_sync_status, consecutive_failures, last_sync_at > '2026-11-02T12:00:00Z' AS moved
         FROM billing_sources WHERE id = ANY($1::int[]) ORDER BY id`,
      [[a, b]],
    );
    expect(states).toEqual([
      { last_sync_status: 'failed', consecutive_failures: 1, moved: true },
      { last_sync_status: 'succeeded', consecutive_failures: 0, moved: false },
    ]);
    // Reaped once: a second pass finds nothing.
    expect(await reapDeadRuns(getPool(), 'sync_runs')).toEqual([]);
  });
});
