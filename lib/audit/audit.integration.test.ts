// The audit trail on a real PostgreSQL: what recordAudit stores for each kind of actor (secrets
// redacted), that a line commits or rolls back with the transaction it is written in, that the
// table refuses UPDATE, DELETE and TRUNCATE for the application's own connection, the /audit
// filters and keyset paging, and the CSV export.
import { beforeAll, describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { getPool, withTransaction } from '../db/pool';
import { getPrisma } from '../db/prisma';
import { AUDIT_CSV_COLUMNS, auditCsvStream } from './csv';
import { allAuditRows, auditSearchString, parseAuditSearchParams, queryAudit } from './query';
import { recordAudit } from './record';

let url: string;
beforeAll(async () => {
  url = await useTestDatabase();
});

const ADMIN = { kind: 'user', userId: 'u_admin', email: 'ada@example.test', role: 'admin', via: 'session', ip: '192.0.2.10' } as const;

async function lines(where = 'true') {
  return sql<Record<string, unknown>>(
    url,
    `SELECT actor_kind, actor_user_id, actor_email, actor_detail, ip, action, object_type, object_id, outcome, before, after, detail
       FROM audit_log WHERE ${where} ORDER BY id`,
  );
}

describe('recordAudit', () => {
  it('stores who (each kind of actor), what, and before/after with secret values redacted', async () => {
    const id = await recordAudit(getPool(), {
      actor: ADMIN,
      action: 'source.update',
      objectType: 'source',
      objectId: 12,
      before: { name: 'aws', config: { bucket: 'a' }, secret: { secretAccessKey: 'wJalr-old' } },
      after: { name: 'aws', config: { bucket: 'b' }, secret: { secretAccessKey: 'wJalr-new' } },
      detail: { changed: ['config.bucket'], sessionToken: 'FwoG' },
    });
    expect(id).toMatch(/^\d+$/);
    await recordAudit(getPool(), {
      actor: { kind: 'user', userId: 'u_bot', email: 'bot@example.test', role: 'viewer', via: 'api-token', ip: null },
      action: 'report.export',
    });
    await recordAudit(getPool(), { actor: { kind: 'anonymous', ip: '198.51.100.7' }, action: 'auth.sign_in_failed', outcome: 'refused' });
    await recordAudit(getPool(), { actor: { kind: 'cli', osUser: 'ops' }, action: 'user.create', objectType: 'user', objectId: 'u_new' });
    await recordAudit(getPool(), { actor: { kind: 'system', component: 'scheduler' }, action: 'source.sync', outcome: 'failed' });
    expect(await lines()).toEqual([
      {
        actor_kind: 'user',
        actor_user_id: 'u_admin',
        actor_email: 'ada@example.test',
        actor_detail: null,
        ip: '192.0.2.10',
        action: 'source.update',
        object_type: 'source',
        object_id: '12',
        outcome: 'ok',
        before: { name: 'aws', config: { bucket: 'a' }, secret: '[redacted]' },
        after: { name: 'aws', config: { bucket: 'b' }, secret: '[redacted]' },
        detail: { changed: ['config.bucket'], sessionToken: '[redacted]' },
      },
      {
        actor_kind: 'user',
        actor_user_id: 'u_bot',
        actor_email: 'bot@example.test',
        actor_detail: 'api-token',
        ip: null,
        action: 'report.export',
        object_type: null,
        object_id: null,
        outcome: 'ok',
        before: null,
        after: null,
        detail: null,
      },
      {
        actor_kind: 'anonymous',
        actor_user_id: null,
        actor_email: null,
        actor_detail: null,
        ip: '198.51.100.7',
        action: 'auth.sign_in_failed',
        object_type: null,
        object_id: null,
        outcome: 'refused',
        before: null,
        after: null,
        detail: null,
      },
      {
        actor_kind: 'cli',
        actor_user_id: null,
        actor_email: null,
        actor_detail: 'ops',
        ip: null,
        action: 'user.create',
        object_type: 'user',
        object_id: 'u_new',
        outcome: 'ok',
        before: null,
        after: null,
        detail: null,
      },
      {
        actor_kind: 'system',
        actor_user_id: null,
        actor_email: null,
        actor_detail: 'scheduler',
        ip: null,
        action: 'source.sync',
        object_type: null,
        object_id: null,
        outcome: 'failed',
        before: null,
        after: null,
        detail: null,
      },
    ]);
    const raw = JSON.stringify(await sql(url, 'SELECT * FROM audit_log'));
    for (const secret of ['wJalr-old', 'wJalr-new', 'FwoG']) expect(raw).not.toContain(secret);
  });

  it("commits and rolls back with the transaction it is written in (a failed change leaves no 'ok' line)", async () => {
    await withTransaction(async (client) => {
      await recordAudit(client, { actor: ADMIN, action: 'settings.update', objectId: 'committed' });
    });
    await expect(
      withTransaction(async (client) => {
        await recordAudit(client, { actor: ADMIN, action: 'settings.update', objectId: 'rolled-back' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await sql(url, "SELECT object_id FROM audit_log WHERE action = 'settings.update' ORDER BY id")).toEqual([
      { object_id: 'committed' },
    ]);
  });

  it('refuses an action that is not a dotted verb, before and in the database', async () => {
    await expect(recordAudit(getPool(), { actor: ADMIN, action: 'Source Update' })).rejects.toThrow(
      'audit action "Source Update" is not a dotted verb such as "source.update"',
    );
    await expect(sql(url, "INSERT INTO audit_log (actor_kind, action) VALUES ('user', 'nodot')")).rejects.toThrow(/audit_log_action_check/);
    await expect(sql(url, "INSERT INTO audit_log (actor_kind, action, outcome) VALUES ('user', 'a.b', 'maybe')")).rejects.toThrow(
      /audit_log_outcome_check/,
    );
  });
});

describe('audit_log is append-only for the application role', () => {
  it('refuses UPDATE, DELETE and TRUNCATE on the pool the app uses, even when no row matches, and changes nothing', async () => {
    await recordAudit(getPool(), { actor: ADMIN, action: 'source.delete', objectType: 'source', objectId: 'kept' });
    const before = await sql(url, 'SELECT * FROM audit_log ORDER BY id');
    const pool = getPool();
    const [{ role }] = (await pool.query<{ role: string }>('SELECT current_user AS role')).rows as [{ role: string }];
    // The app's pool connects with DATABASE_URL, as the dashboard and the worker do.
    expect(role).toBe(new URL(url).username);
    await expect(pool.query("UPDATE audit_log SET outcome = 'failed'")).rejects.toThrow('audit_log is append-only: UPDATE is refused');
    await expect(pool.query('UPDATE audit_log SET outcome = outcome WHERE false')).rejects.toThrow(
      'audit_log is append-only: UPDATE is refused',
    );
    await expect(pool.query("DELETE FROM audit_log WHERE object_id = 'kept'")).rejects.toThrow(
      'audit_log is append-only: DELETE is refused',
    );
    await expect(pool.query('DELETE FROM audit_log WHERE false')).rejects.toThrow('audit_log is append-only: DELETE is refused');
    await expect(pool.query('TRUNCATE audit_log')).rejects.toThrow('audit_log is append-only: TRUNCATE is refused');
    // Prisma, the app's other client, goes through the same trigger.
    await expect(getPrisma().auditLog.deleteMany({})).rejects.toThrow(/append-only: DELETE is refused/);
    await expect(getPrisma().auditLog.updateMany({ data: { outcome: 'failed' } })).rejects.toThrow(/append-only: UPDATE is refused/);
    const error = await pool.query('DELETE FROM audit_log').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: '42501', hint: 'Audit lines are never changed or removed; record a new line instead.' });
    expect(await sql(url, 'SELECT * FROM audit_log ORDER BY id')).toEqual(before);
  });
});

describe('queryAudit', () => {
  // Lines with chosen times (INSERT may set `at`; nothing may change it later). Two lines share a
  // millisecond and differ in microseconds; two share the same instant and differ by id only.
  const SEED: [string, string, string | null, string | null, string, string | null, string | null, string][] = [
    // at, actor_kind, user id, email, action, object type, object id, outcome
    ['2021-11-30 23:59:59.999999+00', 'user', 'u1', 'ada@example.test', 'source.create', 'source', '1', 'ok'],
    ['2021-12-01 00:00:00+00', 'user', 'u1', 'ada@example.test', 'source.update', 'source', '1', 'ok'],
    ['2021-12-01 10:00:00.000100+00', 'user', 'u2', 'bob@example.test', 'source.update', 'source', '2', 'refused'],
    ['2021-12-01 10:00:00.000200+00', 'anonymous', null, null, 'auth.sign_in_failed', null, null, 'refused'],
    ['2021-12-02 08:00:00+00', 'user', 'u2', 'bob@example.test', 'auth.sign_in', null, null, 'ok'],
    ['2021-12-02 08:00:00+00', 'user', 'u1', 'ada@example.test', 'source.delete', 'source', '2', 'ok'],
    ['2021-12-03 00:00:00+00', 'cli', null, null, 'user.create', 'user', 'u3', 'ok'],
    ['2021-12-03 12:00:00+00', 'user', 'u1', 'ada@example.test', 'source_group.create', 'source_group', '9', 'ok'],
  ];
  const ids: string[] = [];

  beforeAll(async () => {
    for (const [at, kind, userId, email, action, objectType, objectId, outcome] of SEED) {
      const [row] = await sql<{ id: string }>(
        url,
        `INSERT INTO audit_log (at, actor_kind, actor_user_id, actor_email, action, object_type, object_id, outcome)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
        [at, kind, userId, email, action, objectType, objectId, outcome],
      );
      ids.push((row as { id: string }).id);
    }
  });

  /** Seed lines by their index in SEED, as the query returns them. */
  const seeded = (...indexes: number[]) => indexes.map((i) => ids[i]);
  const inSeed = (rows: { id: string }[]) => rows.map((r) => r.id).filter((id) => ids.includes(id));

  it('returns the newest first: time, then id for lines of the same instant, microseconds apart kept apart', async () => {
    const { rows } = await queryAudit({ from: '2021-11-30', to: '2021-12-03' });
    expect(inSeed(rows)).toEqual(seeded(7, 6, 5, 4, 3, 2, 1, 0));
    expect(rows.find((r) => r.id === ids[0])?.at.toISOString()).toBe('2021-11-30T23:59:59.999Z');
  });

  it('filters by actor (user id, or email in any case), exact action, action prefix, object and outcome', async () => {
    const ids = async (f: Parameters<typeof queryAudit>[0]) => inSeed((await queryAudit(f)).rows);
    expect(await ids({ actor: 'u2' })).toEqual(seeded(4, 2));
    expect(await ids({ actor: 'ADA@example.test' })).toEqual(seeded(7, 5, 1, 0));
    expect(await ids({ action: 'source.update' })).toEqual(seeded(2, 1));
    // 'source.' does not match 'source_group.create': the dot is part of the prefix, and _ in
    // a prefix is a character, not LIKE's wildcard.
    expect(await ids({ action: 'source.' })).toEqual(seeded(5, 2, 1, 0));
    expect(await ids({ action: 'source_*' })).toEqual(seeded(7));
    expect(await ids({ action: 'auth.sign_in*' })).toEqual(seeded(4, 3));
    expect(await ids({ action: 'auth.sign_in' })).toEqual(seeded(4));
    expect(await ids({ objectType: 'source', objectId: '2' })).toEqual(seeded(5, 2));
    expect(await ids({ outcome: 'refused' })).toEqual(seeded(3, 2));
  });

  it('takes from and to as inclusive UTC days', async () => {
    const ids = async (from?: string, to?: string) => inSeed((await queryAudit({ from, to })).rows);
    expect(await ids('2021-12-01', '2021-12-01')).toEqual(seeded(3, 2, 1));
    expect(await ids(undefined, '2021-11-30')).toEqual(seeded(0));
    expect(await ids('2021-12-03')).toEqual(seeded(7, 6));
  });

  it('pages by keyset: every line exactly once, across lines of the same instant and millisecond', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof queryAudit>> = await queryAudit({ from: '2021-11-30', to: '2021-12-03' }, { cursor, limit: 2 });
      seen.push(...page.rows.map((r) => r.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null);
    expect(seen).toEqual(seeded(7, 6, 5, 4, 3, 2, 1, 0));
    expect(pages).toBe(4);
    const all: string[] = [];
    for await (const row of allAuditRows({ from: '2021-11-30', to: '2021-12-03' }, 3)) all.push(row.id);
    expect(all).toEqual(seen);
  });

  it('refuses a cursor it did not give', async () => {
    await expect(queryAudit({}, { cursor: '2021-12-01~1' })).rejects.toThrow('audit cursor "2021-12-01~1" is not a cursor this page gave');
  });
});

describe('the /audit URL', () => {
  it('reads the filters and names every value it leaves out', () => {
    expect(
      parseAuditSearchParams({
        actor: ' ada@example.test ',
        action: 'source.',
        objectType: 'source',
        objectId: '',
        outcome: 'refused',
        from: '2026-12-01',
        to: '2026-12-03',
        cursor: '2026-12-02T08:00:00.000000Z~6',
      }),
    ).toEqual({
      filters: {
        actor: 'ada@example.test',
        action: 'source.',
        objectType: 'source',
        outcome: 'refused',
        from: '2026-12-01',
        to: '2026-12-03',
      },
      cursor: '2026-12-02T08:00:00.000000Z~6',
      problems: [],
    });
    expect(parseAuditSearchParams({ action: "x'; drop", outcome: 'maybe', from: '2026-02-30', cursor: 'abc' })).toEqual({
      filters: {},
      cursor: null,
      problems: [
        "action=x'; drop is not an action name or prefix (letters, digits, _ and ., e.g. source. or source.update)",
        'outcome=maybe is not one of ok, refused, failed',
        'from=2026-02-30 must be a date written YYYY-MM-DD',
        'cursor is not a page link this page gave',
      ],
    });
    expect(parseAuditSearchParams({ from: '2026-12-03', to: '2026-12-01' }).problems).toEqual([
      'from (2026-12-03) is after to (2026-12-01)',
    ]);
    expect(auditSearchString({ actor: 'a b@example.test', action: 'source.' }, '2026-12-02T08:00:00.000000Z~6')).toBe(
      '?actor=a+b%40example.test&action=source.&cursor=2026-12-02T08%3A00%3A00.000000Z%7E6',
    );
  });
});

describe('CSV', () => {
  it('streams a header and one CRLF-ended line per audit line, JSON columns quoted', async () => {
    const [{ id }] = (await sql<{ id: string }>(
      url,
      `INSERT INTO audit_log (at, actor_kind, actor_user_id, actor_email, ip, action, object_type, object_id, outcome, before, after, detail)
       VALUES ('2030-01-02 03:04:05.678+00', 'user', 'u9', 'eve@example.test', '203.0.113.5', 'source.update', 'source', '7', 'ok',
               '{"name":"=cmd|calc"}', '{"name":"ok, fine"}', '{"changed":["name"]}') RETURNING id`,
    )) as [{ id: string }];
    const stream = auditCsvStream(allAuditRows({ from: '2030-01-02', to: '2030-01-02' }));
    const text = await new Response(stream).text();
    expect(text).toBe(
      `${AUDIT_CSV_COLUMNS.join(',')}\r\n` +
        `${id},2030-01-02T03:04:05.678Z,user,u9,eve@example.test,,203.0.113.5,source.update,source,7,ok,` +
        `"{""name"":""=cmd|calc""}","{""name"":""ok, fine""}","{""changed"":[""name""]}"\r\n`,
    );
    expect(AUDIT_CSV_COLUMNS.join(',')).toBe(
      'id,at_utc,actor_kind,actor_user_id,actor_email,actor_detail,ip,action,object_type,object_id,outcome,before,after,detail',
    );
  });
});
