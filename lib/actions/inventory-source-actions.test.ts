// Inventory on the sources page's actions, as the page calls them (FormData in, state out), on a
// real PostgreSQL and real pg-boss: a billing source turning inventory on with its own settings
// (and the stored key bound to the inventory endpoint too), an inventory-only source, Test
// connection against the local AWS (tests/helpers/aws-inventory-server.ts), and Sync inventory now
// with its audit line.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { closeJobClient, getJobClient, SYNC_INVENTORY_QUEUE } from '../../jobs/client';
import { expectError, expectSuccess, form, restoreSecretKeyAfterEach } from '../../tests/helpers/actions';
import { as, type TestUser, userWithRole } from '../../tests/helpers/auth';
import { type AwsInventoryServer, startAwsInventoryServer } from '../../tests/helpers/aws-inventory-server';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { decryptSecret } from '../secrets';
import { IDLE } from './safe-action';
import { saveSource } from './save-source';
import { syncInventoryNow } from './sync-inventory-now';
import { testSourceConnection } from './test-source-connection';

vi.mock('next/cache', () => ({ revalidatePath: vi.fn() }));
const redirect = vi.hoisted(() => vi.fn());
vi.mock('next/navigation', async (importOriginal) => ({ ...(await importOriginal<typeof import('next/navigation')>()), redirect }));

const KEY_HEX = 'cd'.repeat(32);
const CREDENTIALS = { accessKeyId: 'AKIAINVACTIONS000001', secretAccessKey: 'inv/actions+secret0000000000000000000000' };

let url: string;
let admin: TestUser;
let aws: AwsInventoryServer;
beforeAll(async () => {
  url = await useTestDatabase();
  admin = await userWithRole('admin');
  aws = await startAwsInventoryServer({
    credentials: CREDENTIALS,
    account: '210987654321',
    regions: {
      'eu-central-1': {
        instances: [
          {
            id: 'i-0act',
            type: 'm6i.large',
            state: 'running',
            launchTime: '2026-11-01T00:00:00.000Z',
            az: 'eu-central-1a',
            reservationId: 'r-1',
            ownerId: '210987654321',
          },
        ],
        volumes: [],
        snapshots: [],
        addresses: [],
        loadBalancers: [],
        metrics: [],
      },
    },
  });
});

afterAll(async () => {
  await closeJobClient();
  await aws?.close();
});

restoreSecretKeyAfterEach();

const S3_FIELDS = {
  kind: 'aws_s3',
  name: 'payer-with-inventory',
  enabled: 'on',
  schedule: '',
  'config.bucket': 'acme-billing',
  'config.prefix': 'cur/',
  'config.region': 'us-east-1',
  'config.exportType': 'cur2',
  'config.endpoint': '',
  'secret.accessKeyId': '',
  'secret.secretAccessKey': '',
  'secret.sessionToken': '',
};

async function stored(name: string) {
  const [row] = await sql<{
    id: number;
    kind: string;
    provider: string;
    config: unknown;
    schedule: string | null;
    inventory_enabled: boolean;
    inventory_config: unknown;
    secret_ciphertext: string | null;
  }>(
    url,
    'SELECT id, kind, provider, config, schedule, inventory_enabled, inventory_config, secret_ciphertext FROM billing_sources WHERE name = $1',
    [name],
  );
  if (!row) throw new Error(`no source ${name}`);
  return row;
}

describe('inventory on the source actions', () => {
  it('a billing source turns inventory on with its settings, checked by the inventory kind; off keeps them', async () => {
    const bad = expectError(
      await as(admin, saveSource)(
        IDLE,
        form({ ...S3_FIELDS, 'inventory.enabled': 'on', 'inventory.config.regions': 'us-east-1, Frankfurt' }),
      ),
    );
    expect(bad.fieldErrors).toEqual({ 'inventory.config.regions': ['"Frankfurt" is not an AWS region name such as us-east-1'] });
    // Inventory off: its fields are not read, so a bad value there is no error.
    expectSuccess(await as(admin, saveSource)(IDLE, form({ ...S3_FIELDS, 'inventory.config.regions': 'nonsense' })));
    const off = await stored('payer-with-inventory');
    expect([off.inventory_enabled, off.inventory_config]).toEqual([false, {}]);

    expectSuccess(
      await as(admin, saveSource)(
        IDLE,
        form({ ...S3_FIELDS, id: String(off.id), 'inventory.enabled': 'on', 'inventory.config.regions': 'eu-west-1,us-east-1' }),
      ),
    );
    const on = await stored('payer-with-inventory');
    expect([on.inventory_enabled, on.inventory_config, on.config]).toEqual([
      true,
      { regions: 'eu-west-1, us-east-1' },
      { bucket: 'acme-billing', prefix: 'cur', region: 'us-east-1', exportType: 'cur2', forcePathStyle: false },
    ]);
    expectSuccess(await as(admin, saveSource)(IDLE, form({ ...S3_FIELDS, id: String(off.id) })));
    const offAgain = await stored('payer-with-inventory');
    expect([offAgain.inventory_enabled, offAgain.inventory_config]).toEqual([false, { regions: 'eu-west-1, us-east-1' }]);
    const [line] = await sql<{ detail: { changed: string[] } }>(
      url,
      `SELECT detail FROM audit_log WHERE action = 'source.update' AND object_id = $1 ORDER BY id DESC LIMIT 1`,
      [String(off.id)],
    );
    expect(line?.detail.changed).toEqual(['inventory_enabled']);
  });

  it('an inventory-only source: no billing config or schedule, inventory always on, credentials encrypted; the stored key stays bound to its endpoint', async () => {
    process.env.BURNRATE_SECRET_KEY = KEY_HEX;
    const fields = {
      kind: 'aws_inventory',
      name: 'member-account',
      enabled: 'on',
      'inventory.enabled': 'on',
      'inventory.config.regions': 'eu-central-1',
      'inventory.config.endpoint': aws.endpoint,
      'secret.accessKeyId': CREDENTIALS.accessKeyId,
      'secret.secretAccessKey': CREDENTIALS.secretAccessKey,
      'secret.sessionToken': '',
    };
    const created = expectSuccess(await as(admin, saveSource)(IDLE, form(fields)));
    const row = await stored('member-account');
    expect(row).toMatchObject({
      kind: 'aws_inventory',
      provider: 'aws',
      config: {},
      schedule: null,
      inventory_enabled: true,
      inventory_config: { regions: 'eu-central-1', endpoint: aws.endpoint },
    });
    expect(JSON.parse(decryptSecret(row.secret_ciphertext as string, Buffer.from(KEY_HEX, 'hex')))).toEqual(CREDENTIALS);

    const tested = expectSuccess(await as(admin, testSourceConnection)(IDLE, form({ id: String(created.data.id) })));
    expect(tested.message).toBe('Connection works: member-account can list its inventory.');
    expect(aws.requests.some((r) => r.action === 'DescribeInstances' && r.region === 'eu-central-1')).toBe(true);

    // Another endpoint with the credential fields blank would send the stored key there.
    const moved = expectError(
      await as(admin, saveSource)(
        IDLE,
        form({
          ...fields,
          id: String(created.data.id),
          'inventory.config.endpoint': 'http://127.0.0.1:9',
          'secret.accessKeyId': '',
          'secret.secretAccessKey': '',
        }),
      ),
    );
    expect(moved.fieldErrors['inventory.config.endpoint']).toEqual(['enter the credentials again: the endpoint URL changed']);
    expect((await stored('member-account')).inventory_config).toEqual({ regions: 'eu-central-1', endpoint: aws.endpoint });
  });

  it('Sync inventory now queues one job per source, refuses a source with inventory off, and is audited', async () => {
    expectSuccess(
      await as(admin, saveSource)(
        IDLE,
        form({ ...S3_FIELDS, name: 'sync-inv', 'inventory.enabled': 'on', 'inventory.config.regions': 'us-east-1' }),
      ),
    );
    const { id } = await stored('sync-inv');
    const queued = expectSuccess(await as(admin, syncInventoryNow)(IDLE, form({ id: String(id) })));
    expect(queued.message).toBe('Inventory sync of sync-inv queued; the worker starts it within seconds.');
    const jobs = await (await getJobClient()).findJobs(SYNC_INVENTORY_QUEUE, { id: queued.data.jobId });
    expect(jobs[0]?.data).toEqual({ sourceId: id, trigger: 'manual' });
    const again = expectError(await as(admin, syncInventoryNow)(IDLE, form({ id: String(id) })));
    expect(again.message).toBe('An inventory sync of sync-inv is already queued, running or waiting to retry.');

    expectSuccess(await as(admin, saveSource)(IDLE, form({ ...S3_FIELDS, name: 'sync-inv-off' })));
    const off = await stored('sync-inv-off');
    const refused = expectError(await as(admin, syncInventoryNow)(IDLE, form({ id: String(off.id) })));
    expect(refused.message).toBe('sync-inv-off does not have inventory and metrics turned on: turn it on in its settings.');

    const lines = await sql<{ outcome: string; detail: unknown }>(
      url,
      `SELECT outcome, detail FROM audit_log WHERE action = 'source.sync_inventory' ORDER BY id`,
    );
    expect(lines).toEqual([
      { outcome: 'ok', detail: { jobId: queued.data.jobId } },
      { outcome: 'refused', detail: { message: 'An inventory sync of sync-inv is already queued, running or waiting to retry.' } },
      {
        outcome: 'refused',
        detail: { message: 'sync-inv-off does not have inventory and metrics turned on: turn it on in its settings.' },
      },
    ]);
  });
});
