// npm test: unit and integration tests (Vitest, real PostgreSQL), then browser tests (Playwright,
// system Chromium) against a production build serving the demo data on an embedded PostgreSQL
// (or a throwaway database on DATABASE_URL's server). Ends with one "N passed, N failed" line.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort, startEmbeddedPostgres } from '../lib/db/embedded';
import { migrate } from '../lib/db/migrate';
import { closePool } from '../lib/db/pool';
import { loadDemoData } from '../lib/demo/load';
import { ensureNextBuild } from './next-build';

const log = (line: string) => console.log(`[test] ${line}`);
const bin = (name: string) => path.join(process.cwd(), 'node_modules/.bin', name);
const only = process.argv[2]; // 'unit' | 'e2e' | undefined
// After 'e2e': Playwright's own arguments, e.g. `npx tsx scripts/test.ts e2e origin-check` runs one
// spec (its setup projects still run first, as dependencies).
const playwrightArgs = only === 'e2e' ? process.argv.slice(3) : [];

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'inherit', env });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

async function vitestCounts(file: string): Promise<Counts> {
  try {
    const r = JSON.parse(await readFile(file, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number };
    return { passed: r.numPassedTests, failed: r.numFailedTests, skipped: r.numPendingTests };
  } catch {
    return { passed: 0, failed: 1, skipped: 0 };
  }
}

async function playwrightCounts(file: string): Promise<Counts> {
  try {
    const r = JSON.parse(await readFile(file, 'utf8')) as {
      stats: { expected: number; unexpected: number; flaky: number; skipped: number };
    };
    return { passed: r.stats.expected + r.stats.flaky, failed: r.stats.unexpected, skipped: r.stats.skipped };
  } catch {
    return { passed: 0, failed: 1, skipped: 0 };
  }
}

async function e2e(tmp: string): Promise<Counts> {
  let url: string;
  let stopDb = async () => {};
  if (process.env.DATABASE_URL) {
    const name = `burnrate_e2e_${process.pid}`;
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(process.env.DATABASE_URL);
    u.pathname = `/${name}`;
    url = u.toString();
    stopDb = async () => {
      const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  } else {
    const dir = path.join(tmp, 'pg');
    const db = await startEmbeddedPostgres({ dataDir: dir, persistent: false });
    url = db.url;
    stopDb = db.stop;
  }
  let web: ChildProcess | undefined;
  try {
    await migrate(url);
    process.env.DATABASE_URL = url;
    // Signs the suite's sessions (the app and Playwright's global setup must agree); the
    // credentials key stays unset, as some specs check the page without one.
    process.env.BURNRATE_AUTH_SECRET ??= randomBytes(32).toString('base64');
    const started = Date.now();
    await loadDemoData({ log });
    log(`demo data loaded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await closePool();
    await ensureNextBuild(log);
    const port = await freePort();
    // The same server as `npm start` (scripts/serve.ts: Next.js behind the client-address rewrite).
    web = spawn(process.execPath, ['--experimental-strip-types', 'scripts/serve.ts'], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: url, NEXT_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        const res = await fetch(`${base}/api/health`);
        if (res.ok) break;
      } catch {}
      if (Date.now() > deadline) throw new Error('the dashboard did not answer /api/health within 60 s');
      await new Promise((r) => setTimeout(r, 300));
    }
    const report = path.join(tmp, 'playwright.json');
    await run(bin('playwright'), ['test', '--reporter=list,json', ...playwrightArgs], {
      ...process.env,
      BASE_URL: base,
      DATABASE_URL: url,
      PLAYWRIGHT_JSON_OUTPUT_NAME: report,
    });
    return playwrightCounts(report);
  } finally {
    if (web && web.exitCode === null) {
      web.kill('SIGTERM');
      await new Promise((r) => web?.once('exit', r));
    }
    await stopDb();
  }
}

async function main() {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'burnrate-npm-test-'));
  await chmod(tmp, 0o755);
  const total: Counts = { passed: 0, failed: 0, skipped: 0 };
  const add = (c: Counts) => {
    total.passed += c.passed;
    total.failed += c.failed;
    total.skipped += c.skipped;
  };
  try {
    if (only !== 'e2e') {
      const report = path.join(tmp, 'vitest.json');
      await run(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`]);
      add(await vitestCounts(report));
    }
    if (only !== 'unit') {
      try {
        add(await e2e(tmp));
      } catch (error) {
        console.error(`[test] browser tests could not run: ${(error as Error).message}`);
        total.failed += 1;
      }
    }
  } finally {
    await rm(tmp, { recursive: true, force: true }).catch(() => {});
  }
  console.log(`\n${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  process.exit(total.failed ? 1 : 0);
}

void main();
