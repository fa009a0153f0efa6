// The dashboard's HTTP server: Next.js through its programmatic API (`next({ dev, dir, hostname,
// port })`) behind a node:http server that sets the client's address on every request before
// Next.js sees it (lib/client-ip.ts): X-Forwarded-For from the socket, or — BURNRATE_TRUST_PROXY=1
// — from the one proxy in front. `npm start` and `npm run dev` (scripts/start.ts) and the e2e runner
// (scripts/test.ts) run it as a child process: `node --experimental-strip-types scripts/serve.ts
// [--dev]`, with PORT, HOST and the rest of the environment as for `next start`. SIGTERM or SIGINT
// closes it. Node's own type stripping, not tsx: tsx's module hooks apply to everything the process
// loads, and under them better-auth's error class was loaded twice (`instanceof APIError` failed in
// the sign-in action, so a wrong password read as a server error). Hence the `.ts` in the imports
// below, and only erasable TypeScript in this file and the modules it imports.
import cluster from 'node:cluster';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { pathToFileURL } from 'node:url';
import { CLIENT_IP_HEADER, forwardingHeaders, PROXY_ONLY_HEADERS } from '../lib/client-ip.ts';
import { readEnv } from '../lib/env.ts';
import { REWRITE_STATUS_HEADER, rewrittenStatus } from '../lib/rewrite-status.ts';

/** Rewrites the request's forwarding headers in place (see lib/client-ip.ts). */
export function setClientAddress(req: IncomingMessage, trustProxy: boolean): void {
  const headers = req.headers;
  const incoming = headers['x-forwarded-for'];
  const { forwardedFor, clientIp } = forwardingHeaders({
    forwardedFor: Array.isArray(incoming) ? incoming.join(', ') : incoming,
    remoteAddress: req.socket.remoteAddress,
    trustProxy,
  });
  headers['x-forwarded-for'] = forwardedFor;
  delete headers[CLIENT_IP_HEADER];
  if (clientIp !== null) headers[CLIENT_IP_HEADER] = clientIp;
  if (!trustProxy) for (const name of PROXY_ONLY_HEADERS) delete headers[name];
}

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/**
 * Writes the status proxy.ts asked for a rewritten page (lib/rewrite-status.ts) when the head goes
 * out: every way of sending one (writeHead, or the first write/end) passes through writeHead.
 */
export function applyRewriteStatus(res: ServerResponse): void {
  const writeHead = res.writeHead as (this: ServerResponse, statusCode: number, ...rest: unknown[]) => ServerResponse;
  const patched = function (this: ServerResponse, statusCode: number, ...rest: unknown[]): ServerResponse {
    const requested = this.getHeader(REWRITE_STATUS_HEADER);
    if (requested === undefined) return writeHead.call(this, statusCode, ...rest);
    this.removeHeader(REWRITE_STATUS_HEADER);
    return writeHead.call(this, rewrittenStatus(statusCode, requested), ...rest);
  };
  res.writeHead = patched as ServerResponse['writeHead'];
}

/** An HTTP server that sets the client's address, then hands the request to `handler` (Next.js's). */
export function createWebServer(handler: Handler, options: { trustProxy: boolean }): Server {
  return createServer((req, res) => {
    setClientAddress(req, options.trustProxy);
    applyRewriteStatus(res);
    Promise.resolve(handler(req, res)).catch((error: unknown) => {
      // Next.js answers its own errors; this is a failure of the handler itself.
      console.error(`[burnrate] request ${req.method} ${req.url} failed: ${(error as Error).message}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end();
    });
  });
}

async function main(): Promise<void> {
  const env = readEnv();
  const dev = process.argv.includes('--dev');
  // As `next start` / `next dev` set it, before React and Next.js load their builds.
  (process.env as Record<string, string>).NODE_ENV = dev ? 'development' : 'production';
  const { default: next } = await import('next');
  const app = next({ dev, dir: process.cwd(), hostname: env.HOST, port: env.PORT });
  const server = createWebServer(app.getRequestHandler(), { trustProxy: env.BURNRATE_TRUST_PROXY });
  await app.prepare();
  const listen = (host: string) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(env.PORT, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  try {
    await listen(env.HOST);
  } catch (error) {
    // Every interface on a system without IPv6: IPv4's every interface, as Node does with no host.
    const code = (error as NodeJS.ErrnoException).code;
    if (env.HOST !== '::' || (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL')) throw error;
    await listen('0.0.0.0');
  }
  let closing = false;
  const close = () => {
    if (closing) return;
    closing = true;
    // Open keep-alive connections would hold close() until they time out.
    server.closeIdleConnections();
    server.close(() => {
      void app.close().finally(() => process.exit(0));
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGTERM', close);
  process.once('SIGINT', close);
}

/**
 * BURNRATE_WEB_PROCESSES > 1: this process forks that many servers sharing the port (node:cluster
 * hands connections out) and stops them on SIGTERM/SIGINT; one that dies stops the rest, so the
 * parent (npm start, the e2e runner) sees the failure rather than a half-sized server.
 */
function primary(processes: number): void {
  const workers = Array.from({ length: processes }, () => cluster.fork());
  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const w of workers) if (!w.isDead()) w.process.kill('SIGTERM');
    let left = workers.filter((w) => !w.isDead()).length;
    if (left === 0) process.exit(code);
    for (const w of workers)
      w.once('exit', () => {
        left--;
        if (left <= 0) process.exit(code);
      });
    setTimeout(() => process.exit(code), 6000).unref();
  };
  for (const w of workers)
    w.once('exit', (code, signal) => {
      if (stopping) return;
      console.error(`[burnrate] web server process ${w.process.pid} ended (${signal ?? `exit ${code}`}): stopping the others`);
      stop(1);
    });
  process.once('SIGTERM', () => stop(0));
  process.once('SIGINT', () => stop(0));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const processes = readEnv().BURNRATE_WEB_PROCESSES;
  if (processes > 1 && cluster.isPrimary) primary(processes);
  else
    main().catch((error: unknown) => {
      console.error(`[burnrate] web server: ${(error as Error).message}`);
      process.exit(1);
    });
}
