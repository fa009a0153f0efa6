// Sign-in, first-admin setup and sign-out through their actions, as the pages call them, on a real
// PostgreSQL: one answer for a wrong password and an unknown email, limits per account and per
// address, the setup link's rules, and the cookie's attributes.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { expectError, form } from '../../tests/helpers/actions';
import { actAs, cookieHeader, TEST_PASSWORD, userWithRole } from '../../tests/helpers/auth';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { ACCOUNT_LIMIT, ADDRESS_LIMIT } from '../auth/rate-limit';
import { withRequest } from '../auth/request-context';
import { actorFromHeaders } from '../auth/session';
import { issueSetupToken, linkIsLive, userCount } from '../auth/users';
import { IDLE } from './safe-action';
import { setupFirstAdmin } from './setup-admin';
import { signIn } from './sign-in';
import { signOut } from './sign-out';

vi.mock('next/cache', () => ({ revalidatePath: vi.fn() }));
const redirect = vi.hoisted(() => vi.fn());
vi.mock('next/navigation', async (importOriginal) => ({ ...(await importOriginal<typeof import('next/navigation')>()), redirect }));

let url: string;
beforeAll(async () => {
  url = await useTestDatabase();
});

/** Signs in from an address; the Set-Cookie lines it produced. */
async function signInFrom(ip: string, fields: Record<string, string>) {
  redirect.mockClear();
  const { result, setCookies } = await withRequest({ 'x-burnrate-client-ip': ip }, () => signIn(IDLE, form(fields)));
  return { state: result, setCookies, redirectedTo: redirect.mock.calls[0]?.[0] as string | undefined };
}

describe('first-admin setup', () => {
  it('needs the printed token; creates the admin once; the link then stops working', async () => {
    expect(await userCount()).toBe(0);
    const token = await issueSetupToken();
    if (!token) throw new Error('no setup token while no user exists');
    const fields = { name: 'Ada', email: 'Ada@Example.test', password: 'a long enough password', confirm: 'a long enough password' };

    const noToken = expectError(await actAs({}, () => setupFirstAdmin(IDLE, form({ ...fields, token: '' }))));
    expect(noToken.fieldErrors.token?.[0]).toMatch(/setup link is incomplete/);
    const wrong = expectError(await actAs({}, () => setupFirstAdmin(IDLE, form({ ...fields, token: `${token}x` }))));
    expect(wrong.message).toMatch(/expired or was already used/);
    const mismatch = expectError(
      await actAs({}, () => setupFirstAdmin(IDLE, form({ ...fields, token, confirm: 'something else entirely' }))),
    );
    expect(mismatch.fieldErrors.confirm).toEqual(['the two passwords differ']);
    const short = expectError(
      await actAs({}, () => setupFirstAdmin(IDLE, form({ ...fields, token, password: 'short', confirm: 'short' }))),
    );
    expect(short.fieldErrors.password?.[0]).toMatch(/at least 12 characters/);
    expect(await userCount()).toBe(0);

    redirect.mockClear();
    const { setCookies } = await withRequest({}, () => setupFirstAdmin(IDLE, form({ ...fields, token })));
    expect(redirect).toHaveBeenCalledWith('/');
    const [admin] = await sql<{ email: string; role: string }>(url, 'SELECT email, role FROM users');
    expect(admin).toEqual({ email: 'ada@example.test', role: 'admin' });
    // Signed in straight away.
    expect(await actorFromHeaders(new Headers({ cookie: cookieHeader(setCookies) }))).toMatchObject({
      role: 'admin',
      email: 'ada@example.test',
    });

    expect(await linkIsLive('setup', token)).toBe(false);
    expect(await issueSetupToken()).toBeNull();
    const again = expectError(await actAs({}, () => setupFirstAdmin(IDLE, form({ ...fields, email: 'eve@example.test', token }))));
    expect(again.message).toMatch(/An admin already exists/);
    expect(await userCount()).toBe(1);
  });
});

describe('password sign-in', () => {
  it('signs in, sets an httpOnly SameSite=Lax cookie (not Secure over http) and goes to a local next path only', async () => {
    const user = await userWithRole('viewer');
    const ok = await signInFrom('192.0.2.1', { email: user.email.toUpperCase(), password: TEST_PASSWORD, next: '/sources?x=1' });
    expect(ok.redirectedTo).toBe('/sources?x=1');
    const cookie = ok.setCookies.find((c) => c.startsWith('better-auth.session_token='));
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Lax/i);
    expect(cookie).not.toMatch(/; Secure/i);
    expect(cookie).toMatch(/; Max-Age=604800/);
    for (const next of ['//evil.example/x', '/\\evil.example', 'https://evil.example/', '/sign-in?next=/']) {
      const r = await signInFrom('192.0.2.1', { email: user.email, password: TEST_PASSWORD, next });
      expect(r.redirectedTo, next).toBe('/');
    }
  });

  it('answers a wrong password and an unknown email with the same words', async () => {
    const user = await userWithRole('viewer');
    const wrong = expectError((await signInFrom('192.0.2.2', { email: user.email, password: 'not the password' })).state);
    const unknown = expectError((await signInFrom('192.0.2.2', { email: 'nobody@example.test', password: 'not the password' })).state);
    expect({ ...wrong, at: 0 }).toEqual({ ...unknown, at: 0 });
    expect(wrong.message).toBe('Wrong email or password.');
  });

  it(`refuses an account after ${ACCOUNT_LIMIT} failures, even with the right password, whether or not it exists`, async () => {
    const user = await userWithRole('engineer');
    for (const [i, ip] of ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4', '198.51.100.5'].entries()) {
      const r = await signInFrom(ip, { email: user.email, password: `wrong ${i}` });
      expect(expectError(r.state).message).toBe('Wrong email or password.');
    }
    const blocked = await signInFrom('198.51.100.9', { email: user.email, password: TEST_PASSWORD });
    expect(expectError(blocked.state).message).toMatch(/^Too many failed sign-ins\. Try again in 1[45] minutes\.$/);
    expect(blocked.setCookies).toEqual([]);
    for (let i = 0; i < ACCOUNT_LIMIT; i++) await signInFrom('198.51.100.1', { email: 'ghost@example.test', password: 'x' });
    expect(expectError((await signInFrom('198.51.100.10', { email: 'ghost@example.test', password: 'x' })).state).message).toMatch(
      /^Too many failed sign-ins/,
    );
    // Another account from the same addresses is not affected.
    const other = await userWithRole('engineer');
    expect((await signInFrom('198.51.100.1', { email: other.email, password: TEST_PASSWORD })).redirectedTo).toBe('/');
  });

  it(`refuses an address after ${ADDRESS_LIMIT} failures across accounts`, async () => {
    const user = await userWithRole('viewer');
    for (let i = 0; i < ADDRESS_LIMIT; i++) await signInFrom('203.0.113.7', { email: `guess${i}@example.test`, password: 'x' });
    const blocked = await signInFrom('203.0.113.7', { email: user.email, password: TEST_PASSWORD });
    expect(expectError(blocked.state).message).toMatch(/^Too many failed sign-ins/);
    expect((await signInFrom('203.0.113.8', { email: user.email, password: TEST_PASSWORD })).redirectedTo).toBe('/');
  });
});

describe('sign-out', () => {
  it('ends the session on the server: the old cookie no longer signs anyone in', async () => {
    const user = await userWithRole('finance');
    expect(await actorFromHeaders(new Headers({ cookie: user.cookie }))).not.toBeNull();
    redirect.mockClear();
    await actAs({ cookie: user.cookie }, () => signOut(IDLE, form({})));
    expect(redirect).toHaveBeenCalledWith('/sign-in');
    expect(await actorFromHeaders(new Headers({ cookie: user.cookie }))).toBeNull();
  });
});
