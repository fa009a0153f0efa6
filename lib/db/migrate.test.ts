import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { loadMigrations, MIGRATIONS_DIR, migrate, NO_TRANSACTION_MARKER, splitSqlStatements } from './migrate';

const tempDirs: string[] = [];
afterEach(async () => {
  for (const dir of tempDirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A migrations folder holding the project's migrations plus `extra` (name -> SQL). */
async function migrationsWith(extra: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'burnrate-migrations-'));
  tempDirs.push(dir);
  await cp(MIGRATIONS_DIR, dir, { recursive: true });
  for (const [name, text] of Object.entries(extra)) {
    await mkdir(path.join(dir, name));
    await writeFile(path.join(dir, name, 'migration.sql'), text);
  }
  return dir;
}

describe('migration runner', () => {
  it('records every migration with its checksum and is a no-op the second time', async () => {
    const url = await useTestDatabase();
    const again = await migrate(url);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied).toContain('0001_init');
    const rows = await sql<{ name: string; checksum: string }>(url, 'SELECT name, checksum FROM burnrate_migrations ORDER BY name');
    expect(rows[0]?.name).toBe('0001_init');
    expect(rows[0]?.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses to run when an applied migration was edited', async () => {
    const url = await useTestDatabase();
    await sql(url, "UPDATE burnrate_migrations SET checksum = repeat('0', 64) WHERE name = '0001_init'");
    await expect(migrate(url)).rejects.toThrow(/0001_init was changed after it was applied/);
  });

  it('applies concurrently started runs exactly once', async () => {
    const url = await useTestDatabase();
    // Start from an empty database: two runners race to apply every migration.
    await sql(url, 'DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    const [a, b] = await Promise.all([migrate(url), migrate(url)]);
    const all = (await loadMigrations()).map((m) => m.name);
    expect([...a.applied, ...b.applied].sort()).toEqual(all);
    expect(a.applied.length === 0 || b.applied.length === 0).toBe(true);
  });

  it('runs a file marked no-transaction statement by statement, so CREATE INDEX CONCURRENTLY works', async () => {
    const url = await useTestDatabase();
    const create = "CREATE TABLE migrate_probe (id int, note text);\nINSERT INTO migrate_probe VALUES (1, 'a;b');\n";
    const concurrently = 'CREATE INDEX CONCURRENTLY IF NOT EXISTS migrate_probe_id_idx ON migrate_probe (id);\n';
    // Without the marker PostgreSQL refuses it (the runner wraps the file in a transaction).
    const plain = await migrationsWith({ '9000_probe': create, '9001_index': concurrently });
    await expect(migrate(url, { dir: plain })).rejects.toThrow(
      /9001_index failed and was rolled back: CREATE INDEX CONCURRENTLY cannot run inside a transaction block/,
    );

    const marked = await migrationsWith({
      '9000_probe': create,
      '9001_index': `${NO_TRANSACTION_MARKER}\n-- a comment; with a semicolon\n${concurrently}`,
    });
    const result = await migrate(url, { dir: marked });
    expect(result.applied).toEqual(['9001_index']);
    const index = await sql<{ valid: boolean }>(
      url,
      "SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'migrate_probe_id_idx'::regclass",
    );
    expect(index).toEqual([{ valid: true }]);
    expect(await sql(url, 'SELECT note FROM migrate_probe')).toEqual([{ note: 'a;b' }]);
  });

  it('does not record a no-transaction file that failed, and runs it again from the start next time', async () => {
    const url = await useTestDatabase();
    const failing = await migrationsWith({
      '9002_two_steps': `${NO_TRANSACTION_MARKER}\nCREATE TABLE IF NOT EXISTS step_one (id int);\nSELECT 1 / 0;\n`,
    });
    await expect(migrate(url, { dir: failing })).rejects.toThrow(
      /9002_two_steps \(-- burnrate:no-transaction\) failed at statement 2 of 2: division by zero/,
    );
    expect(await sql(url, "SELECT name FROM burnrate_migrations WHERE name = '9002_two_steps'")).toEqual([]);
    // The first statement stayed applied (no transaction), which is why such files must be repeatable.
    expect(await sql(url, "SELECT to_regclass('step_one')::text AS t")).toEqual([{ t: 'step_one' }]);

    const fixed = await migrationsWith({
      '9002_two_steps': `${NO_TRANSACTION_MARKER}\nCREATE TABLE IF NOT EXISTS step_one (id int);\nSELECT 1;\n`,
    });
    expect((await migrate(url, { dir: fixed })).applied).toEqual(['9002_two_steps']);
  });
});

describe('splitSqlStatements', () => {
  it('splits at top-level semicolons only (quotes, E-strings, dollar tags with digits, $ in identifiers)', () => {
    const text = [
      '-- leading comment; not a statement',
      'CREATE TABLE t (a text DEFAULT \'x;y\', "odd;name" int);',
      '/* block; comment */ SELECT 1;',
      'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$;',
      "SELECT 'it''s; fine';",
      "SELECT E'it\\'s; fine\\\\', 'a\\';",
      'CREATE FUNCTION g() RETURNS int LANGUAGE sql AS $fn1$ SELECT 1; $fn1$;',
      'SELECT 1 AS a$b$; SELECT 2 AS c$b$;',
      '-- trailing comment only',
    ].join('\n');
    expect(splitSqlStatements(text)).toEqual([
      '-- leading comment; not a statement\nCREATE TABLE t (a text DEFAULT \'x;y\', "odd;name" int)',
      '/* block; comment */ SELECT 1',
      'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$',
      "SELECT 'it''s; fine'",
      // E'' takes backslash escapes; a standard string does not (its backslash is a character).
      "SELECT E'it\\'s; fine\\\\', 'a\\'",
      'CREATE FUNCTION g() RETURNS int LANGUAGE sql AS $fn1$ SELECT 1; $fn1$',
      'SELECT 1 AS a$b$',
      'SELECT 2 AS c$b$',
    ]);
  });

  it('refuses unterminated quotes instead of guessing', () => {
    expect(() => splitSqlStatements("SELECT 'open;")).toThrow(/unterminated string/);
    expect(() => splitSqlStatements('SELECT $$ open;')).toThrow(/unterminated \$\$ body/);
  });
});
