// npm start: the whole of Burnrate in one process tree. With no DATABASE_URL an embedded PostgreSQL
// starts (data under BURNRATE_DATA_DIR, default ./.burnrate); migrations are applied; an empty
// database gets the demo data; the scheduler worker starts; the dashboard is served on PORT.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { startWorker } from '../jobs/worker';
import { ssoFromEnv } from '../lib/auth/sso-settings';
import { issueSetupToken, linkPath } from '../lib/auth/users';
import { resolveDatabase } from '../lib/db/connect';
import { closePool } from '../lib/db/pool';
import { loadDemoData, pendingDemoLoad } from '../lib/demo/load';
import { readEnv, redactDatabaseUrl } from '../lib/env';
import { dashboardAddresses } from '../lib/host-check';
import { ensureNextBuild } from './next-build';

const log = (line: string) => console.log(`[burnrate] ${line}`);

async function main() {
  const env = readEnv();
  // A bad BURNRATE_OIDC_* stops here, naming the variable, rather than on the first page view.
  const sso = ssoFromEnv();
  if (sso) log(`single sign-on: ${sso.issuer} (from the environment)`);
  const dev = process.argv.includes('--dev');
  let interrupted = false;
  // Until the database is up there is nothing to stop in order: Ctrl-C just ends the process.
  const early = () => {
    interrupted = true;
  };
  process.once('SIGINT', early);
  process.once('SIGTERM', early);
  const db = await resolveDatabase(log);
  process.off('SIGINT', early);
  process.off('SIGTERM', early);
  if (interrupted) {
    await db.stop();
    return;
  }
  process.env.DATABASE_URL = db.url;
  log(`database: ${db.embedded ? db.description : redactDatabaseUrl(db.url)}`);

  let web: ChildProcess | undefined;
  let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
  let demoLoading = false;
  let stopping = false;
  const shutdown = async (code = 0) => {
    if (stopping) return;
    stopping = true;
    log('stopping…');
    if (demoLoading) {
      // The file being loaded is rolled back with its connection; the next start loads the demo again.
      log('the demo load was interrupted: the next start loads it again');
      // Idle connections close now (quietly); the one loading is cut by the server's fast shutdown.
      void closePool();
      await db.stop().catch(() => {});
      log('stopped');
      process.exit(code);
    }
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
    const demo = process.env.BURNRATE_DEMO !== '0' ? await pendingDemoLoad() : null;
    if (demo) {
      log(
        demo.resumed
          ? 'the last demo load did not finish: loading the demo dataset again…'
          : 'empty database: loading the demo dataset (13 months, three clouds)…',
      );
      const { resumed: _, ...options } = demo;
      demoLoading = true;
      await loadDemoData({ ...options, log });
      demoLoading = false;
    }
    if (!dev) await ensureNextBuild(log);
    // Ctrl-C reaches PostgreSQL too; the worker's connections then drop while it stops: not news.
    worker = await startWorker(db.url, (line) => {
      if (!stopping) log(line);
    });
    log('scheduler worker started');
    // Next.js behind Burnrate's own HTTP server, which sets the client's address (scripts/serve.ts).
    web = spawn(process.execPath, ['--experimental-strip-types', path.join(process.cwd(), 'scripts/serve.ts'), ...(dev ? ['--dev'] : [])], {
      env: { ...process.env, PORT: String(env.PORT), HOST: env.HOST, DATABASE_URL: db.url, NEXT_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    web.on('exit', (code) => {
      if (!stopping) {
        log(`web server exited (${code}); shutting down`);
        void shutdown(code ?? 1);
      }
    });
    const addresses = dashboardAddresses(env);
    log(`dashboard: ${addresses.local}${addresses.public ? `  and ${addresses.public}` : ''}  (Ctrl-C stops everything)`);
    if (addresses.warning) log(`warning: ${addresses.warning}`);
    const base = addresses.public ?? addresses.local;
    // No account yet: a one-time link (as notebook servers print) opens "create the first admin";
    // without its token the setup page refuses, so nobody else on the network claims the server.
    const setup = await issueSetupToken();
    if (setup) {
      log('no user exists yet. Create the first admin at this one-time link (valid 24 hours, until an admin exists):');
      log(`  ${base}${linkPath('setup', setup)}`);
    }
  } catch (error) {
    // Stopping makes whatever was running fail (connections closed under it): not news.
    if (stopping) return;
    console.error(`[burnrate] error: ${(error as Error).message}`);
    await shutdown(1);
  }
}

main().catch((error: unknown) => {
  // A start that cannot go on (the data directory in use, a directory the database cannot reach):
  // the message says what and how to fix it; a stack trace would only bury it.
  console.error(`[burnrate] error: ${(error as Error).message}`);
  process.exit(1);
});
