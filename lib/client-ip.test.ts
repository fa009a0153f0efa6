// The client's address from the socket, and from X-Forwarded-For only when one trusted proxy wrote
// its last entry (lib/client-ip.ts). Expected values are written out by hand.
import { describe, expect, it } from 'vitest';
import { CLIENT_IP_HEADER, clientIp, forwardingHeaders, normalizeAddress } from './client-ip';

describe('forwardingHeaders', () => {
  it('without a trusted proxy, a forged X-Forwarded-For is replaced by the socket peer', () => {
    expect(forwardingHeaders({ forwardedFor: '6.6.6.6', remoteAddress: '::ffff:192.0.2.10', trustProxy: false })).toEqual({
      forwardedFor: '192.0.2.10',
      clientIp: '192.0.2.10',
    });
    expect(forwardingHeaders({ forwardedFor: undefined, remoteAddress: '2001:DB8::1', trustProxy: false })).toEqual({
      forwardedFor: '2001:db8::1',
      clientIp: '2001:db8::1',
    });
  });

  it('behind one trusted proxy, the client is the entry the proxy appended; the proxy is appended after it', () => {
    // The client forged 6.6.6.6; the proxy (10.0.0.5) appended the address it saw, 203.0.113.7.
    expect(forwardingHeaders({ forwardedFor: '6.6.6.6, 203.0.113.7', remoteAddress: '10.0.0.5', trustProxy: true })).toEqual({
      forwardedFor: '6.6.6.6, 203.0.113.7, 10.0.0.5',
      clientIp: '203.0.113.7',
    });
    // Spellings proxies use: a port, brackets, no spaces.
    expect(forwardingHeaders({ forwardedFor: '1.1.1.1,203.0.113.7:51234', remoteAddress: '10.0.0.5', trustProxy: true }).clientIp).toBe(
      '203.0.113.7',
    );
    expect(forwardingHeaders({ forwardedFor: '[2001:db8::7]:443', remoteAddress: '10.0.0.5', trustProxy: true }).clientIp).toBe(
      '2001:db8::7',
    );
  });

  it('behind a trusted proxy, no entry or one that is not an address leaves the socket peer as the client', () => {
    expect(forwardingHeaders({ forwardedFor: undefined, remoteAddress: '198.51.100.9', trustProxy: true })).toEqual({
      forwardedFor: '198.51.100.9',
      clientIp: '198.51.100.9',
    });
    expect(forwardingHeaders({ forwardedFor: '203.0.113.7, unknown', remoteAddress: '10.0.0.5', trustProxy: true })).toEqual({
      forwardedFor: '203.0.113.7, unknown, 10.0.0.5',
      clientIp: '10.0.0.5',
    });
  });

  it('a socket already gone gives no address', () => {
    expect(forwardingHeaders({ forwardedFor: '6.6.6.6', remoteAddress: undefined, trustProxy: false })).toEqual({
      forwardedFor: 'unknown',
      clientIp: null,
    });
  });
});

describe('normalizeAddress and clientIp', () => {
  it('writes each address one way and refuses what is not one', () => {
    expect(normalizeAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(normalizeAddress(' 192.0.2.1:8080 ')).toBe('192.0.2.1');
    expect(normalizeAddress('[FE80::1%eth0]')).toBe('fe80::1');
    expect(normalizeAddress('::1')).toBe('::1');
    expect(normalizeAddress('example.com')).toBeNull();
    expect(normalizeAddress('_hidden')).toBeNull();
    expect(normalizeAddress('')).toBeNull();
  });

  it('reads the header the server sets, and nothing that is not an address', () => {
    expect(clientIp(new Headers({ [CLIENT_IP_HEADER]: '203.0.113.7' }))).toBe('203.0.113.7');
    expect(clientIp(new Headers({ [CLIENT_IP_HEADER]: '<script>' }))).toBeNull();
    expect(clientIp(new Headers({ 'x-forwarded-for': '203.0.113.7' }))).toBeNull();
  });
});
