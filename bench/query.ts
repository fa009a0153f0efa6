// npm run bench:query -- [--rows N] [--runs R] [--keep-csv]
//
// How fast does the explorer answer from PostgreSQL, and how does that compare with DuckDB (an
// in-memory column store, the usual yardstick for analytical queries) over the same rows? Generates
// N FOCUS line items over one calendar year (three providers, 60 sub-accounts, thousands of
// resources with one to three SKUs each, tags with realistic cardinality: 30 teams, 4 environments,
// 25 cost centres, ~8% untagged, some keys spelled `Team`/`Cost-Center`), ingests them month by
// month through the real pipeline (so the rollups are the ones the ingest keeps), loads the same
// CSV into DuckDB (tags as a MAP with the same key folding), then times a fixed set of explorer
// questions R times each after warm-up runs and prints p50/p95 for both, the ratio, whether the
// two engines agree to the cent, and one JSON line. Prints figures only; it asserts nothing.
import { createWriteStream } from 'node:fs';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { z } from 'zod';
import { startEmbeddedPostgres } from '../lib/db/embedded';
import { migrate } from '../lib/db/migrate';
import { closePool, getPool } from '../lib/db/pool';
import { Random } from '../lib/demo/random';
import { topMovers } from '../lib/explorer/movers';
import { type ExplorerQueryInput, runExplorerQuery } from '../lib/explorer/query';
import { ingestFile } from '../lib/ingest/pipeline';

// The bench times the queries themselves: no answer may come from the per-version cache (lib/cache).
process.env.BURNRATE_ANSWER_CACHE = '0';

const TARGET_P95_MS = 100;
const TARGET_ROWS = 10_000_000;
const YEAR = 2025;

const ArgsSchema = z.object({
  rows: z.coerce.number().int().min(10_000).max(50_000_000).default(1_000_000),
  runs: z.coerce.number().int().min(5).max(1000).default(40),
  keepCsv: z.boolean().default(false),
});

const PROVIDERS = [
  {
    name: 'AWS',
    account: '381492570163',
    regions: [
      'us-east-1',
      'us-west-2',
      'eu-west-1',
      'eu-central-1',
      'ap-northeast-1',
      'ap-northeast-2',
      'ap-southeast-1',
      'sa-east-1',
      'me-central-1',
    ],
    services: [
      ['Amazon Elastic Compute Cloud', 'Compute', 'Hrs'],
      ['Amazon Simple Storage Service', 'Storage', 'GB-Mo'],
      ['Amazon Relational Database Service', 'Databases', 'Hrs'],
      ['AWS Lambda', 'Compute', 'Requests'],
      ['Amazon CloudFront', 'Networking', 'GB'],
      ['Amazon Elastic Kubernetes Service', 'Compute', 'Hrs'],
    ],
  },
  {
    name: 'Microsoft',
    account: 'ea-8842-1170',
    regions: ['eastus', 'westus2', 'westeurope', 'northeurope', 'japaneast', 'koreacentral', 'southafricanorth', 'uaenorth'],
    services: [
      ['Virtual Machines', 'Compute', 'Hours'],
      ['Storage', 'Storage', 'GB/Month'],
      ['Azure SQL Database', 'Databases', 'Hours'],
      ['Azure Kubernetes Service', 'Compute', 'Hours'],
    ],
  },
  {
    name: 'Google Cloud',
    account: '01A2B3-C4D5E6-F7A8B9',
    regions: ['us-central1', 'us-east4', 'europe-west1', 'europe-west4', 'asia-northeast1', 'asia-northeast3', 'australia-southeast1'],
    services: [
      ['Compute Engine', 'Compute', 'hour'],
      ['Cloud Storage', 'Storage', 'gibibyte month'],
      ['BigQuery', 'Analytics', 'tebibyte'],
      ['Cloud SQL', 'Databases', 'hour'],
    ],
  },
] as const;

const TEAMS = Array.from(
  { length: 30 },
  (_, i) =>
    ['ml', 'web', 'data', 'payments', 'search', 'ads', 'platform', 'mobile', 'infra', 'security'][i % 10] +
    (i >= 10 ? `-${Math.floor(i / 10)}` : ''),
);
const ENVS = ['prod', 'staging', 'dev', 'test'];
const COST_CENTRES = Array.from({ length: 25 }, (_, i) => `CC-${1000 + i * 7}`);

const HEADER = [
  'ProviderName',
  'BillingAccountId',
  'SubAccountId',
  'SubAccountName',
  'BillingPeriodStart',
  'BillingPeriodEnd',
  'ChargePeriodStart',
  'ChargePeriodEnd',
  'ChargeCategory',
  'ServiceName',
  'ServiceCategory',
  'RegionId',
  'AvailabilityZone',
  'ResourceId',
  'ResourceName',
  'SkuId',
  'PricingCategory',
  'ConsumedQuantity',
  'ConsumedUnit',
  'BilledCost',
  'EffectiveCost',
  'ListCost',
  'ContractedCost',
  'BillingCurrency',
  'Tags',
];

interface Resource {
  fixed: string[]; // the columns before the charge period, and after it up to the SKU, split around the dates
  skus: { id: string; unit: string; qty: number; price: number }[];
  pricing: string;
  startDay: number;
  endDay: number;
}

function csvField(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

function makeResources(count: number, rng: Random): Resource[] {
  const out: Resource[] = [];
  for (let i = 0; i < count; i++) {
    const p = PROVIDERS[i % 3] as (typeof PROVIDERS)[number];
    const sub = rng.int(0, 19);
    const region = p.regions[rng.int(0, p.regions.length - 1)] as string;
    const [service, category, unit] = p.services[rng.int(0, p.services.length - 1)] as readonly [string, string, string];
    const team = TEAMS[Math.min(TEAMS.length - 1, Math.floor(rng.next() ** 1.6 * TEAMS.length))] as string;
    const tags: Record<string, string> = {};
    if (!rng.chance(0.08)) {
      tags[rng.chance(0.1) ? 'Team' : 'team'] = team;
      tags.env = ENVS[rng.int(0, ENVS.length - 1)] as string;
      tags[rng.chance(0.1) ? 'Cost-Center' : 'cost-center'] = COST_CENTRES[rng.int(0, COST_CENTRES.length - 1)] as string;
    }
    const id = `${p.name.slice(0, 3).toLowerCase()}-res-${i.toString(36).padStart(5, '0')}`;
    const skus = Array.from({ length: rng.int(1, 3) }, (_, k) => ({
      id: `SKU-${(i * 3 + k) % 997}`,
      unit: k === 0 ? unit : 'GB',
      qty: k === 0 ? rng.int(1, 24) : rng.int(1, 500),
      price: Math.round((k === 0 ? 0.01 + rng.next() * 3 : 0.001 + rng.next() * 0.1) * 10_000) / 10_000,
    }));
    const before = [p.name, p.account, `${p.name.slice(0, 3).toLowerCase()}-sub-${sub}`, `${p.name} team account ${sub}`].map(csvField);
    const after = ['Usage', csvField(service), category, region, `${region}${'abc'[rng.int(0, 2)]}`, id, `${team}-${i}`].map(csvField);
    const startDay = rng.chance(0.7) ? 0 : rng.int(0, 300);
    const endDay = rng.chance(0.8) ? 365 : rng.int(startDay + 30, 365);
    out.push({
      fixed: [before.join(','), after.join(','), csvField(Object.keys(tags).length ? JSON.stringify(tags) : '')],
      skus,
      pricing: rng.chance(0.2) ? 'Committed' : 'Standard',
      startDay,
      endDay,
    });
  }
  return out;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Writes one CSV per month; returns their paths. Amounts have at most 6 decimals (exact in DuckDB's DECIMAL(18,6)). */
async function generate(dir: string, rows: number): Promise<{ files: string[]; resources: number }> {
  const rng = new Random(20_251_231);
  const avgSkus = 2;
  const resources = makeResources(Math.max(1000, Math.ceil(rows / (365 * avgSkus * 0.85))), rng);
  const perDay = Math.ceil(rows / 365);
  const files: string[] = [];
  let written = 0;
  let cursor = 0;
  for (let month = 1; month <= 12; month++) {
    const file = path.join(dir, `bench-query-${YEAR}-${pad(month)}.csv`);
    files.push(file);
    const out = createWriteStream(file);
    const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
    await write(`${HEADER.join(',')}\n`);
    const period = `${YEAR}-${pad(month)}-01T00:00:00Z`;
    const next = month === 12 ? `${YEAR + 1}-01-01T00:00:00Z` : `${YEAR}-${pad(month + 1)}-01T00:00:00Z`;
    const days = new Date(Date.UTC(YEAR, month, 0)).getUTCDate();
    let chunk = '';
    for (let d = 1; d <= days; d++) {
      const dayOfYear = Math.round((Date.UTC(YEAR, month - 1, d) - Date.UTC(YEAR, 0, 1)) / 86_400_000);
      const start = `${YEAR}-${pad(month)}-${pad(d)}T00:00:00Z`;
      const end = d === days ? next : `${YEAR}-${pad(month)}-${pad(d + 1)}T00:00:00Z`;
      let today = 0;
      while (today < perDay && written < rows) {
        const r = resources[cursor % resources.length] as Resource;
        cursor++;
        if (dayOfYear < r.startDay || dayOfYear >= r.endDay) continue;
        for (const s of r.skus) {
          if (today >= perDay || written >= rows) break;
          const qty = s.qty + ((cursor + d) % 5);
          const billed = (qty * s.price).toFixed(6);
          const effective = r.pricing === 'Committed' ? ((qty * s.price * 72) / 100).toFixed(6) : billed;
          chunk += `${r.fixed[0]},${period},${next},${start},${end},${r.fixed[1]},${s.id},${r.pricing},${qty},${csvField(s.unit)},${billed},${effective},${billed},${effective},USD,${r.fixed[2]}\n`;
          today++;
          written++;
        }
        if (chunk.length > 1 << 20) {
          await write(chunk);
          chunk = '';
        }
      }
    }
    await write(chunk);
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  }
  return { files, resources: resources.length };
}

interface BenchQuery {
  name: string;
  what: string;
  pg: () => Promise<unknown>;
  duck: string;
  /** The PostgreSQL answer as sorted 'group|unit|amount' lines, to compare with DuckDB's. */
  canonical: (r: unknown) => string[];
}

const NOV = { from: `${YEAR}-11-01`, to: `${YEAR}-11-30` };
const Q3 = { from: `${YEAR}-07-01`, to: `${YEAR}-09-30` };
const FULL_YEAR = { from: `${YEAR}-01-01`, to: `${YEAR}-12-31` };

function explorer(input: ExplorerQueryInput): () => Promise<unknown> {
  return () => runExplorerQuery(getPool(), input);
}

type Explored = Awaited<ReturnType<typeof runExplorerQuery>>;
const seriesLines = (r: unknown) =>
  (r as Explored).series.map((s) => `${s.period}|${s.key}|${s.unit}|${Number(s.amount).toFixed(6)}`).sort();

// DuckDB: the line items table `li` with tags as MAP(VARCHAR, VARCHAR) of normalized keys.
const TEAM = "coalesce(tags['team'], '')";
function queries(): BenchQuery[] {
  return [
    {
      name: 'service-month',
      what: 'effective cost by service, November',
      pg: explorer({ range: NOV, granularity: 'month', groupBy: 'service', metric: 'effective' }),
      duck: `SELECT strftime(date_trunc('month', day), '%Y-%m-%d') AS period, service_name AS grp, billing_currency AS unit, sum(effective_cost) AS amount
               FROM li WHERE day BETWEEN DATE '${NOV.from}' AND DATE '${NOV.to}' GROUP BY ALL`,
      canonical: seriesLines,
    },
    {
      name: 'tag-quarter',
      what: 'effective cost by tag team, Q3, monthly',
      pg: explorer({ range: Q3, granularity: 'month', groupBy: 'tag:team', metric: 'effective' }),
      duck: `SELECT strftime(date_trunc('month', day), '%Y-%m-%d') AS period, ${TEAM} AS grp, billing_currency AS unit, sum(effective_cost) AS amount
               FROM li WHERE day BETWEEN DATE '${Q3.from}' AND DATE '${Q3.to}' GROUP BY ALL`,
      canonical: seriesLines,
    },
    {
      name: 'region-day-year',
      what: 'billed cost by region and day, whole year',
      pg: explorer({ range: FULL_YEAR, granularity: 'day', groupBy: 'region', metric: 'billed' }),
      duck: `SELECT strftime(day, '%Y-%m-%d') AS period, region_id AS grp, billing_currency AS unit, sum(billed_cost) AS amount
               FROM li WHERE day BETWEEN DATE '${FULL_YEAR.from}' AND DATE '${FULL_YEAR.to}' GROUP BY ALL`,
      canonical: seriesLines,
    },
    {
      name: 'resource-tag-filter',
      what: 'effective cost by resource, team ml, November',
      pg: explorer({
        range: NOV,
        granularity: 'total',
        groupBy: 'resource',
        metric: 'effective',
        filters: [{ dimension: 'tag:team', values: ['ml'] }],
      }),
      duck: `SELECT '${NOV.from}' AS period, resource_id AS grp, billing_currency AS unit, sum(effective_cost) AS amount
               FROM li WHERE day BETWEEN DATE '${NOV.from}' AND DATE '${NOV.to}' AND ${TEAM} = 'ml' GROUP BY ALL`,
      canonical: seriesLines,
    },
    {
      name: 'top-movers',
      what: 'services that moved most, November vs October',
      pg: () => topMovers(getPool(), { month: `${YEAR}-11`, dimension: 'service', metric: 'effective', limit: 10 }),
      duck: `WITH m AS (
               SELECT service_name AS grp, billing_currency AS unit,
                      sum(effective_cost) FILTER (WHERE day >= DATE '${YEAR}-11-01') AS cur,
                      sum(effective_cost) FILTER (WHERE day < DATE '${YEAR}-11-01') AS prev
                 FROM li WHERE day BETWEEN DATE '${YEAR}-10-01' AND DATE '${YEAR}-11-30' GROUP BY ALL)
             SELECT grp, unit, coalesce(cur, 0) - coalesce(prev, 0) AS amount FROM m ORDER BY abs(amount) DESC LIMIT 10`,
      canonical: (r) =>
        (r as Awaited<ReturnType<typeof topMovers>>).movers.map((m) => `${m.key}|${m.unit}|${Number(m.change).toFixed(6)}`).sort(),
    },
  ];
}

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

async function time(run: () => Promise<unknown>, runs: number): Promise<{ p50: number; p95: number; last: unknown }> {
  let last: unknown;
  for (let i = 0; i < 3; i++) last = await run(); // warm caches and plans
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    last = await run();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p95: percentile(ms, 95), last };
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { rows: { type: 'string' }, runs: { type: 'string' }, 'keep-csv': { type: 'boolean' } } });
  const parsed = ArgsSchema.safeParse({ rows: values.rows, runs: values.runs, keepCsv: values['keep-csv'] });
  if (!parsed.success) {
    console.error(`${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n')}
usage: npm run bench:query -- [--rows N] [--runs R] [--keep-csv]`);
    return 2;
  }
  const { rows, runs, keepCsv } = parsed.data;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'burnrate-bench-query-'));
  await chmod(dir, 0o755);
  let stopDb = async () => {};
  try {
    let database = 'DATABASE_URL';
    if (!process.env.DATABASE_URL) {
      const db = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), persistent: false });
      stopDb = db.stop;
      process.env.DATABASE_URL = db.url;
      database = 'embedded PostgreSQL (temporary)';
    }
    const url = process.env.DATABASE_URL as string;
    await migrate(url);
    const version = (await getPool().query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? '?';

    let t = performance.now();
    const { files, resources } = await generate(dir, rows);
    let bytes = 0;
    for (const f of files) bytes += (await stat(f)).size;
    console.error(
      `generated ${rows.toLocaleString('en-US')} line items, ${resources.toLocaleString('en-US')} resources, ${(bytes / 1e6).toFixed(0)} MB in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );

    t = performance.now();
    for (const [i, file] of files.entries()) {
      await ingestFile({ file, sourceName: 'bench-query' });
      process.stderr.write(`\ringested ${i + 1}/12 months`);
    }
    const ingestS = (performance.now() - t) / 1000;
    await getPool().query('VACUUM ANALYZE');
    const counts: Record<string, number> = {};
    for (const table of ['cost_line_items', 'cost_daily', 'cost_daily_region', 'cost_monthly', 'cost_monthly_detail']) {
      const { rows: r } = await getPool().query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
      counts[table] = Number(r[0]?.n);
    }
    console.error(`\ringested 12 months in ${ingestS.toFixed(1)} s; rows per table: ${JSON.stringify(counts)}`);

    t = performance.now();
    const duck = await DuckDBInstance.create(':memory:');
    const dc = await duck.connect();
    const list = files.map((f) => `'${f}'`).join(', ');
    await dc.run(`CREATE TABLE li AS
      SELECT CAST(ChargePeriodStart AS DATE) AS day, ProviderName AS provider_name, SubAccountId AS sub_account_id,
             ServiceName AS service_name, ServiceCategory AS service_category, RegionId AS region_id, ResourceId AS resource_id,
             SkuId AS sku_id, BillingCurrency AS billing_currency,
             CAST(BilledCost AS DECIMAL(18, 6)) AS billed_cost, CAST(EffectiveCost AS DECIMAL(18, 6)) AS effective_cost,
             CAST(ConsumedQuantity AS DECIMAL(18, 6)) AS consumed_quantity, ConsumedUnit AS consumed_unit,
             CASE WHEN Tags IS NULL OR Tags = '' THEN MAP()::MAP(VARCHAR, VARCHAR) ELSE
               map_from_entries(list_transform(map_entries(CAST(json(Tags) AS MAP(VARCHAR, VARCHAR))),
                 e -> struct_pack(key := lower(trim(e.key)), value := trim(e.value)))) END AS tags
        FROM read_csv([${list}], header = true, all_varchar = true)`);
    const duckLoadS = (performance.now() - t) / 1000;
    const duckRows = Number((await dc.runAndReadAll('SELECT count(*) AS n FROM li')).getRowObjectsJson()[0]?.n);
    console.error(
      `DuckDB ${(await dc.runAndReadAll('SELECT version() AS v')).getRowObjectsJson()[0]?.v}: loaded ${duckRows.toLocaleString('en-US')} rows in ${duckLoadS.toFixed(1)} s; timing ${runs} runs per query…`,
    );

    const results = [];
    for (const q of queries()) {
      const p = await time(q.pg, runs);
      const d = await time(async () => (await dc.runAndReadAll(q.duck)).getRowObjectsJson(), runs);
      const duckLines = (d.last as Record<string, unknown>[])
        .map((r) =>
          r.period !== undefined
            ? `${r.period}|${r.grp}|${r.unit}|${Number(r.amount).toFixed(6)}`
            : `${r.grp}|${r.unit}|${Number(r.amount).toFixed(6)}`,
        )
        .sort();
      const pgLines = q.canonical(p.last);
      const answeredFrom = (p.last as { answeredFrom?: string }).answeredFrom ?? '?';
      results.push({
        name: q.name,
        what: q.what,
        answeredFrom,
        groups: pgLines.length,
        p50Ms: Number(p.p50.toFixed(2)),
        p95Ms: Number(p.p95.toFixed(2)),
        duckdbP50Ms: Number(d.p50.toFixed(2)),
        duckdbP95Ms: Number(d.p95.toFixed(2)),
        ratioP95: Number((p.p95 / d.p95).toFixed(3)),
        agree: JSON.stringify(pgLines) === JSON.stringify(duckLines),
      });
    }
    const allUnder = results.every((r) => r.p95Ms < TARGET_P95_MS);
    const allFaster = results.every((r) => r.p95Ms <= r.duckdbP95Ms);
    console.log(
      [
        `query benchmark: ${rows.toLocaleString('en-US')} line items (${YEAR}), ${resources.toLocaleString('en-US')} resources, PostgreSQL ${version} (${database}), DuckDB in memory, ${os.cpus().length} CPUs, Node ${process.version}, ${runs} timed runs each`,
        `  ${'query'.padEnd(20)} ${'answered from'.padEnd(20)} ${'groups'.padStart(7)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'DuckDB p50'.padStart(11)} ${'DuckDB p95'.padStart(11)} ${'p95 ratio'.padStart(10)}  agree`,
        ...results.map(
          (r) =>
            `  ${r.name.padEnd(20)} ${r.answeredFrom.padEnd(20)} ${String(r.groups).padStart(7)} ${r.p50Ms.toFixed(1).padStart(8)} ${r.p95Ms.toFixed(1).padStart(8)} ${r.duckdbP50Ms.toFixed(1).padStart(11)} ${r.duckdbP95Ms.toFixed(1).padStart(11)} ${r.ratioP95.toFixed(2).padStart(10)}  ${r.agree ? 'yes' : 'NO'}`,
        ),
        `  target at ${TARGET_ROWS.toLocaleString('en-US')} rows: every p95 < ${TARGET_P95_MS} ms (${allUnder ? 'met' : 'NOT met'}) and not slower than DuckDB (${allFaster ? 'met' : 'NOT met'})`,
        `  rows per table: ${Object.entries(counts)
          .map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`)
          .join(', ')}; ingest ${ingestS.toFixed(1)} s, DuckDB load ${duckLoadS.toFixed(1)} s`,
      ].join('\n'),
    );
    console.log(
      JSON.stringify({
        rows,
        resources,
        runs,
        queries: results,
        tables: counts,
        ingestSeconds: Number(ingestS.toFixed(1)),
        duckdbLoadSeconds: Number(duckLoadS.toFixed(1)),
        targets: { p95Ms: TARGET_P95_MS, atRows: TARGET_ROWS, notSlowerThanDuckdb: true },
        met: { p95: allUnder, duckdb: allFaster },
        postgres: version,
        database,
        cpus: os.cpus().length,
        node: process.version,
      }),
    );
    dc.closeSync();
    return 0;
  } finally {
    await closePool().catch(() => {});
    await stopDb().catch(() => {});
    if (!keepCsv) await rm(dir, { recursive: true, force: true });
    else console.error(`kept ${dir}`);
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`error: ${(error as Error).stack ?? error}`);
    process.exit(1);
  },
);
