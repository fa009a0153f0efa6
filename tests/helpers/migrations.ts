// Migration tests start a database at an older migration: a folder holding the project's
// migrations up to and including `last`, removed after the test file.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { loadMigrations, MIGRATIONS_DIR } from '../../lib/db/migrate';

const tempDirs: string[] = [];
afterAll(async () => {
  for (const dir of tempDirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

export async function migrationsUpTo(last: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'burnrate-migrations-'));
  tempDirs.push(dir);
  for (const m of await loadMigrations()) {
    if (m.name > last) break;
    await cp(path.join(MIGRATIONS_DIR, m.name), path.join(dir, m.name), { recursive: true });
  }
  return dir;
}
