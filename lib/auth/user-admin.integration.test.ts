// The last enabled admin stays, whatever admins do at the same time: demotions and disables on a
// real PostgreSQL, sequential and concurrent (two admins demoting each other at once leave one).
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { signIn, TEST_PASSWORD, userWithRole } from '../../tests/helpers/auth';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import type { Actor } from './actor';
import { changeUserRole, setUserDisabled } from './user-admin';
import { UserError } from './users';

let url: string;
beforeAll(async () => {
  url = await useTestDatabase();
});

const SHELL: Actor = { kind: 'cli', osUser: 'test' };

async function enabledAdmins(): Promise<string[]> {
  return (await sql<{ id: string }>(url, "SELECT id FROM users WHERE role = 'admin' AND disabled_at IS NULL ORDER BY id")).map((r) => r.id);
}

/** Starts from a database whose only enabled admins are the ones the test makes. */
async function onlyAdmins(n: number): Promise<string[]> {
  await sql(url, "UPDATE users SET role = 'viewer' WHERE role = 'admin'");
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await userWithRole('admin')).id);
  return ids;
}

describe('the last enabled admin', () => {
  it('cannot be demoted nor disabled; with a second admin, either can', async () => {
    const [a] = await onlyAdmins(1);
    if (!a) throw new Error('no admin');
    await expect(changeUserRole(SHELL, a, 'finance')).rejects.toThrow(/is the last enabled admin/);
    await expect(setUserDisabled(SHELL, a, true)).rejects.toThrow(/is the last enabled admin/);
    expect(await enabledAdmins()).toEqual([a]);

    const b = (await userWithRole('viewer')).id;
    expect(await changeUserRole(SHELL, b, 'admin')).toMatchObject({ before: 'viewer', after: 'admin' });
    expect(await changeUserRole(SHELL, a, 'finance')).toMatchObject({ before: 'admin', after: 'finance' });
    expect(await enabledAdmins()).toEqual([b]);
    await expect(changeUserRole(SHELL, b, 'viewer')).rejects.toThrow(UserError);
  });

  it('a disabled admin does not count: the only enabled one stays, and the disabled one can be demoted', async () => {
    const [a, b] = await onlyAdmins(2);
    if (!a || !b) throw new Error('no admins');
    expect(await setUserDisabled(SHELL, b, true)).toMatchObject({ changed: true });
    await expect(changeUserRole(SHELL, a, 'engineer')).rejects.toThrow(/is the last enabled admin/);
    await expect(setUserDisabled(SHELL, a, true)).rejects.toThrow(/is the last enabled admin/);
    expect(await changeUserRole(SHELL, b, 'viewer')).toMatchObject({ before: 'admin', after: 'viewer' });
    expect(await enabledAdmins()).toEqual([a]);
  });

  it('an admin cannot disable their own account', async () => {
    const [a] = await onlyAdmins(2);
    if (!a) throw new Error('no admin');
    const self: Actor = { kind: 'user', userId: a, email: 'a@example.test', role: 'admin', via: 'session', ip: null };
    await expect(setUserDisabled(self, a, true)).rejects.toThrow('You cannot disable your own account');
  });

  it('two admins demoting each other at the same moment leave exactly one admin (10 rounds)', async () => {
    for (let round = 0; round < 10; round++) {
      const [a, b] = await onlyAdmins(2);
      if (!a || !b) throw new Error('no admins');
      const outcomes = await Promise.allSettled([changeUserRole(SHELL, a, 'viewer'), changeUserRole(SHELL, b, 'viewer')]);
      expect(outcomes.map((o) => o.status).sort(), `round ${round}`).toEqual(['fulfilled', 'rejected']);
      expect(await enabledAdmins(), `round ${round}`).toHaveLength(1);
    }
  });

  it('a demotion and a disable of the two admins, both waiting behind a third transaction, leave one admin', async () => {
    const [a, b] = await onlyAdmins(2);
    if (!a || !b) throw new Error('no admins');
    // Another writer holds both admin rows, so both changes are queued before either reads a count:
    // a check that counted before locking would see two admins in each and remove both.
    const blocker = new pg.Client({ connectionString: url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT id FROM users WHERE id = ANY($1) FOR UPDATE', [[a, b]]);
      const changes = Promise.allSettled([changeUserRole(SHELL, a, 'finance'), setUserDisabled(SHELL, b, true)]);
      await waitForLockWaiters(url, 2);
      await blocker.query('COMMIT');
      const outcomes = await changes;
      expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
      const refused = outcomes.find((o) => o.status === 'rejected');
      expect(String((refused as PromiseRejectedResult).reason)).toMatch(/is the last enabled admin/);
      expect(await enabledAdmins()).toHaveLength(1);
    } finally {
      await blocker.end();
    }
  });

  it('disabling ends the sessions of the user; enabling lets them sign in again', async () => {
    await onlyAdmins(1);
    const user = await userWithRole('engineer');
    const [before] = await sql<{ n: number }>(url, 'SELECT count(*)::int AS n FROM auth_sessions WHERE user_id = $1', [user.id]);
    expect(before?.n).toBe(1);
    expect(await setUserDisabled(SHELL, user.id, true)).toEqual({ userId: user.id, email: user.email, changed: true, sessionsEnded: 1 });
    const [after] = await sql<{ n: number }>(url, 'SELECT count(*)::int AS n FROM auth_sessions WHERE user_id = $1', [user.id]);
    expect(after?.n).toBe(0);
    expect(await setUserDisabled(SHELL, user.id, true)).toMatchObject({ changed: false });
    expect(await setUserDisabled(SHELL, user.id, false)).toMatchObject({ changed: true, sessionsEnded: 0 });
    expect(await signIn(user.email, TEST_PASSWORD)).toMatch(/^better-auth\.session_token=/);
  });
});

/** Waits until this many of the app's connections wait for a lock (row or advisory). */
async function waitForLockWaiters(dbUrl: string, n: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const [row] = await sql<{ n: number }>(
      dbUrl,
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'burnrate' AND wait_event_type = 'Lock'",
    );
    if ((row?.n ?? 0) >= n) return;
    if (Date.now() > deadline) throw new Error(`expected ${n} connections waiting for a lock, saw ${row?.n}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
