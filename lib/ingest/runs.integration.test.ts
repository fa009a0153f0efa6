import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reapDeadRunsJob } from '../../jobs/definitions';
import { spawnIngest } from '../../scripts/ingest-command';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { getPool } from '../db/pool';
import { deadRunError, reapDeadRuns } from '../db/run-lock';
import { withCsvFile, writeBenchCsv } from '../demo/generate';
import { getIngestStatus } from '../queries/ingest-status';
import { ingestFile } from './pipeline';

let url: string;
let dir: string;
beforeAll(async () => {
  url = await useTestDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), 'burnrate-runs-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const END = '2026-10-15';

/** What the dashboard's data is made of, summed in SQL (numeric, exact). */
async function billingSnapshot() {
  return {
    items: await sql(
      url,
      `SELECT source_id, count(*)::int AS rows, sum(billed_cost)::text AS billed, sum(effective_cost)::text AS effective
         FROM cost_line_items GROUP BY source_id ORDER BY source_id`,
    ),
    daily: await sql(url, `SELECT count(*)::int AS rows, sum(billed_cost)::text AS billed FROM cost_daily`),
  };
}

describe('an ingest killed with SIGKILL', () => {
  it('is marked failed within the minute (at once by the status query), and the billing data is unchanged', async () => {
    // The same source and billing period already hold data: the killed run would have replaced it.
    const small = path.join(dir, 'small.csv');
    await withCsvFile(small, (out) => writeBenchCsv(out, { rows: 2_000, endDate: END }));
    await ingestFile({ file: small, sourceName: 'killed-source' });
    const big = path.join(dir, 'big.csv');
    await withCsvFile(big, (out) => writeBenchCsv(out, { rows: 150_000, endDate: END }));
    const before = await billingSnapshot();
    expect(before.items).toHaveLength(1);
    expect(before.items[0]).toMatchObject({ rows: 2_000 });

    const child = spawnIngest(['--source', 'killed-source', big], { DATABASE_URL: url });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    let runId: string | undefined;
    const deadline = Date.now() + 60_000;
    while (!runId) {
      if (child.exitCode !== null) throw new Error(`the ingest ended before it was killed: ${stderr}`);
      if (Date.now() > deadline) throw new Error('the ingest run never appeared');
      const rows = await sql<{ id: string }>(url, `SELECT id FROM ingest_runs WHERE file_name = $1 AND status = 'running'`, [big]);
      runId = rows[0]?.id;
      if (!runId) await new Promise((r) => setTimeout(r, 20));
    }
    // Alive: its lock is held, so neither the reaper nor the banner's query touch it.
    expect(await reapDeadRuns(getPool(), 'ingest_runs')).toEqual([]);
    expect((await getIngestStatus()).running.map((r) => r.id)).toEqual([runId]);

    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const killedAt = Date.now();
    // PostgreSQL ends the dead session (and drops its lock) once it sees the socket closed.
    let status = await getIngestStatus();
    while (status.running.length && Date.now() - killedAt < 60_000) {
      await new Promise((r) => setTimeout(r, 100));
      status = await getIngestStatus();
    }
    const elapsed = Date.now() - killedAt;
    expect(status.running).toEqual([]);
    expect(elapsed).toBeLessThan(60_000);
    const [run] = await sql<{ status: string; error: string; finished: boolean }>(
      url,
      'SELECT status, error, finished_at IS NOT NULL AS finished FROM ingest_runs WHERE id = $1',
      [runId],
    );
    expect(run).toEqual({ status: 'failed', error: deadRunError('ingest_runs'), finished: true });
    expect(await billingSnapshot()).toEqual(before);
    expect(await sql(url, 'SELECT count(*)::int AS n FROM cost_line_items WHERE ingest_run_id = $1', [runId])).toEqual([{ n: 0 }]);
  });

  it('the reaper job runs every minute and marks a run whose session is gone', async () => {
    expect(reapDeadRunsJob.cron).toBe('* * * * *');
    await sql(url, `INSERT INTO billing_sources (name, provider) VALUES ('reaper-source', 'aws') ON CONFLICT DO NOTHING`);
    // A 'running' row as a process killed between its insert and its end leaves it (no lock held).
    const [row] = await sql<{ id: string }>(
      url,
      `INSERT INTO ingest_runs (source_id, file_name) SELECT id, 'dead.csv' FROM billing_sources WHERE name = 'reaper-source' RETURNING id`,
    );
    const result = await reapDeadRunsJob.handler(
      {},
      {
        // The handler never uses pg-boss; an unstarted instance opens no connection.
        boss: new PgBoss({ connectionString: url }),
        log: () => {},
        retryCount: 0,
      },
    );
    expect(result).toEqual({ reaped: { ingest_runs: 1, sync_runs: 0, inventory_runs: 0 } });
    expect(await sql(url, 'SELECT status, error FROM ingest_runs WHERE id = $1', [row?.id])).toEqual([
      { status: 'failed', error: deadRunError('ingest_runs') },
    ]);
  });
});
