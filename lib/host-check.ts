/**
 * Which Host headers the server answers: loopback names and addresses, the address it binds to
 * (HOST, unless a wildcard) and the host of BURNRATE_PUBLIC_URL. Listening on every interface (the
 * default) adds no name: not the machine's host name nor its addresses, which Burnrate cannot know
 * to be the ones users open (a proxy, NAT); BURNRATE_PUBLIC_URL says which one is. Anything else is refused by
 * proxy.ts, so a DNS name rebound to this machine cannot reach the dashboard and its actions
 * through a visitor's browser (the browser sends the attacker's name as Host). Pure: no I/O.
 */
import { isIP } from 'node:net';

export interface HostPolicy {
  /** Host names (lower case, no port, IPv6 without brackets) answered besides loopback. */
  readonly names: ReadonlySet<string>;
}

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

function normalize(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
}

/** Whether HOST means every interface (0.0.0.0, ::). */
export function isWildcardHost(host: string): boolean {
  return WILDCARDS.has(normalize(host));
}

export interface DashboardAddresses {
  /** The address to open on this machine (or at HOST when it is one address). */
  local: string;
  /** BURNRATE_PUBLIC_URL, without a final slash. */
  public?: string;
  /** Set when the server listens on every interface but answers no name except loopback. */
  warning?: string;
}

/**
 * What `npm start` prints: where to open the dashboard here and at its public address. Listening on
 * every interface without BURNRATE_PUBLIC_URL answers only loopback names (hostPolicy): a warning
 * says so, since other machines reach the port but get 421.
 */
export function dashboardAddresses(env: { HOST: string; PORT: number; BURNRATE_PUBLIC_URL?: string | undefined }): DashboardAddresses {
  const bind = normalize(env.HOST);
  const wildcard = WILDCARDS.has(bind);
  const host = wildcard || isLoopback(bind) ? 'localhost' : isIP(bind) === 6 ? `[${bind}]` : bind;
  const out: DashboardAddresses = { local: `http://${host}:${env.PORT}` };
  if (env.BURNRATE_PUBLIC_URL) out.public = env.BURNRATE_PUBLIC_URL.replace(/\/+$/, '');
  else if (wildcard) {
    out.warning =
      'listening on every interface, but without BURNRATE_PUBLIC_URL only loopback host names are answered (others get 421): ' +
      'set BURNRATE_PUBLIC_URL to the address users open (e.g. https://burnrate.example.com), or HOST=127.0.0.1 to stay on this machine';
  }
  return out;
}

export function hostPolicy(env: { HOST: string; BURNRATE_PUBLIC_URL?: string | undefined }): HostPolicy {
  const names = new Set<string>();
  const bind = normalize(env.HOST);
  if (!WILDCARDS.has(bind)) names.add(bind);
  if (env.BURNRATE_PUBLIC_URL) names.add(normalize(new URL(env.BURNRATE_PUBLIC_URL).hostname));
  return { names };
}

/** The host name of a Host header value ("name:port", "[v6]:port"); null when it is not one. */
export function hostHeaderName(header: string | null | undefined): string | null {
  const value = (header ?? '').trim();
  if (value === '') return null;
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end < 0 || !/^(?::\d{1,5})?$/.test(value.slice(end + 1))) return null;
    const v6 = value.slice(1, end);
    return isIP(v6) === 6 ? v6.toLowerCase() : null;
  }
  const m = /^([^:/@\s]+)(?::\d{1,5})?$/.exec(value);
  return m?.[1] ? normalize(m[1]) : null;
}

function isLoopback(name: string): boolean {
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  if (isIP(name) === 6) return name === '::1' || /^::ffff:127\./.test(name);
  return false;
}

export function isAllowedHost(header: string | null | undefined, policy: HostPolicy): boolean {
  const name = hostHeaderName(header);
  return name !== null && (isLoopback(name) || policy.names.has(name));
}
