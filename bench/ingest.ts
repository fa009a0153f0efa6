// npm run bench:ingest -- [--rows N] [--keep]
//
// How close does the ingester (parse, map to FOCUS, validate, COPY, swap the billing period,
// refresh the daily rollup) come to PostgreSQL's own COPY of the same file? Generates N FOCUS
// rows (one monthly billing period, three providers) as CSV, ingests them through the real CLI
// (`scripts/ingest.ts --json`, a child process, so its peak RSS is its own), then COPYs the same
// file into a plain table with the same columns and types, and prints both. Prints figures only;
// it asserts nothing (see STYLE.md).
import { createReadStream } from 'node:fs';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { z } from 'zod';
import { startEmbeddedPostgres } from '../lib/db/embedded';
import { migrate } from '../lib/db/migrate';
import { DEMO_HEADER, withCsvFile, writeBenchCsv } from '../lib/demo/generate';
import { FOCUS_COLUMNS } from '../lib/focus/columns';
import { runIngest } from '../scripts/ingest-command';

const TARGET_RATIO = 0.6;
const TARGET_RATIO_ROWS = 2_000_000;
const TARGET_RSS_MB = 400;
const SOURCE = 'bench';

const ArgsSchema = z.object({
  rows: z.coerce.number().int().min(1).max(50_000_000).default(200_000),
  keep: z.boolean().default(false),
});

const CliOutputSchema = z.object({
  ok: z.boolean(),
  files: z.array(
    z.object({
      rows: z.number(),
      durationMs: z.number(),
      phases: z.record(z.string(), z.number()).optional(),
    }),
  ),
  failures: z.array(z.object({ file: z.string(), error: z.string() })),
  peakRssBytes: z.number(),
});

/** The plain table: one column per CSV column, typed as the CSV's values are. */
function plainTableSql(): string {
  const kinds = new Map<string, string>(FOCUS_COLUMNS.map((c) => [c.focus, c.kind]));
  const columns = DEMO_HEADER.map((h) => {
    const kind = kinds.get(h);
    const type = h === 'Tags' ? 'jsonb' : kind === 'numeric' ? 'numeric' : kind === 'timestamp' ? 'timestamptz' : 'text';
    return `${pg.escapeIdentifier(h.toLowerCase())} ${type}`;
  });
  return `CREATE TABLE bench_plain (${columns.join(', ')})`;
}

async function runCli(file: string, databaseUrl: string): Promise<{ stdout: string; stderr: string; code: number; ms: number }> {
  const started = performance.now();
  const result = await runIngest(['--json', '--source', SOURCE, file], { DATABASE_URL: databaseUrl });
  return { ...result, ms: performance.now() - started };
}

async function plainCopy(databaseUrl: string, file: string): Promise<{ rows: number; ms: number }> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'burnrate-bench' });
  await client.connect();
  try {
    await client.query('DROP TABLE IF EXISTS bench_plain');
    await client.query(plainTableSql());
    const started = performance.now();
    const copy = client.query(copyFrom('COPY bench_plain FROM STDIN (FORMAT csv, HEADER true)'));
    await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), copy);
    const ms = performance.now() - started;
    return { rows: Number(copy.rowCount ?? 0), ms };
  } finally {
    await client.end();
  }
}

async function cleanUp(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('DROP TABLE IF EXISTS bench_plain');
    const { rows } = await client.query<{ id: number }>('SELECT id FROM billing_sources WHERE name = $1', [SOURCE]);
    for (const { id } of rows) {
      await client.query('DELETE FROM cost_line_items WHERE source_id = $1', [id]);
      await client.query('DELETE FROM billing_sources WHERE id = $1', [id]); // cascades to runs and the rollup
    }
  } finally {
    await client.end();
  }
}

/**
 * Flushes dirty pages so that neither load pays for writing out the other's data (the plain COPY
 * runs right after the ingest). Needs superuser or pg_checkpoint; skipped when not allowed.
 */
async function checkpoint(databaseUrl: string): Promise<void> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    await c.query('CHECKPOINT');
  } catch (error) {
    console.error(`note: CHECKPOINT not allowed (${(error as Error).message}); figures include background writes`);
  } finally {
    await c.end();
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { rows: { type: 'string' }, keep: { type: 'boolean' } } });
  const parsed = ArgsSchema.safeParse(values);
  if (!parsed.success) {
    console.error(`${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n')}
usage: npm run bench:ingest -- [--rows N] [--keep]`);
    return 2;
  }
  const { rows, keep } = parsed.data;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'burnrate-bench-'));
  let stopDb = async () => {};
  try {
    let databaseUrl = process.env.DATABASE_URL;
    let database = 'DATABASE_URL';
    if (!databaseUrl) {
      const dataDir = path.join(dir, 'pg');
      // initdb runs as the unprivileged `postgres` user when we are root: it must reach the directory.
      await chmod(dir, 0o755);
      const db = await startEmbeddedPostgres({ dataDir, persistent: false });
      stopDb = db.stop;
      databaseUrl = db.url;
      database = 'embedded PostgreSQL (temporary)';
    }
    await migrate(databaseUrl);
    const version = await (async () => {
      const c = new pg.Client({ connectionString: databaseUrl });
      await c.connect();
      try {
        return (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? '?';
      } finally {
        await c.end();
      }
    })();

    const file = path.join(dir, `bench-${rows}.csv`);
    const started = performance.now();
    await withCsvFile(file, (out) => writeBenchCsv(out, { rows }));
    const generateMs = performance.now() - started;
    const bytes = (await stat(file)).size;
    console.error(`generated ${fmt(rows)} rows (${(bytes / 1e6).toFixed(0)} MB) in ${(generateMs / 1000).toFixed(1)} s; ingesting…`);

    await checkpoint(databaseUrl);
    const cli = await runCli(file, databaseUrl);
    if (cli.code !== 0) {
      console.error(`the ingest CLI failed (exit ${cli.code}):\n${cli.stderr}\n${cli.stdout}`);
      return 1;
    }
    const out = CliOutputSchema.parse(JSON.parse(cli.stdout));
    const ingested = out.files[0];
    if (!out.ok || !ingested || ingested.rows !== rows) {
      console.error(`the ingest CLI did not load ${rows} rows: ${cli.stdout}`);
      return 1;
    }
    console.error('plain COPY…');
    await checkpoint(databaseUrl);
    const copy = await plainCopy(databaseUrl, file);
    if (copy.rows !== rows) console.error(`warning: plain COPY loaded ${copy.rows} rows, expected ${rows}`);

    const ingestS = cli.ms / 1000;
    const copyS = copy.ms / 1000;
    const ingestRate = rows / ingestS;
    const copyRate = rows / copyS;
    const ratio = ingestRate / copyRate;
    const rssMb = out.peakRssBytes / (1024 * 1024);
    const result = {
      rows,
      fileBytes: bytes,
      ingestSeconds: Number(ingestS.toFixed(2)),
      ingestRowsPerSecond: Math.round(ingestRate),
      ingestPipelineSeconds: Number((ingested.durationMs / 1000).toFixed(2)),
      ingestPhasesMs: ingested.phases ?? null,
      copySeconds: Number(copyS.toFixed(2)),
      copyRowsPerSecond: Math.round(copyRate),
      ratio: Number(ratio.toFixed(3)),
      peakRssMb: Number(rssMb.toFixed(1)),
      targets: { ratio: TARGET_RATIO, ratioAtRows: TARGET_RATIO_ROWS, peakRssMb: TARGET_RSS_MB },
      postgres: version,
      database,
      cpus: os.cpus().length,
      node: process.version,
    };
    const phases = ingested.phases
      ? `: ${Object.entries(ingested.phases)
          .map(([k, v]) => `${k.replace(/Ms$/, '')} ${(v / 1000).toFixed(2)}`)
          .join(', ')}`
      : '';
    const ratioTarget = `target ≥ ${TARGET_RATIO} at ${fmt(TARGET_RATIO_ROWS)} rows`;
    console.log(
      [
        `ingest benchmark: ${fmt(rows)} FOCUS rows, ${(bytes / 1e6).toFixed(1)} MB CSV, PostgreSQL ${version} (${database}), ${os.cpus().length} CPUs, Node ${process.version}`,
        `  ingester (CLI, end to end)  ${ingestS.toFixed(2).padStart(8)} s  ${fmt(ingestRate).padStart(10)} rows/s   (pipeline ${(ingested.durationMs / 1000).toFixed(2)} s${phases})`,
        `  plain COPY (same file)      ${copyS.toFixed(2).padStart(8)} s  ${fmt(copyRate).padStart(10)} rows/s`,
        `  ratio ingester / COPY       ${ratio.toFixed(2).padStart(8)}      (${ratioTarget})`,
        `  ingester peak RSS           ${rssMb.toFixed(0).padStart(8)} MB     (target < ${TARGET_RSS_MB} MB)`,
        `  file size                   ${(bytes / 1e6).toFixed(1).padStart(8)} MB`,
      ].join('\n'),
    );
    console.log(JSON.stringify(result));
    if (!keep) await cleanUp(databaseUrl);
    return 0;
  } finally {
    await stopDb().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`error: ${(error as Error).message}`);
    process.exit(1);
  },
);
