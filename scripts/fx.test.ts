// `npm run fx` as a shell runs it (a child process on a real PostgreSQL): files loaded whole or not
// at all, each load or refusal an audit line by the shell user, the loaded ranges listed.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../tests/helpers/db';
import { removeTempDirs, tempDir } from '../tests/helpers/temp-dir';

afterAll(removeTempDirs);

const ECB = 'tests/fixtures/fx/ecb-hist-2024-03-25-to-04-05.csv';

let url: string;
let dir: string;
beforeAll(async () => {
  url = await useTestDatabase();
  dir = await tempDir('burnrate-fx-cli-');
});

function fx(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/fx.ts', ...args], { env: { ...process.env, DATABASE_URL: url } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('npm run fx', () => {
  it('import: a bad file is refused naming its lines and stores nothing; the good file beside it is loaded', async () => {
    const bad = path.join(dir, 'treasury.csv');
    await writeFile(bad, 'date,from,to,rate\n2024-04-08,EUR,USD,1.0823\n2024-04-08,EUR,USD,1.0824\n');
    const r = await fx('import', bad, ECB);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      'error: treasury.csv: a problem, nothing was loaded:\n  line 3: 2024-04-08 EUR→USD is 1.0824 here but 1.0823 on line 2\n',
    );
    expect(r.err).toContain(
      `${ECB}: ecb → 240 rates for 30 pairs, 2024-03-25 to 2024-04-05: 240 new, 0 changed, 0 unchanged (88 N/A values left out)\n`,
    );
    expect(await sql(url, `SELECT 1 FROM fx_rates WHERE day = '2024-04-08'`)).toEqual([]);
    const lines = await sql<{ actor_kind: string; actor_detail: string; object_id: string; outcome: string }>(
      url,
      `SELECT actor_kind, actor_detail, object_id, outcome FROM audit_log WHERE action = 'fx_rates.load' ORDER BY id`,
    );
    const me = os.userInfo().username;
    expect(lines).toEqual([
      { actor_kind: 'cli', actor_detail: me, object_id: 'treasury.csv', outcome: 'refused' },
      { actor_kind: 'cli', actor_detail: me, object_id: 'ecb-hist-2024-03-25-to-04-05.csv', outcome: 'ok' },
    ]);
  });

  it('import --json, then list and list --json', async () => {
    const r = await fx('import', '--json', '--format', 'ecb', ECB);
    expect(r.code, r.err).toBe(0);
    const out = JSON.parse(r.out) as { ok: boolean; files: Record<string, unknown>[] };
    expect(out.ok).toBe(true);
    expect(out.files[0]).toMatchObject({ file: 'ecb-hist-2024-03-25-to-04-05.csv', inserted: 0, changed: 0, unchanged: 240 });

    const list = await fx('list');
    expect(list.code).toBe(0);
    expect(list.out.split('\n').filter(Boolean)).toHaveLength(30);
    expect(list.out).toMatch(/^EUR→AUD\t2024-03-25 to 2024-04-05\t8 days\tecb-hist-2024-03-25-to-04-05\.csv, \d{4}-/);
    const json = JSON.parse((await fx('list', '--json')).out) as { base: string; quote: string; days: number }[];
    expect(json.find((p) => p.quote === 'USD')).toMatchObject({ base: 'EUR', firstDay: '2024-03-25', lastDay: '2024-04-05', days: 8 });
  });

  it('bad arguments are explained', async () => {
    const r = await fx('import', '--format', 'xml', ECB);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/format: Invalid option/i);
    expect(r.err).toMatch(/usage: npm run fx -- import/);
    expect((await fx('export')).err).toMatch(/^command: import or list/);
    expect((await fx('import')).err).toMatch(/give at least one file to import/);
  });
});
