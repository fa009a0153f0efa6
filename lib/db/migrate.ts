import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

export const MIGRATIONS_DIR = path.resolve(process.cwd(), 'prisma/migrations');
// Any fixed 64-bit number: every process applying migrations to this database waits on it.
const MIGRATION_LOCK_KEY = 7_241_913_004;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory() && /^\d{4}_[a-z0-9_]+$/.test(e.name))
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

/**
 * Applies pending migrations: one transaction per file, under a session advisory lock so that
 * concurrent starters (web, workers, CLI) apply each file exactly once. A file whose content
 * changed after it was applied is an error, never silently re-run.
 */
export async function migrate(databaseUrl: string, options: { dir?: string; log?: (line: string) => void } = {}): Promise<MigrationResult> {
  const log = options.log ?? (() => {});
  const migrations = await loadMigrations(options.dir);
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'burnrate-migrate' });
  await client.connect();
  const result: MigrationResult = { applied: [], alreadyApplied: [] };
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS burnrate_migrations (
      name text PRIMARY KEY,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ name: string; checksum: string }>('SELECT name, checksum FROM burnrate_migrations');
    const done = new Map(rows.map((r) => [r.name, r.checksum]));
    for (const name of done.keys()) {
      if (!migrations.some((m) => m.name === name)) {
        throw new Error(`Database has migration ${name} applied, but prisma/migrations has no such folder: is this an older checkout?`);
      }
    }
    for (const m of migrations) {
      const appliedChecksum = done.get(m.name);
      if (appliedChecksum) {
        if (appliedChecksum !== m.checksum) {
          throw new Error(
            `Migration ${m.name} was changed after it was applied (checksum ${appliedChecksum.slice(0, 12)} in the database, ${m.checksum.slice(0, 12)} on disk). Write a new migration instead of editing an applied one.`,
          );
        }
        result.alreadyApplied.push(m.name);
        continue;
      }
      const started = Date.now();
      try {
        await client.query('BEGIN');
        await client.query(m.sql);
        await client.query('INSERT INTO burnrate_migrations (name, checksum) VALUES ($1, $2)', [m.name, m.checksum]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw new Error(`Migration ${m.name} failed and was rolled back: ${(error as Error).message}`);
      }
      result.applied.push(m.name);
      log(`applied migration ${m.name} (${Date.now() - started} ms)`);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
    await client.end();
  }
  return result;
}
