// The profile page's actions as the page calls them (the user's own session cookie, a form) on a
// real PostgreSQL: changing one's password (current one required, counted like a failed sign-in
// when wrong, every session replaced) and creating / revoking one's API tokens (shown once,
// stored hashed, only one's own).
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { GET as getMe } from '../../app/api/me/route';
import { expectError, expectSuccess, form } from '../../tests/helpers/actions';
import { as, cookieHeader, signIn, TEST_PASSWORD, userWithRole } from '../../tests/helpers/auth';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { MAX_LIVE_TOKENS } from '../auth/api-tokens';
import { ACCOUNT_LIMIT } from '../auth/rate-limit';
import { withRequest } from '../auth/request-context';
import { actorFromHeaders } from '../auth/session';
import { changePassword } from './change-password';
import { createApiToken } from './create-api-token';
import { revokeApiToken } from './revoke-api-token';
import { IDLE } from './safe-action';

vi.mock('next/cache', () => ({ revalidatePath: vi.fn() }));
const redirect = vi.hoisted(() => vi.fn());
vi.mock('next/navigation', async (importOriginal) => ({ ...(await importOriginal<typeof import('next/navigation')>()), redirect }));

let url: string;
beforeAll(async () => {
  url = await useTestDatabase();
});

const NEW = 'my next long password';

describe('password change', () => {
  it('needs the current password; replaces the hash; ends every session and hands this browser a new one', async () => {
    const user = await userWithRole('viewer');
    const elsewhere = await signIn(user.email, TEST_PASSWORD);
    const fields = { currentPassword: TEST_PASSWORD, newPassword: NEW, confirm: NEW };

    const mismatch = expectError(await as(user, changePassword)(IDLE, form({ ...fields, confirm: 'something else' })));
    expect(mismatch.fieldErrors.confirm).toEqual(['the two passwords differ']);
    const same = expectError(await as(user, changePassword)(IDLE, form({ ...fields, newPassword: TEST_PASSWORD, confirm: TEST_PASSWORD })));
    expect(same.fieldErrors.newPassword).toEqual(['the new password is the current one']);
    const short = expectError(await as(user, changePassword)(IDLE, form({ ...fields, newPassword: 'short', confirm: 'short' })));
    expect(short.fieldErrors.newPassword?.[0]).toMatch(/at least 12 characters/);
    const wrong = expectError(await as(user, changePassword)(IDLE, form({ ...fields, currentPassword: 'not my password' })));
    expect(wrong.fieldErrors.currentPassword).toEqual(['This is not your current password.']);
    // Nothing changed so far: both sessions live, the old password works.
    expect(await actorFromHeaders(new Headers({ cookie: elsewhere }))).not.toBeNull();

    redirect.mockClear();
    const { result, setCookies } = await withRequest({ cookie: user.cookie }, () => changePassword(IDLE, form(fields)));
    expect(expectSuccess(result).message).toBe('Password changed. Your other sessions were signed out.');
    // The profile page is opened anew, with the new session's cookie.
    expect(redirect).toHaveBeenCalledWith('/profile?password=changed');
    expect(await actorFromHeaders(new Headers({ cookie: user.cookie }))).toBeNull();
    expect(await actorFromHeaders(new Headers({ cookie: elsewhere }))).toBeNull();
    const fresh = cookieHeader(setCookies);
    expect(fresh).toMatch(/^better-auth\.session_token=/);
    expect(fresh).not.toBe(user.cookie);
    expect(await actorFromHeaders(new Headers({ cookie: fresh }))).toMatchObject({ userId: user.id });
    const [sessions] = await sql<{ n: number }>(url, 'SELECT count(*)::int AS n FROM auth_sessions WHERE user_id = $1', [user.id]);
    expect(sessions?.n).toBe(1);
    await expect(signIn(user.email, TEST_PASSWORD)).rejects.toThrow();
    expect(await signIn(user.email, NEW)).toMatch(/^better-auth\.session_token=/);
  });

  it(`wrong current passwords count as failed sign-ins: after ${ACCOUNT_LIMIT}, even the right one is refused`, async () => {
    const user = await userWithRole('engineer');
    for (let i = 0; i < ACCOUNT_LIMIT; i++) {
      const r = expectError(await as(user, changePassword)(IDLE, form({ currentPassword: `wrong ${i}`, newPassword: NEW, confirm: NEW })));
      expect(r.message).toBe('This is not your current password.');
    }
    const blocked = expectError(
      await as(user, changePassword)(IDLE, form({ currentPassword: TEST_PASSWORD, newPassword: NEW, confirm: NEW })),
    );
    expect(blocked.message).toMatch(/^Too many failed attempts\. Try again in 1[45] minutes\.$/);
    await expect(signIn(user.email, NEW)).rejects.toThrow();
  });

  it('a user without a password (single sign-on only) is told so', async () => {
    const user = await userWithRole('viewer');
    // What an OpenID Connect sign-up leaves: an account of another provider, no password.
    await sql(url, "UPDATE auth_accounts SET provider_id = 'oidc', account_id = 'subject-1', password = NULL WHERE user_id = $1", [
      user.id,
    ]);
    const state = expectError(
      await as(user, changePassword)(IDLE, form({ currentPassword: 'whatever at all', newPassword: NEW, confirm: NEW })),
    );
    expect(state.message).toBe('You sign in through single sign-on: this account has no password to change.');
    expect(await actorFromHeaders(new Headers({ cookie: user.cookie }))).not.toBeNull();
  });
});

describe('API tokens', () => {
  it('creates a token shown once and stored as its SHA-256 with a 12-character prefix; it reads /api/me', async () => {
    const user = await userWithRole('finance');
    const created = expectSuccess(await as(user, createApiToken)(IDLE, form({ name: '  monthly report  ' })));
    expect(created.data.name).toBe('monthly report');
    expect(created.data.token).toMatch(/^brt_[A-Za-z0-9_-]{43}$/);
    const [row] = await sql<{ name: string; prefix: string; token_hash: Buffer; last_used_at: Date | null }>(
      url,
      'SELECT name, prefix, token_hash, last_used_at FROM api_tokens WHERE user_id = $1',
      [user.id],
    );
    expect(row?.name).toBe('monthly report');
    expect(row?.prefix).toBe(created.data.token.slice(0, 12));
    expect(row?.token_hash.equals(createHash('sha256').update(created.data.token).digest())).toBe(true);
    expect(row?.last_used_at).toBeNull();

    const res = await getMe(new Request('http://localhost/api/me', { headers: { authorization: `Bearer ${created.data.token}` } }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: user.id, email: user.email, role: 'finance', via: 'api-token' });
    const [used] = await sql<{ last_used_at: Date | null }>(url, 'SELECT last_used_at FROM api_tokens WHERE user_id = $1', [user.id]);
    expect(used?.last_used_at).toBeInstanceOf(Date);
  });

  it('revokes only the user’s own live tokens; a revoked token gets 401', async () => {
    const owner = await userWithRole('viewer');
    const other = await userWithRole('admin');
    const created = expectSuccess(await as(owner, createApiToken)(IDLE, form({ name: 'ci' })));
    const [row] = await sql<{ id: string }>(url, 'SELECT id::text FROM api_tokens WHERE user_id = $1', [owner.id]);
    if (!row) throw new Error('no token row');
    const notYours = expectError(await as(other, revokeApiToken)(IDLE, form({ id: row.id })));
    expect(notYours.message).toBe('This token does not exist or is already revoked.');
    const me = () => getMe(new Request('http://localhost/api/me', { headers: { authorization: `Bearer ${created.data.token}` } }));
    expect((await me()).status).toBe(200);

    const ok = expectSuccess(await as(owner, revokeApiToken)(IDLE, form({ id: row.id })));
    expect(ok.message).toBe(`Token "ci" (${created.data.token.slice(0, 12)}…) revoked: it no longer works.`);
    expect((await me()).status).toBe(401);
    expect(expectError(await as(owner, revokeApiToken)(IDLE, form({ id: row.id }))).message).toMatch(/already revoked/);
    expect(expectError(await as(owner, revokeApiToken)(IDLE, form({ id: 'abc' }))).fieldErrors.id).toEqual(['not a token id']);
  });

  it(`refuses a blank name, and one live token over the limit (${MAX_LIVE_TOKENS})`, async () => {
    const user = await userWithRole('engineer');
    expect(expectError(await as(user, createApiToken)(IDLE, form({ name: '   ' }))).fieldErrors.name).toEqual(['required']);
    for (let i = 0; i < MAX_LIVE_TOKENS; i++) expectSuccess(await as(user, createApiToken)(IDLE, form({ name: `t${i}` })));
    const over = expectError(await as(user, createApiToken)(IDLE, form({ name: 'one more' })));
    expect(over.message).toBe(`You already have ${MAX_LIVE_TOKENS} live tokens: revoke one you no longer use first.`);
    const [row] = await sql<{ id: string }>(url, "SELECT id::text FROM api_tokens WHERE user_id = $1 AND name = 't0'", [user.id]);
    expectSuccess(await as(user, revokeApiToken)(IDLE, form({ id: row?.id ?? '' })));
    expectSuccess(await as(user, createApiToken)(IDLE, form({ name: 'one more' })));
  });
});
