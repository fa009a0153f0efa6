/**
 * Single sign-on through better-auth's genericOAuth plugin: the provider's configuration, the rules
 * for who may sign in (lib/auth/server.ts installs them as database hooks), and the callback's
 * wrapper that turns a failure into a sentence on /sign-in with the details in the server log.
 *
 * Who gets in:
 * - a user whose SSO account is already linked (auth_accounts: provider_id 'oidc', account_id
 *   "<issuer> <sub>", so a new issuer's subjects never match an old issuer's links);
 * - an existing user whose email the provider reports as verified (email_verified true): the
 *   account is linked on the way;
 * - an unknown, verified email when automatic sign-up is on and its domain is allowed: a new user
 *   with the default role.
 * Disabled users get no session (server.ts's session hook), whichever way they sign in.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { APIError } from 'better-auth/api';
import type { GenericOAuthConfig } from 'better-auth/plugins/generic-oauth';
import type { SsoRefusal } from './sso-errors';
import { SSO_PROVIDER_ID, SSO_SCOPES, type SsoConfig } from './sso-settings';

function claimTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

/**
 * Whether the provider vouches for the profile's email: `email_verified` true; or, when the claim
 * is absent, `xms_edov` true — Entra ID sends no email_verified, and xms_edov (an optional claim)
 * says the tenant verified the email's domain.
 */
export function providerVerifiedEmail(profile: Record<string, unknown>): boolean {
  if (profile.email_verified !== undefined && profile.email_verified !== null) return claimTrue(profile.email_verified);
  return claimTrue(profile.xms_edov);
}

export function genericOAuthConfigOf(sso: SsoConfig): GenericOAuthConfig {
  return {
    providerId: SSO_PROVIDER_ID,
    name: sso.name,
    discoveryUrl: `${sso.issuer}/.well-known/openid-configuration`,
    // Identity comes from the ID token: refuse to run on a discovery document without the issuer
    // and keys to verify it, rather than decode tokens unverified.
    requireIdTokenVerification: true,
    clientId: sso.clientId,
    clientSecret: sso.clientSecret,
    scopes: [...SSO_SCOPES],
    pkce: true,
    disableSignUp: !sso.autoSignUp,
    mapProfileToUser: (profile) => ({ emailVerified: providerVerifiedEmail(profile) }),
    accountSubject: ({ profile }) => {
      if (profile.sub === undefined || profile.sub === null || profile.sub === '') throw new Error('the ID token has no sub claim');
      return `${sso.issuer} ${String(profile.sub)}`;
    },
  };
}

function refuse(code: SsoRefusal, message: string): never {
  throw new APIError('FORBIDDEN', { code, message });
}

/** Whether better-auth is handling the SSO provider's callback (hooks run in other flows too: createUser, password sign-in). */
export function inSsoCallback(context: { path?: string; params?: unknown } | null | undefined): boolean {
  const params = context?.params as { id?: unknown } | undefined;
  return typeof context?.path === 'string' && context.path.startsWith('/callback/') && params?.id === SSO_PROVIDER_ID;
}

/** The email's domain, lower-case ('' when it has none). */
export function emailDomain(email: string): string {
  const at = email.lastIndexOf('@');
  return at < 0 ? '' : email.slice(at + 1).toLowerCase();
}

/**
 * A user about to be created by the SSO callback: refused unless the provider verified the email,
 * automatic sign-up is on and the domain is allowed; otherwise given the default role.
 */
export function ssoNewUser(sso: SsoConfig | null, user: { email?: unknown; emailVerified?: unknown }): { role: string } {
  if (!sso) refuse('sso_signup_disabled', 'single sign-on is not configured');
  if (user.emailVerified !== true) refuse('sso_email_unverified', 'the provider did not verify this email');
  if (!sso.autoSignUp) refuse('sso_signup_disabled', 'automatic sign-up is off');
  const domain = emailDomain(String(user.email ?? ''));
  if (!sso.allowedDomains.includes(domain)) refuse('sso_domain_not_allowed', `${domain} is not an allowed domain`);
  return { role: sso.defaultRole };
}

interface CallbackLog {
  lines: string[];
  /** The token endpoint answered invalid_client (wrong client id or secret). */
  clientRefused: boolean;
  /** The user a session was created for. */
  userId: string | null;
}

const callbackLog = new AsyncLocalStorage<CallbackLog>();

function describeArg(arg: unknown): string {
  if (arg instanceof Error) return `${arg.name}: ${arg.message}`;
  if (typeof arg === 'object' && arg !== null) {
    try {
      return JSON.stringify(arg);
    } catch {
      return String(arg);
    }
  }
  return String(arg);
}

function isInvalidClient(arg: unknown): boolean {
  if (typeof arg !== 'object' || arg === null) return false;
  const { error, status } = arg as { error?: unknown; status?: unknown };
  return error === 'invalid_client' || status === 401;
}

/**
 * better-auth's logger: inside an SSO callback the lines are kept for the failure's log entry
 * (with its ref); elsewhere they go to the console as before.
 */
export const authLogger = {
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, ...args: unknown[]): void {
    const log = callbackLog.getStore();
    if (log) {
      log.lines.push(`${level} ${message}${args.length ? ` ${args.map(describeArg).join(' ')}` : ''}`);
      if (args.some(isInvalidClient)) log.clientRefused = true;
      return;
    }
    const line = `[better-auth] ${message}`;
    if (level === 'error') console.error(line, ...args);
    else if (level === 'warn') console.warn(line, ...args);
    else console.info(line, ...args);
  },
};

/** Called by server.ts's session hook: remembers who the callback signed in. */
export function noteSessionCreated(userId: string): void {
  const log = callbackLog.getStore();
  if (log) log.userId = userId;
}

export type SsoOutcome = { ok: true; userId: string } | { ok: false; code: string; ref: string };

/**
 * Runs better-auth's callback handler; a failure (a redirect with `error`, or an error response)
 * becomes a redirect to `/sign-in?sso_error=<code>&ref=<ref>`, logged with the provider's and
 * better-auth's details under that ref. `onOutcome` receives what happened (for the audit trail).
 */
export async function handleSsoCallback(
  request: Request,
  handler: (request: Request) => Promise<Response>,
  onOutcome: (outcome: SsoOutcome) => Promise<void>,
): Promise<Response> {
  const log: CallbackLog = { lines: [], clientRefused: false, userId: null };
  let response: Response;
  try {
    response = await callbackLog.run(log, () => handler(request));
  } catch (error) {
    log.lines.push(`handler threw ${describeArg(error)}`);
    response = new Response(null, { status: 500 });
  }
  const location = response.headers.get('location');
  const target = location ? new URL(location, request.url) : null;
  let code: string | null = null;
  let description: string | null = null;
  if (response.status >= 400 || !target) {
    code = 'server_error';
    description = `status ${response.status}`;
  } else if (target.searchParams.has('error') && target.pathname === '/sign-in') {
    code = target.searchParams.get('error') ?? 'unknown';
    description = target.searchParams.get('error_description');
  }
  if (code === null) {
    if (log.userId) await onOutcome({ ok: true, userId: log.userId });
    return response;
  }
  if (code === 'invalid_code' && log.clientRefused) code = 'sso_client_refused';
  const ref = randomUUID().slice(0, 8);
  console.error(
    `[burnrate] single sign-on failed (ref ${ref}): ${code}${description ? ` (${description})` : ''}${log.lines.length ? `; ${log.lines.join(' | ')}` : ''}`,
  );
  await onOutcome({ ok: false, code, ref });
  const headers = new Headers();
  // Keep what better-auth cleared (the state cookie); drop its body and redirect.
  for (const cookie of response.headers.getSetCookie()) headers.append('set-cookie', cookie);
  headers.set('location', `/sign-in?sso_error=${encodeURIComponent(code)}&ref=${ref}`);
  headers.set('cache-control', 'no-store');
  return new Response(null, { status: 302, headers });
}
