/**
 * Runs before every request (Next 16's middleware, on the Node.js runtime):
 * 1. Refuses requests whose Host header is neither loopback, the bound HOST nor
 *    BURNRATE_PUBLIC_URL's host (lib/host-check.ts), with 421 and the project's error body: a DNS
 *    name rebound to this machine cannot drive the dashboard and its server actions from a
 *    visitor's browser. /api/health stays open to health checks that address the server by its IP.
 * 2. Page views (GET/HEAD of a page in lib/auth/permissions.ts): without a valid session, a
 *    redirect to /sign-in that comes back; for a role the page does not list, the 403 page. Each
 *    page checks again itself (requirePage), so this is the fast path, not the only guard. Route
 *    handlers and server actions authorize themselves (401/403 bodies, action states).
 */
import { type NextRequest, NextResponse } from 'next/server';
import { apiErrorResponse } from './lib/api-error';
import { can, isPublic, pagePatternOf } from './lib/auth/permissions';
import { actorFromHeaders } from './lib/auth/session';
import { readEnv } from './lib/env';
import { type HostPolicy, hostPolicy, isAllowedHost } from './lib/host-check';
import { REWRITE_STATUS_HEADER } from './lib/rewrite-status';

let policy: HostPolicy | undefined;

export async function proxy(request: NextRequest): Promise<Response | undefined> {
  policy ??= hostPolicy(readEnv());
  const host = request.headers.get('host');
  if (!isAllowedHost(host, policy)) {
    return apiErrorResponse({
      status: 421,
      code: 'MISDIRECTED_REQUEST',
      message: 'This server does not answer to this host name. Open it at its configured address (BURNRATE_PUBLIC_URL) or on loopback.',
      cause: `refused Host ${JSON.stringify(host)} for ${request.method} ${request.nextUrl.pathname}: neither loopback, HOST nor BURNRATE_PUBLIC_URL`,
    });
  }
  const { pathname, search } = request.nextUrl;
  const isView = (request.method === 'GET' || request.method === 'HEAD') && !request.headers.has('next-action');
  if (!isView || pathname.startsWith('/api/') || pathname.startsWith('/_next/')) return undefined;
  const page = pagePatternOf(pathname);
  if (page === null || isPublic('page', page)) return undefined;
  const actor = await actorFromHeaders(request.headers);
  if (!actor) {
    const target = new URL('/sign-in', request.url);
    target.searchParams.set('next', `${pathname}${search}`);
    return NextResponse.redirect(target, 307);
  }
  if (!can(actor.role, 'page', page)) {
    // Next.js ignores a rewrite's status; the HTTP server applies this header (lib/rewrite-status.ts).
    return NextResponse.rewrite(new URL('/forbidden', request.url), { status: 403, headers: { [REWRITE_STATUS_HEADER]: '403' } });
  }
  return undefined;
}

export const config = {
  matcher: ['/((?!api/health).*)'],
};
