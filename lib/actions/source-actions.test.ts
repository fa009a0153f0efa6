// The source actions through their wrapper, as the page calls them (FormData in, state out), on a
// real PostgreSQL and real pg-boss: validation messages per field, secrets stored encrypted and
// never returned, and the per-source actions.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { closeJobClient, getJobClient, SYNC_SOURCE_QUEUE } from '../../jobs/client';
import { expectError, expectSuccess, form, restoreSecretKeyAfterEach } from '../../tests/helpers/actions';
import { as, type TestUser, userWithRole } from '../../tests/helpers/auth';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { freePort } from '../db/embedded';
import { getPendingSyncs } from '../queries/pending-syncs';
import { getSource, listSources } from '../queries/sources';
import { decryptSecret } from '../secrets';
import { deleteSource } from './delete-source';
import { IDLE } from './safe-action';
import { saveSource } from './save-source';
import { setSourceEnabled } from './set-source-enabled';
import { syncSourceNow } from './sync-source-now';
import { testSourceConnection } from './test-source-connection';

// Outside a Next.js request there is no cache to revalidate and no navigation to throw.
vi.mock('next/cache', () => ({ revalidatePath: vi.fn() }));
const redirect = vi.hoisted(() => vi.fn());
vi.mock('next/navigation', async (importOriginal) => ({ ...(await importOriginal<typeof import('next/navigation')>()), redirect }));

const KEY_HEX = 'ab'.repeat(32);
const SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzz-test-only';

let url: string;

let admin: TestUser;
beforeAll(async () => {
  url = await useTestDatabase();
  admin = await userWithRole('admin');
});

afterAll(async () => {
  await closeJobClient();
});

restoreSecretKeyAfterEach();

const S3_FIELDS = {
  kind: 'aws_s3',
  name: 'aws-payer',
  enabled: 'on',
  schedule: '',
  'config.bucket': 'acme-billing',
  'config.prefix': '/cur/',
  'config.region': 'us-east-1',
  'config.exportType': 'cur2',
  'config.endpoint': '',
  'secret.accessKeyId': '',
  'secret.secretAccessKey': '',
  'secret.sessionToken': '',
};

async function storedRow(name: string) {
  const [row] = await sql<{
    id: number;
    kind: string;
    provider: string;
    config: unknown;
    secret_ciphertext: string | null;
    schedule: string | null;
    enabled: boolean;
  }>(url, 'SELECT id, kind, provider, config, secret_ciphertext, schedule, enabled FROM billing_sources WHERE name = $1', [name]);
  return row;
}

describe('saveSource: validation', () => {
  it('names each invalid field with the rule it breaks, and stores nothing', async () => {
    const state = expectError(
      await as(admin, saveSource)(
        IDLE,
        form({
          ...S3_FIELDS,
          name: '  ',
          schedule: 'every day',
          'config.bucket': 'bad bucket!',
          'config.region': 'US East',
          'config.endpoint': 'ftp://x',
        }),
      ),
    );
    expect(state.fieldErrors).toEqual({
      name: ['required'],
      schedule: ['must be a cron expression with 5 fields (minute hour day month weekday, UTC), e.g. 0 */6 * * *'],
      'config.bucket': ['must be an S3 bucket name (letters, digits, dots, hyphens, underscores)'],
      'config.region': ['must be an AWS region such as us-east-1'],
      'config.endpoint': [expect.stringMatching(/URL/i)],
    });
    expect(state.message).toBe('5 fields need attention.');
    expect(await sql(url, 'SELECT 1 FROM billing_sources')).toEqual([]);
  });

  it('rejects an unknown kind and an empty required field with plain words', async () => {
    const unknown = expectError(await as(admin, saveSource)(IDLE, form({ ...S3_FIELDS, kind: 'oracle_cloud' })));
    expect(unknown.fieldErrors.kind).toEqual([
      'must be one of: aws_s3, azure_blob, aws_cost_explorer, gcp_bigquery, aws_inventory, prometheus, azure_inventory, gcp_inventory',
    ]);
    const empty = expectError(await as(admin, saveSource)(IDLE, form({ ...S3_FIELDS, 'config.bucket': '', 'config.region': '' })));
    expect(Object.keys(empty.fieldErrors).sort()).toEqual(['config.bucket', 'config.region']);
  });

  it('asks for the other half of a partly typed AWS key pair', async () => {
    const state = expectError(await as(admin, saveSource)(IDLE, form({ ...S3_FIELDS, 'secret.accessKeyId': 'AKIAEXAMPLE' })));
    expect(state.fieldErrors).toEqual({ 'secret.secretAccessKey': ['required'] });
  });

  it('requires a credential for Azure and explains a SAS token pasted into the URL', async () => {
    const azure = {
      kind: 'azure_blob',
      name: 'azure-ea',
      enabled: 'on',
      schedule: '',
      'config.accountUrl': 'https://acme.blob.core.windows.net',
      'config.container': 'cost-exports',
      'config.directory': '',
      'secret.kind': 'sasToken',
      'secret.sasToken': '',
    };
    const missing = expectError(await as(admin, saveSource)(IDLE, form(azure)));
    expect(missing.fieldErrors).toEqual({ secret: ['Azure Blob Storage (Cost Management exports) needs a storage credential'] });
    const inUrl = expectError(
      await as(admin, saveSource)(IDLE, form({ ...azure, 'config.accountUrl': 'https://acme.blob.core.windows.net/?sv=1&sig=x' })),
    );
    expect(inUrl.fieldErrors['config.accountUrl']).toEqual([
      'accountUrl must not carry a query string: put the SAS token in the credential, not in the URL',
    ]);
    // Fields of the other credential types are not submitted with the chosen one.
    const chosen = expectError(
      await as(admin, saveSource)(IDLE, form({ ...azure, 'secret.kind': 'accountKey', 'secret.sasToken': 'sig=abc' })),
    );
    expect(chosen.fieldErrors).toEqual({ secret: ['Azure Blob Storage (Cost Management exports) needs a storage credential'] });
  });
});

describe('saveSource: credentials', () => {
  it('saves a source without credentials when BURNRATE_SECRET_KEY is unset (the default credential chain)', async () => {
    delete process.env.BURNRATE_SECRET_KEY;
    redirect.mockClear();
    const state = expectSuccess(await as(admin, saveSource)(IDLE, form({ ...S3_FIELDS, name: 'no-secret' })));
    // A new source opens on its own page.
    expect(redirect).toHaveBeenCalledWith(`/sources/${state.data.id}`);
    const row = await storedRow('no-secret');
    expect(row).toMatchObject({
      id: state.data.id,
      kind: 'aws_s3',
      provider: 'aws',
      secret_ciphertext: null,
      schedule: null,
      enabled: true,
      config: { bucket: 'acme-billing', prefix: 'cur', region: 'us-east-1', exportType: 'cur2', forcePathStyle: false },
    });
  });

  it('refuses typed credentials without BURNRATE_SECRET_KEY, with the message of lib/secrets.ts, and stores nothing', async () => {
    delete process.env.BURNRATE_SECRET_KEY;
    const state = expectError(
      await as(admin, saveSource)(
        IDLE,
        form({ ...S3_FIELDS, name: 'keyless', 'secret.accessKeyId': 'AKIAEXAMPLE', 'secret.secretAccessKey': SECRET_ACCESS_KEY }),
      ),
    );
    expect(state.fieldErrors.secret?.[0]).toMatch(/^BURNRATE_SECRET_KEY is not set: it encrypts the cloud credentials/);
    expect(state.message).toMatch(/^The credentials were not saved: BURNRATE_SECRET_KEY is not set/);
    expect(await storedRow('keyless')).toBeUndefined();
  });

  it('stores typed credentials encrypted and never returns them; a blank edit keeps them, clearing removes them', async () => {
    process.env.BURNRATE_SECRET_KEY = KEY_HEX;
    const log = vi.spyOn(console, 'info');
    const created = expectSuccess(
      await as(admin, saveSource)(
        IDLE,
        form({
          ...S3_FIELDS,
          name: 'with-secret',
          schedule: '15 */2 * * *',
          'secret.accessKeyId': 'AKIAEXAMPLE',
          'secret.secretAccessKey': SECRET_ACCESS_KEY,
        }),
      ),
    );
    const id = created.data.id;
    const row = await storedRow('with-secret');
    expect(row?.schedule).toBe('15 */2 * * *');
    const ciphertext = row?.secret_ciphertext ?? '';
    expect(ciphertext).toMatch(/^v1:/);
    expect(ciphertext).not.toContain(SECRET_ACCESS_KEY);
    expect(JSON.parse(decryptSecret(ciphertext, Buffer.from(KEY_HEX, 'hex')))).toEqual({
      accessKeyId: 'AKIAEXAMPLE',
      secretAccessKey: SECRET_ACCESS_KEY,
    });

    // Neither the action's answer, the list, the detail query, the server log nor the audit trail carries it.
    const auditTrail = await sql(url, 'SELECT * FROM audit_log');
    expect(auditTrail.length).toBeGreaterThan(0);
    const everything = JSON.stringify([created, await listSources(), await getSource(id), log.mock.calls, auditTrail]);
    for (const leak of [SECRET_ACCESS_KEY, ciphertext, 'AKIAEXAMPLE']) expect(everything).not.toContain(leak);
    log.mockRestore();
    expect((await getSource(id))?.hasSecret).toBe(true);

    // Saving with blank credential fields keeps the stored ones (and stays on the page).
    redirect.mockClear();
    expectSuccess(await as(admin, saveSource)(IDLE, form({ ...S3_FIELDS, id: String(id), name: 'with-secret', 'config.prefix': 'cur2/' })));
    expect(redirect).not.toHaveBeenCalled();
    expect((await storedRow('with-secret'))?.secret_ciphertext).toBe(ciphertext);
    expect((await storedRow('with-secret'))?.config).toMatchObject({ prefix: 'cur2' });

    // New values replace them; "remove" drops them.
    expectSuccess(
      await as(admin, saveSource)(
        IDLE,
        form({ ...S3_FIELDS, id: String(id), name: 'with-secret', 'secret.accessKeyId': 'AKIAOTHER', 'secret.secretAccessKey': 'x' }),
      ),
    );
    const replaced = (await storedRow('with-secret'))?.secret_ciphertext ?? '';
    expect(JSON.parse(decryptSecret(replaced, Buffer.from(KEY_HEX, 'hex')))).toEqual({ accessKeyId: 'AKIAOTHER', secretAccessKey: 'x' });
    expectSuccess(await as(admin, saveSource)(IDLE, form({ ...S3_FIELDS, id: String(id), name: 'with-secret', clearSecret: 'on' })));
    expect((await storedRow('with-secret'))?.secret_ciphertext).toBeNull();
  });

  it('refuses a duplicate name and a change of kind, next to the field', async () => {
    const dup = expectError(await as(admin, saveSource)(IDLE, form({ ...S3_FIELDS, name: 'no-secret' })));
    expect(dup.fieldErrors).toEqual({ name: ['a source named "no-secret" already exists'] });
    const id = (await storedRow('no-secret'))?.id ?? 0;
    const kind = expectError(
      await as(admin, saveSource)(
        IDLE,
        form({
          kind: 'azure_blob',
          id: String(id),
          name: 'no-secret',
          'config.accountUrl': 'https://acme.blob.core.windows.net',
          'config.container': 'exports',
          'secret.kind': 'sasToken',
          'secret.sasToken': 'sig=abc',
        }),
      ),
    );
    expect(kind.fieldErrors).toEqual({ kind: ['the kind of a source cannot change; add a new source instead'] });
  });
});

describe('per-source actions', () => {
  it('tests the connection and reports a clear failure', async () => {
    const port = await freePort();
    process.env.BURNRATE_SECRET_KEY = KEY_HEX;
    const saved = expectSuccess(
      await as(admin, saveSource)(
        IDLE,
        form({
          ...S3_FIELDS,
          name: 'closed-port',
          'config.endpoint': `http://127.0.0.1:${port}`,
          'config.forcePathStyle': 'on',
          'secret.accessKeyId': 'AKIAEXAMPLE',
          'secret.secretAccessKey': SECRET_ACCESS_KEY,
        }),
      ),
    );
    // A closed port says no more than an unreachable host would (no port scan through the form);
    // the cause is in the server log, under the ref the page shows.
    const logged = vi.spyOn(console, 'error');
    const result = expectError(await as(admin, testSourceConnection)(IDLE, form({ id: String(saved.data.id) })));
    const ref =
      /^Connection failed: could not reach the endpoint \(ref ([0-9a-f]{8}); the cause is in the server log\)\. Check the endpoint and the network path to it\.$/.exec(
        result.message,
      )?.[1];
    expect(ref, result.message).toBeDefined();
    const line = logged.mock.calls.map((c) => String(c[0])).find((l) => l.includes(`(ref ${ref})`));
    logged.mockRestore();
    expect(line).toMatch(new RegExp(`Cannot reach http://127\\.0\\.0\\.1:${port} for bucket acme-billing`));
    expect(line).not.toContain(SECRET_ACCESS_KEY);
    expect(result.message).not.toContain(String(port));

    // A link-local or metadata endpoint is refused before any request, saying why.
    const metadata = expectSuccess(
      await as(admin, saveSource)(
        IDLE,
        form({ ...S3_FIELDS, name: 'metadata', 'config.endpoint': 'http://169.254.169.254/', 'config.forcePathStyle': 'on' }),
      ),
    );
    expect(expectError(await as(admin, testSourceConnection)(IDLE, form({ id: String(metadata.data.id) }))).message).toBe(
      'Connection failed: Burnrate does not send requests to 169.254.169.254: it is a link-local or cloud metadata address. Set BURNRATE_ALLOW_METADATA_ENDPOINTS=1 on the server to allow it.',
    );

    const file = await sql<{ id: number }>(url, `INSERT INTO billing_sources (name, provider) VALUES ('demo-aws', 'aws') RETURNING id`);
    const fileResult = expectError(await as(admin, testSourceConnection)(IDLE, form({ id: String(file[0]?.id) })));
    expect(fileResult.message).toBe('demo-aws is a file source: it has no connection to test.');
    expect(expectError(await as(admin, testSourceConnection)(IDLE, form({ id: 'abc' }))).fieldErrors).toEqual({
      id: ['must be a source id'],
    });
  });

  it('"Sync now" enqueues one manual sync per source, refuses a second, a disabled source and a file source', async () => {
    const id = (await storedRow('no-secret'))?.id ?? 0;
    const queued = expectSuccess(await as(admin, syncSourceNow)(IDLE, form({ id: String(id) })));
    expect(queued.message).toBe('Sync of no-secret queued; the worker starts it within seconds.');
    const boss = await getJobClient();
    const jobs = await boss.findJobs(SYNC_SOURCE_QUEUE, { key: String(id) });
    expect(jobs.map((j) => [j.state, j.data])).toEqual([['created', { sourceId: id, trigger: 'manual' }]]);
    expect(await getPendingSyncs(id)).toEqual([
      {
        jobId: queued.data.jobId,
        trigger: 'manual',
        state: 'queued',
        createdAt: expect.any(Date),
        startAfter: expect.any(Date),
        attempt: 1,
      },
    ]);
    expect(expectError(await as(admin, syncSourceNow)(IDLE, form({ id: String(id) }))).message).toBe(
      'A sync of no-secret is already queued, running or waiting to retry.',
    );

    expect(expectSuccess(await as(admin, setSourceEnabled)(IDLE, form({ id: String(id), enabled: 'false' }))).message).toBe(
      'Disabled no-secret: it is not synced until enabled again.',
    );
    expect((await storedRow('no-secret'))?.enabled).toBe(false);
    expect((await listSources()).find((s) => s.id === id)).toMatchObject({ enabled: false, nextSyncAt: null });
    await boss.cancel(SYNC_SOURCE_QUEUE, queued.data.jobId);
    expect(expectError(await as(admin, syncSourceNow)(IDLE, form({ id: String(id) }))).message).toBe(
      'no-secret is disabled: enable it to sync it.',
    );
    expectSuccess(await as(admin, setSourceEnabled)(IDLE, form({ id: String(id), enabled: 'true' })));

    const fileId = (await storedRow('demo-aws'))?.id ?? 0;
    expect(expectError(await as(admin, syncSourceNow)(IDLE, form({ id: String(fileId) }))).message).toBe(
      'demo-aws is a file source: load its files with npm run ingest.',
    );
    expect(expectError(await as(admin, setSourceEnabled)(IDLE, form({ id: String(fileId), enabled: 'false' }))).message).toMatch(
      /is a file source/,
    );
  });

  it('deletes a source with its runs and line items', async () => {
    const id = (await storedRow('no-secret'))?.id ?? 0;
    await sql(url, `INSERT INTO sync_runs (source_id, status, error) VALUES ($1, 'failed', 'x')`, [id]);
    redirect.mockClear();
    const done = expectSuccess(await as(admin, deleteSource)(IDLE, form({ id: String(id) })));
    expect(done.message).toBe('Deleted no-secret and its cost data.');
    expect(redirect).toHaveBeenCalledWith('/sources');
    expect(await storedRow('no-secret')).toBeUndefined();
    expect(await sql(url, 'SELECT 1 FROM sync_runs WHERE source_id = $1', [id])).toEqual([]);
    expect(expectError(await as(admin, deleteSource)(IDLE, form({ id: String(id) }))).message).toBe('This source no longer exists.');
  });
});
