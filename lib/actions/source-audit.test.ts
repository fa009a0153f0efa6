// The audit lines the source actions write, through the real wrapper, session and PostgreSQL:
// who (the signed-in admin and their address), what (before/after, changed field names,
// credentials named but never valued), and the refused and failed attempts.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { closeJobClient } from '../../jobs/client';
import { expectError, expectSuccess, form, restoreSecretKeyAfterEach } from '../../tests/helpers/actions';
import { actAs, as, type TestUser, userWithRole } from '../../tests/helpers/auth';
import { insertSource, sql, useTestDatabase } from '../../tests/helpers/db';
import { CLIENT_IP_HEADER } from '../client-ip';
import { freePort } from '../db/embedded';
import { deleteSource } from './delete-source';
import { IDLE } from './safe-action';
import { saveSource } from './save-source';
import { setSourceEnabled } from './set-source-enabled';
import { syncSourceNow } from './sync-source-now';
import { testSourceConnection } from './test-source-connection';

vi.mock('next/cache', () => ({ revalidatePath: vi.fn() }));
vi.mock('next/navigation', async (importOriginal) => ({
  ...(await importOriginal<typeof import('next/navigation')>()),
  redirect: vi.fn(),
}));

const KEY_HEX = 'cd'.repeat(32);
const SECRET_ACCESS_KEY = 'audit/K7MDENG/bPxRfiCYzz-test-only';
const NEW_SECRET_ACCESS_KEY = 'audit/other-secret-test-only';

let url: string;
let admin: TestUser;
let viewer: TestUser;
beforeAll(async () => {
  url = await useTestDatabase();
  admin = await userWithRole('admin');
  viewer = await userWithRole('viewer');
});
afterAll(async () => {
  await closeJobClient();
});
restoreSecretKeyAfterEach();

const S3_FIELDS = {
  kind: 'aws_s3',
  name: 'audited',
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

const S3_CONFIG = { bucket: 'acme-billing', prefix: 'cur', region: 'us-east-1', exportType: 'cur2', forcePathStyle: false };

/** The admin, from an address, as the custom server passes it (lib/auth/session.ts clientIpOf). */
function fromAddress<A extends unknown[], R>(user: TestUser, ip: string, fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return (...args) => actAs({ cookie: user.cookie, [CLIENT_IP_HEADER]: ip }, () => fn(...args));
}

/** The audit lines about one source, oldest first. */
async function linesOf(id: number | string) {
  return sql<Record<string, unknown>>(
    url,
    `SELECT actor_kind, actor_user_id, actor_email, actor_detail, ip, action, object_type, object_id, outcome, before, after, detail
       FROM audit_log WHERE object_type = 'source' AND object_id = $1 ORDER BY id`,
    [String(id)],
  );
}

describe('source actions write audit lines', () => {
  it('create and edit: who, from where, before/after, the changed fields, and credentials by name only', async () => {
    process.env.BURNRATE_SECRET_KEY = KEY_HEX;
    const created = expectSuccess(
      await fromAddress(
        admin,
        '192.0.2.44',
        saveSource,
      )(IDLE, form({ ...S3_FIELDS, 'secret.accessKeyId': 'AKIAAUDITEXAMPLE', 'secret.secretAccessKey': SECRET_ACCESS_KEY })),
    );
    const id = created.data.id;
    const source = {
      name: 'audited',
      kind: 'aws_s3',
      provider: 'aws',
      enabled: true,
      schedule: null,
      inventory_enabled: false,
      inventory_config: {},
    };
    const who = { actor_kind: 'user', actor_user_id: admin.id, actor_email: admin.email, actor_detail: null };
    expect(await linesOf(id)).toEqual([
      {
        ...who,
        ip: '192.0.2.44',
        action: 'source.create',
        object_type: 'source',
        object_id: String(id),
        outcome: 'ok',
        before: null,
        after: { ...source, config: S3_CONFIG },
        detail: { note: 'credentials entered' },
      },
    ]);

    // An edit with blank credential fields keeps them: only the config and schedule changed.
    expectSuccess(
      await as(admin, saveSource)(IDLE, form({ ...S3_FIELDS, id: String(id), 'config.prefix': 'cur2/', schedule: '0 */6 * * *' })),
    );
    // New credentials replace the stored ones; then "remove" clears them.
    expectSuccess(
      await as(admin, saveSource)(
        IDLE,
        form({ ...S3_FIELDS, id: String(id), 'secret.accessKeyId': 'AKIAAUDITOTHER', 'secret.secretAccessKey': NEW_SECRET_ACCESS_KEY }),
      ),
    );
    expectSuccess(await as(admin, saveSource)(IDLE, form({ ...S3_FIELDS, id: String(id), clearSecret: 'on' })));
    const edits = (await linesOf(id)).slice(1);
    expect(edits).toEqual([
      {
        ...who,
        ip: null,
        action: 'source.update',
        object_type: 'source',
        object_id: String(id),
        outcome: 'ok',
        before: { ...source, config: S3_CONFIG },
        after: { ...source, schedule: '0 */6 * * *', config: { ...S3_CONFIG, prefix: 'cur2' } },
        detail: { changed: ['config.prefix', 'schedule'] },
      },
      {
        ...who,
        ip: null,
        action: 'source.update',
        object_type: 'source',
        object_id: String(id),
        outcome: 'ok',
        before: { ...source, schedule: '0 */6 * * *', config: { ...S3_CONFIG, prefix: 'cur2' } },
        after: { ...source, config: S3_CONFIG },
        detail: { changed: ['config.prefix', 'schedule', 'credentials'], note: 'credentials replaced' },
      },
      {
        ...who,
        ip: null,
        action: 'source.update',
        object_type: 'source',
        object_id: String(id),
        outcome: 'ok',
        before: { ...source, config: S3_CONFIG },
        after: { ...source, config: S3_CONFIG },
        detail: { changed: ['credentials'], note: 'credentials cleared' },
      },
    ]);
    const trail = JSON.stringify(await sql(url, 'SELECT * FROM audit_log'));
    for (const leak of [SECRET_ACCESS_KEY, NEW_SECRET_ACCESS_KEY, 'AKIAAUDITEXAMPLE', 'AKIAAUDITOTHER', 'v1:'])
      expect(trail).not.toContain(leak);
  });

  it('a refused save leaves a refused line with the message shown, and no ok line', async () => {
    await insertSource(url, 'taken', 'aws_s3', S3_CONFIG);
    const [{ last }] = (await sql<{ last: string }>(url, 'SELECT coalesce(max(id), 0)::text AS last FROM audit_log')) as [{ last: string }];
    expect(expectError(await as(admin, saveSource)(IDLE, form({ ...S3_FIELDS, name: 'taken' }))).fieldErrors).toEqual({
      name: ['a source named "taken" already exists'],
    });
    const lines = await sql<Record<string, unknown>>(
      url,
      'SELECT action, object_type, object_id, outcome, after, detail FROM audit_log WHERE id > $1 ORDER BY id',
      [last],
    );
    expect(lines).toEqual([
      {
        action: 'source.create',
        object_type: 'source',
        object_id: null,
        outcome: 'refused',
        after: null,
        detail: { message: 'Another source has this name.' },
      },
    ]);
  });

  it('enable, disable, sync now (with its job id), a disabled sync refused, and delete with what it held', async () => {
    const id = await insertSource(url, 'toggled', 'aws_s3', S3_CONFIG);
    expectSuccess(await as(admin, setSourceEnabled)(IDLE, form({ id: String(id), enabled: 'false' })));
    expectError(await as(admin, syncSourceNow)(IDLE, form({ id: String(id) })));
    expectSuccess(await as(admin, setSourceEnabled)(IDLE, form({ id: String(id), enabled: 'true' })));
    const queued = expectSuccess(await as(admin, syncSourceNow)(IDLE, form({ id: String(id) })));
    expectSuccess(await as(admin, deleteSource)(IDLE, form({ id: String(id) })));
    const pick = ({ action, outcome, before, after, detail }: Record<string, unknown>) => ({ action, outcome, before, after, detail });
    expect((await linesOf(id)).map(pick)).toEqual([
      { action: 'source.disable', outcome: 'ok', before: { enabled: true }, after: { enabled: false }, detail: null },
      {
        action: 'source.sync',
        outcome: 'refused',
        before: null,
        after: null,
        detail: { message: 'toggled is disabled: enable it to sync it.' },
      },
      { action: 'source.enable', outcome: 'ok', before: { enabled: false }, after: { enabled: true }, detail: null },
      { action: 'source.sync', outcome: 'ok', before: null, after: null, detail: { jobId: queued.data.jobId } },
      {
        action: 'source.delete',
        outcome: 'ok',
        before: {
          name: 'toggled',
          kind: 'aws_s3',
          provider: 'aws',
          enabled: true,
          schedule: null,
          config: S3_CONFIG,
          inventory_enabled: false,
          inventory_config: {},
        },
        after: null,
        detail: { lineItemsDeleted: 0 },
      },
    ]);
  });

  it("a viewer's attempt is refused by the permission table and recorded as theirs, and changes nothing", async () => {
    const id = await insertSource(url, 'kept', 'aws_s3', S3_CONFIG);
    const state = expectError(await fromAddress(viewer, '198.51.100.9', deleteSource)(IDLE, form({ id: String(id) })));
    expect(state.message).toBe('Your role (viewer) does not allow this. Ask an admin.');
    expect(await linesOf(id)).toEqual([
      {
        actor_kind: 'user',
        actor_user_id: viewer.id,
        actor_email: viewer.email,
        actor_detail: null,
        ip: '198.51.100.9',
        action: 'source.delete',
        object_type: 'source',
        object_id: String(id),
        outcome: 'refused',
        before: null,
        after: null,
        detail: { reason: 'the viewer role may not run deleteSource' },
      },
    ]);
    expect(await sql(url, 'SELECT name FROM billing_sources WHERE id = $1', [id])).toEqual([{ name: 'kept' }]);
  });

  it('a connection test records its outcome only: failed with the message the page showed', async () => {
    const port = await freePort();
    const saved = expectSuccess(
      await as(admin, saveSource)(
        IDLE,
        form({ ...S3_FIELDS, name: 'unreachable', 'config.endpoint': `http://127.0.0.1:${port}`, 'config.forcePathStyle': 'on' }),
      ),
    );
    const result = expectError(await as(admin, testSourceConnection)(IDLE, form({ id: String(saved.data.id) })));
    const lines = await linesOf(saved.data.id);
    expect(lines.map(({ action, outcome, before, after, detail }) => ({ action, outcome, before, after, detail }))).toEqual([
      expect.objectContaining({ action: 'source.create', outcome: 'ok' }),
      { action: 'source.test_connection', outcome: 'failed', before: null, after: null, detail: { message: result.message } },
    ]);
  });
  it('a save that breaks in the database leaves one failed line with the ref the page shows, and its ok line rolled back', async () => {
    // A real failure inside the transaction, after the audit line's INSERT would have run.
    await sql(
      url,
      `CREATE FUNCTION refuse_explodes() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN IF NEW.action = 'source.create' AND NEW.after->>'name' = 'explodes' THEN RAISE EXCEPTION 'disk on fire'; END IF; RETURN NEW; END $$;
       CREATE TRIGGER refuse_explodes AFTER INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION refuse_explodes();`,
    );
    const state = expectError(await as(admin, saveSource)(IDLE, form({ ...S3_FIELDS, name: 'explodes' })));
    const ref = /\(ref ([0-9a-f]{8}); details are in the server log\)/.exec(state.message)?.[1];
    expect(ref, state.message).toBeDefined();
    expect(await sql(url, "SELECT 1 FROM billing_sources WHERE name = 'explodes'")).toEqual([]);
    expect(
      await sql(
        url,
        "SELECT action, outcome, object_id, after, detail FROM audit_log WHERE detail->>'ref' = $1 OR after->>'name' = 'explodes'",
        [ref],
      ),
    ).toEqual([{ action: 'source.create', outcome: 'failed', object_id: null, after: null, detail: { ref } }]);
  });
});
