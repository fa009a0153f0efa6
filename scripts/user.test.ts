// `npm run user` as a shell runs it (a child process on a real PostgreSQL): accounts created through
// the same createUser as the pages, a one-time link when no password is given, clear refusals.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import { actorFromHeaders } from '../lib/auth/session';
import { setPasswordWithLink } from '../lib/auth/users';
import { signIn, TEST_PASSWORD } from '../tests/helpers/auth';
import { sql, useTestDatabase } from '../tests/helpers/db';

let url: string;
beforeAll(async () => {
  url = await useTestDatabase();
});

function user(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/user.ts', ...args], {
    env: { ...process.env, DATABASE_URL: url, BURNRATE_PUBLIC_URL: 'https://burnrate.example.com' },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('npm run user', () => {
  it('create with a password: the user signs in with it', async () => {
    const r = user('create', '--email', 'Lead@Example.test', '--role', 'viewer', '--name', 'Team Lead', '--password', TEST_PASSWORD);
    expect(r.err).toBe('');
    expect(r.out).toBe('created lead@example.test (viewer)\n');
    expect(r.code).toBe(0);
    const [row] = await sql<{ name: string; role: string }>(url, 'SELECT name, role FROM users WHERE email = $1', ['lead@example.test']);
    expect(row).toEqual({ name: 'Team Lead', role: 'viewer' });
    const cookie = await signIn('lead@example.test', TEST_PASSWORD);
    expect(await actorFromHeaders(new Headers({ cookie }))).toMatchObject({ email: 'lead@example.test', role: 'viewer' });
  });

  it('create without a password prints a one-time link on the public URL; the link sets the password once', async () => {
    const r = user('create', '--email', 'ana@example.test', '--role', 'finance');
    expect(r.code).toBe(0);
    const link =
      /one-time link to set a password \(valid 7 days\): (https:\/\/burnrate\.example\.com\/set-password\?token=([\w-]+))\n/.exec(r.out);
    if (!link?.[2]) throw new Error(`no link in: ${r.out}`);
    const [tokenRow] = await sql<{ n: number }>(
      url,
      "SELECT count(*)::int AS n FROM one_time_links WHERE purpose = 'invite' AND used_at IS NULL",
    );
    expect(tokenRow?.n).toBe(1);
    // Only the token's hash is stored.
    const [stored] = await sql<{ found: boolean }>(
      url,
      'SELECT EXISTS (SELECT 1 FROM one_time_links WHERE encode(token_hash, $1) LIKE $2) AS found',
      ['escape', `%${link[2]}%`],
    );
    expect(stored?.found).toBe(false);
    await expect(signIn('ana@example.test', TEST_PASSWORD)).rejects.toThrow();
    await setPasswordWithLink(link[2], TEST_PASSWORD);
    expect(await signIn('ana@example.test', TEST_PASSWORD)).toMatch(/^better-auth\.session_token=/);
    await expect(setPasswordWithLink(link[2], 'another long password')).rejects.toThrow(/expired or was already used/);
  });

  it('refuses a bad role, a duplicate email and a short password, naming the problem, and creates nothing', async () => {
    const before = await sql<{ n: number }>(url, 'SELECT count(*)::int AS n FROM users');
    const badRole = user('create', '--email', 'x@example.test', '--role', 'owner');
    expect(badRole.code).toBe(1);
    expect(badRole.err).toBe('error: role: role must be one of viewer, engineer, finance, admin\n');
    const dup = user('create', '--email', 'LEAD@example.test', '--role', 'admin', '--password', TEST_PASSWORD);
    expect(dup.code).toBe(1);
    expect(dup.err).toBe('error: a user with the email lead@example.test already exists\n');
    const short = user('create', '--email', 'y@example.test', '--role', 'admin', '--password', 'short');
    expect(short.err).toBe('error: password: at least 12 characters\n');
    const usage = user('delete');
    expect(usage.code).toBe(2);
    expect(usage.err).toMatch(/^usage:\n {2}npm run user -- create --email EMAIL --role viewer\|engineer\|finance\|admin/);
    expect(await sql<{ n: number }>(url, 'SELECT count(*)::int AS n FROM users')).toEqual(before);
  });

  it('list and reset-password', async () => {
    const list = user('list');
    expect(list.out).toMatch(/^ana@example\.test\tfinance\t\d{4}-\d\d-\d\dT/m);
    expect(list.out).toMatch(/^lead@example\.test\tviewer\t/m);
    const reset = user('reset-password', '--email', 'lead@example.test');
    expect(reset.out).toMatch(
      /^one-time link to set a new password \(valid 24 hours\): https:\/\/burnrate\.example\.com\/set-password\?token=[\w-]+\n$/,
    );
    expect(user('reset-password', '--email', 'nobody@example.test').err).toBe('error: no user has the email nobody@example.test\n');
  });
  it('records who created a user and issued a reset link: the shell user, never the password', async () => {
    expect(user('create', '--email', 'audited@example.test', '--role', 'engineer', '--password', TEST_PASSWORD).code).toBe(0);
    expect(user('reset-password', '--email', 'audited@example.test').code).toBe(0);
    const [{ id }] = (await sql<{ id: string }>(url, 'SELECT id FROM users WHERE email = $1', ['audited@example.test'])) as [
      { id: string },
    ];
    const lines = await sql(
      url,
      'SELECT actor_kind, actor_detail, ip, action, object_type, after, detail FROM audit_log WHERE object_id = $1 ORDER BY id',
      [id],
    );
    expect(lines).toEqual([
      {
        actor_kind: 'cli',
        actor_detail: os.userInfo().username,
        ip: null,
        action: 'user.create',
        object_type: 'user',
        after: { email: 'audited@example.test', role: 'engineer' },
        detail: { note: 'password set from the shell' },
      },
      {
        actor_kind: 'cli',
        actor_detail: os.userInfo().username,
        ip: null,
        action: 'user.password_reset_link',
        object_type: 'user',
        after: null,
        detail: null,
      },
    ]);
    expect(JSON.stringify(await sql(url, 'SELECT * FROM audit_log'))).not.toContain(TEST_PASSWORD);
  });
});
