// npm start: the whole of Burnrate in one process tree. With no DATABASE_URL an embedded PostgreSQL
// starts (data under BURNRATE_DATA_DIR, default ./.burnrate); migrations are applied; an empty
// database gets the demo data; the scheduler worker starts; the dashboard is served on PORT.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { startWorker } from '../jobs/worker';
import { resolveDatabase } from '../lib/db/connect';
import { closePool } from '../lib/db/pool';
import { isDatabaseEmpty, loadDemoData } from '../lib/demo/load';
import { readEnv, redactDatabaseUrl } from '../lib/env';
import { ensureNextBuild } from './next-build';

const log = (line: string) => console.log(`[burnrate] ${line}`);

async function main() {
  const env = readEnv();
  const dev = process.argv.includes('--dev');
  const db = await resolveDatabase(log);
  process.env.DATABASE_URL = db.url;
  log(`database: ${db.embedded ? db.description : redactDatabaseUrl(db.url)}`);

  let web: ChildProcess | undefined;
  let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
  let stopping = false;
  const shutdown = async (code = 0) => {
    if (stopping) return;
    stopping = true;
    log('stopping…');
    if (web && web.exitCode === null) {
      web.kill('SIGTERM');
      await new Promise((r) => web?.once('exit', r));
    }
    await worker?.stop().catch(() => {});
    await closePool().catch(() => {});
    await db.stop().catch(() => {});
    log('stopped');
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  try {
    if (process.env.BURNRATE_DEMO !== '0' && (await isDatabaseEmpty())) {
      log('empty database: loading the demo dataset (13 months, three clouds)…');
      await loadDemoData({ log });
    }
    if (!dev) await ensureNextBuild(log);
    // Ctrl-C reaches PostgreSQL too; the worker's connections then drop while it stops: not news.
    worker = await startWorker(db.url, (line) => {
      if (!stopping) log(line);
    });
    log('scheduler worker started');
    const nextBin = path.join(process.cwd(), 'node_modules/next/dist/bin/next');
    web = spawn(process.execPath, [nextBin, dev ? 'dev' : 'start', '-p', String(env.PORT), '-H', env.HOST], {
      env: { ...process.env, DATABASE_URL: db.url, NEXT_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    web.on('exit', (code) => {
      if (!stopping) {
        log(`web server exited (${code}); shutting down`);
        void shutdown(code ?? 1);
      }
    });
    const shown = env.HOST === '127.0.0.1' || env.HOST === '::1' ? 'localhost' : env.HOST;
    log(`dashboard: http://${shown}:${env.PORT}  (Ctrl-C stops everything)`);
  } catch (error) {
    console.error(`[burnrate] error: ${(error as Error).message}`);
    await shutdown(1);
  }
}

void main();
