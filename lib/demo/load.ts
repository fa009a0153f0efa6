import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadCatalog } from '../catalog/load';
import { getPool, withTransaction } from '../db/pool';
import { ensurePartitions, type IngestSummary, ingestFile } from '../ingest/pipeline';
import { recomputeRecommendations } from '../recommendations/engine';
import { type DemoFileSummary, type DemoOptions, demoDateRange, writeDemoFiles } from './generate';
import { type DemoInventorySummary, loadDemoInventory } from './inventory';

export interface DemoLoadOptions extends DemoOptions {
  log?: (line: string) => void;
}

export interface DemoLoadResult {
  files: { generated: DemoFileSummary; ingested: IngestSummary }[];
  rows: number;
  generateMs: number;
  ingestMs: number;
  inventory: DemoInventorySummary;
  /** Open recommendations after the first computation. */
  recommendations: number;
}

const isoDate = (d: Date | string) => (typeof d === 'string' ? d : d.toISOString().slice(0, 10));
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** True when nothing was ever loaded: no line items and no billing sources. */
export async function isDatabaseEmpty(): Promise<boolean> {
  const { rows } = await getPool().query<{ empty: boolean }>(
    'SELECT NOT EXISTS (SELECT 1 FROM cost_line_items) AND NOT EXISTS (SELECT 1 FROM billing_sources) AS empty',
  );
  return rows[0]?.empty === true;
}

/**
 * The demo load `npm start` should do: into an empty database (default options), again after an
 * interrupted one (with its end date and size, so it replaces exactly what it had loaded), or none.
 */
export async function pendingDemoLoad(): Promise<(DemoOptions & { resumed: boolean }) | null> {
  const { rows } = await getPool().query<{ end_date: string; rows_target: number | null; completed: boolean }>(
    'SELECT end_date, rows_target, completed_at IS NOT NULL AS completed FROM demo_load',
  );
  const last = rows[0];
  if (last) return last.completed ? null : { endDate: last.end_date, rowsTarget: last.rows_target ?? undefined, resumed: true };
  return (await isDatabaseEmpty()) ? { resumed: false } : null;
}

/**
 * Generates the demo dataset (three FOCUS CSV files, 13 months ending yesterday) in a temporary
 * directory and ingests each file through the normal pipeline as sources demo-aws, demo-azure and
 * demo-gcp. Loading again replaces the same billing periods, so it never double counts.
 */
export async function loadDemoData(options: DemoLoadOptions = {}): Promise<DemoLoadResult> {
  const log = options.log ?? (() => {});
  const dir = await mkdtemp(path.join(os.tmpdir(), 'burnrate-demo-'));
  // Ctrl-C ends the process without unwinding this function: the files (~200 MB) must not stay.
  const removeOnExit = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeOnExit);
  try {
    const range = demoDateRange(options.endDate);
    // Recorded before the first file and completed after the last: an interrupted load is redone.
    const endDate = options.endDate === undefined ? new Date().toISOString().slice(0, 10) : isoDate(options.endDate);
    await getPool().query(
      `INSERT INTO demo_load (end_date, rows_target) VALUES ($1, $2)
       ON CONFLICT (id) DO UPDATE SET end_date = $1, rows_target = $2, started_at = now(), completed_at = NULL`,
      [endDate, options.rowsTarget ?? null],
    );
    log(`generating demo billing data ${range.from} … ${range.to}`);
    let started = Date.now();
    const generated = await writeDemoFiles(dir, options);
    const generateMs = Date.now() - started;
    const rows = generated.reduce((n, g) => n + g.rows, 0);
    const mb = generated.reduce((n, g) => n + g.bytes, 0) / 1e6;
    log(`generated ${rows.toLocaleString('en-US')} rows (${mb.toFixed(0)} MB) in ${(generateMs / 1000).toFixed(1)} s`);

    // The files span 13 months; creating the month partitions first lets COPY route rows
    // straight to them instead of the default partition (whose rows would be moved afterwards).
    await ensurePartitions(getPool(), range.months);

    started = Date.now();
    const ingestOne = async (g: (typeof generated)[number]) => {
      let nextReport = 0.25;
      const fileStarted = Date.now();
      const ingested = await ingestFile({
        file: g.file,
        format: 'focus',
        sourceName: g.sourceName,
        onProgress: (p) => {
          if (p.phase !== 'reading' || !p.totalBytes || p.bytesRead / p.totalBytes < nextReport) return;
          log(`  ${g.sourceName}: ${Math.round((p.bytesRead / p.totalBytes) * 100)}% (${p.rows.toLocaleString('en-US')} rows)`);
          while (nextReport <= p.bytesRead / p.totalBytes) nextReport += 0.25;
        },
      });
      const totals = ingested.totals.map((t) => `${t.currency} ${t.billedCost}`).join(', ');
      const ph = ingested.phases;
      const phases = `copy ${secs(ph.copyMs)}, totals ${secs(ph.totalsMs)}, replace ${secs(ph.replaceMs)}, rollup ${secs(ph.rollupMs)}`;
      log(
        `loaded ${g.sourceName}: ${ingested.rows.toLocaleString('en-US')} rows in ${secs(Date.now() - fileStarted)} (${phases}); billed ${totals}`,
      );
      return { generated: g, ingested };
    };
    // One file after the other: on two cores, concurrent ingests measured no faster and used more memory.
    const files: DemoLoadResult['files'] = [];
    for (const g of generated) files.push(await ingestOne(g));
    const ingestMs = Date.now() - started;

    // The second data path: inventory and metrics of what the bills charge, then the recommendations.
    started = Date.now();
    const metricsEnd = new Date(`${endDate}T00:00:00Z`);
    log('loading the demo inventory and 14 days of utilization metrics');
    const catalog = await loadCatalog(getPool());
    let nextSamples = 500_000;
    const inventory = await withTransaction((client) =>
      loadDemoInventory(client, {
        end: metricsEnd,
        catalog,
        onProgress: (samples) => {
          if (samples < nextSamples) return;
          log(`  metrics: ${samples.toLocaleString('en-US')} samples`);
          nextSamples += 500_000;
        },
      }),
    );
    log(
      `loaded ${inventory.resources} resources (${inventory.gpus} GPUs) and ${inventory.samples.toLocaleString('en-US')} samples in ${secs(Date.now() - started)}`,
    );
    const recomputed = await recomputeRecommendations(getPool(), { now: metricsEnd, catalog });
    const { rows: open } = await getPool().query<{ n: number }>("SELECT count(*)::int AS n FROM recommendations WHERE status = 'open'");
    log(`computed recommendations in ${secs(recomputed.durationMs)}: ${open[0]?.n ?? 0} open`);
    await getPool().query('UPDATE demo_load SET completed_at = now()');
    return { files, rows, generateMs, ingestMs, inventory, recommendations: open[0]?.n ?? 0 };
  } finally {
    process.off('exit', removeOnExit);
    await rm(dir, { recursive: true, force: true });
  }
}
