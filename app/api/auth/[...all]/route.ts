import { apiErrorResponse } from '@/lib/api-error';
import { getAuthWithCurrentSso } from '@/lib/auth/server';
import { handleSsoCallback, type SsoOutcome } from '@/lib/auth/sso';
import { SSO_PROVIDER_ID } from '@/lib/auth/sso-settings';

/**
 * better-auth's HTTP endpoints, for what must arrive over HTTP: the identity provider's redirect
 * back to Burnrate after single sign-on. Starting SSO, password sign-in, sign-out and account
 * changes go through server actions (rate limited, audited, authorized by the permission table),
 * so every other better-auth endpoint answers 404 here: this route must not become a second,
 * unguarded door to them.
 */
const OPEN_AUTH_PATHS: readonly RegExp[] = [new RegExp(`^/callback/${SSO_PROVIDER_ID}$`)];

async function recordOutcome(outcome: SsoOutcome): Promise<void> {
  // The audit trail (auth.sign_in / auth.sign_in_failed) is recorded here once lib/audit lands.
  if (outcome.ok) console.info(`[burnrate] single sign-on: user ${outcome.userId} signed in`);
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
  const { auth } = await getAuthWithCurrentSso();
  return handleSsoCallback(request, (r) => auth.handler(r), recordOutcome);
}

export const GET = handle;
export const POST = handle;
