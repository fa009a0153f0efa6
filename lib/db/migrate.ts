import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

export const MIGRATIONS_DIR = path.resolve(process.cwd(), 'prisma/migrations');
// Any fixed 64-bit number: every process applying migrations to this database waits on it.
const MIGRATION_LOCK_KEY = 7_241_913_004;

/**
 * A migration whose first line is this marker runs outside a transaction, one statement at a time:
 * for what PostgreSQL refuses inside one (`CREATE INDEX CONCURRENTLY`, `ALTER TYPE … ADD VALUE` used
 * in the same file, `VACUUM`). Such a file is not atomic: if a statement fails, the file is not
 * recorded and runs again from its first statement on the next start, so every statement in it must
 * be safe to repeat (`IF NOT EXISTS`, and drop an INVALID index a failed `CONCURRENTLY` left behind).
 */
export const NO_TRANSACTION_MARKER = '-- burnrate:no-transaction';

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
  /** False when the file starts with NO_TRANSACTION_MARKER. */
  transactional: boolean;
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
      const transactional = sql.split('\n', 1)[0]?.trim() !== NO_TRANSACTION_MARKER;
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex'), transactional };
    }),
  );
}

/**
 * Applies pending migrations: one transaction per file (a file marked NO_TRANSACTION_MARKER: one
 * statement at a time), under a session advisory lock so that concurrent starters (web, workers,
 * CLI) apply each file exactly once. A file whose content changed after it was applied is an
 * error, never silently re-run.
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
      if (m.transactional) {
        try {
          await client.query('BEGIN');
          await client.query(m.sql);
          await client.query('INSERT INTO burnrate_migrations (name, checksum) VALUES ($1, $2)', [m.name, m.checksum]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          throw new Error(`Migration ${m.name} failed and was rolled back: ${(error as Error).message}`);
        }
      } else {
        // One query per statement: a multi-statement query string is an implicit transaction block.
        const statements = splitSqlStatements(m.sql);
        for (const [i, statement] of statements.entries()) {
          try {
            await client.query(statement);
          } catch (error) {
            throw new Error(
              `Migration ${m.name} (${NO_TRANSACTION_MARKER}) failed at statement ${i + 1} of ${statements.length}: ${(error as Error).message}. Statements before it stay applied; the file runs again from its first statement on the next start.`,
            );
          }
        }
        await client.query('INSERT INTO burnrate_migrations (name, checksum) VALUES ($1, $2)', [m.name, m.checksum]);
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

/** A dollar-quote opening: `$$` or `$tag$`, the tag an identifier (letters, digits, underscores; not a digit first). */
const DOLLAR_TAG = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/;
/** A character that continues an identifier (PostgreSQL allows `$` after the first): `a$b$` is no dollar quote, `xE'` no E-string. */
const IDENTIFIER_CHAR = /[A-Za-z0-9_$]/;

/** Whether the character at `at` follows an odd number of backslashes. */
function backslashedAt(text: string, at: number): boolean {
  let n = 0;
  while (text[at - 1 - n] === '\\') n++;
  return n % 2 === 1;
}

/**
 * Splits SQL into statements at top-level semicolons, skipping those inside quotes, quoted
 * identifiers, dollar-quoted bodies and comments. Empty statements (comments only) are dropped.
 */
export function splitSqlStatements(sql: string): string[] {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  let meaningful = false;
  const push = (end: number) => {
    const text = sql.slice(start, end).trim();
    if (meaningful && text) out.push(text);
    meaningful = false;
  };
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === '-' && next === '-') {
      const eol = sql.indexOf('\n', i);
      i = eol === -1 ? sql.length : eol + 1;
    } else if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end === -1) throw new Error('unterminated /* comment in migration');
      i = end + 2;
    } else if (c === "'" || c === '"') {
      meaningful = true;
      // An E'…' string also takes backslash escapes (E'it\'s'); any quote is escaped by doubling it.
      const backslashes = c === "'" && (sql[i - 1] === 'E' || sql[i - 1] === 'e') && !IDENTIFIER_CHAR.test(sql[i - 2] ?? '');
      let j = i + 1;
      for (;;) {
        const k = sql.indexOf(c, j);
        if (k === -1) throw new Error(`unterminated ${c === "'" ? 'string' : 'quoted identifier'} in migration`);
        if (backslashes && backslashedAt(sql, k)) j = k + 1;
        else if (sql[k + 1] === c) j = k + 2;
        else {
          i = k + 1;
          break;
        }
      }
    } else if (c === '$' && !IDENTIFIER_CHAR.test(sql[i - 1] ?? '') && DOLLAR_TAG.test(sql.slice(i, i + 64))) {
      meaningful = true;
      const tag = (DOLLAR_TAG.exec(sql.slice(i, i + 64)) as RegExpExecArray)[0];
      const end = sql.indexOf(tag, i + tag.length);
      if (end === -1) throw new Error(`unterminated ${tag} body in migration`);
      i = end + tag.length;
    } else if (c === ';') {
      push(i);
      i += 1;
      start = i;
    } else {
      if (c !== undefined && !/\s/.test(c)) meaningful = true;
      i += 1;
    }
  }
  push(sql.length);
  return out;
}
