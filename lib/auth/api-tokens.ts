import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';

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
