import { beforeAll, describe, expect, it } from 'vitest';
import { signIn, TEST_PASSWORD, userWithRole } from '../../tests/helpers/auth';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { actorFromHeaders } from './session';

let url: string;
beforeAll(async () => {
  url = await useTestDatabase();
});

describe('password sign-in through better-auth on the migrated tables', () => {
  it('stores an argon2id hash and a session; the cookie names the user and role', async () => {
    const user = await userWithRole('finance', 'Fin@Example.test');
    expect(user.email).toBe('fin@example.test');
    const [account] = await sql<{ password: string }>(
      url,
      "SELECT password FROM auth_accounts WHERE user_id = $1 AND provider_id = 'credential'",
      [user.id],
    );
    expect(account?.password).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(user.cookie).toMatch(/^better-auth\.session_token=/);
    const actor = await actorFromHeaders(new Headers({ cookie: user.cookie }));
    expect(actor).toMatchObject({ kind: 'user', userId: user.id, email: 'fin@example.test', role: 'finance', via: 'session' });
    const [last] = await sql<{ last_sign_in_at: Date | null }>(url, 'SELECT last_sign_in_at FROM users WHERE id = $1', [user.id]);
    expect(last?.last_sign_in_at).toBeInstanceOf(Date);
  });

  it('a wrong password and an unknown email fail alike', async () => {
    const user = await userWithRole('viewer');
    await expect(signIn(user.email, 'wrong password here')).rejects.toThrow('Invalid email or password');
    await expect(signIn('nobody@example.test', TEST_PASSWORD)).rejects.toThrow('Invalid email or password');
  });

  it('a disabled user gets no session and loses the ones they had', async () => {
    const user = await userWithRole('engineer');
    await sql(url, 'UPDATE users SET disabled_at = now() WHERE id = $1', [user.id]);
    expect(await actorFromHeaders(new Headers({ cookie: user.cookie }))).toBeNull();
    await expect(signIn(user.email, TEST_PASSWORD)).rejects.toThrow();
  });
});

describe('session expiry and rotation', () => {
  it('a session whose expires_at has passed names nobody, and its row is gone afterwards', async () => {
    const user = await userWithRole('viewer');
    expect(await actorFromHeaders(new Headers({ cookie: user.cookie }))).not.toBeNull();
    await sql(url, "UPDATE auth_sessions SET expires_at = now() - interval '1 second' WHERE user_id = $1", [user.id]);
    expect(await actorFromHeaders(new Headers({ cookie: user.cookie }))).toBeNull();
    const [left] = await sql<{ n: number }>(url, 'SELECT count(*)::int AS n FROM auth_sessions WHERE user_id = $1', [user.id]);
    expect(left?.n).toBe(0);
  });

  it('every sign-in creates a new session token (never the one a browser brought); each is its own row', async () => {
    const user = await userWithRole('engineer');
    const second = await signIn(user.email, TEST_PASSWORD, { cookie: user.cookie });
    expect(second).not.toBe(user.cookie);
    const tokens = await sql<{ token: string }>(url, 'SELECT token FROM auth_sessions WHERE user_id = $1', [user.id]);
    expect(new Set(tokens.map((t) => t.token)).size).toBe(2);
    expect(await actorFromHeaders(new Headers({ cookie: second }))).toMatchObject({ userId: user.id });
  });

  it('a new session expires 7 days after its creation', async () => {
    const user = await userWithRole('finance');
    const [row] = await sql<{ seconds: number }>(
      url,
      'SELECT round(extract(epoch FROM expires_at - created_at))::int AS seconds FROM auth_sessions WHERE user_id = $1',
      [user.id],
    );
    expect(row?.seconds).toBe(7 * 24 * 3600);
  });
});
