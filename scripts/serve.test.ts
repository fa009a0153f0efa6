// The dashboard's HTTP server sets the client's address before Next.js sees a request: real
// sockets on loopback (IPv4 through a dual-stack listener, and IPv6), forged headers, and what the
// handler behind it (Next.js in production) receives.
import { spawnSync } from 'node:child_process';
import { request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebServer } from './serve';

type Seen = Record<string, string | string[] | undefined>;

/** A server whose handler answers with the headers it was given. */
async function echoServer(trustProxy: boolean) {
  const server = createWebServer(
    (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.headers));
    },
    { trustProxy },
  );
  await new Promise<void>((resolve) => server.listen(0, '::', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

function get(host: string, port: number, headers: Record<string, string>): Promise<Seen> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: '/', headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve(JSON.parse(body) as Seen));
    });
    req.on('error', reject);
    req.end();
  });
}

const FORGED = {
  'x-forwarded-for': '6.6.6.6',
  'x-burnrate-client-ip': '6.6.6.6',
  'x-forwarded-host': 'evil.example',
  'x-forwarded-proto': 'https',
};

describe('without BURNRATE_TRUST_PROXY', () => {
  let echo: Awaited<ReturnType<typeof echoServer>>;
  beforeAll(async () => {
    echo = await echoServer(false);
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => echo.server.close(() => resolve()));
  });

  it('a forged X-Forwarded-For and client-address header are replaced by the socket peer (IPv4)', async () => {
    const seen = await get('127.0.0.1', echo.port, FORGED);
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen['x-burnrate-client-ip']).toBe('127.0.0.1');
    // Next.js fills these from the connection itself.
    expect(seen['x-forwarded-host']).toBeUndefined();
    expect(seen['x-forwarded-proto']).toBeUndefined();
  });

  it('the same over IPv6', async () => {
    const seen = await get('::1', echo.port, FORGED);
    expect(seen['x-forwarded-for']).toBe('::1');
    expect(seen['x-burnrate-client-ip']).toBe('::1');
  });

  it('repeated X-Forwarded-For headers change nothing', async () => {
    const seen = await new Promise<Seen>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: echo.port, path: '/', agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString();
        });
        res.on('end', () => resolve(JSON.parse(body) as Seen));
      });
      req.setHeader('x-forwarded-for', ['6.6.6.6', '7.7.7.7']);
      req.on('error', reject);
      req.end();
    });
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen['x-burnrate-client-ip']).toBe('127.0.0.1');
  });
});

describe('with BURNRATE_TRUST_PROXY=1 (one proxy in front)', () => {
  let echo: Awaited<ReturnType<typeof echoServer>>;
  beforeAll(async () => {
    echo = await echoServer(true);
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => echo.server.close(() => resolve()));
  });

  it("the client is the proxy's entry, not the forged one before it; the proxy is appended; its X-Forwarded-Proto is kept", async () => {
    // As nginx sends it ($proxy_add_x_forwarded_for): what the client sent, then the address nginx saw.
    const seen = await get('127.0.0.1', echo.port, { ...FORGED, 'x-forwarded-for': '6.6.6.6, 203.0.113.7' });
    expect(seen['x-forwarded-for']).toBe('6.6.6.6, 203.0.113.7, 127.0.0.1');
    expect(seen['x-burnrate-client-ip']).toBe('203.0.113.7');
    expect(seen['x-forwarded-proto']).toBe('https');
  });

  it('a request without X-Forwarded-For comes from the socket peer', async () => {
    const seen = await get('127.0.0.1', echo.port, { 'x-burnrate-client-ip': '6.6.6.6' });
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen['x-burnrate-client-ip']).toBe('127.0.0.1');
  });
});

describe("a rewritten page's status (proxy.ts's 403 page)", () => {
  // Handlers answering as Next.js does: headers set first (a rewrite's headers among them), then
  // the head through writeHead or implicitly with the first write.
  const cases: Record<string, (res: ServerResponse) => void> = {
    '/write-head': (res) => {
      res.setHeader('x-burnrate-rewrite-status', '403');
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<h1>Not allowed</h1>');
    },
    '/implicit': (res) => {
      res.setHeader('x-burnrate-rewrite-status', '403');
      res.statusCode = 200;
      res.end('<h1>Not allowed</h1>');
    },
    '/server-error': (res) => {
      res.setHeader('x-burnrate-rewrite-status', '403');
      res.writeHead(500);
      res.end();
    },
    '/not-a-client-error': (res) => {
      res.setHeader('x-burnrate-rewrite-status', '302');
      res.end('ok');
    },
    '/plain': (res) => {
      res.end('ok');
    },
  };
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createWebServer((req, res) => cases[req.url ?? '']?.(res), { trustProxy: false });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  function head(path: string): Promise<{ status: number; header: unknown; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, header: res.headers['x-burnrate-rewrite-status'], body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('the status the proxy asked for replaces the 200, and the header does not reach the client', async () => {
    expect(await head('/write-head')).toEqual({ status: 403, header: undefined, body: '<h1>Not allowed</h1>' });
    expect(await head('/implicit')).toEqual({ status: 403, header: undefined, body: '<h1>Not allowed</h1>' });
  });

  it('a server error stays one, a status other than 4xx is not taken, a response without the header is untouched', async () => {
    expect(await head('/server-error')).toMatchObject({ status: 500, header: undefined });
    expect(await head('/not-a-client-error')).toEqual({ status: 200, header: undefined, body: 'ok' });
    expect(await head('/plain')).toEqual({ status: 200, header: undefined, body: 'ok' });
  });
});

describe('scripts/serve.ts as a process', () => {
  it('refuses an invalid BURNRATE_TRUST_PROXY before starting, naming the variable', () => {
    const run = spawnSync(process.execPath, ['--experimental-strip-types', 'scripts/serve.ts'], {
      env: { ...process.env, BURNRATE_TRUST_PROXY: 'yes', PORT: '1' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('BURNRATE_TRUST_PROXY: BURNRATE_TRUST_PROXY must be 1 (one proxy in front) or 0');
  });
});
