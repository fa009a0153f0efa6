// The users page's actions and the password link page's action, called as the pages call them
// (a signed-in admin's session cookie, a form) on a real PostgreSQL: invitations and reset links
// shown once and usable once, roles, disabling (sessions and API tokens end), the last-admin rule.
// Other roles are refused by the permission table test, which walks every action as every role.
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { GET as getMe } from '../../app/api/me/route';
import { expectError, expectSuccess, form } from '../../tests/helpers/actions';
import { actAs, as, cookieHeader, signIn, TEST_PASSWORD, type TestUser, userWithRole } from '../../tests/helpers/auth';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { createApiToken } from '../auth/api-tokens';
import { withRequest } from '../auth/request-context';
import { actorFromHeaders } from '../auth/session';
import { linkIsLive } from '../auth/users';
import { changeUserRole } from './change-user-role';
import { createPasswordResetLink } from './create-password-reset-link';
import { inviteUser } from './invite-user';
import { IDLE } from './safe-action';
import { setPassword } from './set-password';
import { setUserDisabled } from './set-user-disabled';

vi.mock('next/cache', () => ({ revalidatePath: vi.fn() }));
const redirect = vi.hoisted(() => vi.fn());
vi.mock('next/navigation', async (importOriginal) => ({ ...(await importOriginal<typeof import('next/navigation')>()), redirect }));

let url: string;
let admin: TestUser;
beforeAll(async () => {
  url = await useTestDatabase();
});
beforeEach(async () => {
  admin = await userWithRole('admin');
  redirect.mockClear();
});

function tokenOf(link: string): string {
  const token = new URL(link, 'http://x').searchParams.get('token');
  if (!token) throw new Error(`no token in ${link}`);
  return token;
}

/** Sets a password through a link's page action; the Set-Cookie lines it produced. */
async function usePasswordLink(link: string, password: string) {
  redirect.mockClear();
  const { result, setCookies } = await withRequest({}, () =>
    setPassword(IDLE, form({ token: tokenOf(link), password, confirm: password })),
  );
  return { state: result, cookie: cookieHeader(setCookies), redirectedTo: redirect.mock.calls[0]?.[0] as string | undefined };
}

describe('invitations', () => {
  it('creates the user without a password and returns the link once; the link sets a password and signs them in', async () => {
    const invited = expectSuccess(await as(admin, inviteUser)(IDLE, form({ email: ' Bea@Example.TEST ', name: 'Bea', role: 'finance' })));
    expect(invited.data.email).toBe('bea@example.test');
    expect(invited.data.link).toMatch(/^\/set-password\?token=[A-Za-z0-9_-]{43}$/);
    const [row] = await sql<{ id: string; role: string; accounts: number; link_hash_is_token: boolean; created_by: string }>(
      url,
      `SELECT u.id, u.role, (SELECT count(*)::int FROM auth_accounts a WHERE a.user_id = u.id) AS accounts,
              l.token_hash = convert_to($2, 'UTF8') AS link_hash_is_token, l.created_by
         FROM users u JOIN one_time_links l ON l.user_id = u.id WHERE u.email = $1`,
      ['bea@example.test', tokenOf(invited.data.link)],
    );
    // No password yet, and the stored link is a hash, not the token the admin saw.
    expect(row).toMatchObject({ role: 'finance', accounts: 0, link_hash_is_token: false, created_by: admin.email });

    const mismatch = expectError(
      (
        await withRequest({}, () =>
          setPassword(IDLE, form({ token: tokenOf(invited.data.link), password: 'a long new password', confirm: 'another one' })),
        )
      ).result,
    );
    expect(mismatch.fieldErrors.confirm).toEqual(['the two passwords differ']);
    const short = expectError((await usePasswordLink(invited.data.link, 'short')).state);
    expect(short.fieldErrors.password?.[0]).toMatch(/at least 12 characters/);
    expect(await linkIsLive('invite', tokenOf(invited.data.link))).toBe(true);

    const used = await usePasswordLink(invited.data.link, 'bea chose this password');
    expect(used.redirectedTo).toBe('/');
    expect(await actorFromHeaders(new Headers({ cookie: used.cookie }))).toMatchObject({ email: 'bea@example.test', role: 'finance' });
    expect(await signIn('bea@example.test', 'bea chose this password')).toMatch(/^better-auth\.session_token=/);

    // Once only.
    expect(await linkIsLive('invite', tokenOf(invited.data.link))).toBe(false);
    const again = expectError((await usePasswordLink(invited.data.link, 'someone else tries this')).state);
    expect(again.message).toMatch(/expired or was already used/);
    await expect(signIn('bea@example.test', 'someone else tries this')).rejects.toThrow();
  });

  it('refuses an email that already has an account, and bad fields by name', async () => {
    const existing = await userWithRole('viewer');
    const dup = expectError(await as(admin, inviteUser)(IDLE, form({ email: existing.email.toUpperCase(), name: 'X', role: 'viewer' })));
    expect(dup.fieldErrors.email?.[0]).toBe(`a user with the email ${existing.email} already exists`);
    const bad = expectError(await as(admin, inviteUser)(IDLE, form({ email: 'not-an-email', name: '', role: 'owner' })));
    expect(Object.keys(bad.fieldErrors).sort()).toEqual(['email', 'name', 'role']);
    expect(bad.fieldErrors.role?.[0]).toBe('role must be one of viewer, engineer, finance, admin');
  });

  it('an expired link shows no form and sets nothing', async () => {
    const invited = expectSuccess(await as(admin, inviteUser)(IDLE, form({ email: 'late@example.test', name: 'Late', role: 'viewer' })));
    await sql(url, "UPDATE one_time_links SET expires_at = now() - interval '1 second' WHERE token_hash = sha256(convert_to($1, 'UTF8'))", [
      tokenOf(invited.data.link),
    ]);
    expect(await linkIsLive('invite', tokenOf(invited.data.link))).toBe(false);
    const late = expectError((await usePasswordLink(invited.data.link, 'a long enough password')).state);
    expect(late.message).toMatch(/expired or was already used/);
    const [accounts] = await sql<{ n: number }>(
      url,
      "SELECT count(*)::int AS n FROM auth_accounts a JOIN users u ON u.id = a.user_id WHERE u.email = 'late@example.test'",
    );
    expect(accounts?.n).toBe(0);
  });
});

describe('password reset links', () => {
  it('replace the password and end every session the user had; the old password stops working', async () => {
    const user = await userWithRole('engineer');
    const second = await signIn(user.email, TEST_PASSWORD);
    const reset = expectSuccess(await as(admin, createPasswordResetLink)(IDLE, form({ userId: user.id })));
    expect(reset.data.email).toBe(user.email);
    expect(reset.data.link).toMatch(/^\/set-password\?token=/);
    // Issuing the link changes nothing yet: the user may still remember their password.
    expect(await actorFromHeaders(new Headers({ cookie: user.cookie }))).not.toBeNull();

    const used = await usePasswordLink(reset.data.link, 'a brand new password');
    expect(used.redirectedTo).toBe('/');
    expect(await actorFromHeaders(new Headers({ cookie: user.cookie }))).toBeNull();
    expect(await actorFromHeaders(new Headers({ cookie: second }))).toBeNull();
    expect(await actorFromHeaders(new Headers({ cookie: used.cookie }))).toMatchObject({ userId: user.id });
    await expect(signIn(user.email, TEST_PASSWORD)).rejects.toThrow();
  });

  it('for an unknown user id: a message, no link', async () => {
    const missing = expectError(await as(admin, createPasswordResetLink)(IDLE, form({ userId: 'no-such-user' })));
    expect(missing.message).toBe('This user no longer exists.');
  });

  it("a disabled user's link sets the password but signs nobody in", async () => {
    const user = await userWithRole('viewer');
    const reset = expectSuccess(await as(admin, createPasswordResetLink)(IDLE, form({ userId: user.id })));
    expectSuccess(await as(admin, setUserDisabled)(IDLE, form({ userId: user.id, disabled: 'true' })));
    const used = await usePasswordLink(reset.data.link, 'a brand new password');
    expect(expectError(used.state).message).toMatch(/this account is disabled/);
    expect(used.cookie).toBe('');
    expect(used.redirectedTo).toBeUndefined();
  });
});

describe('roles', () => {
  it('changes a role; the user’s next request carries it', async () => {
    const user = await userWithRole('viewer');
    const ok = expectSuccess(await as(admin, changeUserRole)(IDLE, form({ userId: user.id, role: 'engineer' })));
    expect(ok.message).toBe(`${user.email} is now Engineer (was Viewer).`);
    expect(await actorFromHeaders(new Headers({ cookie: user.cookie }))).toMatchObject({ role: 'engineer' });
    const same = expectSuccess(await as(admin, changeUserRole)(IDLE, form({ userId: user.id, role: 'engineer' })));
    expect(same.message).toBe(`${user.email} already is Engineer.`);
  });

  it('refuses to demote the last enabled admin, through the page’s action too', async () => {
    await sql(url, "UPDATE users SET role = 'viewer' WHERE role = 'admin' AND id <> $1", [admin.id]);
    const refused = expectError(await as(admin, changeUserRole)(IDLE, form({ userId: admin.id, role: 'viewer' })));
    expect(refused.message).toBe(`${admin.email} is the last enabled admin: make another user an admin first.`);
    expect(refused.fieldErrors.role).toEqual([refused.message]);
    const [row] = await sql<{ role: string }>(url, 'SELECT role FROM users WHERE id = $1', [admin.id]);
    expect(row?.role).toBe('admin');
  });
});

describe('disable and enable', () => {
  it('disabling signs the user out everywhere and stops their API tokens; enabling lets them sign in again, tokens included', async () => {
    const user = await userWithRole('finance');
    const { token } = await createApiToken(user.id, 'report script');
    const me = () => getMe(new Request('http://localhost/api/me', { headers: { authorization: `Bearer ${token}` } }));
    expect((await me()).status).toBe(200);

    const off = expectSuccess(await as(admin, setUserDisabled)(IDLE, form({ userId: user.id, disabled: 'true' })));
    expect(off.message).toBe(`Disabled ${user.email}: signed out everywhere; their API tokens no longer work.`);
    expect(await actorFromHeaders(new Headers({ cookie: user.cookie }))).toBeNull();
    const refused = await me();
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    await expect(signIn(user.email, TEST_PASSWORD)).rejects.toThrow();

    expectSuccess(await as(admin, setUserDisabled)(IDLE, form({ userId: user.id, disabled: 'false' })));
    expect((await me()).status).toBe(200);
    expect(await signIn(user.email, TEST_PASSWORD)).toMatch(/^better-auth\.session_token=/);
  });

  it('an admin cannot disable their own account (so the last enabled admin, whom only they could disable, stays)', async () => {
    const self = expectError(await as(admin, setUserDisabled)(IDLE, form({ userId: admin.id, disabled: 'true' })));
    expect(self.message).toBe('You cannot disable your own account: ask another admin.');
    const [row] = await sql<{ disabled: boolean }>(url, 'SELECT disabled_at IS NOT NULL AS disabled FROM users WHERE id = $1', [admin.id]);
    expect(row?.disabled).toBe(false);
  });

  it('a malformed form is refused by field', async () => {
    const bad = expectError(await as(admin, setUserDisabled)(IDLE, form({ userId: '', disabled: 'maybe' })));
    expect(Object.keys(bad.fieldErrors).sort()).toEqual(['disabled', 'userId']);
  });
});

describe('as another role', () => {
  it('a finance user cannot invite (the table refuses before the form is read)', async () => {
    const finance = await userWithRole('finance');
    const state = expectError(
      await actAs({ cookie: finance.cookie }, () => inviteUser(IDLE, form({ email: 'x@example.test', name: 'X', role: 'admin' }))),
    );
    expect(state.message).toBe('Your role (finance) does not allow this. Ask an admin.');
    const [n] = await sql<{ n: number }>(url, "SELECT count(*)::int AS n FROM users WHERE email = 'x@example.test'");
    expect(n?.n).toBe(0);
  });
});
