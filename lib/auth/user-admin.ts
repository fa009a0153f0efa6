import type pg from 'pg';
import { recordAudit } from '../audit/record';
import { getPool, withTransaction } from '../db/pool';
import type { Actor } from './actor';
import { type Role, RoleSchema } from './roles';
import { issuePasswordResetLink, LINK_TTL_H, UserError } from './users';

/**
 * What an admin changes about other accounts from the users page: the role, and disabling or
 * enabling. The server never loses its last enabled admin: a demotion or a disable that would
 * leave none is refused, and the check and the change happen in one transaction that holds
 *  1. a transaction-level advisory lock (ADMINS_LOCK): every change made here waits for the one
 *     before it, and the count it reads (a statement after the lock, in READ COMMITTED) sees that
 *     change — so two admins demoting each other at once leave one admin, not none;
 *  2. row locks on every enabled admin (SELECT … FOR UPDATE, in id order so two such transactions
 *     cannot deadlock): a writer that does not take the advisory lock (the sign-in hooks, a shell
 *     `psql`) still waits for this change before it can touch an admin row.
 */
const ADMINS_LOCK = "hashtext('burnrate admins')";

interface UserRow {
  id: string;
  email: string;
  role: Role;
  disabled: boolean;
}

/** The target user and the ids of the enabled admins, locked until the transaction ends. */
async function lockAdmins(client: pg.PoolClient, userId: string): Promise<{ target: UserRow; enabledAdmins: string[] }> {
  await client.query(`SELECT pg_advisory_xact_lock(${ADMINS_LOCK})`);
  const admins = await client.query<{ id: string }>(
    "SELECT id FROM users WHERE role = 'admin' AND disabled_at IS NULL ORDER BY id FOR UPDATE",
  );
  const { rows } = await client.query<{ id: string; email: string; role: string; disabled: boolean }>(
    'SELECT id, email, role, disabled_at IS NOT NULL AS disabled FROM users WHERE id = $1 FOR UPDATE',
    [userId],
  );
  const row = rows[0];
  if (!row) throw new UserError('This user no longer exists.');
  return { target: { ...row, role: RoleSchema.parse(row.role) }, enabledAdmins: admins.rows.map((r) => r.id) };
}

function isLastAdmin(target: UserRow, enabledAdmins: string[]): boolean {
  return enabledAdmins.length === 1 && enabledAdmins[0] === target.id;
}

export interface RoleChange {
  userId: string;
  email: string;
  before: Role;
  after: Role;
}

/** Gives a user another role; refused when it would demote the last enabled admin. */
export async function changeUserRole(actor: Actor, userId: string, role: Role): Promise<RoleChange> {
  return withTransaction(async (client) => {
    const { target, enabledAdmins } = await lockAdmins(client, userId);
    if (target.role === role) return { userId, email: target.email, before: target.role, after: role };
    if (target.role === 'admin' && role !== 'admin' && isLastAdmin(target, enabledAdmins)) {
      throw new UserError(`${target.email} is the last enabled admin: make another user an admin first.`, 'role');
    }
    await client.query('UPDATE users SET role = $2, updated_at = now() WHERE id = $1', [userId, role]);
    await recordAudit(client, {
      actor,
      action: 'user.role_change',
      objectType: 'user',
      objectId: userId,
      before: { email: target.email, role: target.role },
      after: { email: target.email, role },
    });
    return { userId, email: target.email, before: target.role, after: role };
  });
}

export interface DisabledChange {
  userId: string;
  email: string;
  /** False when the user already was in that state. */
  changed: boolean;
  /** Sessions ended by a disable. */
  sessionsEnded: number;
}

/**
 * Disables a user (they can no longer sign in; their sessions end now and their API tokens stop
 * working, since userOfApiToken checks disabled_at) or enables them again. An admin cannot
 * disable their own account, nor the last enabled admin.
 */
export async function setUserDisabled(actor: Actor, userId: string, disabled: boolean): Promise<DisabledChange> {
  if (disabled && actor.kind === 'user' && actor.userId === userId) {
    throw new UserError('You cannot disable your own account: ask another admin.');
  }
  return withTransaction(async (client) => {
    const { target, enabledAdmins } = await lockAdmins(client, userId);
    if (target.disabled === disabled) return { userId, email: target.email, changed: false, sessionsEnded: 0 };
    if (disabled && target.role === 'admin' && isLastAdmin(target, enabledAdmins)) {
      throw new UserError(`${target.email} is the last enabled admin: make another user an admin first.`);
    }
    await client.query(`UPDATE users SET disabled_at = ${disabled ? 'now()' : 'NULL'}, updated_at = now() WHERE id = $1`, [userId]);
    const ended = disabled ? await client.query('DELETE FROM auth_sessions WHERE user_id = $1', [userId]) : null;
    const sessionsEnded = ended?.rowCount ?? 0;
    await recordAudit(client, {
      actor,
      action: disabled ? 'user.disable' : 'user.enable',
      objectType: 'user',
      objectId: userId,
      before: { email: target.email, disabled: !disabled },
      after: { email: target.email, disabled },
      detail: disabled ? { sessionsEnded } : undefined,
    });
    return { userId, email: target.email, changed: true, sessionsEnded };
  });
}

/** A password reset link for an existing user (its path with the token, shown once). */
export async function passwordResetLinkFor(actor: Actor, userId: string): Promise<{ email: string; link: string }> {
  const { rows } = await getPool().query<{ email: string }>('SELECT email FROM users WHERE id = $1', [userId]);
  const user = rows[0];
  if (!user) throw new UserError('This user no longer exists.');
  const link = await issuePasswordResetLink(userId, actor.kind === 'user' ? actor.email : actor.kind);
  // Never the link: its token sets the password.
  await recordAudit(getPool(), {
    actor,
    action: 'user.password_reset_link',
    objectType: 'user',
    objectId: userId,
    detail: { email: user.email, validHours: LINK_TTL_H.reset },
  });
  return { email: user.email, link };
}

/** The email a user signs in with (null when the user is gone). */
export async function emailOfUser(userId: string): Promise<string | null> {
  const { rows } = await getPool().query<{ email: string }>('SELECT email FROM users WHERE id = $1', [userId]);
  return rows[0]?.email ?? null;
}
