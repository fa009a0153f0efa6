import { describe, expect, it } from 'vitest';
import { readEnv } from './env';
import { dashboardAddresses, hostHeaderName, hostPolicy, isAllowedHost, isWildcardHost } from './host-check';

describe('isAllowedHost', () => {
  const loopbackOnly = hostPolicy({ HOST: '127.0.0.1' });

  it('answers loopback names and addresses, with or without a port', () => {
    for (const host of [
      '127.0.0.1:3000',
      '127.0.0.1',
      '127.1.2.3:80',
      'localhost:3000',
      'LOCALHOST',
      'app.localhost:3000',
      '[::1]:3000',
      '[::1]',
      'localhost.',
    ])
      expect(isAllowedHost(host, loopbackOnly), host).toBe(true);
  });

  it('refuses any other name, a rebinding one included, and malformed or missing headers', () => {
    for (const host of [
      'evil.example:3000',
      'attacker.example',
      '10.0.0.5:3000',
      '[fe80::1]:3000',
      'localhost.evil.example',
      '127.0.0.1.nip.io',
      '',
      null,
      undefined,
      'a b',
      'x@127.0.0.1',
      '[::1',
      '[::1]x',
    ])
      expect(isAllowedHost(host, loopbackOnly), String(host)).toBe(false);
  });

  it('answers the public address of BURNRATE_PUBLIC_URL and the HOST it binds to, not a wildcard', () => {
    const policy = hostPolicy(readEnv({ HOST: '10.0.0.5', BURNRATE_PUBLIC_URL: 'https://Burnrate.Example.com/' }));
    expect(isAllowedHost('burnrate.example.com', policy)).toBe(true);
    expect(isAllowedHost('burnrate.example.com:443', policy)).toBe(true);
    expect(isAllowedHost('10.0.0.5:3000', policy)).toBe(true);
    expect(isAllowedHost('other.example.com', policy)).toBe(false);
    const wildcard = hostPolicy(readEnv({ HOST: '0.0.0.0' }));
    expect(isAllowedHost('0.0.0.0:3000', wildcard)).toBe(false);
    expect(isAllowedHost('192.168.1.20:3000', wildcard)).toBe(false);
    expect(isAllowedHost('127.0.0.1:3000', wildcard)).toBe(true);
    const v6 = hostPolicy({ HOST: '[2001:db8::5]' });
    expect(isAllowedHost('[2001:db8::5]:3000', v6)).toBe(true);
  });

  it('reads the port-less name out of a Host header', () => {
    expect(hostHeaderName('Example.COM:8080')).toBe('example.com');
    expect(hostHeaderName('[2001:DB8::1]:443')).toBe('2001:db8::1');
    expect(hostHeaderName('example.com:99999999')).toBeNull();
  });

  it('refuses a BURNRATE_PUBLIC_URL that is not an http(s) URL, naming the variable', () => {
    expect(() => readEnv({ BURNRATE_PUBLIC_URL: 'burnrate.example.com' })).toThrow(/BURNRATE_PUBLIC_URL/);
    expect(() => readEnv({ BURNRATE_PUBLIC_URL: 'ftp://burnrate.example.com' })).toThrow(/BURNRATE_PUBLIC_URL/);
  });
});

describe('listening on every interface by default (sign-in guards the pages)', () => {
  it('HOST defaults to every interface, and that adds no host name: only loopback and BURNRATE_PUBLIC_URL are answered', () => {
    const env = readEnv({});
    expect(env.HOST).toBe('::');
    expect(isWildcardHost(env.HOST)).toBe(true);
    const policy = hostPolicy(env);
    expect(isAllowedHost('localhost:3000', policy)).toBe(true);
    expect(isAllowedHost('[::1]:3000', policy)).toBe(true);
    expect(isAllowedHost('[::]:3000', policy)).toBe(false);
    expect(isAllowedHost('burnrate-host.corp:3000', policy)).toBe(false);
    const published = hostPolicy(readEnv({ BURNRATE_PUBLIC_URL: 'https://burnrate.example.com' }));
    expect(isAllowedHost('burnrate.example.com', published)).toBe(true);
    expect(isAllowedHost('rebound.attacker.example', published)).toBe(false);
  });

  it('npm start prints the loopback address and the public one, and warns on every interface without a public one', () => {
    expect(dashboardAddresses(readEnv({ PORT: '3000' }))).toEqual({
      local: 'http://localhost:3000',
      warning:
        'listening on every interface, but without BURNRATE_PUBLIC_URL only loopback host names are answered (others get 421): ' +
        'set BURNRATE_PUBLIC_URL to the address users open (e.g. https://burnrate.example.com), or HOST=127.0.0.1 to stay on this machine',
    });
    expect(dashboardAddresses(readEnv({ HOST: '0.0.0.0', PORT: '8080', BURNRATE_PUBLIC_URL: 'https://burnrate.example.com/' }))).toEqual({
      local: 'http://localhost:8080',
      public: 'https://burnrate.example.com',
    });
    expect(dashboardAddresses(readEnv({ HOST: '127.0.0.1', PORT: '3000' }))).toEqual({ local: 'http://localhost:3000' });
    expect(dashboardAddresses(readEnv({ HOST: '10.0.0.5', PORT: '3000' }))).toEqual({ local: 'http://10.0.0.5:3000' });
    expect(dashboardAddresses(readEnv({ HOST: '2001:db8::5', PORT: '3000' }))).toEqual({ local: 'http://[2001:db8::5]:3000' });
  });
});
