import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sumDecimals } from '../../tests/helpers/bigint-decimal';
import { FOCUS_COLUMNS } from '../focus/columns';

import { CsvParser, type CsvRecord } from '../ingest/csv';
import {
  DEMO_HEADER,
  DEMO_SPIKES,
  type DemoFileSummary,
  type DemoProvider,
  demoDateRange,
  resolveDemoSpikes,
  withCsvFile,
  writeBenchCsv,
  writeDemoCsv,
  writeDemoFiles,
} from './generate';

const END = '2025-11-20';
const DECIMAL = /^-?\d+(\.\d+)?$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T00:00:00Z$/;

/** Streams a CSV file record by record (the header is record 0). */
async function eachRecord(file: string, fn: (fields: string[], line: number) => void): Promise<void> {
  const parser = new CsvParser();
  const decoder = new StringDecoder('utf8');
  const out: CsvRecord[] = [];
  const drain = () => {
    for (const r of out) fn(r.fields, r.line);
    out.length = 0;
  };
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    parser.push(decoder.write(chunk as Buffer), out);
    drain();
  }
  parser.push(decoder.end(), out);
  parser.end(out);
  drain();
}

type Row = Record<string, string>;

interface FileStats {
  summary: DemoFileSummary & { file: string };
  header: string[];
  problems: string[];
  rows: number;
  currencies: Map<string, { billed: string[]; effective: string[]; list: string[] }>;
  billingAccounts: Map<string, string>;
  months: Set<string>;
  regions: Set<string>;
  categories: Set<string>;
  chargeCategories: Set<string>;
  skus: Set<string>;
  /** Daily effective cost per "region|service|sub account". */
  daily: Map<string, Map<string, number>>;
  committedUsage: number;
  unused: number;
  purchases: Row[];
  tagged: number;
  /** Most expensive usage line items (billed cost), with their SKU and day. */
  top: { cost: number; sku: string; day: string }[];
}

const NUMERIC = new Set<string>(FOCUS_COLUMNS.filter((c) => c.kind === 'numeric').map((c) => c.focus));
const TIMESTAMPS = new Set<string>(FOCUS_COLUMNS.filter((c) => c.kind === 'timestamp').map((c) => c.focus));
const REQUIRED = FOCUS_COLUMNS.filter((c) => 'required' in c && c.required).map((c) => c.focus);

async function analyse(summary: DemoFileSummary & { file: string }): Promise<FileStats> {
  const stats: FileStats = {
    summary,
    header: [],
    problems: [],
    rows: 0,
    currencies: new Map(),
    billingAccounts: new Map(),
    months: new Set(),
    regions: new Set(),
    categories: new Set(),
    chargeCategories: new Set(),
    skus: new Set(),
    daily: new Map(),
    committedUsage: 0,
    unused: 0,
    purchases: [],
    tagged: 0,
    top: [],
  };
  const problem = (line: number, message: string) => {
    if (stats.problems.length < 20) stats.problems.push(`line ${line}: ${message}`);
  };
  await eachRecord(summary.file, (fields, line) => {
    if (line === 1) {
      stats.header = fields;
      return;
    }
    stats.rows++;
    if (fields.length !== stats.header.length) return problem(line, `${fields.length} fields`);
    const row: Row = {};
    stats.header.forEach((h, i) => {
      row[h] = fields[i] as string;
    });
    for (const name of REQUIRED) if (!row[name]) problem(line, `${name} is empty`);
    for (const name of NUMERIC) if (row[name] && !DECIMAL.test(row[name] as string)) problem(line, `${name}=${row[name]}`);
    for (const name of TIMESTAMPS) if (!TIMESTAMP.test(row[name] as string)) problem(line, `${name}=${row[name]}`);
    const start = Date.parse(row.ChargePeriodStart as string);
    if (Date.parse(row.ChargePeriodEnd as string) - start !== 86_400_000) problem(line, 'charge period is not one day');
    if ((row.BillingPeriodStart as string).slice(0, 7) !== (row.ChargePeriodStart as string).slice(0, 7)) problem(line, 'billing period');
    if (row.Tags) {
      const tags = JSON.parse(row.Tags as string) as Record<string, string>;
      if (typeof tags !== 'object' || !Object.keys(tags).length) problem(line, `tags ${row.Tags}`);
      stats.tagged++;
    }
    const currency = row.BillingCurrency as string;
    let c = stats.currencies.get(currency);
    if (!c) {
      c = { billed: [], effective: [], list: [] };
      stats.currencies.set(currency, c);
    }
    c.billed.push(row.BilledCost as string);
    c.effective.push(row.EffectiveCost as string);
    c.list.push(row.ListCost as string);
    stats.billingAccounts.set(row.BillingAccountId as string, currency);
    stats.months.add((row.ChargePeriodStart as string).slice(0, 7));
    if (row.RegionId) stats.regions.add(row.RegionId);
    if (row.ServiceCategory) stats.categories.add(row.ServiceCategory);
    stats.chargeCategories.add(row.ChargeCategory as string);
    if (row.x_UsageType) stats.skus.add(row.x_UsageType);
    if (row.CommitmentDiscountStatus === 'Used') {
      stats.committedUsage++;
      if (row.BilledCost !== '0' || row.EffectiveCost === '0') problem(line, 'covered usage: billed should be 0, effective not');
    }
    if (row.CommitmentDiscountStatus === 'Unused') stats.unused++;
    if (row.ChargeCategory === 'Purchase') stats.purchases.push(row);
    const key = `${row.RegionId}|${row.ServiceName}|${row.SubAccountName}`;
    let days = stats.daily.get(key);
    if (!days) {
      days = new Map();
      stats.daily.set(key, days);
    }
    const day = (row.ChargePeriodStart as string).slice(0, 10);
    days.set(day, (days.get(day) ?? 0) + Number(row.EffectiveCost));
    if (row.ChargeCategory === 'Usage') {
      const cost = Number(row.BilledCost);
      if (stats.top.length < 50 || cost > (stats.top[stats.top.length - 1]?.cost ?? 0)) {
        stats.top.push({ cost, sku: row.x_UsageType as string, day });
        stats.top.sort((a, b) => b.cost - a.cost);
        stats.top.length = Math.min(stats.top.length, 50);
      }
    }
  });
  return stats;
}

let dir: string;
const stats = new Map<DemoProvider, FileStats>();

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'burnrate-demo-test-'));
  const files = await writeDemoFiles(dir, { endDate: END });
  for (const f of files) stats.set(f.provider as DemoProvider, await analyse(f));
}, 180_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

function get(provider: DemoProvider): FileStats {
  const s = stats.get(provider);
  if (!s) throw new Error(`no ${provider} file`);
  return s;
}

const all = () => [...stats.values()];

describe('demo generator: the default dataset', () => {
  it('is about 300k rows in three files with the FOCUS header plus Tags and x_ columns', () => {
    const total = all().reduce((n, s) => n + s.rows, 0);
    expect(total).toBeGreaterThan(285_000);
    expect(total).toBeLessThan(315_000);
    for (const s of all()) {
      expect(s.header).toEqual([...DEMO_HEADER]);
      expect(s.header.slice(0, FOCUS_COLUMNS.length)).toEqual(FOCUS_COLUMNS.map((c) => c.focus));
      expect(s.header).toContain('Tags');
      expect(s.header.filter((h) => h.startsWith('x_')).length).toBeGreaterThanOrEqual(2);
      expect(s.rows).toBe(s.summary.rows);
    }
  });

  it('writes only valid rows: required values, exact decimals, ISO timestamps, one-day charge periods, JSON tags', () => {
    for (const s of all()) expect(s.problems).toEqual([]);
    for (const s of all()) expect(s.tagged / s.rows).toBeGreaterThan(0.8);
  });

  it('reports exact totals per currency that match the rows it wrote', () => {
    for (const s of all()) {
      const fromRows = [...s.currencies.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([currency, c]) => ({
          currency,
          rows: c.billed.length,
          billedCost: trim(sumDecimals(c.billed)),
          effectiveCost: trim(sumDecimals(c.effective)),
          listCost: trim(sumDecimals(c.list)),
        }));
      expect(
        s.summary.totals.map((t) => ({
          ...t,
          billedCost: trim(t.billedCost),
          effectiveCost: trim(t.effectiveCost),
          listCost: trim(t.listCost),
        })),
      ).toEqual(fromRows);
    }
  });

  it('covers 13 calendar months ending the day before endDate', () => {
    const range = demoDateRange(END);
    expect(range.to).toBe('2025-11-19');
    expect(range.from).toBe('2024-11-01');
    for (const s of all()) {
      expect([...s.months].sort()).toEqual(range.months);
      expect(s.months.size).toBe(13);
      expect(s.summary.months).toEqual(range.months);
    }
  });

  it('has three providers with their own billing accounts, and one small account billed in EUR', () => {
    const accounts = all().flatMap((s) => [...s.billingAccounts.entries()]);
    expect(new Set(accounts.map(([id]) => id)).size).toBe(accounts.length);
    const eur = accounts.filter(([, currency]) => currency === 'EUR');
    expect(eur).toHaveLength(1);
    expect(accounts.filter(([, currency]) => currency === 'USD')).toHaveLength(3);
    const azure = get('azure').currencies;
    const eurRows = azure.get('EUR')?.billed.length ?? 0;
    const usdRows = azure.get('USD')?.billed.length ?? 0;
    expect(eurRows).toBeGreaterThan(1000);
    expect(eurRows).toBeLessThan(usdRows / 3);
  });

  it('spreads over the Americas, Europe and Asia with realistic service categories', () => {
    const regions = new Set(all().flatMap((s) => [...s.regions]));
    expect(regions.size).toBeGreaterThanOrEqual(12);
    for (const r of [
      'us-east-1',
      'us-west-2',
      'eu-west-1',
      'eu-central-1',
      'ap-northeast-1',
      'ap-northeast-2',
      'ap-southeast-1',
      'sa-east-1',
    ]) {
      expect(get('aws').regions).toContain(r);
    }
    for (const r of ['eastus', 'westeurope', 'japaneast', 'koreacentral']) expect(get('azure').regions).toContain(r);
    for (const r of ['us-central1', 'europe-west4', 'asia-northeast3']) expect(get('gcp').regions).toContain(r);
    const categories = new Set(all().flatMap((s) => [...s.categories]));
    for (const c of ['Compute', 'Storage', 'Databases', 'Networking', 'AI and Machine Learning', 'Analytics'])
      expect(categories).toContain(c);
  });

  it('includes the GPU instance families, which are the most expensive usage lines', () => {
    expect([...get('aws').skus].some((s) => s.endsWith('BoxUsage:p5.48xlarge'))).toBe(true);
    expect([...get('aws').skus].some((s) => s.endsWith('BoxUsage:g5.xlarge'))).toBe(true);
    expect(get('gcp').skus).toContain('a3-highgpu-8g running');
    expect(get('gcp').skus).toContain('g2-standard-8 running');
    expect(get('azure').skus).toContain('ND96isr H100 v5');
    expect(get('azure').skus).toContain('NC24ads A100 v4');
    // Outside the planted usage surges (a data-transfer spike is meant to stand out).
    const surges = resolveDemoSpikes(END).filter((s) => s.kind === 'surge');
    const topSku = (provider: DemoProvider) =>
      get(provider).top.find((t) => !surges.some((s) => s.provider === provider && t.day >= s.from && t.day <= s.to))?.sku;
    expect(topSku('aws')).toMatch(/BoxUsage:p5\.48xlarge$/);
    expect(topSku('gcp')).toBe('a3-highgpu-8g running');
    expect(topSku('azure')).toBe('ND96isr H100 v5');
  });

  it('has commitment discounts (monthly purchase, covered and unused usage), tax and credit rows', () => {
    for (const s of all()) {
      expect(s.chargeCategories).toContain('Purchase');
      expect(s.committedUsage).toBeGreaterThan(1000);
      expect(s.purchases).toHaveLength(13);
      for (const p of s.purchases) {
        expect(p.EffectiveCost).toBe('0');
        expect(Number(p.BilledCost)).toBeGreaterThan(0);
        expect(p.CommitmentDiscountId).not.toBe('');
      }
    }
    expect(get('aws').unused).toBeGreaterThan(300);
    expect(get('aws').chargeCategories).toContain('Tax');
    expect(get('aws').chargeCategories).toContain('Credit');
    expect(get('gcp').chargeCategories).toContain('Credit');
    // Effective cost differs from billed cost per currency only by the current month's unamortized fee.
    const usd = get('aws').summary.totals.find((t) => t.currency === 'USD');
    expect(usd?.billedCost).not.toBe(usd?.effectiveCost);
  });

  it('grows over the year: the last full month costs more than the same month a year earlier', () => {
    for (const s of all()) {
      const byMonth = new Map<string, number>();
      for (const days of s.daily.values()) {
        for (const [day, cost] of days) byMonth.set(day.slice(0, 7), (byMonth.get(day.slice(0, 7)) ?? 0) + cost);
      }
      const first = byMonth.get('2024-11') ?? 0;
      const lastFull = byMonth.get('2025-10') ?? 0;
      expect(lastFull).toBeGreaterThan(first * 1.1);
    }
  });

  it('plants the spikes listed in DEMO_SPIKES', () => {
    const spikes = resolveDemoSpikes(END);
    expect(spikes.map((s) => s.id)).toEqual(DEMO_SPIKES.map((s) => s.id));
    const gpu = spikes.find((s) => s.id === 'gpu-training-burst-apne2');
    expect(gpu).toMatchObject({ regionId: 'ap-northeast-2', from: '2025-10-08', to: '2025-10-13' });
    const egress = spikes.find((s) => s.id === 'egress-spike-euw1');
    expect(egress).toMatchObject({ regionId: 'eu-west-1', from: '2025-11-17', to: '2025-11-19' });
    for (const spike of spikes) {
      const days = get(spike.provider).daily.get(`${spike.regionId}|${spike.serviceName}|${spike.subAccountName}`);
      expect(days, spike.id).toBeDefined();
      const from = Date.parse(`${spike.from}T00:00:00Z`);
      const to = Date.parse(`${spike.to}T00:00:00Z`);
      let inside = 0;
      let insideDays = 0;
      let before = 0;
      for (const [day, cost] of days ?? []) {
        const t = Date.parse(`${day}T00:00:00Z`);
        if (t >= from && t <= to) {
          inside += cost;
          insideDays++;
        } else if (t < from && t >= from - 28 * 86_400_000) {
          before += cost / 28;
        }
      }
      expect(insideDays, spike.id).toBe((to - from) / 86_400_000 + 1);
      expect(inside / insideDays, spike.id).toBeGreaterThan(before * 5);
    }
  });
});

describe('demo generator: determinism and sizes', () => {
  async function bytesOf(write: (out: Writable) => Promise<unknown>): Promise<string> {
    const file = path.join(dir, `d-${Math.random().toString(36).slice(2)}.csv`);
    await withCsvFile(file, write);
    const hash = createHash('sha256')
      .update(await readFile(file))
      .digest('hex');
    await rm(file);
    return hash;
  }

  it('gives the same bytes for the same seed, end date and size, and different bytes for another seed', async () => {
    const opts = { endDate: END, rowsTarget: 20_000, seed: 7 };
    const a = await bytesOf((out) => writeDemoCsv(out, 'azure', opts));
    const b = await bytesOf((out) => writeDemoCsv(out, 'azure', opts));
    const c = await bytesOf((out) => writeDemoCsv(out, 'azure', { ...opts, seed: 8 }));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    const e = await bytesOf((out) => writeBenchCsv(out, { rows: 5000, seed: 3, endDate: END }));
    const f = await bytesOf((out) => writeBenchCsv(out, { rows: 5000, seed: 3, endDate: END }));
    expect(e).toBe(f);
  });

  it('scales with rowsTarget', async () => {
    let rows = 0;
    for (const provider of ['aws', 'azure', 'gcp'] as const) {
      rows += (await writeDemoCsv(new NullWritable(), provider, { endDate: END, rowsTarget: 60_000 })).rows;
    }
    expect(rows).toBeGreaterThan(55_000);
    expect(rows).toBeLessThan(65_000);
  });

  it('bench mode writes exactly N rows of one billing period, in USD', async () => {
    const file = path.join(dir, 'bench.csv');
    const summary = await withCsvFile(file, (out) => writeBenchCsv(out, { rows: 12_345, endDate: END }));
    expect(summary.rows).toBe(12_345);
    expect(summary.months).toEqual(['2025-10']);
    expect(summary.totals.map((t) => t.currency)).toEqual(['USD']);
    let records = 0;
    await eachRecord(file, () => {
      records++;
    });
    expect(records).toBe(12_346);
  });

  it('defaults endDate to today (UTC): the data ends yesterday', () => {
    const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const before = yesterday();
    const to = demoDateRange().to;
    expect([before, yesterday()]).toContain(to);
  });
});

/** Drops trailing fractional zeros so "1.50" and "1.5" compare equal. */
function trim(value: string): string {
  return value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
}

class NullWritable extends Writable {
  override _write(_chunk: unknown, _encoding: string, callback: () => void): void {
    callback();
  }
}
