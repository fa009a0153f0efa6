// Stored credentials go only where they were saved for: an edit that points a source elsewhere
// (endpoint, account URL, region, bucket) with the credential fields blank is refused by "Test
// connection" and by Save before anything is sent. A real HTTP listener on loopback stands for the
// new address and records every request it gets.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectError, form, restoreSecretKeyAfterEach } from '../../tests/helpers/actions';
import { as, type TestUser, userWithRole } from '../../tests/helpers/auth';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { IDLE } from './safe-action';
import { saveSource } from './save-source';
import { testSourceSettings } from './test-source-connection';

vi.mock('next/cache', () => ({ revalidatePath: vi.fn() }));
vi.mock('next/navigation', async (importOriginal) => ({
  ...(await importOriginal<typeof import('next/navigation')>()),
  redirect: vi.fn(),
}));

const KEY_HEX = 'ef'.repeat(32);
const STORED_KEY_ID = 'AKIASTOREDKEYID00001';
const STORED_SECRET = 'stored-secret-access-key-value';
const STORED_TOKEN = 'stored-session-token-value';
const STORED_SAS = 'sv=2024-01-01&sp=rl&sig=STOREDSASSIGNATURE';
const TYPED_KEY_ID = 'AKIATYPEDKEYID000002';

let url: string;
let listener: Server;
let listenerUrl: string;
const received: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];

let admin: TestUser;
beforeAll(async () => {
  url = await useTestDatabase();
  admin = await userWithRole('admin');
  listener = createServer((req, res) => {
    received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    // A refusal S3, Cost Explorer and Azure all read as "access denied", without retrying.
    res.writeHead(403, { 'content-type': 'application/xml' });
    res.end('<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>denied</Message></Error>');
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  listenerUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve, reject) => listener.close((e) => (e ? reject(e) : resolve())));
});

restoreSecretKeyAfterEach();
afterEach(() => {
  received.length = 0;
});

async function save(fields: Record<string, string>): Promise<string> {
  const state = await as(admin, saveSource)(IDLE, form(fields));
  if (state.status !== 'success') throw new Error(JSON.stringify(state));
  return String(state.data.id);
}

async function stored(id: string): Promise<{ config: Record<string, unknown>; secret_ciphertext: string | null; updated_at: Date }> {
  const [row] = await sql<{ config: Record<string, unknown>; secret_ciphertext: string | null; updated_at: Date }>(
    url,
    'SELECT config, secret_ciphertext, updated_at FROM billing_sources WHERE id = $1',
    [Number(id)],
  );
  if (!row) throw new Error(`source ${id} is gone`);
  return row;
}

const S3 = (name: string) => ({
  kind: 'aws_s3',
  name,
  enabled: 'on',
  schedule: '',
  'config.bucket': 'acme-billing',
  'config.prefix': 'cur/',
  'config.region': 'us-east-1',
  'config.exportType': 'cur2',
  'config.endpoint': 'http://127.0.0.1:9/',
  'config.forcePathStyle': 'on',
  'secret.accessKeyId': '',
  'secret.secretAccessKey': '',
  'secret.sessionToken': '',
});

const STORED_S3_KEYS = {
  'secret.accessKeyId': STORED_KEY_ID,
  'secret.secretAccessKey': STORED_SECRET,
  'secret.sessionToken': STORED_TOKEN,
};

describe('stored credentials are bound to where they were saved for', () => {
  it('S3: "Test connection" and Save with the endpoint changed and blank credentials are refused, and the new endpoint receives nothing', async () => {
    process.env.BURNRATE_SECRET_KEY = KEY_HEX;
    const id = await save({ ...S3('s3-bound'), ...STORED_S3_KEYS });
    const before = await stored(id);
    const moved = { ...S3('s3-bound'), id, 'config.endpoint': listenerUrl };

    const tested = expectError(await as(admin, testSourceSettings)(IDLE, form(moved)));
    expect(tested.message).toBe(
      'Enter the credentials again: the endpoint URL changed. Stored credentials are only sent where they were saved for.',
    );
    expect(tested.fieldErrors['config.endpoint']).toEqual(['enter the credentials again: the endpoint URL changed']);
    expect(tested.fieldErrors.secret).toEqual([
      'enter the access key again: the endpoint URL changed, and the stored one is only sent where it was saved for',
    ]);

    const saved = expectError(await as(admin, saveSource)(IDLE, form(moved)));
    expect(saved.fieldErrors['config.endpoint']).toEqual(['enter the credentials again: the endpoint URL changed']);
    expect(received).toEqual([]);
    // Nothing changed in the database either.
    expect(await stored(id)).toEqual(before);
  });

  it('S3: the region, the bucket and path style are bound too; the prefix and a trailing slash on the endpoint are not', async () => {
    process.env.BURNRATE_SECRET_KEY = KEY_HEX;
    const id = await save({ ...S3('s3-fields'), ...STORED_S3_KEYS });
    const edit = { ...S3('s3-fields'), id };
    const refused = async (overrides: Record<string, string>) =>
      Object.keys(expectError(await as(admin, saveSource)(IDLE, form({ ...edit, ...overrides }))).fieldErrors).sort();
    expect(await refused({ 'config.region': 'eu-west-1' })).toEqual(['config.region', 'secret']);
    expect(await refused({ 'config.bucket': 'other-bucket' })).toEqual(['config.bucket', 'secret']);
    expect(await refused({ 'config.forcePathStyle': '' })).toEqual(['config.forcePathStyle', 'secret']);
    expect(await refused({ 'config.bucket': 'other-bucket', 'config.endpoint': listenerUrl })).toEqual([
      'config.bucket',
      'config.endpoint',
      'secret',
    ]);
    // The same place, written differently, and a new prefix keep the stored key.
    const kept = await as(admin, saveSource)(IDLE, form({ ...edit, 'config.endpoint': 'http://127.0.0.1:9', 'config.prefix': 'other/' }));
    expect(kept.status).toBe('success');
    expect((await stored(id)).config.prefix).toBe('other');
    expect(received).toEqual([]);
  });

  it('S3: with the credentials typed again, the changed endpoint is tested and saved, with the typed key only', async () => {
    process.env.BURNRATE_SECRET_KEY = KEY_HEX;
    const id = await save({ ...S3('s3-retyped'), ...STORED_S3_KEYS });
    const retyped = {
      ...S3('s3-retyped'),
      id,
      'config.endpoint': listenerUrl,
      'secret.accessKeyId': TYPED_KEY_ID,
      'secret.secretAccessKey': 'typed-secret',
    };
    const tested = expectError(await as(admin, testSourceSettings)(IDLE, form(retyped)));
    expect(tested.message).toMatch(/^Connection failed: /);
    expect(received.length).toBeGreaterThan(0);
    const sent = JSON.stringify(received);
    expect(sent).toContain(TYPED_KEY_ID);
    expect(sent).not.toContain(STORED_KEY_ID);
    expect(sent).not.toContain(STORED_TOKEN);

    expect((await as(admin, saveSource)(IDLE, form(retyped))).status).toBe('success');
    expect((await stored(id)).config.endpoint).toBe(listenerUrl);
    // Removing the stored key (default credentials) is not bound: nothing stored is sent.
  });

  it('Azure Blob: a changed account URL with the stored SAS token is refused on test and save; the container is not bound', async () => {
    process.env.BURNRATE_SECRET_KEY = KEY_HEX;
    const azure = {
      kind: 'azure_blob',
      name: 'azure-bound',
      enabled: 'on',
      schedule: '',
      'config.accountUrl': 'http://127.0.0.1:9/devstoreaccount1',
      'config.container': 'cost-exports',
      'config.directory': '',
      'secret.kind': 'sasToken',
      'secret.sasToken': '',
    };
    const id = await save({ ...azure, 'secret.sasToken': STORED_SAS });
    const moved = { ...azure, id, 'config.accountUrl': `${listenerUrl}/devstoreaccount1` };
    const tested = expectError(await as(admin, testSourceSettings)(IDLE, form(moved)));
    expect(tested.fieldErrors['config.accountUrl']).toEqual(['enter the credentials again: the storage account URL changed']);
    expect(tested.fieldErrors.secret?.[0]).toMatch(/^enter the storage credential again: the storage account URL changed/);
    expect(expectError(await as(admin, saveSource)(IDLE, form(moved))).fieldErrors['config.accountUrl']).toBeDefined();
    expect(received).toEqual([]);
    expect((await stored(id)).config.accountUrl).toBe('http://127.0.0.1:9/devstoreaccount1');
    expect((await as(admin, saveSource)(IDLE, form({ ...azure, id, 'config.container': 'other-exports' }))).status).toBe('success');
  });

  it('Cost Explorer: a changed endpoint or region with the stored key is refused; typed again it is sent', async () => {
    process.env.BURNRATE_SECRET_KEY = KEY_HEX;
    const ce = {
      kind: 'aws_cost_explorer',
      name: 'ce-bound',
      enabled: 'on',
      schedule: '',
      'config.region': 'us-east-1',
      'config.billingAccountId': '',
      'config.endpoint': 'http://127.0.0.1:9',
      'secret.accessKeyId': '',
      'secret.secretAccessKey': '',
      'secret.sessionToken': '',
    };
    const id = await save({ ...ce, ...STORED_S3_KEYS });
    const moved = { ...ce, id, 'config.endpoint': listenerUrl };
    expect(Object.keys(expectError(await as(admin, testSourceSettings)(IDLE, form(moved))).fieldErrors).sort()).toEqual([
      'config.endpoint',
      'secret',
    ]);
    expect(
      Object.keys(expectError(await as(admin, saveSource)(IDLE, form({ ...ce, id, 'config.region': 'us-west-2' }))).fieldErrors).sort(),
    ).toEqual(['config.region', 'secret']);
    expect(received).toEqual([]);
    const retyped = { ...moved, 'secret.accessKeyId': TYPED_KEY_ID, 'secret.secretAccessKey': 'typed-secret' };
    expect(expectError(await as(admin, testSourceSettings)(IDLE, form(retyped))).message).toMatch(/^Connection failed: /);
    const sent = JSON.stringify(received);
    expect(sent).toContain(TYPED_KEY_ID);
    expect(sent).not.toContain(STORED_KEY_ID);
  });
});
