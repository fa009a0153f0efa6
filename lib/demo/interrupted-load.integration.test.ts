import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { startEmbeddedPostgres } from '../db/embedded';
import { writeDemoFiles } from './generate';
import { pendingDemoLoad } from './load';

const END = '2026-10-15';
const ROWS = 60_000;

let url: string;
let dir: string;
beforeAll(async () => {
  url = await useTestDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), 'burnrate-demo-interrupt-'));
  // Traversable, so that as root the cluster stays in it (lib/db/embedded.test.ts covers the other case).
  await chmod(dir, 0o755);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `npm run demo:load` as a real process in its own process group, with the embedded PostgreSQL on
 * `dataDir`; `interruptWhen` sends SIGINT to the whole group, as Ctrl-C in a terminal does.
 */
function demoLoad(dataDir: string, tmp: string, args: string[], interruptWhen?: RegExp): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, BURNRATE_DATA_DIR: dataDir, TMPDIR: tmp };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo-load.ts', ...args], {
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let sent = false;
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    if (interruptWhen && !sent && interruptWhen.test(stdout) && child.pid) {
      sent = true;
      process.kill(-child.pid, 'SIGINT');
    }
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** Line items per source and currency in the embedded database of `dataDir`, compared in SQL against expected sums. */
async function loaded(dataDir: string) {
  const db = await startEmbeddedPostgres({ dataDir });
  try {
    return {
      sources: await sql<{ name: string; rows: number }>(
        db.url,
        `SELECT s.name, count(li.*)::int AS rows FROM billing_sources s LEFT JOIN cost_line_items li ON li.source_id = s.id
          GROUP BY s.name ORDER BY s.name`,
      ),
      marker: await sql<{ end_date: string; rows_target: number; completed: boolean }>(
        db.url,
        'SELECT end_date::text, rows_target, completed_at IS NOT NULL AS completed FROM demo_load',
      ),
      runs: await sql<{ status: string; n: number }>(
        db.url,
        'SELECT status, count(*)::int AS n FROM ingest_runs GROUP BY status ORDER BY status',
      ),
      totals: await sql<{ name: string; currency: string; rows: number; billed: string; effective: string }>(
        db.url,
        `SELECT s.name, li.billing_currency AS currency, count(*)::int AS rows, sum(li.billed_cost)::text AS billed,
                sum(li.effective_cost)::text AS effective
           FROM cost_line_items li JOIN billing_sources s ON s.id = li.source_id
          GROUP BY 1, 2 ORDER BY 1, 2`,
      ),
    };
  } finally {
    await db.stop();
  }
}

/** Exact decimal equality of two numeric strings ("12.50" = "12.5"), by BigInt at a common scale. */
function sameAmount(a: string, b: string): boolean {
  const scaled = (v: string, scale: number) => {
    const [int = '0', frac = ''] = v.replace('-', '').split('.');
    const n = BigInt(int + frac.padEnd(scale, '0'));
    return v.startsWith('-') ? -n : n;
  };
  const scale = Math.max(a.split('.')[1]?.length ?? 0, b.split('.')[1]?.length ?? 0);
  return scaled(a, scale) === scaled(b, scale);
}

describe('Ctrl-C during the demo load', () => {
  // Interrupted in the middle of the second file's COPY: the connection dropping under the COPY
  // once ended in an unhandled rejection (ECONNRESET) or a 'terminating connection' stack trace.
  // Two demo loads in child processes, the second with its inventory, metrics and recommendations.
  it('stops without a stack trace, and the next run loads the whole demo (totals equal to the generated files)', async () => {
    const dataDir = path.join(dir, 'data');
    const tmp = path.join(dir, 'tmp');
    await mkdir(tmp);
    const first = await demoLoad(dataDir, tmp, ['--end', END, '--rows', String(ROWS)], /demo-azure: \d+%/);
    expect(first.stdout).toContain('interrupted: the demo load stops here');
    expect(first.code).toBe(130);
    expect(first.stderr).not.toMatch(/^\s+at /m);
    expect(first.stderr).not.toContain('terminating connection');
    // The generated files went with the process.
    expect((await readdir(tmp)).filter((f) => f.startsWith('burnrate-demo-'))).toEqual([]);

    // Half loaded, and recorded as unfinished.
    const half = await loaded(dataDir);
    expect(half.marker).toEqual([{ end_date: END, rows_target: ROWS, completed: false }]);
    expect(half.sources.filter((s) => s.rows > 0).map((s) => s.name)).toEqual(['demo-aws']);

    // No options: the unfinished load is redone with its own end date and size.
    const second = await demoLoad(dataDir, tmp, []);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('the last demo load did not finish: loading it again');

    const full = await loaded(dataDir);
    expect(full.marker).toEqual([{ end_date: END, rows_target: ROWS, completed: true }]);
    // demo-aws twice, demo-azure and demo-gcp once (the interrupted run is no success).
    expect(full.runs.find((r) => r.status === 'succeeded')).toEqual({ status: 'succeeded', n: 4 });
    // The oracle: what the generator wrote for the same end date and size, summed by the generator.
    const generated = await writeDemoFiles(path.join(dir), { endDate: END, rowsTarget: ROWS });
    const expected = generated
      .flatMap((g) => g.totals.map((t) => ({ name: g.sourceName, ...t })))
      .sort((x, y) => `${x.name} ${x.currency}`.localeCompare(`${y.name} ${y.currency}`));
    expect(full.totals.map((t) => [t.name, t.currency, t.rows])).toEqual(expected.map((t) => [t.name, t.currency, t.rows]));
    for (const [i, t] of full.totals.entries()) {
      const e = expected[i];
      expect(e && sameAmount(t.billed, e.billedCost), `${t.name} ${t.currency} billed ${t.billed} vs ${e?.billedCost}`).toBe(true);
      expect(e && sameAmount(t.effective, e.effectiveCost), `${t.name} ${t.currency} effective`).toBe(true);
    }
  }, 300_000);
});

describe('pendingDemoLoad (what npm start loads)', () => {
  it('loads into an empty database, redoes an unfinished load with its options, and leaves a finished one or user data alone', async () => {
    expect(await pendingDemoLoad()).toEqual({ resumed: false });
    await sql(url, `INSERT INTO demo_load (end_date, rows_target) VALUES ('2026-09-30', 5000)`);
    expect(await pendingDemoLoad()).toEqual({ endDate: '2026-09-30', rowsTarget: 5000, resumed: true });
    await sql(url, 'UPDATE demo_load SET completed_at = now()');
    expect(await pendingDemoLoad()).toBeNull();
    await sql(url, 'DELETE FROM demo_load');
    await sql(url, `INSERT INTO billing_sources (name, provider) VALUES ('my-aws', 'aws')`);
    expect(await pendingDemoLoad()).toBeNull();
  });
});
