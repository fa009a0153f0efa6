import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import { closePool } from '../../lib/db/pool';
import { disconnectPrisma } from '../../lib/db/prisma';

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * Gives the calling test file its own freshly migrated database (a clone of the template made in
 * global setup) and points DATABASE_URL, the pool and the Prisma client at it.
 */
export async function useTestDatabase(): Promise<string> {
  const adminUrl = inject('adminUrl');
  const template = inject('templateDb');
  const name = `burnrate_test_${template.split('_').pop()}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  await closePool();
  await disconnectPrisma();
  process.env.DATABASE_URL = url;
  afterAll(async () => {
    await closePool();
    await disconnectPrisma();
  });
  return url;
}

/** Runs one query on a short-lived connection; for assertions independent of the app's pool. */
export async function sql<T extends pg.QueryResultRow>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text, params)).rows;
  } finally {
    await c.end();
  }
}
