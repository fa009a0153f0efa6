/**
 * Connector requests never reach link-local or cloud metadata addresses (169.254.0.0/16, which
 * holds AWS/GCP/Azure instance metadata at 169.254.169.254; fe80::/10; AWS's fd00:ec2::254;
 * metadata.google.internal), where a custom endpoint typed on the sources page could otherwise
 * read the server's own cloud credentials. BURNRATE_ALLOW_METADATA_ENDPOINTS=1 lifts this (an
 * emulator on a link-local address, say).
 *
 * Two checks: before each connector operation every address the endpoint's name resolves to is
 * checked (`assertEndpointAllowed`), and the AWS SDK and Azure Blob clients connect through `guardedLookup`, so
 * a name that resolves differently a moment later (DNS rebinding) is checked again at connect time.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { readEnv } from '../env';
import { ConnectorError } from './types';

/** Names that are cloud metadata services whatever they resolve to (GCP's, spelled with or without the final dot). */
const METADATA_HOSTNAMES = new Set(['metadata.google.internal', 'metadata.goog']);

const BLOCKED = new BlockList();
BLOCKED.addSubnet('169.254.0.0', 16, 'ipv4');
BLOCKED.addSubnet('fe80::', 10, 'ipv6');
BLOCKED.addAddress('fd00:ec2::254', 'ipv6');

/** An IPv4 address written as IPv6 (::ffff:169.254.169.254, ::ffff:a9fe:a9fe), as IPv4; otherwise null. */
function mappedIpv4(address: string): string | null {
  const m = /^::ffff:(?:0:)?(.+)$/i.exec(address);
  if (!m?.[1]) return null;
  const rest = m[1];
  if (isIP(rest) === 4) return rest;
  const hex = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(rest);
  if (!hex?.[1] || !hex[2]) return null;
  const hi = Number.parseInt(hex[1], 16);
  const lo = Number.parseInt(hex[2], 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** Whether an IP address (v4 or v6, as written by dns.lookup or a URL) is link-local or a metadata address. */
export function isMetadataAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(bare);
  if (family === 4) return BLOCKED.check(bare, 'ipv4');
  if (family !== 6) return false;
  const v4 = mappedIpv4(bare);
  if (v4) return BLOCKED.check(v4, 'ipv4');
  return BLOCKED.check(bare, 'ipv6');
}

/** Whether a host name is a metadata service by name. */
export function isMetadataHostname(hostname: string): boolean {
  return METADATA_HOSTNAMES.has(hostname.toLowerCase().replace(/\.$/, ''));
}

export function metadataEndpointsAllowed(): boolean {
  return readEnv().BURNRATE_ALLOW_METADATA_ENDPOINTS;
}

function refused(host: string, why: string): ConnectorError {
  return new ConnectorError(
    `Burnrate does not send requests to ${host}: ${why}. Set BURNRATE_ALLOW_METADATA_ENDPOINTS=1 on the server to allow it.`,
    'CONFIG',
  );
}

export type Lookup = (hostname: string) => Promise<readonly { address: string }[]>;

const systemLookup: Lookup = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  );

/**
 * Refuses an endpoint URL whose host is, or resolves (every address) to, a link-local or cloud
 * metadata address, unless BURNRATE_ALLOW_METADATA_ENDPOINTS allows it. A name that does not
 * resolve is a NETWORK error. `lookup` is dns.lookup({all: true}) unless a test gives its own.
 */
export async function assertEndpointAllowed(endpoint: string, lookup: Lookup = systemLookup): Promise<void> {
  if (metadataEndpointsAllowed()) return;
  const url = new URL(endpoint);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isMetadataHostname(host)) throw refused(host, 'it is a cloud metadata service');
  if (isIP(host)) {
    if (isMetadataAddress(host)) throw refused(host, 'it is a link-local or cloud metadata address');
    return;
  }
  let addresses: readonly { address: string }[];
  try {
    addresses = await lookup(host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConnectorError(`Cannot resolve ${host} (${code}).`, 'NETWORK');
  }
  if (addresses.some((a) => isMetadataAddress(a.address)))
    throw refused(host, 'its name resolves to a link-local or cloud metadata address');
}

/**
 * dns.lookup for an http(s) agent: the same check at connect time, on the addresses the socket
 * will use. Pass it as `lookup` in the agent's options.
 */
export function guardedLookup(
  hostname: string,
  options: LookupOptions,
  callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
): void {
  const check = !metadataEndpointsAllowed();
  const blocked = (): NodeJS.ErrnoException =>
    Object.assign(refused(hostname, 'it is, or resolves to, a link-local or cloud metadata address'), { code: 'EBURNRATEBLOCKED' });
  if (check && isMetadataHostname(hostname)) {
    callback(blocked(), []);
    return;
  }
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    const first = addresses?.[0];
    if (error) callback(error, []);
    else if (check && addresses.some((a) => isMetadataAddress(a.address))) callback(blocked(), []);
    else if (options.all) callback(null, addresses);
    else if (!first) callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
    else callback(null, first.address, first.family);
  });
}
