// Users and signed-in requests for tests, made by the same code the product uses: createUser()
// (lib/auth/users.ts) and a password sign-in through better-auth, whose session cookie the test
// then sends, so every action and route a test calls goes through the real session lookup.
import { randomBytes } from 'node:crypto';
import { withRequest } from '../../lib/auth/request-context';
import type { Role } from '../../lib/auth/roles';
import { getAuth } from '../../lib/auth/server';
import { createUser } from '../../lib/auth/users';

// Sessions are signed with this rather than the credentials key, which some tests unset on purpose.
process.env.BURNRATE_AUTH_SECRET ??= randomBytes(32).toString('base64');

export const TEST_PASSWORD = 'correct horse battery staple';

export interface TestUser {
  id: string;
  email: string;
  role: Role;
  /** The Cookie header of a fresh session. */
  cookie: string;
}

/** The Cookie header that sends back what Set-Cookie lines set. */
export function cookieHeader(setCookies: string[]): string {
  return setCookies.map((line) => line.split(';')[0]).join('; ');
}

export async function signIn(email: string, password: string, extra: HeadersInit = {}): Promise<string> {
  const { headers } = await getAuth().api.signInEmail({ body: { email, password }, headers: new Headers(extra), returnHeaders: true });
  const cookie = cookieHeader(headers.getSetCookie());
  if (!cookie) throw new Error(`signing in ${email} set no cookie`);
  return cookie;
}

/** A new user with this role (unique email), signed in. */
export async function userWithRole(role: Role, email = `${role}-${randomBytes(4).toString('hex')}@example.test`): Promise<TestUser> {
  const user = await createUser({ email, name: `Test ${role}`, role, password: TEST_PASSWORD }, 'test');
  return { id: user.id, email: user.email, role, cookie: await signIn(user.email, TEST_PASSWORD) };
}

/** Runs fn as a request carrying these headers (a session cookie, an address). */
export async function actAs<T>(headers: HeadersInit, fn: () => Promise<T>): Promise<T> {
  return (await withRequest(headers, fn)).result;
}

/** fn, called as the given user (their session cookie). */
export function as<A extends unknown[], R>(user: TestUser, fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return (...args) => actAs({ cookie: user.cookie }, () => fn(...args));
}
