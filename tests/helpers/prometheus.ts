// A real Prometheus server for tests (Debian's `prometheus` package, which .ci/run installs): the
// given series are written as OpenMetrics text with their timestamps, turned into TSDB blocks by
// `promtool tsdb create-blocks-from openmetrics`, and served by `prometheus` on a free loopback
// port from that storage, for the calling test file.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';
import { freePort } from '../../lib/db/embedded';

const run = promisify(execFile);

const INSTALL_HINT =
  'Install it with `apt-get install -y prometheus` (Debian/Ubuntu; it provides both prometheus and promtool), as .ci/run does, ' +
  'or put the binaries on PATH (PROMETHEUS_BIN / PROMTOOL_BIN name other paths).';

/** One series: its name, labels and samples (timestamps in epoch seconds). */
export interface SeriesSamples {
  name: string;
  labels: Record<string, string>;
  /** OpenMetrics type of the family the series belongs to. */
  type: 'gauge' | 'counter';
  samples: readonly (readonly [seconds: number, value: number])[];
}

export interface PrometheusServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  /** Written as Prometheus's --web.config.file (basic_auth_users, TLS). */
  webConfig?: string;
  /** Basic credentials the readiness probe sends when webConfig asks for them. */
  probeAuth?: { username: string; password: string };
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/**
 * OpenMetrics text of the series: one family per name (its samples together, as the format
 * requires), each series' samples ascending, ending with `# EOF`. A counter family is named
 * without `_total` in its TYPE line, as OpenMetrics spells it.
 */
export function openMetricsText(series: readonly SeriesSamples[]): string {
  const families = new Map<string, SeriesSamples[]>();
  for (const s of series) {
    const list = families.get(s.name) ?? [];
    list.push(s);
    families.set(s.name, list);
  }
  const out: string[] = [];
  for (const [name, list] of families) {
    const type = list[0]?.type ?? 'gauge';
    const family = type === 'counter' ? name.replace(/_total$/, '') : name;
    out.push(`# TYPE ${family} ${type}`);
    for (const s of list) {
      const labels = Object.entries(s.labels)
        .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
        .join(',');
      for (const [t, v] of s.samples) out.push(`${name}{${labels}} ${v} ${t}`);
    }
  }
  out.push('# EOF', '');
  return out.join('\n');
}

async function binary(envName: string, name: string): Promise<string> {
  const bin = process.env[envName] || name;
  try {
    await run(bin, ['--version']);
  } catch (error) {
    throw new Error(
      `The Prometheus tests need the \`${name}\` binary, which could not be run (${(error as Error).message}). ${INSTALL_HINT}`,
    );
  }
  return bin;
}

async function waitReady(url: string, child: ChildProcess, log: () => string, auth?: PrometheusOptions['probeAuth']): Promise<void> {
  const headers: Record<string, string> = auth
    ? { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` }
    : {};
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with code ${child.exitCode} before it was ready:\n${log()}`);
    const ok = await fetch(`${url}/-/ready`, { headers, signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`prometheus at ${url} was not ready within 60 s:\n${log()}`);
}

/**
 * Loads the series into a fresh TSDB and starts Prometheus on it. Retention is long enough (30
 * days) that blocks of the last days are never dropped; callers keep their samples within that.
 */
export async function startPrometheus(series: readonly SeriesSamples[], opts: PrometheusOptions = {}): Promise<PrometheusServer> {
  const promtool = await binary('PROMTOOL_BIN', 'promtool');
  const prometheus = await binary('PROMETHEUS_BIN', 'prometheus');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'burnrate-prometheus-'));
  try {
    return await serve(prometheus, promtool, dir, series, opts);
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function serve(
  prometheus: string,
  promtool: string,
  dir: string,
  series: readonly SeriesSamples[],
  opts: PrometheusOptions,
): Promise<PrometheusServer> {
  const data = path.join(dir, 'data');
  await mkdir(data);
  if (series.length > 0) {
    const input = path.join(dir, 'history.om');
    await writeFile(input, openMetricsText(series));
    // Day-long blocks: a handful instead of a dozen two-hour ones per day, which Prometheus
    // accepts as they are (its compactor only merges blocks shorter than its own ranges).
    await run(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=24h', input, data], { maxBuffer: 16 << 20 });
  }
  const config = path.join(dir, 'prometheus.yml');
  await writeFile(config, 'global:\n  scrape_interval: 1m\nscrape_configs: []\n');
  const args = [
    `--config.file=${config}`,
    `--storage.tsdb.path=${data}`,
    '--storage.tsdb.retention.time=30d',
    `--web.console.templates=${dir}`,
    `--web.console.libraries=${dir}`,
  ];
  if (opts.webConfig !== undefined) {
    const webConfig = path.join(dir, 'web.yml');
    await writeFile(webConfig, opts.webConfig);
    args.push(`--web.config.file=${webConfig}`);
  }
  // Another process may take a free port between our probe and Prometheus's bind: try again then.
  for (let tries = 0; ; tries++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(prometheus, [...args, `--web.listen-address=127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await waitReady(url, child, () => output, opts.probeAuth);
    } catch (error) {
      child.kill('SIGKILL');
      await exited;
      if (tries < 3 && /address already in use/.test(output)) continue;
      throw error;
    }
    return {
      url,
      port,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited;
          clearTimeout(killer);
        }
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
}

/**
 * Starts Prometheus with the series for the calling test file (beforeAll; the series are built
 * then, so they can be relative to the time the file runs) and stops it afterwards.
 */
export function withPrometheus(series: () => readonly SeriesSamples[], opts: PrometheusOptions = {}): () => PrometheusServer {
  let server: PrometheusServer | undefined;
  beforeAll(async () => {
    server = await startPrometheus(series(), opts);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error('Prometheus is not running (withPrometheus() must be called at the top of the test file)');
    return server;
  };
}
