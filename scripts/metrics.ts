// npm run metrics -- import [--format auto|nvidia-smi|dcgm|csv] [--resource-id ID] [--metric NAME] [--provider P] [--json] FILE...
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { resolveDatabase } from '../lib/db/connect';
import { closePool } from '../lib/db/pool';
import { importMetricFile, type MetricImportSummary } from '../lib/metrics/files/import';
import { METRIC_FILE_FORMATS } from '../lib/metrics/files/types';
import { METRIC_NAMES, METRICS } from '../lib/metrics/names';
import { count, progressBar } from './cli-output';

const ArgsSchema = z.object({
  command: z.literal('import', { error: 'the only command is import' }),
  format: z.enum(['auto', ...METRIC_FILE_FORMATS]).default('auto'),
  resourceId: z.string().trim().min(1).max(2048).optional(),
  metric: z.enum(METRIC_NAMES).optional(),
  provider: z.enum(['aws', 'azure', 'gcp', 'other']).default('other'),
  json: z.boolean().default(false),
  paths: z.array(z.string().min(1)).min(1, 'give at least one file to import'),
});

const USAGE = `usage: npm run metrics -- import [--format auto|${METRIC_FILE_FORMATS.join('|')}] [--resource-id ID] [--metric ${METRIC_NAMES.join('|')}] [--provider aws|azure|gcp|other] [--json] FILE...`;

async function main(): Promise<number> {
  let parsed: z.infer<typeof ArgsSchema>;
  try {
    const { values, positionals } = parseArgs({
      allowPositionals: true,
      options: {
        format: { type: 'string' },
        'resource-id': { type: 'string' },
        metric: { type: 'string' },
        provider: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const [command, ...paths] = positionals;
    const { 'resource-id': resourceId, ...rest } = values;
    const result = ArgsSchema.safeParse({ ...rest, resourceId, command, paths });
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
  const summaries: MetricImportSummary[] = [];
  const failures: { file: string; error: string }[] = [];
  try {
    for (const file of parsed.paths) {
      const bar = progressBar(file, !parsed.json && process.stderr.isTTY === true);
      try {
        const summary = await importMetricFile({
          file,
          format: parsed.format,
          provider: parsed.provider,
          resourceId: parsed.resourceId,
          metric: parsed.metric,
          onProgress: (p) => bar.update({ bytesRead: p.bytesRead, totalBytes: p.totalBytes, done: p.samples, unit: 'samples' }),
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

function printSummary(s: MetricImportSummary): void {
  const secs = s.durationMs / 1000;
  const lines = [
    `${s.file}: ${s.format} → ${s.resources.join(', ')}${s.gpus.length ? ` (${count(s.gpus.length, 'GPU')})` : ''}`,
    `  ${count(s.samples, 'sample')} in ${s.series.toLocaleString('en-US')} series in ${secs.toFixed(1)} s (${Math.round(s.samples / Math.max(secs, 0.001)).toLocaleString('en-US')} samples/s), ${count(s.hours, 'hour')} aggregated`,
    `  ${s.start} to ${s.end}`,
    `  metrics: ${s.metrics.map((m) => `${m} (${METRICS[m].unit})`).join(', ')}`,
  ];
  if (s.notAvailable) lines.push(`  ${count(s.notAvailable, 'cell')} marked not available ([N/A]) left out`);
  console.error(lines.join('\n'));
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`error: ${(error as Error).message}`);
    process.exit(1);
  },
);
