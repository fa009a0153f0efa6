import { apiErrorResponse } from '@/lib/api-error';
import { recordAudit } from '@/lib/audit/record';
import { RoleSchema } from '@/lib/auth/roles';
import { getAuthWithCurrentSso } from '@/lib/auth/server';
import { handleSsoCallback, type SsoOutcome } from '@/lib/auth/sso';
import { SSO_PROVIDER_ID } from '@/lib/auth/sso-settings';
import { clientIp } from '@/lib/client-ip';
import { getPool } from '@/lib/db/pool';

/**
 * better-auth's HTTP endpoints, for what must arrive over HTTP: the identity provider's redirect
 * back to Burnrate after single sign-on. Starting SSO, password sign-in, sign-out and account
 * changes go through server actions (rate limited, audited, authorized by the permission table),
 * so every other better-auth endpoint answers 404 here: this route must not become a second,
 * unguarded door to them.
 */
const OPEN_AUTH_PATHS: readonly RegExp[] = [new RegExp(`^/callback/${SSO_PROVIDER_ID}$`)];

/** The audit line of a single sign-on: auth.sign_in as the user, or auth.sign_in_failed with the reason's code and ref. */
async function recordOutcome(outcome: SsoOutcome, ip: string | null, issuer: string | null): Promise<void> {
  const pool = getPool();
  if (!outcome.ok) {
    await recordAudit(pool, {
      actor: { kind: 'anonymous', ip },
      action: 'auth.sign_in_failed',
      objectType: 'sso',
      outcome: 'refused',
      detail: { via: 'sso', issuer, code: outcome.code, ref: outcome.ref },
    });
    return;
  }
  const { rows } = await pool.query<{ email: string; role: string }>('SELECT email, role FROM users WHERE id = $1', [outcome.userId]);
  const user = rows[0];
  if (!user) throw new Error(`single sign-on signed in user ${outcome.userId}, who does not exist`);
  await recordAudit(pool, {
    actor: { kind: 'user', userId: outcome.userId, email: user.email, role: RoleSchema.parse(user.role), via: 'session', ip },
    action: 'auth.sign_in',
    objectType: 'user',
    objectId: outcome.userId,
    detail: { via: 'sso', issuer },
  });
}

async function handle(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname.replace(/^\/api\/auth/, '');
  if (!OPEN_AUTH_PATHS.some((re) => re.test(path))) {
    return apiErrorResponse({
      status: 404,
      code: 'NOT_FOUND',
      message: 'No such endpoint.',
      cause: `auth endpoint ${path} is not open over HTTP`,
    });
  }
  const { auth, sso } = await getAuthWithCurrentSso();
  const ip = clientIp(request.headers);
  return handleSsoCallback(
    request,
    (r) => auth.handler(r),
    (outcome) => recordOutcome(outcome, ip, sso?.issuer ?? null),
  );
}

export const GET = handle;
export const POST = handle;
