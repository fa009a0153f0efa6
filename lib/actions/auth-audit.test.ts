// The audit lines of first-admin setup, sign-in (and its failures) and sign-out, through the
// actions as the pages call them, on a real PostgreSQL.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { expectError, form } from '../../tests/helpers/actions';
import { cookieHeader } from '../../tests/helpers/auth';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { withRequest } from '../auth/request-context';
import { issueSetupToken } from '../auth/users';
import { CLIENT_IP_HEADER } from '../client-ip';
import { IDLE } from './safe-action';
import { setupFirstAdmin } from './setup-admin';
import { signIn } from './sign-in';
import { signOut } from './sign-out';

vi.mock('next/cache', () => ({ revalidatePath: vi.fn() }));
vi.mock('next/navigation', async (importOriginal) => ({
  ...(await importOriginal<typeof import('next/navigation')>()),
  redirect: vi.fn(),
}));

let url: string;
beforeAll(async () => {
  url = await useTestDatabase();
});

const PASSWORD = 'a long enough password';

describe('sign-in and setup audit lines', () => {
  it('records the first admin (by the setup link holder), a failed and a good sign-in, and the sign-out', async () => {
    const token = await issueSetupToken();
    if (!token) throw new Error('no setup token while no user exists');
    await withRequest({ [CLIENT_IP_HEADER]: '192.0.2.5' }, () =>
      setupFirstAdmin(IDLE, form({ token, name: 'Ada', email: 'ada@example.test', password: PASSWORD, confirm: PASSWORD })),
    );
    const [{ id }] = (await sql<{ id: string }>(url, 'SELECT id FROM users')) as [{ id: string }];

    const wrong = await withRequest({ [CLIENT_IP_HEADER]: '198.51.100.6' }, () =>
      signIn(IDLE, form({ email: 'Ada@Example.test', password: 'not the password' })),
    );
    expect(expectError(wrong.result).message).toBe('Wrong email or password.');
    const good = await withRequest({ [CLIENT_IP_HEADER]: '192.0.2.5' }, () =>
      signIn(IDLE, form({ email: 'ada@example.test', password: PASSWORD })),
    );
    await withRequest({ cookie: cookieHeader(good.setCookies), [CLIENT_IP_HEADER]: '192.0.2.5' }, () => signOut(IDLE, form({})));

    expect(
      await sql(
        url,
        `SELECT actor_kind, actor_user_id, actor_email, ip, action, object_type, object_id, outcome, after, detail
           FROM audit_log ORDER BY id`,
      ),
    ).toEqual([
      {
        actor_kind: 'anonymous',
        actor_user_id: null,
        actor_email: null,
        ip: '192.0.2.5',
        action: 'user.create',
        object_type: 'user',
        object_id: id,
        outcome: 'ok',
        after: { email: 'ada@example.test', role: 'admin' },
        detail: { note: 'first admin, through the setup link' },
      },
      {
        actor_kind: 'anonymous',
        actor_user_id: null,
        actor_email: null,
        ip: '198.51.100.6',
        action: 'auth.sign_in_failed',
        object_type: 'email',
        object_id: 'ada@example.test',
        outcome: 'refused',
        after: null,
        detail: { message: 'Wrong email or password.' },
      },
      {
        actor_kind: 'user',
        actor_user_id: id,
        actor_email: 'ada@example.test',
        ip: '192.0.2.5',
        action: 'auth.sign_in',
        object_type: 'user',
        object_id: id,
        outcome: 'ok',
        after: null,
        detail: null,
      },
      {
        actor_kind: 'user',
        actor_user_id: id,
        actor_email: 'ada@example.test',
        ip: '192.0.2.5',
        action: 'auth.sign_out',
        object_type: 'user',
        object_id: id,
        outcome: 'ok',
        after: null,
        detail: null,
      },
    ]);
    // The password typed, right or wrong, is in no line.
    const trail = JSON.stringify(await sql(url, 'SELECT * FROM audit_log'));
    for (const secret of [PASSWORD, 'not the password', token]) expect(trail).not.toContain(secret);
  });
});
