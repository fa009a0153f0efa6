/**
 * Refuses requests whose Host header is neither loopback, the bound HOST nor BURNRATE_PUBLIC_URL's
 * host (lib/host-check.ts), with 421 and the project's error body: a DNS name rebound to this
 * machine cannot drive the dashboard and its server actions from a visitor's browser.
 * /api/health stays open to load balancers and health checks that address the server by its IP.
 */
import type { NextRequest } from 'next/server';
import { apiErrorResponse } from './lib/api-error';
import { readEnv } from './lib/env';
import { type HostPolicy, hostPolicy, isAllowedHost } from './lib/host-check';

let policy: HostPolicy | undefined;

export function proxy(request: NextRequest): Response | undefined {
  policy ??= hostPolicy(readEnv());
  const host = request.headers.get('host');
  if (isAllowedHost(host, policy)) return undefined;
  return apiErrorResponse({
    status: 421,
    code: 'MISDIRECTED_REQUEST',
    message: 'This server does not answer to this host name. Open it at its configured address (BURNRATE_PUBLIC_URL) or on loopback.',
    cause: `refused Host ${JSON.stringify(host)} for ${request.method} ${request.nextUrl.pathname}: neither loopback, HOST nor BURNRATE_PUBLIC_URL`,
  });
}

export const config = {
  matcher: ['/((?!api/health).*)'],
};
