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
