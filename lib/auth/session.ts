import { redirect } from 'next/navigation';
import { cache } from 'react';
import { apiErrorResponse } from '../api-error';
import { clientIp } from '../client-ip';
import { getPool } from '../db/pool';
import type { Actor } from './actor';
import { userOfApiToken } from './api-tokens';
import { type ActionKey, can, isPublic, type PageKey, type RouteKey, routeAcceptsApiToken } from './permissions';
import { requestHeaders } from './request-context';
import { RoleSchema } from './roles';
import { getAuth } from './server';

export type UserActor = Extract<Actor, { kind: 'user' }>;

/**
 * The signed-in user of a request: its session cookie, or — only where `apiToken` is allowed (read
 * routes) — an `Authorization: Bearer` API token. Null when neither names an enabled user.
 */
export async function actorFromHeaders(headers: Headers, options: { apiToken?: boolean } = {}): Promise<UserActor | null> {
  const ip = clientIp(headers);
  const bearer = /^Bearer\s+(\S+)$/i.exec(headers.get('authorization') ?? '')?.[1];
  if (bearer !== undefined) {
    if (!options.apiToken) return null;
    const owner = await userOfApiToken(getPool(), bearer);
    if (!owner) return null;
    return { kind: 'user', userId: owner.userId, email: owner.email, role: RoleSchema.parse(owner.role), via: 'api-token', ip };
  }
  const session = await getAuth().api.getSession({ headers });
  if (!session || session.user.disabledAt) return null;
  const role = RoleSchema.safeParse(session.user.role);
  if (!role.success) return null;
  return { kind: 'user', userId: session.user.id, email: session.user.email, role: role.data, via: 'session', ip };
}

/** The actor of the current request (page or action): the signed-in user, or anonymous with the address. */
export async function currentActor(): Promise<Actor> {
  const headers = await requestHeaders();
  return (await actorFromCookie(headers)) ?? { kind: 'anonymous', ip: clientIp(headers) };
}

// One session lookup per request, however many Server Components ask (the layout and the page).
// Outside a React server render (actions' tests, shell commands) cache() does not memoize.
const actorFromCookie = cache((headers: Headers) => actorFromHeaders(headers));

/**
 * First line of every page: the signed-in user allowed to see it. proxy.ts already redirected
 * visitors without a session and refused other roles; this check stands even if that one is
 * bypassed, so a Server Component never renders data for someone who may not see it.
 */
export async function requirePage(page: PageKey): Promise<UserActor | null> {
  const actor = await currentActor();
  const user = actor.kind === 'user' ? actor : null;
  if (isPublic('page', page)) return user;
  if (!user) redirect('/sign-in');
  if (!can(user.role, 'page', page)) redirect('/forbidden');
  return user;
}

/** Whether the current request's user may run an action; for showing or hiding its controls. */
export function mayRun(actor: Actor | null, action: ActionKey): boolean {
  return can(actor?.kind === 'user' ? actor.role : null, 'action', action);
}

/**
 * First line of every route handler: the caller, or the response refusing it (401 without a
 * valid session or token, 403 for a role the table does not list), in the project's error body.
 */
export async function authorizeRoute(request: Request, route: RouteKey): Promise<{ actor: Actor } | Response> {
  // Public routes (health checks, OAuth callbacks) answer without a session lookup.
  if (isPublic('route', route)) return { actor: { kind: 'anonymous', ip: clientIp(request.headers) } };
  const actor = await actorFromHeaders(request.headers, { apiToken: routeAcceptsApiToken(route) });
  if (!actor) {
    return apiErrorResponse({
      status: 401,
      code: 'UNAUTHENTICATED',
      message: 'Sign in, or send a valid API token as "Authorization: Bearer …".',
      cause: `no valid session or token for ${route}`,
    });
  }
  if (!can(actor.role, 'route', route)) {
    return apiErrorResponse({
      status: 403,
      code: 'FORBIDDEN',
      message: `The ${actor.role} role may not use this endpoint.`,
      cause: `${actor.email} (${actor.role}) refused ${route}`,
    });
  }
  return { actor };
}
