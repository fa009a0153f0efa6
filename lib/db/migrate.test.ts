import { describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { loadMigrations, migrate } from './migrate';

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
});
