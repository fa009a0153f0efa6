import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import type { ConnectorKindId } from '../../lib/connectors/kinds';
import { CONNECTOR_KINDS } from '../../lib/connectors/registry';
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

/** Registers a connector source (its provider from the registry) straight in the database; returns its id. */
export async function insertSource(url: string, name: string, kind: ConnectorKindId, config: object): Promise<number> {
  const [row] = await sql<{ id: number }>(
    url,
    'INSERT INTO billing_sources (name, provider, kind, config) VALUES ($1, $2, $3, $4::jsonb) RETURNING id',
    [name, CONNECTOR_KINDS[kind].provider, kind, JSON.stringify(config)],
  );
  if (!row) throw new Error('no source row');
  return row.id;
}
