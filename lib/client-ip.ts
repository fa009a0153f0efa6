/**
 * The client's address, as the server saw it. Next.js fills `X-Forwarded-For` only when a request
 * has none (`??=` in its base server), so any client could name its own address there. Burnrate's
 * HTTP server (scripts/serve.ts) therefore rewrites the forwarding headers of every request before
 * Next.js sees it (`forwardingHeaders`, pure) and sets CLIENT_IP_HEADER to the one address rate
 * limiting and the audit trail use (`clientIp`). An incoming copy of that header is dropped.
 *
 * - BURNRATE_TRUST_PROXY unset or 0: the socket's peer is the client. `X-Forwarded-For` becomes
 *   that address; `X-Forwarded-Host/Proto/Port` from the client are dropped (Next.js sets them
 *   from the connection).
 * - BURNRATE_TRUST_PROXY=1: one reverse proxy in front (nginx, Caddy, a load balancer) appends the
 *   address it saw to `X-Forwarded-For`. The socket's peer (the proxy) is appended too, and the
 *   client is the rightmost entry the proxy wrote, the first one no trusted hop vouches for.
 *   Entries further left were written by the client or by hops nobody trusts; they stay in the
 *   header for the log, never in CLIENT_IP_HEADER. The proxy's `X-Forwarded-Host/Proto` are kept.
 *   Only set it when the server cannot be reached except through that proxy.
 */
import { isIP } from 'node:net';

/** The request header carrying the client's address; set by scripts/serve.ts, never by a client. */
export const CLIENT_IP_HEADER = 'x-burnrate-client-ip';

/** The client's address of a request that came through scripts/serve.ts; null outside it (a test, a script). */
export function clientIp(headers: Headers): string | null {
  const value = headers.get(CLIENT_IP_HEADER);
  return value === null || isIP(value) === 0 ? null : value;
}

/**
 * An address as written in X-Forwarded-For or by a socket, in one spelling: IPv4-mapped IPv6
 * (`::ffff:10.0.0.1`) as IPv4, brackets and ports removed, IPv6 in lower case. Null for anything
 * that is not an IP address (`unknown`, a host name, an obfuscated identifier).
 */
export function normalizeAddress(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  let value = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(value);
  if (bracketed?.[1]) value = bracketed[1];
  else if (/^[\d.]+:\d{1,5}$/.test(value)) value = value.slice(0, value.lastIndexOf(':'));
  value = value.replace(/%.*$/, '').toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(value);
  if (mapped?.[1]) value = mapped[1];
  return isIP(value) === 0 ? null : value;
}

export interface ForwardingInput {
  /** The incoming X-Forwarded-For (Node joins repeated headers with ", "). */
  forwardedFor: string | undefined;
  /** `socket.remoteAddress`; undefined once the socket is gone. */
  remoteAddress: string | undefined;
  trustProxy: boolean;
}

export interface Forwarding {
  /** The X-Forwarded-For Next.js and the app see. */
  forwardedFor: string;
  /** The client's address (CLIENT_IP_HEADER); null when the socket gives none. */
  clientIp: string | null;
}

/** What X-Forwarded-For and the client's address become for one request (see the module's comment). */
export function forwardingHeaders(input: ForwardingInput): Forwarding {
  const peer = normalizeAddress(input.remoteAddress);
  const peerText = peer ?? 'unknown';
  if (!input.trustProxy) return { forwardedFor: peerText, clientIp: peer };
  const hops = (input.forwardedFor ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');
  const forwardedFor = [...hops, peerText].join(', ');
  // The proxy appends its peer last; without an entry (a request straight to the server, or a
  // proxy that writes none) the socket's peer is the client.
  const last = hops[hops.length - 1];
  return { forwardedFor, clientIp: last === undefined ? peer : (normalizeAddress(last) ?? peer) };
}

/** The forwarding headers a client may not set unless a trusted proxy wrote them. */
export const PROXY_ONLY_HEADERS = ['x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port', 'forwarded'] as const;
