import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import { recordAudit } from '../audit/record';
import { withTransaction } from '../db/pool';
import type { Actor } from './actor';

/**
 * Read-only API tokens for scripts: `brt_` + 32 random bytes (base64url). Only the SHA-256 is
 * stored (a token is as strong as a random key, so a slow hash adds nothing); the first 12
 * characters are kept as a label the user recognises.
 */
export const API_TOKEN_PREFIX = 'brt_';

export function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function newToken(): { token: string; hash: Buffer; prefix: string } {
  const token = `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { token, hash: tokenHash(token), prefix: token.slice(0, 12) };
}

/** The user an API token belongs to, when the token is live and its user enabled; marks its use (at most once a minute). */
export async function userOfApiToken(pool: pg.Pool, token: string): Promise<{ userId: string; email: string; role: string } | null> {
  if (!token.startsWith(API_TOKEN_PREFIX) || token.length > 200) return null;
  const { rows } = await pool.query<{ id: string; user_id: string; email: string; role: string; stale: boolean }>(
    `SELECT t.id, t.user_id, u.email, u.role,
            (t.last_used_at IS NULL OR t.last_used_at < now() - interval '1 minute') AS stale
       FROM api_tokens t JOIN users u ON u.id = t.user_id
      WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.disabled_at IS NULL`,
    [tokenHash(token)],
  );
  const row = rows[0];
  if (!row) return null;
  if (row.stale) await pool.query('UPDATE api_tokens SET last_used_at = now() WHERE id = $1', [row.id]);
  return { userId: row.user_id, email: row.email, role: row.role };
}

/** How many live (unrevoked) tokens one user may hold: enough for every script, few enough to review. */
export const MAX_LIVE_TOKENS = 20;
export const TokenNameSchema = z.string().trim().min(1, 'required').max(100, 'at most 100 characters');

export class ApiTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiTokenError';
  }
}

export interface CreatedApiToken {
  id: string;
  name: string;
  prefix: string;
  /** The token itself: shown to its owner once, never stored. */
  token: string;
}

/**
 * A new token for an enabled user (the user row is locked, so a concurrent disable or a burst of
 * creations waits). The audit line (token.create, its name and prefix, never the token) is written
 * in the same transaction; `actor` defaults to the user themself.
 */
export async function createApiToken(userId: string, name: string, actor?: Actor): Promise<CreatedApiToken> {
  const checkedName = TokenNameSchema.parse(name);
  const { token, hash, prefix } = newToken();
  return withTransaction(async (client) => {
    const { rows: users } = await client.query('SELECT 1 FROM users WHERE id = $1 AND disabled_at IS NULL FOR UPDATE', [userId]);
    if (users.length === 0) throw new ApiTokenError('This account is disabled or no longer exists.');
    const { rows: live } = await client.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL',
      [userId],
    );
    if ((live[0]?.n ?? 0) >= MAX_LIVE_TOKENS) {
      throw new ApiTokenError(`You already have ${MAX_LIVE_TOKENS} live tokens: revoke one you no longer use first.`);
    }
    const { rows } = await client.query<{ id: string }>(
      'INSERT INTO api_tokens (user_id, name, token_hash, prefix) VALUES ($1, $2, $3, $4) RETURNING id::text',
      [userId, checkedName, hash, prefix],
    );
    const id = rows[0]?.id;
    if (id === undefined) throw new Error('api_tokens insert returned no id');
    await recordAudit(client, {
      actor: actor ?? { kind: 'system', component: 'api-tokens' },
      action: 'token.create',
      objectType: 'api_token',
      objectId: id,
      after: { owner: userId, name: checkedName, prefix },
    });
    return { id, name: checkedName, prefix, token };
  });
}

/** Revokes one of the user's own tokens (with its token.revoke audit line); null when they have no such live token. */
export async function revokeApiToken(
  userId: string,
  id: string,
  actor?: Actor,
): Promise<{ id: string; name: string; prefix: string } | null> {
  return withTransaction(async (client) => {
    const { rows } = await client.query<{ id: string; name: string; prefix: string }>(
      `UPDATE api_tokens SET revoked_at = now()
        WHERE id = $1::bigint AND user_id = $2 AND revoked_at IS NULL
        RETURNING id::text, name, prefix`,
      [id, userId],
    );
    const revoked = rows[0];
    if (!revoked) return null;
    await recordAudit(client, {
      actor: actor ?? { kind: 'system', component: 'api-tokens' },
      action: 'token.revoke',
      objectType: 'api_token',
      objectId: id,
      before: { owner: userId, name: revoked.name, prefix: revoked.prefix, revoked: false },
      after: { owner: userId, name: revoked.name, prefix: revoked.prefix, revoked: true },
    });
    return revoked;
  });
}
