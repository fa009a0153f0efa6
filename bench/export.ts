// npm run bench:export -- --rows N [--keep]
//
// How much memory and time does a large XLSX export take? Generates N rows of a spend table (day,
// provider, account, service, region, team tag, usage, billed and effective cost, currency: three
// currencies, tag values with realistic cardinality and a few formula-like ones) as an async
// iterable, as a query's cursor would hand them over, and streams them through lib/exports/xlsx.ts
// into a file. Prints the time, the file size, the rows per second and this process's peak RSS
// (the bound: 300 MB for 1,000,000 rows); the last line is JSON. Figures only, no
// assertions (STYLE.md).
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { ExportRow, ExportTable } from '../lib/exports/table';
import { writeXlsx } from '../lib/exports/xlsx';

const TARGET_RSS_MB = 300;

const ArgsSchema = z.object({
  rows: z.coerce.number().int().min(1).max(20_000_000).default(1_000_000),
  keep: z.boolean().default(false),
});

const PROVIDERS = ['AWS', 'Microsoft', 'Google Cloud'];
const CURRENCIES = ['USD', 'EUR', 'JPY'];
const SERVICES = [
  'Amazon Elastic Compute Cloud',
  'Amazon Simple Storage Service',
  'Virtual Machines',
  'Compute Engine',
  'BigQuery',
  'Amazon RDS',
];
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-northeast-2', 'westeurope', 'europe-west4', 'us-central1'];
const TEAMS = ['ml', 'payments', 'search', 'platform', 'data', '', '=HYPERLINK("x")', 'growth'];

async function* generate(n: number): AsyncIterable<ExportRow> {
  for (let i = 0; i < n; i++) {
    const p = i % 3;
    const cents = (i * 7919) % 1_000_000;
    yield {
      day: `2026-11-${String((i % 30) + 1).padStart(2, '0')}`,
      provider: PROVIDERS[p] as string,
      account: `acct-${(i * 31) % 500}`,
      service: SERVICES[i % SERVICES.length] as string,
      region: REGIONS[(i >> 3) % REGIONS.length] as string,
      team: TEAMS[(i >> 2) % TEAMS.length] || null,
      usage: String((i % 1000) / 4),
      billed: `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`,
      effective: i % 17 === 0 ? null : `${Math.floor(cents / 120)}.${String(cents % 100).padStart(2, '0')}`,
      currency: CURRENCIES[p] as string,
    };
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: 'string' }, keep: { type: 'boolean' } } });
  const args = ArgsSchema.parse(values);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'burnrate-bench-export-'));
  const file = path.join(dir, 'export.xlsx');
  const table: ExportTable = {
    title: `Bench: ${args.rows} rows`,
    dateRange: { from: '2026-11-01', to: '2026-11-30' },
    filters: [{ label: 'Provider', value: 'all' }],
    notes: [],
    generatedAt: new Date(),
    columns: [
      { key: 'day', label: 'Day', kind: 'date' },
      { key: 'provider', label: 'Provider', kind: 'text' },
      { key: 'account', label: 'Billing account', kind: 'text' },
      { key: 'service', label: 'Service', kind: 'text' },
      { key: 'region', label: 'Region', kind: 'text' },
      { key: 'team', label: 'Tag team', kind: 'text' },
      { key: 'usage', label: 'Usage', kind: 'quantity' },
      { key: 'billed', label: 'Billed cost', kind: 'money' },
      { key: 'effective', label: 'Effective cost', kind: 'money' },
      { key: 'currency', label: 'Currency', kind: 'text' },
    ],
    rows: generate(args.rows),
  };
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const result = await writeXlsx(table, createWriteStream(file));
  const seconds = (performance.now() - started) / 1000;
  const bytes = (await stat(file)).size;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(`rows            ${result.rows}`);
  console.log(`time            ${seconds.toFixed(1)} s (${Math.round(result.rows / seconds)} rows/s)`);
  console.log(`file            ${(bytes / 1024 / 1024).toFixed(1)} MiB`);
  console.log(`RSS at start    ${(rssBefore / 1024 / 1024).toFixed(0)} MB`);
  console.log(`peak RSS        ${peakRssMb.toFixed(0)} MB (target under ${TARGET_RSS_MB} MB)`);
  for (const t of result.totals) console.log(`total ${t.column} ${t.currency} ${t.amount}`);
  console.log(
    JSON.stringify({
      rows: result.rows,
      seconds: Number(seconds.toFixed(2)),
      bytes,
      peakRssMb: Math.round(peakRssMb),
      targetRssMb: TARGET_RSS_MB,
    }),
  );
  if (args.keep) console.log(`kept ${file}`);
  else await rm(dir, { recursive: true, force: true });
}

void main();
