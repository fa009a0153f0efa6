// "Test connection" on the add/edit form: the typed values are checked with the connector's cheap
// test against a real S3-compatible server (s3rver, official AWS SDK), without saving anything.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { form, restoreSecretKeyAfterEach } from '../../tests/helpers/actions';
import { as, type TestUser, userWithRole } from '../../tests/helpers/auth';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { S3RVER_CREDENTIALS, type S3TestServer, startS3Server } from '../../tests/helpers/s3-server';
import type { ActionState } from './safe-action';
import { IDLE } from './safe-action';
import { saveSource } from './save-source';
import { testSourceSettings } from './test-source-connection';

vi.mock('next/cache', () => ({ revalidatePath: vi.fn() }));
vi.mock('next/navigation', async (importOriginal) => ({
  ...(await importOriginal<typeof import('next/navigation')>()),
  redirect: vi.fn(),
}));

const KEY_HEX = 'cd'.repeat(32);
let url: string;
let s3: S3TestServer;

let admin: TestUser;
beforeAll(async () => {
  url = await useTestDatabase();
  admin = await userWithRole('admin');
  s3 = await startS3Server();
  await s3.createBucket('acme-billing');
  // The connector's test wants an export under the prefix (an empty prefix gets its own message).
  await s3.put('acme-billing', 'cur/payer/data/BILLING_PERIOD=2024-06/part-0.csv.gz', 'x');
});

afterAll(async () => {
  await s3?.stop();
});

restoreSecretKeyAfterEach();

function fields(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    kind: 'aws_s3',
    name: '',
    enabled: 'on',
    schedule: '',
    'config.bucket': 'acme-billing',
    'config.prefix': 'cur/',
    'config.region': 'us-east-1',
    'config.exportType': 'cur2',
    'config.endpoint': s3.endpoint,
    'config.forcePathStyle': 'on',
    'secret.accessKeyId': S3RVER_CREDENTIALS.accessKeyId,
    'secret.secretAccessKey': S3RVER_CREDENTIALS.secretAccessKey,
    'secret.sessionToken': '',
    ...overrides,
  };
}

function outcome(state: ActionState<unknown>) {
  if (state.status === 'idle') throw new Error('no answer');
  return { status: state.status, message: state.message, fieldErrors: state.status === 'error' ? state.fieldErrors : {} };
}

async function sourceCount(): Promise<number> {
  const [row] = await sql<{ n: string }>(url, 'SELECT count(*) AS n FROM billing_sources');
  return Number(row?.n);
}

describe('testSourceSettings (the form\'s "Test connection")', () => {
  it('passes with working settings and typed credentials, before the source has a name, and saves nothing', async () => {
    const before = await sourceCount();
    const result = outcome(await as(admin, testSourceSettings)(IDLE, form(fields())));
    expect(result).toEqual({
      status: 'success',
      message: 'Connection works: these settings can list the billing exports. Nothing was saved yet.',
      fieldErrors: {},
    });
    expect(await sourceCount()).toBe(before);
  });

  it('fails with the cause for a missing bucket or a wrong key, never quoting the secret', async () => {
    const missing = outcome(await as(admin, testSourceSettings)(IDLE, form(fields({ 'config.bucket': 'no-such-bucket' }))));
    expect(missing.status).toBe('error');
    expect(missing.message).toMatch(/^Connection failed: .*no-such-bucket/);
    const wrongKey = outcome(
      await as(admin, testSourceSettings)(
        IDLE,
        form(fields({ 'secret.accessKeyId': 'AKIAWRONG', 'secret.secretAccessKey': 'hunter2-secret-value' })),
      ),
    );
    expect(wrongKey.status).toBe('error');
    expect(wrongKey.message).toMatch(/^Connection failed: /);
    expect(wrongKey.message).not.toContain('hunter2-secret-value');
  });

  it('shows invalid values next to their fields, as Save does', async () => {
    const result = outcome(
      await as(admin, testSourceSettings)(IDLE, form(fields({ 'config.bucket': 'bad bucket!', 'config.region': '' }))),
    );
    expect(result.status).toBe('error');
    expect(Object.keys(result.fieldErrors).sort()).toEqual(['config.bucket', 'config.region']);
  });

  it('editing with blank credential fields tests the stored credentials with the edited settings (where they may go)', async () => {
    process.env.BURNRATE_SECRET_KEY = KEY_HEX;
    const saved = await as(admin, saveSource)(IDLE, form(fields({ name: 'payer-1' })));
    if (saved.status !== 'success') throw new Error(JSON.stringify(saved));
    const id = String(saved.data.id);
    const blank = { 'secret.accessKeyId': '', 'secret.secretAccessKey': '', name: 'payer-1', id };
    expect(outcome(await as(admin, testSourceSettings)(IDLE, form(fields(blank))))).toMatchObject({
      status: 'success',
      message: 'Connection works: payer-1 with these settings can list the billing exports. Nothing was saved yet.',
    });
    // The edited prefix is what gets tested, with the stored keys; the stored config is unchanged.
    // (A changed bucket or endpoint needs the keys again: stored-credentials.test.ts.)
    expect(
      outcome(await as(admin, testSourceSettings)(IDLE, form(fields({ ...blank, 'config.prefix': 'nothing-here/' })))).message,
    ).toMatch(/^Connection failed: .*nothing-here/);
    const [row] = await sql<{ config: { prefix: string } }>(url, 'SELECT config FROM billing_sources WHERE id = $1', [Number(id)]);
    expect(row?.config.prefix).toBe('cur');
  });
});
