import { hkdfSync } from 'node:crypto';
import { betterAuth } from 'better-auth';
import { nextCookies } from 'better-auth/next-js';
import type pg from 'pg';
import { CLIENT_IP_HEADER } from '../client-ip';
import { getPool } from '../db/pool';
import { readEnv } from '../env';
import { secretKeyFromEnv } from '../secrets';
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, verifyPassword } from './password';

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

export function buildAuth(pool: pg.Pool) {
  const base = baseUrl();
  return betterAuth({
    appName: 'Burnrate',
    baseURL: { allowedHosts: base.allowedHosts, fallback: base.fallback },
    basePath: '/api/auth',
    secret: signingSecret(),
    database: pool,
    telemetry: { enabled: false },
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
          },
        },
      },
    },
    // Must stay last: it writes the cookies of auth.api calls made in server actions.
    plugins: [nextCookies()],
  });
}

export type Auth = ReturnType<typeof buildAuth>;

const cache = globalThis as unknown as { burnrateAuth?: { pool: pg.Pool; auth: Auth } };

/** The better-auth instance over the process's pool (rebuilt when the pool is: tests switch databases). */
export function getAuth(): Auth {
  const pool = getPool();
  if (cache.burnrateAuth?.pool !== pool) cache.burnrateAuth = { pool, auth: buildAuth(pool) };
  return cache.burnrateAuth.auth;
}
