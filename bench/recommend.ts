// npm run bench:recommend -- --resources N [--chunk K] [--keep]
//
// How fast does utilization data load, and how long do recommendations take, for a fleet of N
// resources? Generates N resources (10% of them GPU machines with one GPU) with 14 days of
// 5-minute samples (cpu_utilization, memory_utilization, network_in, network_out; the GPUs
// gpu_utilization and gpu_memory_used), K resources per transaction as a sync would, and imports
// them through the real write path (importSamples: COPY, merge, hourly sketches). Then COPYs the
// same samples, encoded the same way, into a bare table (no index, no aggregation) in the same run,
// computes the window statistics every rule reads, then every recommendation through the rules
// engine (lib/recommendations/engine.ts, as the recompute job does), and prints the rates,
// their ratio, the times and this process's peak RSS; the last line is JSON. Prints figures only;
// asserts nothing (STYLE.md).
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { z } from 'zod';
import { startEmbeddedPostgres } from '../lib/db/embedded';
import { migrate } from '../lib/db/migrate';
import { closePool, getPool, withTransaction } from '../lib/db/pool';
import { BINARY_TRAILER } from '../lib/ingest/copy-binary';
import { copyChunks } from '../lib/ingest/copy-stream';
import type { SampleBatch } from '../lib/inventory/types';
import type { MetricName } from '../lib/metrics/names';
import { windowStats } from '../lib/metrics/stats';
import { encodeSamples, importSamples, SAMPLE_COPY_FORMAT } from '../lib/metrics/store';
import { recomputeRecommendations } from '../lib/recommendations/engine';

const TARGET_RATIO = 0.5;
const TARGET_RECOMMEND_S = 60;
const TARGET_RSS_MB = 500;
const TARGET_RESOURCES = 10_000;
const STEP_MS = 5 * 60_000;
const DAYS = 14;

const ArgsSchema = z.object({
  resources: z.coerce.number().int().min(1).max(100_000).default(1_000),
  chunk: z.coerce.number().int().min(1).max(10_000).default(100),
  keep: z.boolean().default(false),
});

/** mulberry32: a small deterministic PRNG, so every run loads the same fleet. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(v, hi));

/**
 * One resource's series: a profile (idle, oversized, busy; GPUs idle, memory held, bursty, busy)
 * drawn from its number, a daily cycle and noise.
 */
function* resourceBatches(n: number, timestamps: number[]): Generator<SampleBatch> {
  const rnd = prng(n * 2654435761);
  const profile = rnd();
  const resourceId = `i-bench${String(n).padStart(6, '0')}`;
  const cpuBase = profile < 0.2 ? 1 + rnd() * 2 : profile < 0.6 ? 5 + rnd() * 15 : 35 + rnd() * 40;
  const memBase = 15 + rnd() * 50;
  const netBase = profile < 0.2 ? 200 + rnd() * 500 : 1e4 + rnd() * 1e7;
  const series = (metric: MetricName, f: (i: number, day: number) => number, subResourceId?: string): SampleBatch => {
    const values = new Array<number>(timestamps.length);
    for (let i = 0; i < timestamps.length; i++) values[i] = f(i, Math.sin(((i % 288) / 288) * 2 * Math.PI));
    return { provider: 'aws', resourceId, subResourceId, metric, timestamps, values };
  };
  yield series('cpu_utilization', (_i, day) => clamp(cpuBase * (1 + 0.5 * day) + rnd() * cpuBase * 0.3, 0, 100));
  yield series('memory_utilization', () => clamp(memBase + rnd() * 5, 0, 100));
  yield series('network_in', (_i, day) => netBase * (1 + 0.4 * day) * (0.8 + rnd() * 0.4));
  yield series('network_out', (_i, day) => netBase * 0.6 * (1 + 0.4 * day) * (0.8 + rnd() * 0.4));
  if (n % 10 === 0) {
    const gpu = `GPU-bench-${String(n).padStart(6, '0')}`;
    const g = rnd();
    const total = 80 * 1024 ** 3;
    yield series(
      'gpu_utilization',
      (i) => (g < 0.25 ? rnd() * 2 : g < 0.5 ? rnd() * 3 : g < 0.75 ? (i % 288 < 24 ? 90 + rnd() * 10 : rnd() * 2) : 60 + rnd() * 40),
      gpu,
    );
    yield series('gpu_memory_used', () => (g < 0.25 ? 0 : g < 0.5 ? total * 0.45 : total * (0.2 + rnd() * 0.6)), gpu);
  }
}

function* fleet(from: number, to: number, timestamps: number[]): Generator<SampleBatch> {
  for (let n = from; n < to; n++) yield* resourceBatches(n, timestamps);
}

async function sql<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text)).rows;
  } finally {
    await c.end();
  }
}

/** Flushes dirty pages so that neither load pays for writing out the other's data. */
async function checkpoint(url: string): Promise<void> {
  try {
    await sql(url, 'CHECKPOINT');
  } catch (error) {
    console.error(`note: CHECKPOINT not allowed (${(error as Error).message}); figures include background writes`);
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const secs = (ms: number) => Number((ms / 1000).toFixed(2));

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { resources: { type: 'string' }, chunk: { type: 'string' }, keep: { type: 'boolean' } } });
  const parsed = ArgsSchema.safeParse(values);
  if (!parsed.success) {
    console.error(`${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n')}
usage: npm run bench:recommend -- [--resources N] [--chunk K] [--keep]`);
    return 2;
  }
  const { resources, chunk, keep } = parsed.data;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'burnrate-bench-rec-'));
  let stopDb = async () => {};
  try {
    let url = process.env.DATABASE_URL;
    let database = 'DATABASE_URL';
    if (!url) {
      await chmod(dir, 0o755);
      const db = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), persistent: false });
      stopDb = db.stop;
      url = db.url;
      database = 'embedded PostgreSQL (temporary)';
    }
    process.env.DATABASE_URL = url;
    await migrate(url);
    const version = (await sql<{ v: string }>(url, "SELECT current_setting('server_version') AS v"))[0]?.v ?? '?';

    // 14 days of 5-minute points ending at the last whole hour: one grid shared by every series.
    const end = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const start = end - DAYS * 86_400_000;
    const timestamps = Array.from({ length: (end - start) / STEP_MS }, (_, i) => start + i * STEP_MS);
    const gpus = Math.floor((resources + 9) / 10);
    const samples = (resources * 4 + gpus * 2) * timestamps.length;
    console.error(
      `${fmt(resources)} resources (${fmt(gpus)} with a GPU), ${fmt(samples)} samples, ${chunk} resources a transaction; importing…`,
    );

    await checkpoint(url);
    const importStarted = performance.now();
    let imported = 0;
    let hours = 0;
    for (let from = 0; from < resources; from += chunk) {
      const s = await withTransaction((c) =>
        importSamples(c, fleet(from, Math.min(resources, from + chunk), timestamps), { label: `bench resources ${from}…` }),
      );
      imported += s.samples;
      hours += s.hours;
      if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${fmt(imported)} samples`);
    }
    const importMs = performance.now() - importStarted;
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
    console.error(`imported in ${secs(importMs)} s; plain COPY…`);

    await checkpoint(url);
    const copyMs = await (async () => {
      const client = await getPool().connect();
      try {
        await client.query('DROP TABLE IF EXISTS bench_plain');
        await client.query(
          'CREATE TABLE bench_plain (series_id integer NOT NULL, ts timestamptz NOT NULL, value double precision NOT NULL)',
        );
        const started = performance.now();
        let local = 0;
        for (let from = 0; from < resources; from += chunk) {
          const batches = fleet(from, Math.min(resources, from + chunk), timestamps);
          let header = true;
          let ended = false;
          await client.query('BEGIN');
          await copyChunks({
            client,
            sql: `COPY bench_plain (series_id, ts, value) FROM STDIN${SAMPLE_COPY_FORMAT}`,
            file: 'bench_plain',
            fileLine: () => undefined,
            next: async () => {
              if (ended) return null;
              const step = batches.next();
              if (step.done) {
                ended = true;
                return BINARY_TRAILER;
              }
              const data = encodeSamples(local++, step.value, 'bench', header);
              header = false;
              return data;
            },
          });
          await client.query('COMMIT');
        }
        return performance.now() - started;
      } finally {
        client.release();
      }
    })();
    const plainRows = Number((await sql<{ n: string }>(url, 'SELECT count(*) AS n FROM bench_plain'))[0]?.n);

    // The statistics every rule reads: p95/p99 and mean of each series over the 14-day window.
    const statsStarted = performance.now();
    const stats = await windowStats(getPool(), {
      metrics: ['cpu_utilization', 'memory_utilization', 'network_in', 'network_out', 'gpu_utilization', 'gpu_memory_used'],
      start: new Date(start),
      end: new Date(end),
      quantiles: [0.95, 0.99],
    });
    const statsMs = performance.now() - statsStarted;

    // What an inventory sync would have said about the fleet: types, state, region (the rules
    // read them to propose smaller types from the catalog).
    await getPool().query(
      `UPDATE resources SET state = 'running', region_id = 'us-east-1', account_id = '123456789012',
              resource_type = CASE WHEN kind = 'gpu' THEN 'NVIDIA A10G'
                                   WHEN substr(resource_id, 8)::int % 10 = 0 THEN 'g5.2xlarge' ELSE 'm5.2xlarge' END
        WHERE resource_id LIKE 'i-bench%'`,
    );
    const recommendStarted = performance.now();
    const recompute = await recomputeRecommendations(getPool(), { now: new Date(end) });
    const recommendMs = performance.now() - recommendStarted;
    const recommendations = recompute.created + recompute.updated + recompute.reopened;
    const slowest = [...recompute.rules].sort((a, b) => b.ms - a.ms).slice(0, 3);

    const importRate = imported / (importMs / 1000);
    const copyRate = plainRows / (copyMs / 1000);
    const ratio = importRate / copyRate;
    const rssMb = (process.resourceUsage().maxRSS * 1024) / (1024 * 1024);
    console.log(
      [
        `recommend benchmark: ${fmt(resources)} resources, ${fmt(imported)} samples, PostgreSQL ${version} (${database}), ${os.cpus().length} CPUs, Node ${process.version}`,
        `  import (importSamples)      ${secs(importMs).toFixed(2).padStart(8)} s  ${fmt(importRate).padStart(10)} samples/s  (${fmt(hours)} hourly rows)`,
        `  plain COPY (same samples)   ${secs(copyMs).toFixed(2).padStart(8)} s  ${fmt(copyRate).padStart(10)} samples/s`,
        `  ratio import / COPY         ${ratio.toFixed(2).padStart(8)}      (target ≥ ${TARGET_RATIO} at ${fmt(TARGET_RESOURCES)} resources)`,
        `  window statistics           ${secs(statsMs).toFixed(2).padStart(8)} s  (${fmt(stats.length)} series)`,
        `  recommendations             ${secs(recommendMs).toFixed(2).padStart(8)} s  (${fmt(recommendations)} found; target < ${TARGET_RECOMMEND_S} s; slowest rules: ${slowest.map((r) => `${r.id} ${secs(r.ms)} s`).join(', ')})`,
        `  peak RSS (this process)     ${rssMb.toFixed(0).padStart(8)} MB     (target < ${TARGET_RSS_MB} MB)`,
      ].join('\n'),
    );
    console.log(
      JSON.stringify({
        resources,
        gpuResources: gpus,
        samples: imported,
        chunk,
        importSeconds: secs(importMs),
        importSamplesPerSecond: Math.round(importRate),
        hourlyRows: hours,
        copySeconds: secs(copyMs),
        copySamplesPerSecond: Math.round(copyRate),
        ratio: Number(ratio.toFixed(3)),
        statsSeconds: secs(statsMs),
        statsSeries: stats.length,
        recommendSeconds: secs(recommendMs),
        recommendations,
        ruleSeconds: Object.fromEntries(recompute.rules.map((r) => [r.id, secs(r.ms)])),
        ruleErrors: recompute.rules.filter((r) => r.error).map((r) => `${r.id}: ${r.error}`),
        peakRssMb: Number(rssMb.toFixed(1)),
        targets: { ratio: TARGET_RATIO, recommendSeconds: TARGET_RECOMMEND_S, peakRssMb: TARGET_RSS_MB, atResources: TARGET_RESOURCES },
        postgres: version,
        database,
        cpus: os.cpus().length,
        node: process.version,
      }),
    );
    if (!keep) await sql(url, 'DROP TABLE IF EXISTS bench_plain');
    return 0;
  } finally {
    await closePool();
    await stopDb().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`error: ${(error as Error).stack ?? (error as Error).message}`);
    process.exit(1);
  },
);
