import { getPool } from '../db/pool';

/**
 * Password sign-in limits: after ACCOUNT_LIMIT failures for one email, or ADDRESS_LIMIT from one
 * address, within WINDOW_MIN minutes, further attempts are refused until the window moves on —
 * whether or not the email belongs to anyone, so the refusal tells nothing about accounts.
 * A successful sign-in clears its email's failures (not its address's).
 */
export const ACCOUNT_LIMIT = 5;
export const ADDRESS_LIMIT = 20;
export const WINDOW_MIN = 15;

export interface Verdict {
  allowed: boolean;
  /** When refused: minutes until the oldest counted failure leaves the window. */
  retryAfterMin?: number;
}

export async function checkSignIn(email: string, ip: string | null): Promise<Verdict> {
  const { rows } = await getPool().query<{ by_email: number; by_ip: number; email_oldest: Date | null; ip_oldest: Date | null }>(
    `SELECT count(*) FILTER (WHERE email = $1)::int AS by_email,
            count(*) FILTER (WHERE ip = $2)::int AS by_ip,
            min(at) FILTER (WHERE email = $1) AS email_oldest,
            min(at) FILTER (WHERE ip = $2) AS ip_oldest
       FROM sign_in_attempts
      WHERE at > now() - make_interval(mins => $3) AND (email = $1 OR ip = $2)`,
    [email, ip, WINDOW_MIN],
  );
  const r = rows[0];
  if (!r) return { allowed: true };
  const blockedSince = [r.by_email >= ACCOUNT_LIMIT ? r.email_oldest : null, r.by_ip >= ADDRESS_LIMIT ? r.ip_oldest : null].filter(
    (d): d is Date => d !== null,
  );
  if (blockedSince.length === 0) return { allowed: true };
  const until = Math.max(...blockedSince.map((d) => d.getTime())) + WINDOW_MIN * 60_000;
  return { allowed: false, retryAfterMin: Math.max(1, Math.ceil((until - Date.now()) / 60_000)) };
}

export async function recordFailure(email: string, ip: string | null): Promise<void> {
  const pool = getPool();
  await pool.query('INSERT INTO sign_in_attempts (email, ip) VALUES ($1, $2)', [email, ip]);
  // Keeps the table to what the window can still count.
  await pool.query("DELETE FROM sign_in_attempts WHERE at < now() - make_interval(mins => $1) - interval '1 minute'", [WINDOW_MIN]);
}

export async function clearFailures(email: string): Promise<void> {
  await getPool().query('DELETE FROM sign_in_attempts WHERE email = $1', [email]);
}
