// npm run ingest -- [--format auto|focus|aws-cur|azure|gcp] [--source NAME] [--dataset actual|amortized] [--json] PATH...
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { requestRecommendationsRefresh } from '../jobs/client';
import { resolveDatabase } from '../lib/db/connect';
import { closePool } from '../lib/db/pool';
import { type IngestProgress, type IngestSummary, ingestFile } from '../lib/ingest/pipeline';
import { FORMAT_IDS } from '../lib/ingest/types';
import { count, progressBar } from './cli-output';

const ArgsSchema = z.object({
  format: z.enum(['auto', ...FORMAT_IDS]).default('auto'),
  source: z.string().trim().min(1).max(200).optional(),
  dataset: z.enum(['actual', 'amortized']).optional(),
  json: z.boolean().default(false),
  paths: z.array(z.string().min(1)).min(1, 'give at least one file to ingest'),
});

const USAGE = `usage: npm run ingest -- [--format auto|${FORMAT_IDS.join('|')}] [--source NAME] [--dataset actual|amortized] [--json] PATH...`;

async function main(): Promise<number> {
  let parsed: z.infer<typeof ArgsSchema>;
  try {
    const { values, positionals } = parseArgs({
      allowPositionals: true,
      options: {
        format: { type: 'string' },
        source: { type: 'string' },
        dataset: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const result = ArgsSchema.safeParse({ ...values, paths: positionals });
    if (!result.success) {
      console.error(`${result.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('\n')}\n${USAGE}`);
      return 2;
    }
    parsed = result.data;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }

  const log = parsed.json ? () => {} : (line: string) => console.error(line);
  const db = await resolveDatabase(log);
  process.env.DATABASE_URL = db.url;
  const summaries: IngestSummary[] = [];
  const failures: { file: string; error: string }[] = [];
  try {
    for (const file of parsed.paths) {
      const bar = progressBar(file, !parsed.json && process.stderr.isTTY === true);
      const onProgress = (p: IngestProgress) =>
        bar.update({
          bytesRead: p.bytesRead,
          totalBytes: p.totalBytes,
          done: p.rows,
          unit: 'rows',
          phase: p.phase === 'replacing' ? 'replacing billing periods…' : undefined,
        });
      try {
        const summary = await ingestFile({
          file,
          format: parsed.format,
          sourceName: parsed.source,
          dataset: parsed.dataset,
          onProgress,
        });
        bar.done();
        summaries.push(summary);
        if (!parsed.json) printSummary(summary);
      } catch (error) {
        bar.done();
        failures.push({ file, error: (error as Error).message });
        if (!parsed.json) console.error(`error: ${(error as Error).message}\n  nothing from ${file} was stored.`);
      }
    }
    // New bills: the worker recomputes the recommendations on them (resources from the bills, every rule).
    if (summaries.length) {
      try {
        await requestRecommendationsRefresh('billing');
        log('recommendations: a refresh is queued for the worker');
      } catch (error) {
        // The bills are stored either way; the nightly refresh or `npm run recommend` catches up.
        console.error(`warning: could not queue a recommendations refresh: ${(error as Error).message}`);
      }
    }
  } finally {
    await closePool();
    await db.stop();
  }
  if (parsed.json) {
    const peakRssBytes = process.resourceUsage().maxRSS * 1024;
    console.log(JSON.stringify({ ok: failures.length === 0, files: summaries, failures, peakRssBytes }, null, 2));
  }
  return failures.length ? 1 : 0;
}

function printSummary(s: IngestSummary): void {
  const secs = s.durationMs / 1000;
  if (s.datasetTotals) {
    const periods = s.billingPeriods.map((p) => p.slice(0, 7)).join(', ');
    const lines = [
      `${s.file}: FOCUS ${s.dataset} → source "${s.sourceName}"`,
      `  ${count(s.rows, 'row')} in ${secs.toFixed(1)} s${periods ? `, billing periods: ${periods}` : ''}${s.replacedRows ? ` (replaced ${count(s.replacedRows, 'earlier row')})` : ''}`,
      ...s.datasetTotals.map((t) => `  ${t.column} ${t.currency}: ${t.sum}, ${count(t.rows, 'row')}`),
    ];
    console.error(lines.join('\n'));
    return;
  }
  const lines = [
    `${s.file}: ${s.format}${s.dataset ? ` (${s.dataset} cost)` : ''} → source "${s.sourceName}"`,
    `  ${count(s.rows, 'row')} in ${secs.toFixed(1)} s (${Math.round(s.rows / Math.max(secs, 0.001)).toLocaleString('en-US')} rows/s), ${count(s.days, 'day')}`,
    `  time: read+COPY ${s.phases.copyMs} ms, totals ${s.phases.totalsMs} ms, replace ${s.phases.replaceMs} ms, daily rollup ${s.phases.rollupMs} ms`,
    `  billing periods: ${s.billingPeriods.map((p) => p.slice(0, 7)).join(', ') || 'none'}${s.replacedRows ? ` (replaced ${count(s.replacedRows, 'earlier row')})` : ''}`,
  ];
  for (const t of s.totals) {
    const eff = t.effectiveCost === null ? 'n/a' : t.effectiveCost;
    const missing = t.effectiveCostMissing ? ` (${count(t.effectiveCostMissing, 'row')} without effective cost)` : '';
    lines.push(`  ${t.currency}: billed ${t.billedCost}, effective ${eff}${missing}, ${count(t.rows, 'row')}`);
  }
  console.error(lines.join('\n'));
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`error: ${(error as Error).message}`);
    process.exit(1);
  },
);
