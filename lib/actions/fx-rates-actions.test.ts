// /settings/fx's action called as its page calls it (a session, the uploaded file) on a real
// PostgreSQL: finance loads the ECB's file and reads what changed; a refused file comes back with
// its lines' problems, changes nothing and is a 'refused' audit line; a viewer may not load.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { expectError, expectSuccess } from '../../tests/helpers/actions';
import { as, type TestUser, userWithRole } from '../../tests/helpers/auth';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { loadFxRates } from './load-fx-rates';
import { IDLE } from './safe-action';

vi.mock('next/cache', () => ({ revalidatePath: vi.fn() }));

const HIST = readFileSync('tests/fixtures/fx/ecb-hist-2024-03-25-to-04-05.csv', 'utf8');

function upload(text: string, name: string, format?: string): FormData {
  const f = new FormData();
  f.set('file', new File([text], name, { type: 'text/csv' }));
  if (format) f.set('format', format);
  return f;
}

let url: string;
let finance: TestUser;
let viewer: TestUser;
beforeAll(async () => {
  url = await useTestDatabase();
  finance = await userWithRole('finance');
  viewer = await userWithRole('viewer');
});

describe('loadFxRates', () => {
  it('finance loads the ECB file: the rows name the user, the message and the audit line say what changed', async () => {
    const ok = expectSuccess(await as(finance, loadFxRates)(IDLE, upload(HIST, 'eurofxref-hist.csv')));
    expect(ok.message).toBe(
      'Loaded eurofxref-hist.csv (ECB reference rates): 240 rates for 30 pairs from 2024-03-25 to 2024-04-05; 240 new, 0 changed, 0 unchanged.',
    );
    expect(ok.data).toMatchObject({ inserted: 240, pairs: 30 });
    const [row] = await sql<{ loaded_by: string; n: string }>(url, 'SELECT min(loaded_by) AS loaded_by, count(*)::text AS n FROM fx_rates');
    expect(row).toEqual({ loaded_by: finance.id, n: '240' });

    const again = expectSuccess(
      await as(finance, loadFxRates)(IDLE, upload('date,from,to,rate\n2024-03-28,EUR,USD,1.09\n', 'C:\\fin\\fix.csv', 'simple')),
    );
    expect(again.message).toMatch(/^Loaded fix\.csv \(date,from,to,rate\): 1 rate for 1 pair .*; 0 new, 1 changed, 0 unchanged\.$/);
    const lines = await sql<{ actor_email: string; object_id: string; outcome: string; detail: Record<string, unknown> }>(
      url,
      `SELECT actor_email, object_id, outcome, detail FROM audit_log WHERE action = 'fx_rates.load' ORDER BY id`,
    );
    expect(lines).toEqual([
      expect.objectContaining({ actor_email: finance.email, object_id: 'eurofxref-hist.csv', outcome: 'ok' }),
      expect.objectContaining({ object_id: 'fix.csv', outcome: 'ok', detail: expect.objectContaining({ new: 0, changed: 1 }) }),
    ]);
  });

  it('a refused file lists its problems by line, loads nothing, and is recorded as refused', async () => {
    const bad = 'date,from,to,rate\n2024-04-02,EUR,USD,1.0749\n2024-04-03,EUR,UDS,1.0783\n2024-04-04,EUR,USD,-1\n';
    const err = expectError(await as(finance, loadFxRates)(IDLE, upload(bad, 'bad.csv')));
    expect(err.message).toBe('bad.csv was refused: nothing was loaded. Fix the lines below and load it again.');
    expect(err.fieldErrors.file).toEqual([
      'line 3: to: UDS is not an ISO 4217 currency code',
      'line 4: rate -1 is negative; a rate must be greater than 0',
    ]);
    expect(await sql(url, `SELECT 1 FROM fx_rates WHERE day = '2024-04-02' AND source_file = 'bad.csv'`)).toEqual([]);
    const [line] = await sql<{ outcome: string; object_id: string }>(
      url,
      `SELECT outcome, object_id FROM audit_log WHERE action = 'fx_rates.load' ORDER BY id DESC LIMIT 1`,
    );
    expect(line).toEqual({ outcome: 'refused', object_id: 'bad.csv' });
  });

  it('no file, an empty file, or an unknown format is a field error', async () => {
    expect(expectError(await as(finance, loadFxRates)(IDLE, new FormData())).fieldErrors.file).toEqual(['choose a CSV file']);
    expect(expectError(await as(finance, loadFxRates)(IDLE, upload('', 'empty.csv'))).fieldErrors.file).toEqual([
      'choose a CSV file (this one is empty)',
    ]);
    expect(expectError(await as(finance, loadFxRates)(IDLE, upload(HIST, 'x.csv', 'xml'))).fieldErrors.format).toHaveLength(1);
  });

  it('a viewer may not load rates', async () => {
    const res = await as(viewer, loadFxRates)(IDLE, upload(HIST, 'eurofxref-hist.csv'));
    expect(res).toMatchObject({ status: 'error', code: 'FORBIDDEN' });
  });
});
