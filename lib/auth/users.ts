import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import { getPool, withTransaction } from '../db/pool';
import { hashPassword, PasswordSchema } from './password';
import { type Role, RoleSchema } from './roles';
import { getAuth } from './server';

/**
 * Accounts, created the same way by the first-admin setup page, the users page, `npm run user`
 * and the tests: a users row with its role, and — when a password is given — a 'credential'
 * account holding its argon2id hash. Without a password the caller gets a one-time link to set one.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly field?: 'email' | 'name' | 'role' | 'password' | 'token',
  ) {
    super(message);
    this.name = 'UserError';
  }
}

export const EmailSchema = z
  .string()
  .trim()
  .max(254, 'at most 254 characters')
  .pipe(z.email({ error: 'not an email address' }))
  .transform((e) => e.toLowerCase());
export const NameSchema = z.string().trim().min(1, 'required').max(100, 'at most 100 characters');

export const NewUserSchema = z.object({
  email: EmailSchema,
  name: NameSchema,
  role: RoleSchema,
  password: PasswordSchema.optional(),
});
export type NewUser = z.input<typeof NewUserSchema>;

export type LinkPurpose = 'setup' | 'invite' | 'reset';
/** How long a link stays valid. */
export const LINK_TTL_H: Record<LinkPurpose, number> = { setup: 24, invite: 7 * 24, reset: 24 };
/** Where each link opens (plus ?token=…). */
export const LINK_PATH: Record<LinkPurpose, string> = { setup: '/setup', invite: '/set-password', reset: '/set-password' };

function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** A new link's token (shown once; only its SHA-256 is kept). */
async function issueLink(purpose: LinkPurpose, userId: string | null, createdBy: string | null): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await getPool().query(
    `INSERT INTO one_time_links (token_hash, purpose, user_id, created_by, expires_at)
     VALUES ($1, $2, $3, $4, now() + make_interval(hours => $5))`,
    [hashToken(token), purpose, userId, createdBy, LINK_TTL_H[purpose]],
  );
  return token;
}

export function linkPath(purpose: LinkPurpose, token: string): string {
  return `${LINK_PATH[purpose]}?token=${encodeURIComponent(token)}`;
}

export async function userCount(): Promise<number> {
  const { rows } = await getPool().query<{ n: number }>('SELECT count(*)::int AS n FROM users');
  return rows[0]?.n ?? 0;
}

/**
 * The first-admin setup token, while no user exists (null once one does). Each call replaces the
 * previous unused one, so only the link printed last works.
 */
export async function issueSetupToken(): Promise<string | null> {
  if ((await userCount()) > 0) return null;
  await getPool().query("DELETE FROM one_time_links WHERE purpose = 'setup'");
  return issueLink('setup', null, 'npm start');
}

/** Whether a link can still be used (for showing its page); consuming it is what counts. */
export async function linkIsLive(purpose: LinkPurpose, token: string): Promise<boolean> {
  const { rows } = await getPool().query(
    `SELECT 1 FROM one_time_links WHERE token_hash = $1 AND purpose = ANY($2) AND used_at IS NULL AND expires_at > now()
       AND (purpose <> 'setup' OR NOT EXISTS (SELECT 1 FROM users))`,
    [hashToken(token), purpose === 'setup' ? ['setup'] : ['invite', 'reset']],
  );
  return rows.length === 1;
}

export interface CreatedUser {
  id: string;
  email: string;
  role: Role;
  /** Set when no password was given: the one-time link (path and token) to set one. */
  passwordLink?: string;
}

/** Creates a user; `createdBy` names who did it in the link row (the audit trail records the rest). */
export async function createUser(input: NewUser, createdBy: string | null): Promise<CreatedUser> {
  const parsed = NewUserSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path[0];
    throw new UserError(`${String(field ?? 'input')}: ${issue?.message ?? 'invalid'}`, field as UserError['field']);
  }
  const { email, name, role, password } = parsed.data;
  const ctx = await getAuth().$context;
  if (await ctx.internalAdapter.findUserByEmail(email)) throw new UserError(`a user with the email ${email} already exists`, 'email');
  const user = await ctx.internalAdapter.createUser({ email, name, emailVerified: false, role }, { method: 'admin' });
  if (password !== undefined) {
    await ctx.internalAdapter.linkAccount({
      userId: user.id,
      providerId: 'credential',
      accountId: user.id,
      password: await hashPassword(password),
    });
    return { id: user.id, email, role };
  }
  const token = await issueLink('invite', user.id, createdBy);
  return { id: user.id, email, role, passwordLink: linkPath('invite', token) };
}

/** A one-time link that replaces a user's password (signing out their sessions once used). */
export async function issuePasswordResetLink(userId: string, createdBy: string | null): Promise<string> {
  return linkPath('reset', await issueLink('reset', userId, createdBy));
}

/** Marks a link used, in the caller's transaction; the user it belongs to (null for setup). Throws when it is not live. */
async function consumeLink(client: pg.ClientBase, token: string, purposes: LinkPurpose[]) {
  const { rows } = await client.query<{ user_id: string | null; purpose: LinkPurpose }>(
    `UPDATE one_time_links SET used_at = now()
      WHERE token_hash = $1 AND purpose = ANY($2) AND used_at IS NULL AND expires_at > now()
      RETURNING user_id, purpose`,
    [hashToken(token), purposes],
  );
  const row = rows[0];
  if (!row) throw new UserError('This link has expired or was already used. Ask an admin for a new one.', 'token');
  return row;
}

/** Sets a password through an invitation or reset link; signs out the user's other sessions. */
export async function setPasswordWithLink(token: string, password: string): Promise<{ userId: string; purpose: LinkPurpose }> {
  const checked = PasswordSchema.safeParse(password);
  if (!checked.success) throw new UserError(`password: ${checked.error.issues[0]?.message}`, 'password');
  const hash = await hashPassword(password);
  return withTransaction(async (client) => {
    const link = await consumeLink(client, token, ['invite', 'reset']);
    const userId = link.user_id as string;
    const updated = await client.query(
      "UPDATE auth_accounts SET password = $2, updated_at = now() WHERE user_id = $1 AND provider_id = 'credential'",
      [userId, hash],
    );
    if (updated.rowCount === 0) {
      await client.query(
        `INSERT INTO auth_accounts (id, user_id, account_id, provider_id, password) VALUES ($1, $2, $2, 'credential', $3)`,
        [randomBytes(16).toString('base64url'), userId, hash],
      );
    }
    await client.query('DELETE FROM auth_sessions WHERE user_id = $1', [userId]);
    return { userId, purpose: link.purpose };
  });
}

/**
 * The first admin, through the setup link: only while no user exists, and only once per link.
 * The link is consumed and the user created under one advisory lock, so two tabs (or two people)
 * racing for the link cannot both become admin.
 */
export async function setupFirstAdmin(token: string, input: { email: string; name: string; password: string }): Promise<CreatedUser> {
  const checked = NewUserSchema.safeParse({ ...input, role: 'admin' });
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new UserError(`${String(issue?.path[0])}: ${issue?.message}`, issue?.path[0] as UserError['field']);
  }
  const client = await getPool().connect();
  try {
    await client.query("SELECT pg_advisory_lock(hashtext('burnrate first admin'))");
    if ((await client.query('SELECT 1 FROM users LIMIT 1')).rows.length > 0) {
      throw new UserError('An admin already exists: sign in instead.', 'token');
    }
    await consumeLink(client, token, ['setup']);
    return await createUser({ ...checked.data, password: input.password }, 'setup link');
  } finally {
    await client.query("SELECT pg_advisory_unlock(hashtext('burnrate first admin'))").catch(() => {});
    client.release();
  }
}
