// The audit lines of user management, password links, password change and API tokens, through the
// actions as the pages call them, on a real PostgreSQL: who, what, before and after — and never a
// link's token, an API token or a password anywhere in the trail.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { expectError, expectSuccess, form } from '../../tests/helpers/actions';
import { as, TEST_PASSWORD, type TestUser, userWithRole } from '../../tests/helpers/auth';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { withRequest } from '../auth/request-context';
import { CLIENT_IP_HEADER } from '../client-ip';
import { changePassword } from './change-password';
import { changeUserRole } from './change-user-role';
import { createApiToken } from './create-api-token';
import { createPasswordResetLink } from './create-password-reset-link';
import { inviteUser } from './invite-user';
import { revokeApiToken } from './revoke-api-token';
import { IDLE } from './safe-action';
import { setPassword } from './set-password';
import { setUserDisabled } from './set-user-disabled';

vi.mock('next/cache', () => ({ revalidatePath: vi.fn() }));
vi.mock('next/navigation', async (importOriginal) => ({
  ...(await importOriginal<typeof import('next/navigation')>()),
  redirect: vi.fn(),
}));

let url: string;
let admin: TestUser;
beforeAll(async () => {
  url = await useTestDatabase();
  admin = await userWithRole('admin');
});

interface Line {
  actor_kind: string;
  actor_user_id: string | null;
  ip: string | null;
  action: string;
  object_type: string | null;
  object_id: string | null;
  outcome: string;
  before: unknown;
  after: unknown;
  detail: unknown;
}

async function linesAbout(objectId: string): Promise<Line[]> {
  return sql<Line>(
    url,
    `SELECT actor_kind, actor_user_id, ip, action, object_type, object_id, outcome, before, after, detail
       FROM audit_log WHERE object_id = $1 ORDER BY id`,
    [objectId],
  );
}

/** Every line of the trail as text, to look for values that must never be there. */
async function wholeTrail(): Promise<string> {
  const rows = await sql<{ line: string }>(url, 'SELECT row_to_json(a)::text AS line FROM audit_log a');
  return rows.map((r) => r.line).join('\n');
}

function tokenOf(link: string): string {
  return new URL(link, 'http://x').searchParams.get('token') ?? '';
}

describe('user management audit lines', () => {
  it('invite, password set through the link, role change (before/after), disable, enable, reset link: by whom, never the link', async () => {
    const invited = expectSuccess(await as(admin, inviteUser)(IDLE, form({ email: 'cy@example.test', name: 'Cy', role: 'viewer' })));
    const [{ id }] = (await sql<{ id: string }>(url, "SELECT id FROM users WHERE email = 'cy@example.test'")) as [{ id: string }];
    const chosen = 'cy picked this password';
    await withRequest({ [CLIENT_IP_HEADER]: '192.0.2.44' }, () =>
      setPassword(IDLE, form({ token: tokenOf(invited.data.link), password: chosen, confirm: chosen })),
    );
    expectSuccess(await as(admin, changeUserRole)(IDLE, form({ userId: id, role: 'finance' })));
    expectSuccess(await as(admin, setUserDisabled)(IDLE, form({ userId: id, disabled: 'true' })));
    expectSuccess(await as(admin, setUserDisabled)(IDLE, form({ userId: id, disabled: 'false' })));
    const reset = expectSuccess(await as(admin, createPasswordResetLink)(IDLE, form({ userId: id })));

    const byAdmin = { actor_kind: 'user', actor_user_id: admin.id, object_type: 'user', object_id: id, outcome: 'ok' };
    expect(await linesAbout(id)).toEqual([
      {
        ...byAdmin,
        ip: null,
        action: 'user.invite',
        before: null,
        after: { email: 'cy@example.test', name: 'Cy', role: 'viewer' },
        detail: null,
      },
      {
        actor_kind: 'anonymous',
        actor_user_id: null,
        ip: '192.0.2.44',
        action: 'user.password_set',
        object_type: 'user',
        object_id: id,
        outcome: 'ok',
        before: null,
        after: null,
        detail: { via: 'invitation link', note: 'all sessions ended' },
      },
      {
        ...byAdmin,
        ip: null,
        action: 'user.role_change',
        before: { email: 'cy@example.test', role: 'viewer' },
        after: { email: 'cy@example.test', role: 'finance' },
        detail: null,
      },
      {
        ...byAdmin,
        ip: null,
        action: 'user.disable',
        before: { email: 'cy@example.test', disabled: false },
        after: { email: 'cy@example.test', disabled: true },
        detail: { sessionsEnded: 1 },
      },
      {
        ...byAdmin,
        ip: null,
        action: 'user.enable',
        before: { email: 'cy@example.test', disabled: true },
        after: { email: 'cy@example.test', disabled: false },
        detail: null,
      },
      {
        ...byAdmin,
        ip: null,
        action: 'user.password_reset_link',
        before: null,
        after: null,
        detail: { email: 'cy@example.test', validHours: 24 },
      },
    ]);
    const trail = await wholeTrail();
    expect(trail).not.toContain(tokenOf(invited.data.link));
    expect(trail).not.toContain(tokenOf(reset.data.link));
    expect(trail).not.toContain(chosen);
  });

  it('a refused demotion of the last admin is recorded as refused, with the message', async () => {
    await sql(url, "UPDATE users SET role = 'viewer' WHERE role = 'admin' AND id <> $1", [admin.id]);
    expectError(await as(admin, changeUserRole)(IDLE, form({ userId: admin.id, role: 'viewer' })));
    const lines = await linesAbout(admin.id);
    expect(lines.at(-1)).toMatchObject({
      action: 'user.role_change',
      outcome: 'refused',
      detail: { message: `${admin.email} is the last enabled admin: make another user an admin first.` },
    });
  });
});

describe('own account audit lines', () => {
  it('password change (and a wrong current password, refused), token create and revoke: never the token or a password', async () => {
    const user = await userWithRole('engineer');
    const next = 'the engineer new password';
    expectError(await as(user, changePassword)(IDLE, form({ currentPassword: 'not it at all', newPassword: next, confirm: next })));
    const { result } = await withRequest({ cookie: user.cookie }, () =>
      changePassword(IDLE, form({ currentPassword: TEST_PASSWORD, newPassword: next, confirm: next })),
    );
    expectSuccess(result);
    const changes = await sql<Line>(
      url,
      "SELECT actor_user_id, action, object_id, outcome, detail FROM audit_log WHERE action = 'user.password_change' AND actor_user_id = $1 ORDER BY id",
      [user.id],
    );
    expect(changes).toEqual([
      {
        actor_user_id: user.id,
        action: 'user.password_change',
        object_id: null,
        outcome: 'refused',
        detail: { message: 'This is not your current password.' },
      },
      {
        actor_user_id: user.id,
        action: 'user.password_change',
        object_id: user.id,
        outcome: 'ok',
        detail: { note: 'all sessions ended; this browser got a new one' },
      },
    ]);

    const owner = await userWithRole('viewer');
    const created = expectSuccess(await as(owner, createApiToken)(IDLE, form({ name: 'nightly' })));
    const [{ id }] = (await sql<{ id: string }>(url, 'SELECT id::text FROM api_tokens WHERE user_id = $1', [owner.id])) as [{ id: string }];
    expectSuccess(await as(owner, revokeApiToken)(IDLE, form({ id })));
    const prefix = created.data.token.slice(0, 12);
    const token = { owner: owner.id, name: 'nightly', prefix };
    expect(await linesAbout(id)).toEqual([
      {
        actor_kind: 'user',
        actor_user_id: owner.id,
        ip: null,
        action: 'token.create',
        object_type: 'api_token',
        object_id: id,
        outcome: 'ok',
        before: null,
        after: token,
        detail: null,
      },
      {
        actor_kind: 'user',
        actor_user_id: owner.id,
        ip: null,
        action: 'token.revoke',
        object_type: 'api_token',
        object_id: id,
        outcome: 'ok',
        before: { ...token, revoked: false },
        after: { ...token, revoked: true },
        detail: null,
      },
    ]);
    const trail = await wholeTrail();
    expect(trail).not.toContain(created.data.token);
    expect(trail).not.toContain(next);
    expect(trail).not.toContain(TEST_PASSWORD);
  });
});
