import { createHash, hkdfSync } from 'node:crypto';
import { betterAuth } from 'better-auth';
import { nextCookies } from 'better-auth/next-js';
import { genericOAuth } from 'better-auth/plugins/generic-oauth';
import type pg from 'pg';
import { CLIENT_IP_HEADER } from '../client-ip';
import { getPool } from '../db/pool';
import { readEnv } from '../env';
import { secretKeyFromEnv } from '../secrets';
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, verifyPassword } from './password';
import { authLogger, genericOAuthConfigOf, inSsoCallback, noteSessionCreated, ssoNewUser } from './sso';
import { loadSsoConfig, type SsoConfig, ssoFromEnv } from './sso-settings';

/** A session lasts a week of inactivity; its expiry moves forward at most once a day of use. */
export const SESSION_MAX_AGE_S = 7 * 24 * 3600;
export const SESSION_UPDATE_AGE_S = 24 * 3600;

/**
 * The key better-auth signs its cookies with: derived (HKDF-SHA256) from the key that encrypts
 * stored credentials (lib/secrets.ts), so there is still one secret to keep, and a zero-config
 * start needs none set. BURNRATE_AUTH_SECRET, when set, is used instead: changing it signs
 * everyone out without touching the stored credentials.
 */
function signingSecret(): string {
  const own = process.env.BURNRATE_AUTH_SECRET;
  if (own) return own;
  return Buffer.from(hkdfSync('sha256', secretKeyFromEnv(), 'burnrate', 'better-auth cookie signing', 32)).toString('base64');
}

/** Where the dashboard is reached: BURNRATE_PUBLIC_URL, or loopback on PORT (any port: tests pick free ones). */
function baseUrl(env = readEnv()) {
  const fallback = env.BURNRATE_PUBLIC_URL ?? `http://localhost:${env.PORT}`;
  const allowedHosts = ['localhost:*', '127.0.0.1:*', '[::1]:*', 'localhost', '127.0.0.1', '[::1]', new URL(fallback).host];
  return { fallback, allowedHosts, secure: fallback.startsWith('https://') };
}

/** The instance over a pool, with single sign-on through `sso`'s provider when given (lib/auth/sso.ts). */
export function buildAuth(pool: pg.Pool, sso: SsoConfig | null = null) {
  const base = baseUrl();
  return betterAuth({
    appName: 'Burnrate',
    baseURL: { allowedHosts: base.allowedHosts, fallback: base.fallback },
    basePath: '/api/auth',
    secret: signingSecret(),
    database: pool,
    telemetry: { enabled: false },
    // Inside an SSO callback its lines go to the failure's log entry, under the ref /sign-in shows.
    logger: { level: 'warn', log: authLogger.log },
    // OAuth failures land on /sign-in (app/api/auth/[...all] rewrites them to a sentence and a ref).
    onAPIError: { errorURL: '/sign-in' },
    user: {
      modelName: 'users',
      fields: { emailVerified: 'email_verified', createdAt: 'created_at', updatedAt: 'updated_at' },
      additionalFields: {
        // Set only by Burnrate's own code (lib/auth/users.ts), never from a sign-up body.
        role: { type: 'string', required: true, defaultValue: 'viewer', input: false },
        disabledAt: { type: 'date', required: false, input: false, fieldName: 'disabled_at' },
        lastSignInAt: { type: 'date', required: false, input: false, fieldName: 'last_sign_in_at' },
      },
    },
    session: {
      modelName: 'auth_sessions',
      fields: {
        userId: 'user_id',
        expiresAt: 'expires_at',
        ipAddress: 'ip_address',
        userAgent: 'user_agent',
        createdAt: 'created_at',
        updatedAt: 'updated_at',
      },
      expiresIn: SESSION_MAX_AGE_S,
      updateAge: SESSION_UPDATE_AGE_S,
    },
    account: {
      modelName: 'auth_accounts',
      fields: {
        userId: 'user_id',
        accountId: 'account_id',
        providerId: 'provider_id',
        accessToken: 'access_token',
        refreshToken: 'refresh_token',
        idToken: 'id_token',
        accessTokenExpiresAt: 'access_token_expires_at',
        refreshTokenExpiresAt: 'refresh_token_expires_at',
        createdAt: 'created_at',
        updatedAt: 'updated_at',
      },
      accountLinking: {
        enabled: true,
        // Burnrate has no self sign-up: every local account was made by an admin (or the setup
        // link), who vouched for its address, so a provider-verified email may link to it. The
        // provider's side stays strict: no trustedProviders, so an unverified email links nothing.
        requireLocalEmailVerified: false,
      },
    },
    verification: {
      modelName: 'auth_verifications',
      fields: { expiresAt: 'expires_at', createdAt: 'created_at', updatedAt: 'updated_at' },
    },
    emailAndPassword: {
      enabled: true,
      // Accounts are created by an admin (invitation), the first-admin setup link or `npm run user`.
      disableSignUp: true,
      minPasswordLength: MIN_PASSWORD_LENGTH,
      maxPasswordLength: MAX_PASSWORD_LENGTH,
      password: { hash: hashPassword, verify: verifyPassword },
      revokeSessionsOnPasswordReset: true,
    },
    advanced: {
      useSecureCookies: base.secure,
      defaultCookieAttributes: { httpOnly: true, sameSite: 'lax', secure: base.secure },
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
    },
    databaseHooks: {
      user: {
        create: {
          // The SSO callback creates users only under the sign-up rules, with the default role.
          before: async (user, context) => (inSsoCallback(context) ? { data: { ...user, ...ssoNewUser(sso, user) } } : undefined),
        },
      },
      session: {
        create: {
          // A disabled account gets no session, whichever way it signs in.
          before: async (session) => {
            const { rows } = await pool.query<{ disabled: boolean }>(
              'SELECT disabled_at IS NOT NULL AS disabled FROM users WHERE id = $1',
              [session.userId],
            );
            return rows[0]?.disabled === false;
          },
          after: async (session) => {
            await pool.query('UPDATE users SET last_sign_in_at = now() WHERE id = $1', [session.userId]);
            noteSessionCreated(session.userId);
          },
        },
      },
    },
    plugins: [
      genericOAuth({ config: sso ? [genericOAuthConfigOf(sso)] : [] }),
      // Must stay last: it writes the cookies of auth.api calls made in server actions.
      nextCookies(),
    ],
  });
}

export type Auth = ReturnType<typeof buildAuth>;

interface CachedAuth {
  pool: pg.Pool;
  /** SHA-256 of the SSO settings the instance was built with ('' without SSO). */
  ssoKey: string;
  auth: Auth;
}
const cache = globalThis as unknown as { burnrateAuth?: CachedAuth; burnrateSso?: { pool: pg.Pool; config: SsoConfig | null } };

function authFor(pool: pg.Pool, sso: SsoConfig | null): Auth {
  const ssoKey = sso ? createHash('sha256').update(JSON.stringify(sso)).digest('hex') : '';
  if (cache.burnrateAuth?.pool !== pool || cache.burnrateAuth.ssoKey !== ssoKey) {
    cache.burnrateAuth = { pool, ssoKey, auth: buildAuth(pool, sso) };
  }
  return cache.burnrateAuth.auth;
}

/**
 * The better-auth instance over the process's pool (rebuilt when the pool is: tests switch
 * databases), with the SSO settings this process loaded last (the environment's until then).
 * Session lookups and password sign-in do not depend on those; the SSO entry points use
 * getAuthWithCurrentSso().
 */
export function getAuth(): Auth {
  const pool = getPool();
  return authFor(pool, cache.burnrateSso?.pool === pool ? cache.burnrateSso.config : ssoFromEnv());
}

/**
 * The instance with the SSO settings in force now (one query): the sign-in page, the SSO start
 * action and the callback use it, so settings saved on /settings/sso apply without a restart
 * (the instance is rebuilt when they differ from the ones it was built with).
 */
export async function getAuthWithCurrentSso(): Promise<{ auth: Auth; sso: SsoConfig | null }> {
  const pool = getPool();
  const sso = await loadSsoConfig();
  cache.burnrateSso = { pool, config: sso };
  return { auth: authFor(pool, sso), sso };
}
