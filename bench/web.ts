// npm run bench:web -- [--seconds S] [--connections C] [--warmup S] [--no-baseline] [--processes P]
//
// How many signed-in readers can the dashboard serve? Starts an embedded PostgreSQL (or uses
// DATABASE_URL's server: a throwaway database on it), applies the migrations, loads the demo data
// (lib/demo/load: 13 months of three clouds), makes the production build if the code changed
// (scripts/next-build.ts) and serves it through scripts/serve.ts as `npm start` and the e2e runner
// do. A viewer is created and signed in through better-auth (its session cookie, as a browser
// holds it), then C keep-alive connections on loopback ask for `/` for S seconds, then for
// `/explorer` for S seconds, each connection sending its next request when the last answer's body
// has arrived. Printed per page: pages/s, p50/p95/max latency and errors (any status but 200).
//
// The baseline is the same server with the answer cache off (BURNRATE_ANSWER_CACHE=0, so every
// view runs its queries, as before lib/cache), measured in the same run before the cached one;
// the ratio compares the two. Each measured phase follows a short warm-up (not counted) of the
// same load: the server's code paths get compiled and, with the cache on, the answers of the
// current data version get computed once. With --processes P > 1 (default: 2 where the machine has
// 2 CPUs or more), a third run serves with P processes (BURNRATE_WEB_PROCESSES, scripts/serve.ts),
// cache on. Prints figures only; it asserts nothing. Ends with one JSON line.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { z } from 'zod';
import { getAuth } from '../lib/auth/server';
import { createUser } from '../lib/auth/users';
import { freePort, startEmbeddedPostgres } from '../lib/db/embedded';
import { migrate } from '../lib/db/migrate';
import { closePool, getPool } from '../lib/db/pool';
import { loadDemoData } from '../lib/demo/load';
import { ensureNextBuild } from '../scripts/next-build';

const TARGET_PAGES_PER_S = 100;
const TARGET_P95_MS = 300;
const PAGES = ['/', '/explorer'] as const;

const ArgsSchema = z.object({
  seconds: z.coerce.number().min(1).max(600).default(20),
  connections: z.coerce.number().int().min(1).max(500).default(20),
  warmup: z.coerce.number().min(0).max(120).default(3),
  baseline: z.boolean().default(true),
  processes: z.coerce.number().int().min(1).max(64).default(Math.min(2, os.cpus().length)),
});

interface LoadResult {
  page: string;
  pages: number;
  errors: number;
  seconds: number;
  pagesPerS: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** Up to three distinct error descriptions (status or message). */
  errorSamples: string[];
  bytesPerPage: number;
}

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return Number.NaN;
  // Nearest rank.
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1] as number;
}

/** One GET through the keep-alive agent; resolves when the whole body has arrived. */
function get(agent: http.Agent, base: URL, page: string, cookie: string): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, host: base.hostname, port: base.port, path: page, method: 'GET', headers: { cookie, accept: 'text/html' } },
      (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** `connections` loops asking for `page` until `seconds` have passed; latencies of answers that began in the window. */
async function load(base: URL, page: string, cookie: string, connections: number, seconds: number): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  const errorSamples = new Set<string>();
  let errors = 0;
  let bytes = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  const loop = async () => {
    while (performance.now() < end) {
      const t = performance.now();
      try {
        const r = await get(agent, base, page, cookie);
        if (r.status !== 200) {
          errors += 1;
          errorSamples.add(`HTTP ${r.status}`);
        } else {
          latencies.push(performance.now() - t);
          bytes += r.bytes;
        }
      } catch (error) {
        errors += 1;
        errorSamples.add((error as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    page,
    pages: latencies.length,
    errors,
    seconds: Number(elapsed.toFixed(2)),
    pagesPerS: Number((latencies.length / elapsed).toFixed(1)),
    p50Ms: Number(quantile(latencies, 0.5).toFixed(1)),
    p95Ms: Number(quantile(latencies, 0.95).toFixed(1)),
    maxMs: Number((latencies[latencies.length - 1] ?? Number.NaN).toFixed(1)),
    errorSamples: [...errorSamples].slice(0, 3),
    bytesPerPage: latencies.length ? Math.round(bytes / latencies.length) : 0,
  };
}

async function startServer(env: NodeJS.ProcessEnv): Promise<{ base: URL; stop: () => Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--experimental-strip-types', 'scripts/serve.ts'], {
    env: { ...env, PORT: String(port), HOST: '127.0.0.1', NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = new URL(`http://127.0.0.1:${port}`);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(new URL('/api/health', base));
      if (res.ok) break;
    } catch {}
    if (child.exitCode !== null) throw new Error(`the dashboard exited with ${child.exitCode} before answering /api/health`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error('the dashboard did not answer /api/health within 60 s');
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return { base, stop };
}

function row(label: string, r: LoadResult): string {
  return `  ${label.padEnd(22)} ${r.page.padEnd(10)} ${String(r.pages).padStart(6)} ${r.pagesPerS.toFixed(1).padStart(8)} ${r.p50Ms.toFixed(1).padStart(8)} ${r.p95Ms.toFixed(1).padStart(8)} ${r.maxMs.toFixed(1).padStart(8)} ${String(r.errors).padStart(6)}${r.errorSamples.length ? `  (${r.errorSamples.join('; ')})` : ''}`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string' },
      connections: { type: 'string' },
      warmup: { type: 'string' },
      'no-baseline': { type: 'boolean' },
      processes: { type: 'string' },
    },
  });
  const args = ArgsSchema.parse({
    seconds: values.seconds,
    connections: values.connections,
    warmup: values.warmup,
    baseline: !values['no-baseline'],
    processes: values.processes,
  });
  const log = (line: string) => console.error(`[bench:web] ${line}`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'burnrate-bench-web-'));
  await chmod(dir, 0o755);
  let stopDb = async () => {};
  const servers: (() => Promise<void>)[] = [];
  try {
    let database = 'DATABASE_URL';
    if (process.env.DATABASE_URL) {
      const name = `burnrate_bench_web_${process.pid}`;
      const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      const serverUrl = process.env.DATABASE_URL;
      const u = new URL(serverUrl);
      u.pathname = `/${name}`;
      process.env.DATABASE_URL = u.toString();
      stopDb = async () => {
        const c = new pg.Client({ connectionString: serverUrl });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      };
      database = 'a throwaway database on DATABASE_URL';
    } else {
      const db = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), persistent: false });
      stopDb = db.stop;
      process.env.DATABASE_URL = db.url;
      database = 'embedded PostgreSQL (temporary)';
    }
    const url = process.env.DATABASE_URL as string;
    await migrate(url);
    // The bench signs its own session; the server must check it with the same key.
    process.env.BURNRATE_AUTH_SECRET ??= randomBytes(32).toString('base64');
    let t = performance.now();
    const demo = await loadDemoData({ log });
    log(`demo data loaded in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const pool = getPool();
    await pool.query('VACUUM ANALYZE');
    const version = (await pool.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? '?';
    const lineItems = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM cost_line_items')).rows[0]?.n);

    const password = randomBytes(18).toString('base64url');
    const email = `bench-${randomBytes(4).toString('hex')}@example.test`;
    await createUser({ email, name: 'Bench viewer', role: 'viewer', password }, 'bench');
    const signed = await getAuth().api.signInEmail({ body: { email, password }, headers: new Headers(), returnHeaders: true });
    const cookie = signed.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
    if (!cookie) throw new Error('signing in set no cookie');
    await closePool();

    t = performance.now();
    await ensureNextBuild(log);
    log(`build ready in ${((performance.now() - t) / 1000).toFixed(0)} s`);

    const modes: { label: string; cache: '0' | '1'; processes: number }[] = [
      ...(args.baseline ? [{ label: 'cache off (baseline)', cache: '0' as const, processes: 1 }] : []),
      { label: 'cache on', cache: '1', processes: 1 },
      ...(args.processes > 1 ? [{ label: `cache on, ${args.processes} processes`, cache: '1' as const, processes: args.processes }] : []),
    ];
    const results: { mode: string; cache: boolean; processes: number; pages: LoadResult[] }[] = [];
    for (const mode of modes) {
      const server = await startServer({
        ...process.env,
        DATABASE_URL: url,
        BURNRATE_ANSWER_CACHE: mode.cache,
        BURNRATE_WEB_PROCESSES: String(mode.processes),
      });
      servers.push(server.stop);
      const pages: LoadResult[] = [];
      for (const page of PAGES) {
        if (args.warmup > 0) await load(server.base, page, cookie, args.connections, args.warmup);
        log(`${mode.label}: ${args.connections} connections on ${page} for ${args.seconds} s…`);
        pages.push(await load(server.base, page, cookie, args.connections, args.seconds));
      }
      await server.stop();
      servers.pop();
      results.push({ mode: mode.label, cache: mode.cache === '1', processes: mode.processes, pages });
    }

    // The target is judged on the last cached mode (the most processes asked for).
    const cached = results.findLast((r) => r.cache);
    const baseline = results.find((r) => !r.cache);
    const overview = cached?.pages.find((p) => p.page === '/');
    const met = {
      pagesPerS: (overview?.pagesPerS ?? 0) >= TARGET_PAGES_PER_S,
      p95: (overview?.p95Ms ?? Number.POSITIVE_INFINITY) < TARGET_P95_MS,
      noErrors: results.every((r) => r.pages.every((p) => p.errors === 0)),
    };
    const ratios = baseline
      ? Object.fromEntries(
          PAGES.map((page) => {
            const on = results.find((r) => r.cache && r.processes === 1)?.pages.find((p) => p.page === page);
            const off = baseline.pages.find((p) => p.page === page);
            return [page, on && off && off.pagesPerS > 0 ? Number((on.pagesPerS / off.pagesPerS).toFixed(2)) : null];
          }),
        )
      : {};
    const load1 = os.loadavg()[0] ?? 0;
    console.log(
      [
        `web benchmark: ${args.connections} keep-alive connections on loopback, ${args.seconds} s per page after ${args.warmup} s of warm-up, signed in as a viewer; demo data (${lineItems.toLocaleString('en-US')} line items, ${demo.recommendations} open recommendations), PostgreSQL ${version} (${database}), ${os.cpus().length} CPUs, Node ${process.version}, load average ${load1.toFixed(2)} at the end`,
        `  ${'mode'.padEnd(22)} ${'page'.padEnd(10)} ${'pages'.padStart(6)} ${'pages/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'errors'.padStart(6)}`,
        ...results.flatMap((r) => r.pages.map((p) => row(r.mode, p))),
        ...(baseline ? [`  cache on / cache off (one process), pages/s: ${PAGES.map((p) => `${p} ${ratios[p] ?? '?'}×`).join(', ')}`] : []),
        `  target for / (${cached?.mode ?? 'cache on'}): ≥ ${TARGET_PAGES_PER_S} pages/s (${met.pagesPerS ? 'met' : 'NOT met'}), p95 < ${TARGET_P95_MS} ms (${met.p95 ? 'met' : 'NOT met'}); errors: ${met.noErrors ? 'none' : 'SOME'}`,
      ].join('\n'),
    );
    console.log(
      JSON.stringify({
        connections: args.connections,
        seconds: args.seconds,
        warmupSeconds: args.warmup,
        results,
        ratios,
        targets: { pagesPerS: TARGET_PAGES_PER_S, p95Ms: TARGET_P95_MS, page: '/' },
        met,
        lineItems,
        postgres: version,
        database,
        cpus: os.cpus().length,
        node: process.version,
        loadAverage1m: Number(load1.toFixed(2)),
      }),
    );
    return 0;
  } finally {
    for (const stop of servers) await stop().catch(() => {});
    await closePool().catch(() => {});
    await stopDb().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`error: ${(error as Error).stack ?? error}`);
    process.exit(1);
  },
);
