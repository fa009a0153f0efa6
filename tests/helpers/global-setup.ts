// Vitest global setup: one real PostgreSQL for the whole run. With DATABASE_URL set it is used as
// the admin connection; otherwise an embedded PostgreSQL starts in a throwaway directory. A template
// database is migrated once; every test file clones it (tests/helpers/db.ts), so files run in
// parallel without seeing each other's data.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../lib/db/embedded';
import { migrate } from '../../lib/db/migrate';

export const TEMPLATE_DB = `burnrate_test_template_${process.pid}`;

export default async function setup(project: TestProject) {
  let adminUrl = process.env.DATABASE_URL;
  let stop = async () => {};
  let dir: string | undefined;
  if (!adminUrl) {
    dir = await mkdtemp(path.join(os.tmpdir(), 'burnrate-test-pg-'));
    // initdb runs as the unprivileged `postgres` user when we are root: it must reach the directory.
    await chmod(dir, 0o755);
    const db = await startEmbeddedPostgres({ dataDir: dir, persistent: false });
    adminUrl = db.url;
    stop = db.stop;
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB}`);
  await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  const templateUrl = withDatabase(adminUrl, TEMPLATE_DB);
  await migrate(templateUrl);
  await admin.end();
  project.provide('adminUrl', adminUrl);
  project.provide('templateDb', TEMPLATE_DB);
  return async () => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    const { rows } = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2`, [
      `burnrate_test_${process.pid}_%`,
      TEMPLATE_DB,
    ]);
    for (const r of rows) await c.query(`DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`);
    await c.end();
    await stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
    templateDb: string;
  }
}
