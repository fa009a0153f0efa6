import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getPool, withTransaction } from '../../lib/db/pool';
import { ingestFile } from '../../lib/ingest/pipeline';
import type { ResourceRecord, SampleBatch } from '../../lib/inventory/types';
import type { MetricName } from '../../lib/metrics/names';
import { importSamples } from '../../lib/metrics/store';
import type { Evidence, RecommendationKind, RecommendationStatus } from '../../lib/recommendations/types';
import { upsertResources } from '../../lib/resources/store';
import { sql } from './db';

/** A recorded `timestamp,value` series from tests/fixtures/metrics (NAB's CloudWatch downloads, UTC). */
export interface Series {
  t: number[];
  v: number[];
}

export function readSeries(file: string): Series {
  const t: number[] = [];
  const v: number[] = [];
  for (const line of readFileSync(path.join('tests/fixtures/metrics', file), 'utf8').trim().split('\n').slice(1)) {
    const [ts, value] = line.split(',') as [string, string];
    t.push(Date.parse(`${ts.replace(' ', 'T')}Z`));
    v.push(Number(value));
  }
  return { t, v };
}

/** Nearest-rank quantile of the samples in [start, end): the rules' tests' independent oracle. */
export function nearestRank(s: Series, q: number, start: Date, end: Date): number {
  const values = s.v.filter((_, i) => (s.t[i] as number) >= start.getTime() && (s.t[i] as number) < end.getTime()).sort((a, b) => a - b);
  if (values.length === 0) throw new Error('no samples in the window');
  return values[Math.max(1, Math.ceil(q * values.length)) - 1] as number;
}

/** An inventory record through the one resource write path, then its metrics through the one import path. */
export async function seedInstance(
  record: Omit<ResourceRecord, 'provider' | 'kind'> & Partial<Pick<ResourceRecord, 'provider' | 'kind'>>,
  metrics: Partial<Record<MetricName, Series>> = {},
): Promise<string> {
  const full: ResourceRecord = { provider: 'aws', kind: 'instance', ...record };
  const [pk] = await upsertResources(getPool(), [full], { origin: 'inventory' });
  const batches: SampleBatch[] = Object.entries(metrics).map(([metric, s]) => ({
    provider: full.provider,
    resourceId: full.resourceId,
    subResourceId: full.subResourceId,
    metric: metric as MetricName,
    timestamps: s.t,
    values: s.v,
  }));
  if (batches.length) await withTransaction((c) => importSamples(c, batches, { label: `test ${record.resourceId}` }));
  return pk as string;
}

export interface BillLine {
  resourceId: string;
  /** 'YYYY-MM-DD': a one-day charge period. */
  day: string;
  billed: string;
  effective?: string | null;
  currency?: string;
  provider?: string;
  region?: string;
  account?: string;
  extra?: Record<string, string>;
}

/** Writes the lines as a FOCUS CSV and ingests it through the real pipeline under its own source. */
export async function ingestBill(source: string, lines: readonly BillLine[]): Promise<void> {
  const extraCols = [...new Set(lines.flatMap((l) => Object.keys(l.extra ?? {})))];
  const header = [
    'BillingAccountId',
    'ProviderName',
    'BillingPeriodStart',
    'BillingPeriodEnd',
    'ChargePeriodStart',
    'ChargePeriodEnd',
    'ChargeCategory',
    'ServiceName',
    'RegionId',
    'ResourceId',
    'BilledCost',
    'EffectiveCost',
    'BillingCurrency',
    ...extraCols,
  ];
  const rows = lines.map((l) => {
    const start = new Date(`${l.day}T00:00:00Z`);
    const end = new Date(start.getTime() + 86_400_000);
    const pStart = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1));
    const pEnd = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
    return [
      l.account ?? '123456789012',
      l.provider ?? 'AWS',
      pStart.toISOString(),
      pEnd.toISOString(),
      start.toISOString(),
      end.toISOString(),
      'Usage',
      'Amazon Elastic Compute Cloud',
      l.region ?? 'us-east-1',
      l.resourceId,
      l.billed,
      l.effective === undefined ? l.billed : (l.effective ?? ''),
      l.currency ?? 'USD',
      ...extraCols.map((c) => l.extra?.[c] ?? ''),
    ].join(',');
  });
  const dir = await mkdtemp(path.join(tmpdir(), 'burnrate-bill-'));
  const file = path.join(dir, `${source.replace(/[^a-z0-9]+/gi, '-')}.csv`);
  await writeFile(file, `${header.join(',')}\n${rows.join('\n')}\n`);
  await ingestFile({ file, sourceName: source, format: 'focus' });
}

/** Consecutive UTC days from `first`, `count` of them, as 'YYYY-MM-DD'. */
export function days(first: string, count: number): string[] {
  const t0 = Date.parse(`${first}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) => new Date(t0 + i * 86_400_000).toISOString().slice(0, 10));
}

/**
 * The shipped catalog read here with a plain split (its files have no quoted fields), for oracles
 * independent of lib/catalog/load.ts and of the rules' own candidate search.
 */
export interface CatalogRow {
  type: string;
  vcpus: number;
  memoryMib: number;
  arch: string;
  family: string;
  generation: number;
  current: boolean;
  gpus: number;
  gpuModel: string;
  gpuMemoryMib: number;
  hourly: number | null;
}

export function catalogRows(provider: 'aws' | 'azure' | 'gcp', region: string): CatalogRow[] {
  const prices = new Map<string, number>();
  for (const line of readFileSync(`catalog/${provider}-prices.csv`, 'utf8').trim().split('\n').slice(1)) {
    const [type, r, currency, hourly] = line.split(',') as [string, string, string, string];
    if (r === region && currency === 'USD') prices.set(type, Number(hourly));
  }
  return readFileSync(`catalog/${provider}-types.csv`, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const f = line.split(',');
      return {
        type: f[0] as string,
        vcpus: Number(f[1]),
        memoryMib: Number(f[2]),
        arch: f[3] as string,
        family: f[4] as string,
        generation: Number(f[5]),
        current: f[6] === 'true',
        gpus: Number(f[7]),
        gpuModel: f[8] ?? '',
        gpuMemoryMib: Number(f[9] || 0),
        hourly: prices.get(f[0] as string) ?? null,
      };
    });
}

// Recommendation rows written straight into the database, for tests of what reads and changes them
// (queries, lifecycle actions); the rows the rules engine writes have the same columns.
export interface RecommendationSeed {
  kind?: RecommendationKind;
  provider?: string;
  resourceId?: string;
  subResourceId?: string | null;
  resourcePk?: string | null;
  account?: string;
  region?: string;
  team?: string | null;
  currentType?: string | null;
  proposedType?: string | null;
  action?: string;
  currency?: string | null;
  monthlyCost?: string | null;
  monthlySavings?: string | null;
  status?: RecommendationStatus;
  snoozedUntil?: string | null;
  dismissReason?: string | null;
  baselineDailyCost?: string | null;
  realizedDailySavings?: string | null;
  evidence?: Partial<Evidence>;
  parameters?: Record<string, number>;
}

export const SAMPLE_EVIDENCE: Evidence = {
  window: { start: '2026-11-19T00:00:00.000Z', end: '2026-12-03T00:00:00.000Z' },
  metric: 'cpu_utilization',
  statistic: 'p99',
  value: 12.5,
  threshold: 80,
  coverageHours: 336,
  current: null,
  proposed: null,
  details: {},
  notes: [],
};

/** Inserts one recommendation (defaults: an open rightsize of an AWS instance, USD 30 a month saved); returns its id. */
export async function insertRecommendation(url: string, seed: RecommendationSeed = {}): Promise<string> {
  const kind = seed.kind ?? 'rightsize';
  const provider = seed.provider ?? 'aws';
  const resourceId = seed.resourceId ?? `i-${randomBytes(8).toString('hex')}`;
  const [row] = await sql<{ id: string }>(
    url,
    `INSERT INTO recommendations (fingerprint, kind, provider, resource_pk, resource_id, sub_resource_id, account_id, region_id, team,
        current_type, proposed_type, action, currency, monthly_cost, monthly_savings, evidence, parameters, status, snoozed_until,
        dismiss_reason, baseline_daily_cost, realized_daily_savings)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16::jsonb, $17::jsonb, $18, $19, $20, $21, $22)
     RETURNING id`,
    [
      `${kind}|${provider}|${resourceId}|${seed.subResourceId ?? ''}`,
      kind,
      provider,
      seed.resourcePk ?? null,
      resourceId,
      seed.subResourceId ?? null,
      seed.account ?? '111122223333',
      seed.region ?? 'us-east-1',
      seed.team === undefined ? 'data' : seed.team,
      seed.currentType === undefined ? 'm5.2xlarge' : seed.currentType,
      seed.proposedType === undefined ? 'm5.large' : seed.proposedType,
      seed.action ?? 'Resize to m5.large',
      seed.currency === undefined ? 'USD' : seed.currency,
      seed.monthlyCost === undefined ? '40.00' : seed.monthlyCost,
      seed.monthlySavings === undefined ? '30.00' : seed.monthlySavings,
      JSON.stringify({ ...SAMPLE_EVIDENCE, ...seed.evidence }),
      JSON.stringify(seed.parameters ?? { windowDays: 14, cpuTarget: 80 }),
      seed.status ?? 'open',
      seed.snoozedUntil ?? null,
      seed.dismissReason ?? null,
      seed.baselineDailyCost ?? null,
      seed.realizedDailySavings ?? null,
    ],
  );
  if (!row) throw new Error('no recommendation row');
  return row.id;
}
