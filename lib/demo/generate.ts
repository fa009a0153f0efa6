/**
 * Deterministic demo billing data: 13 months of daily FOCUS 1.2 rows for three clouds, written
 * as FOCUS CSV (one file per provider) without ever holding the rows in memory. The same seed,
 * end date and size give the same bytes.
 *
 * Each resource (an instance, a bucket, a table, …) gives one row per day it exists, so the
 * row count is known before writing; costs are exact integers of 10^-10 currency units
 * (see money.ts), and the generator adds up what it writes so tests can compare with the database.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { FOCUS_COLUMNS } from '../focus/columns';
import {
  type BillingAccount,
  CATALOGS,
  type Commitment,
  DEMO_PROVIDERS,
  type DemoProvider,
  type ProviderCatalog,
  type Quantity,
  type Region,
  type SubAccount,
  TEAM_APPS,
  type Template,
} from './catalog';
import { COST_SCALE, ExactSum, formatScaled, mulExact, scaledNumber } from './money';
import { hashString, Random, randomFor } from './random';

export { DEMO_PROVIDERS, type DemoProvider } from './catalog';

export const DEFAULT_DEMO_SEED = 20_240_601;
export const DEFAULT_DEMO_ROWS = 300_000;
/** Months of data, ending with the month of the day before `endDate`. */
export const DEMO_MONTHS = 13;

export interface DemoOptions {
  seed?: number;
  /** Data runs through the day before this date (UTC); default today. 'YYYY-MM-DD' or a Date. */
  endDate?: Date | string;
  /** Approximate number of rows over the three files (default 300,000). */
  rowsTarget?: number;
}

export interface DemoCurrencyTotal {
  currency: string;
  rows: number;
  billedCost: string;
  effectiveCost: string;
  listCost: string;
}

export interface DemoFileSummary {
  provider: DemoProvider | 'bench';
  sourceName: string;
  rows: number;
  bytes: number;
  /** Months with rows, 'YYYY-MM'. */
  months: string[];
  totals: DemoCurrencyTotal[];
}

// ---------------------------------------------------------------------------------------------
// Planted spikes

export type SpikeWindow = { firstDay: number; lastDay: number } | { lastDays: number };

export interface DemoSpike {
  id: string;
  provider: DemoProvider;
  /** burst: extra resources exist only in the window; surge: matching usage is multiplied. */
  kind: 'burst' | 'surge';
  description: string;
  subAccountName: string;
  regionId: string;
  serviceName: string;
  /** Catalog template the spike acts on (burst: the instances it adds). */
  template: string;
  /** burst: how many instances; surge: the usage multiplier. */
  size: number;
  /** Month relative to the month of the last day of data: 0 this month, -1 last month. */
  monthOffset: number;
  window: SpikeWindow;
}

/** Anomalies the demo plants so that the dashboard (and its tests) have something to find. */
export const DEMO_SPIKES: readonly DemoSpike[] = [
  {
    id: 'gpu-training-burst-apne2',
    provider: 'aws',
    kind: 'burst',
    description: 'LLM fine-tuning run: 8 × p5.48xlarge on demand in ap-northeast-2 (Seoul) for six days last month',
    subAccountName: 'ml-research',
    regionId: 'ap-northeast-2',
    serviceName: 'Amazon Elastic Compute Cloud',
    template: 'aws-ec2-p5.48xlarge',
    size: 8,
    monthOffset: -1,
    window: { firstDay: 8, lastDay: 13 },
  },
  {
    id: 'egress-spike-euw1',
    provider: 'aws',
    kind: 'surge',
    description: 'Data transfer out of eu-west-1 (Ireland) ×12 on the last three days of data this month (a replication job gone wrong)',
    subAccountName: 'prod-platform',
    regionId: 'eu-west-1',
    serviceName: 'AWS Data Transfer',
    template: 'aws-data-transfer-out',
    size: 12,
    monthOffset: 0,
    window: { lastDays: 3 },
  },
  {
    id: 'bigquery-scan-euw4',
    provider: 'gcp',
    kind: 'surge',
    description: 'A runaway BigQuery query scanning ×40 the usual volume in europe-west4 on one day two months ago',
    subAccountName: 'Data Warehouse',
    regionId: 'europe-west4',
    serviceName: 'BigQuery',
    template: 'gcp-bq-analysis',
    size: 40,
    monthOffset: -2,
    window: { firstDay: 17, lastDay: 17 },
  },
];

export interface ResolvedSpike extends DemoSpike {
  /** First and last day of the spike, inclusive, 'YYYY-MM-DD'. */
  from: string;
  to: string;
}

// ---------------------------------------------------------------------------------------------
// Calendar

interface Day {
  index: number;
  date: string;
  chargeStart: string;
  chargeEnd: string;
  billingStart: string;
  billingEnd: string;
  month: string;
  monthIndex: number;
  dayOfMonth: number;
  daysInMonth: number;
  weekend: boolean;
  lastOfMonth: boolean;
  /** The month is over (it is not the month of the last day of data). */
  closedMonth: boolean;
}

const DAY_MS = 86_400_000;

function utcMidnight(value: Date | string | undefined): number {
  if (value === undefined) {
    const now = new Date();
    return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  }
  const ms = typeof value === 'string' ? Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value) : value.getTime();
  if (Number.isNaN(ms)) throw new Error(`invalid endDate: ${String(value)}`);
  return ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Days from the first of the month `months - 1` months before the last day, through the last day. */
function calendar(lastDayMs: number, months: number): Day[] {
  const last = new Date(lastDayMs);
  const startMs = Date.UTC(last.getUTCFullYear(), last.getUTCMonth() - (months - 1), 1);
  const lastMonth = isoDay(lastDayMs).slice(0, 7);
  const days: Day[] = [];
  let monthIndex = -1;
  let prevMonth = '';
  for (let ms = startMs; ms <= lastDayMs; ms += DAY_MS) {
    const d = new Date(ms);
    const y = d.getUTCFullYear();
    const m = d.getUTCMonth();
    const date = isoDay(ms);
    const month = date.slice(0, 7);
    if (month !== prevMonth) {
      monthIndex++;
      prevMonth = month;
    }
    const daysInMonth = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
    const dow = d.getUTCDay();
    days.push({
      index: days.length,
      date,
      chargeStart: `${date}T00:00:00Z`,
      chargeEnd: `${isoDay(ms + DAY_MS)}T00:00:00Z`,
      billingStart: `${month}-01T00:00:00Z`,
      billingEnd: `${isoDay(Date.UTC(y, m + 1, 1))}T00:00:00Z`,
      month,
      monthIndex,
      dayOfMonth: d.getUTCDate(),
      daysInMonth,
      weekend: dow === 0 || dow === 6,
      lastOfMonth: d.getUTCDate() === daysInMonth,
      closedMonth: month !== lastMonth,
    });
  }
  return days;
}

/** The span of the demo for an end date: first and last day ('YYYY-MM-DD') and the 13 months. */
export function demoDateRange(endDate?: Date | string): { from: string; to: string; months: string[] } {
  const days = calendar(utcMidnight(endDate) - DAY_MS, DEMO_MONTHS);
  return {
    from: days[0]?.date ?? '',
    to: days[days.length - 1]?.date ?? '',
    months: [...new Set(days.map((d) => d.month))],
  };
}

/** DEMO_SPIKES with concrete dates for an end date (spikes falling outside the data are left out). */
export function resolveDemoSpikes(endDate?: Date | string): ResolvedSpike[] {
  return resolveSpikes(calendar(utcMidnight(endDate) - DAY_MS, DEMO_MONTHS));
}

function resolveSpikes(days: readonly Day[]): ResolvedSpike[] {
  const last = days[days.length - 1];
  if (!last) return [];
  const out: ResolvedSpike[] = [];
  for (const spike of DEMO_SPIKES) {
    const month = days.filter((d) => d.monthIndex === last.monthIndex + spike.monthOffset);
    if (!month.length) continue;
    const w = spike.window;
    const inWindow =
      'lastDays' in w ? month.slice(-w.lastDays) : month.filter((d) => d.dayOfMonth >= w.firstDay && d.dayOfMonth <= w.lastDay);
    const first = inWindow[0];
    const lastInWindow = inWindow[inWindow.length - 1];
    if (!first || !lastInWindow) continue;
    out.push({ ...spike, from: first.date, to: lastInWindow.date });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// CSV layout: FOCUS columns, then Tags and two provider columns. Per line (a resource or a
// monthly charge) everything but the dates, quantities and costs is fixed, so each line is
// compiled once into the constant text between those columns.

export const DEMO_EXTRA_COLUMNS = ['Tags', 'x_ServiceCode', 'x_UsageType'] as const;
type FocusName = (typeof FOCUS_COLUMNS)[number]['focus'];
type HeaderColumn = FocusName | (typeof DEMO_EXTRA_COLUMNS)[number];
export const DEMO_HEADER: readonly HeaderColumn[] = [...FOCUS_COLUMNS.map((c) => c.focus), ...DEMO_EXTRA_COLUMNS];

const DYNAMIC = [
  'InvoiceId',
  'BillingPeriodStart',
  'BillingPeriodEnd',
  'ChargePeriodStart',
  'ChargePeriodEnd',
  'PricingQuantity',
  'ConsumedQuantity',
  'ListCost',
  'ContractedCost',
  'BilledCost',
  'EffectiveCost',
] as const satisfies readonly HeaderColumn[];
type DynamicColumn = (typeof DYNAMIC)[number];
type StaticFields = Partial<Record<Exclude<HeaderColumn, DynamicColumn>, string>>;

const DYNAMIC_SET: ReadonlySet<string> = new Set(DYNAMIC);
const DYNAMIC_ORDER = DEMO_HEADER.filter((c): c is DynamicColumn => DYNAMIC_SET.has(c));
const slot = (c: DynamicColumn) => DYNAMIC_ORDER.indexOf(c);
const S = {
  invoice: slot('InvoiceId'),
  billingStart: slot('BillingPeriodStart'),
  billingEnd: slot('BillingPeriodEnd'),
  chargeStart: slot('ChargePeriodStart'),
  chargeEnd: slot('ChargePeriodEnd'),
  pricingQty: slot('PricingQuantity'),
  consumedQty: slot('ConsumedQuantity'),
  list: slot('ListCost'),
  contracted: slot('ContractedCost'),
  billed: slot('BilledCost'),
  effective: slot('EffectiveCost'),
};

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function compileSegments(fields: StaticFields): string[] {
  // join() gives flat strings; segments built with += would stay ropes that every row re-walks.
  const segments: string[] = [];
  let current: string[] = [];
  DEMO_HEADER.forEach((column, i) => {
    if (i > 0) current.push(',');
    if (DYNAMIC_SET.has(column)) {
      segments.push(current.join(''));
      current = [];
    } else {
      current.push(csvField(fields[column as keyof StaticFields] ?? ''));
    }
  });
  current.push('\n');
  segments.push(current.join(''));
  return segments;
}

interface CurrencyAccumulator {
  currency: string;
  rows: number;
  billed: ExactSum;
  effective: ExactSum;
  list: ExactSum;
}

const CHUNK_BYTES = 1 << 20;

/** Encodes rows into ~1 MB buffers and waits for 'drain' when the stream is full. */
class CsvSink {
  // Rows go straight into a byte buffer: appending them to one big string builds a rope whose
  // flattening cost more than generating the rows.
  private buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  /** Full buffers waiting to be written. */
  private pending: Buffer[] = [];
  private readonly dyn: string[] = new Array(DYNAMIC_ORDER.length).fill('');
  private readonly accumulators = new Map<string, CurrencyAccumulator>();
  private readonly months = new Set<string>();
  rows = 0;
  bytes = 0;

  constructor(private readonly out: Writable) {
    this.append(`${DEMO_HEADER.join(',')}\n`);
  }

  private append(text: string): void {
    // A UTF-8 byte is at most 3 per UTF-16 unit; rows are far below a chunk.
    if (this.used + text.length * 3 > this.buffer.length) {
      if (this.used > 0) this.pending.push(this.buffer.subarray(0, this.used));
      this.buffer = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, text.length * 3));
      this.used = 0;
    }
    this.used += this.buffer.write(text, this.used, 'utf8');
  }

  accumulator(currency: string): CurrencyAccumulator {
    let acc = this.accumulators.get(currency);
    if (!acc) {
      acc = { currency, rows: 0, billed: new ExactSum(), effective: new ExactSum(), list: new ExactSum() };
      this.accumulators.set(currency, acc);
    }
    return acc;
  }

  /** Appends one row; amounts are 10^-10 integers, quantities already formatted ('' for none). */
  row(
    segments: readonly string[],
    acc: CurrencyAccumulator,
    day: Day,
    invoiceId: string,
    quantity: string,
    consumed: string,
    list: number,
    contracted: number,
    billed: number,
    effective: number,
  ): void {
    const dyn = this.dyn;
    dyn[S.invoice] = invoiceId;
    dyn[S.billingStart] = day.billingStart;
    dyn[S.billingEnd] = day.billingEnd;
    dyn[S.chargeStart] = day.chargeStart;
    dyn[S.chargeEnd] = day.chargeEnd;
    dyn[S.pricingQty] = quantity;
    dyn[S.consumedQty] = consumed;
    dyn[S.list] = formatScaled(list, COST_SCALE);
    dyn[S.contracted] = formatScaled(contracted, COST_SCALE);
    dyn[S.billed] = formatScaled(billed, COST_SCALE);
    dyn[S.effective] = formatScaled(effective, COST_SCALE);
    let line = segments[0] as string;
    for (let i = 0; i < dyn.length; i++) line += (dyn[i] as string) + (segments[i + 1] as string);
    this.append(line);
    acc.rows++;
    acc.billed.add(billed);
    acc.effective.add(effective);
    acc.list.add(list);
    this.rows++;
    this.months.add(day.month);
  }

  /** Call between rows: writes full buffers, honouring backpressure. */
  async maybeFlush(): Promise<void> {
    if (this.pending.length) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.used > 0) {
      this.pending.push(this.buffer.subarray(0, this.used));
      this.buffer = Buffer.allocUnsafe(CHUNK_BYTES);
      this.used = 0;
    }
    const chunks = this.pending;
    this.pending = [];
    for (const chunk of chunks) {
      this.bytes += chunk.length;
      if (!this.out.write(chunk)) await once(this.out, 'drain');
    }
  }

  summary(provider: DemoFileSummary['provider'], sourceName: string): DemoFileSummary {
    return {
      provider,
      sourceName,
      rows: this.rows,
      bytes: this.bytes,
      months: [...this.months].sort(),
      totals: [...this.accumulators.values()]
        .filter((a) => a.rows > 0)
        .sort((a, b) => a.currency.localeCompare(b.currency))
        .map((a) => ({
          currency: a.currency,
          rows: a.rows,
          billedCost: a.billed.toString(),
          effectiveCost: a.effective.toString(),
          listCost: a.list.toString(),
        })),
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Resources

interface Pricing {
  /** Unit prices as integers at 10^-priceDecimals. */
  list: number;
  contracted: number;
  /** Effective rate when a commitment covers the usage. */
  committed: number | null;
  quantityDecimals: number;
}

interface Resource {
  segments: string[];
  acc: CurrencyAccumulator;
  invoiceIds: readonly string[];
  pricing: Pricing;
  qty: Quantity;
  /** Units per day (metered), stock (stored) or instance count (hours). */
  base: number;
  birth: number;
  /** Exclusive. */
  death: number;
  growth: number;
  surge: { from: number; to: number; factor: number } | null;
  /** What a spike matches on. */
  template: string;
  regionId: string;
  subAccountName: string;
}

interface Context {
  catalog: ProviderCatalog;
  days: readonly Day[];
  rng: Random;
  sink: CsvSink;
  /** 0 for flat usage (bench). */
  growth: number;
}

const WORDS = ['assets', 'logs', 'events', 'exports', 'backups', 'media', 'raw', 'curated', 'features', 'archive', 'orders', 'sessions'];
const POW10 = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000];

function regionOf(catalog: ProviderCatalog, id: string): Region | null {
  if (id === 'global') return null;
  const region = catalog.regions.find((r) => r.id === id);
  if (!region) throw new Error(`${catalog.provider}: unknown region ${id}`);
  return region;
}

function templateOf(catalog: ProviderCatalog, key: string): Template {
  const t = catalog.templates.find((x) => x.key === key);
  if (!t) throw new Error(`${catalog.provider}: unknown template ${key}`);
  return t;
}

function subAccountOf(catalog: ProviderCatalog, key: string): { account: BillingAccount; sub: SubAccount } {
  for (const account of catalog.billingAccounts) {
    const sub = account.subAccounts.find((s) => s.key === key);
    if (sub) return { account, sub };
  }
  throw new Error(`${catalog.provider}: unknown sub account ${key}`);
}

function subAccountByName(catalog: ProviderCatalog, name: string): { account: BillingAccount; sub: SubAccount } {
  const sub = catalog.billingAccounts.flatMap((a) => a.subAccounts).find((s) => s.name === name);
  if (!sub) throw new Error(`${catalog.provider}: unknown sub account name ${name}`);
  return subAccountOf(catalog, sub.key);
}

function fill(pattern: string, vars: Readonly<Record<string, string>>): string {
  return pattern.replace(/\{(\w+)\}/g, (_, key: string) => {
    const v = vars[key];
    if (v === undefined) throw new Error(`no value for {${key}} in ${pattern}`);
    return v;
  });
}

/** Stable pseudo ids (SKUs) in each provider's shape, derived from names only. */
function skuIds(provider: DemoProvider, key: string): { skuId: string; skuPriceId: string } {
  const r = new Random(hashString(`${provider}|${key}`));
  if (provider === 'aws') {
    const sku = r.alnum(16);
    return { skuId: sku, skuPriceId: `${sku}.JRTCKXETXF.6YS6EN2CT7` };
  }
  if (provider === 'azure') {
    const sku = r.alnum(12);
    return { skuId: sku, skuPriceId: `${sku}/${r.alnum(4)}` };
  }
  const sku = `${r.hex(4)}-${r.hex(4)}-${r.hex(4)}`.toUpperCase();
  return { skuId: sku, skuPriceId: `${sku}/tier-0` };
}

function invoiceIds(catalog: ProviderCatalog, account: BillingAccount, days: readonly Day[]): string[] {
  const ids: string[] = [];
  for (const d of days) {
    if (ids[d.monthIndex] !== undefined) continue;
    if (!d.closedMonth) {
      ids[d.monthIndex] = '';
      continue;
    }
    const h = hashString(`${account.id}|${d.month}`);
    const digits = String(h).padStart(10, '0').slice(-9);
    ids[d.monthIndex] = catalog.provider === 'aws' ? `2${digits}` : catalog.provider === 'azure' ? `G0${digits.slice(-8)}` : `3${digits}`;
  }
  return ids;
}

function baseFields(catalog: ProviderCatalog, account: BillingAccount, sub: SubAccount, region: Region | null): StaticFields {
  return {
    ProviderName: catalog.providerName,
    PublisherName: catalog.publisherName,
    InvoiceIssuerName: catalog.invoiceIssuerName,
    BillingAccountId: account.id,
    BillingAccountName: account.name,
    SubAccountId: sub.id,
    SubAccountName: sub.name,
    RegionId: region?.id ?? '',
    RegionName: region?.name ?? '',
    BillingCurrency: account.currency,
  };
}

function pricingFor(template: Template, account: BillingAccount, region: Region | null, commitDiscount: number | null): Pricing {
  const priceDecimals = template.priceDecimals ?? 7;
  const base = scaledNumber(template.price, priceDecimals);
  const list = Math.round(base * (region?.priceFactor ?? 1) * account.priceFactor);
  return {
    list,
    contracted: Math.round((list * (100 - account.discountPercent)) / 100),
    committed: commitDiscount === null ? null : Math.round((list * (100 - commitDiscount)) / 100),
    quantityDecimals: COST_SCALE - priceDecimals,
  };
}

interface ResourceSpec {
  template: Template;
  account: BillingAccount;
  sub: SubAccount;
  region: Region | null;
  birth: number;
  death: number;
  base?: number;
  commitment?: { def: Commitment; id: string };
  /** Overrides the template's usage pattern. */
  qty?: Quantity;
  /** Anchors and commitment-covered instances are always tagged. */
  tagged?: boolean;
}

function createResource(ctx: Context, spec: ResourceSpec, invoices: readonly string[]): Resource {
  const { catalog, rng } = ctx;
  const { template, account, sub, region } = spec;
  const teams = template.teams?.filter((t) => sub.teams.includes(t)) ?? [];
  const team = rng.pick(teams.length ? teams : sub.teams);
  const app = rng.pick(TEAM_APPS[team] ?? ['app']);
  const zoneLetter = rng.pick(['a', 'b', 'c']);
  const zone = region ? (catalog.provider === 'gcp' ? `${region.id}-${zoneLetter}` : `${region.id}${zoneLetter}`) : '';
  const vars: Record<string, string> = {
    region: region?.id ?? 'global',
    account: sub.id,
    payer: account.id,
    sub: sub.id,
    project: sub.id,
    zone,
    app,
    env: sub.env,
    nn: String(rng.int(1, 40)).padStart(2, '0'),
    hex4: rng.hex(4),
    hex16: rng.hex(16),
    HEX13: rng.alnum(13),
    hex32: rng.hex(32),
    word: rng.pick(WORDS),
    digits: String(rng.int(1_000_000, 9_999_999)) + String(rng.int(100_000_000, 999_999_999)),
  };
  const name = template.name ? fill(template.name, vars) : '';
  vars.name = name;
  const resourceId = template.rid ? fill(template.rid, vars) : '';
  const tagged = spec.tagged || rng.chance(0.92);
  let tags = '';
  if (tagged) {
    // Some AWS teams capitalise tag keys: the dashboard's case-folded tags must still group them.
    const capital = catalog.provider === 'aws' && rng.chance(0.3);
    const t: Record<string, string> = capital ? { Team: team, Env: sub.env, App: app } : { team, env: sub.env, app };
    if (rng.chance(0.4)) t[capital ? 'CostCenter' : 'cost-center'] = `cc-${(hashString(team) % 9000) + 1000}`;
    tags = JSON.stringify(t);
  }
  const commitment = spec.commitment;
  const pricing = pricingFor(template, account, region, commitment ? commitment.def.discountPercent : null);
  const sku = skuIds(catalog.provider, `${template.key}|${region?.id ?? 'global'}|${account.currency}`);
  const fields: StaticFields = {
    ...baseFields(catalog, account, sub, region),
    ChargeCategory: 'Usage',
    ChargeDescription: template.description ?? `${template.service.name} ${template.label}`,
    ChargeFrequency: 'Usage-Based',
    ServiceName: template.service.name,
    ServiceCategory: template.service.category,
    ServiceSubcategory: template.service.subcategory,
    AvailabilityZone: template.zonal ? zone : '',
    ResourceId: resourceId,
    ResourceName: resourceId ? name || resourceId.split('/').pop() || '' : '',
    ResourceType: resourceId ? template.resourceType : '',
    SkuId: sku.skuId,
    SkuPriceId: sku.skuPriceId,
    PricingCategory: commitment ? 'Committed' : 'Standard',
    PricingUnit: template.unit,
    ListUnitPrice: formatScaled(pricing.list, COST_SCALE - pricing.quantityDecimals),
    ContractedUnitPrice: formatScaled(pricing.contracted, COST_SCALE - pricing.quantityDecimals),
    ConsumedUnit: template.unit,
    CommitmentDiscountId: commitment?.id ?? '',
    CommitmentDiscountType: commitment?.def.type ?? '',
    CommitmentDiscountCategory: commitment?.def.category ?? '',
    CommitmentDiscountStatus: commitment ? 'Used' : '',
    Tags: tags,
    x_ServiceCode: template.service.code,
    x_UsageType: template.usage.replace('{rp}', region?.usagePrefix ?? ''),
  };
  const q = template.qty;
  const base = spec.base ?? (q.kind === 'hours' ? (q.count ? rng.int(q.count[0], q.count[1]) : 1) : rng.logUniform(q.min, q.max));
  return {
    segments: compileSegments(fields),
    acc: ctx.sink.accumulator(account.currency),
    invoiceIds: invoices,
    pricing,
    qty: spec.qty ?? q,
    base,
    birth: spec.birth,
    death: spec.death,
    growth: q.kind === 'stored' ? ctx.growth * 1.5 : ctx.growth,
    surge: null,
    template: template.key,
    regionId: region?.id ?? '',
    subAccountName: sub.name,
  };
}

/** The day's quantity of a resource as an integer at its quantity decimals (at least one unit). */
function quantityOn(r: Resource, day: Day, total: number, rng: Random): number {
  const q = r.qty;
  const scale = POW10[r.pricing.quantityDecimals] as number;
  let units: number;
  if (q.kind === 'hours') {
    let hours = 24;
    if (q.pattern === 'office') hours = day.weekend ? 2 : 12;
    else if (q.pattern === 'bursty' && rng.chance(0.3)) hours = rng.int(2, 20);
    units = hours * r.base;
  } else {
    const trend = 1 + (r.growth * day.index) / total;
    if (q.kind === 'metered') {
      units = r.base * trend * (day.weekend ? q.weekend : 1) * (1 + q.noise * (2 * rng.next() - 1));
    } else {
      units = (r.base * trend) / day.daysInMonth;
    }
  }
  if (r.surge && day.index >= r.surge.from && day.index <= r.surge.to) units *= r.surge.factor;
  return Math.max(1, Math.round(units * scale));
}

// ---------------------------------------------------------------------------------------------
// Plans

interface CommitmentPlan {
  id: string;
  purchase: string[];
  unused: string[] | null;
  acc: CurrencyAccumulator;
  invoiceIds: readonly string[];
  instances: number;
  spare: number;
  /** Commitment rate per instance-hour at 10^-7. */
  rate: number;
}

interface OneOffCharge {
  account: BillingAccount;
  day: number;
  segments: string[];
  acc: CurrencyAccumulator;
  invoiceIds: readonly string[];
  amount: number;
  /** Credits have no list or contracted cost. */
  credit: boolean;
}

interface ProviderPlan {
  resources: Resource[];
  commitments: CommitmentPlan[];
  oneOffs: OneOffCharge[];
}

function activeDays(birth: number, death: number, total: number): number {
  return Math.max(0, Math.min(death, total) - birth);
}

function planProvider(ctx: Context, rowsTarget: number, mode: 'demo' | 'bench'): ProviderPlan {
  const { catalog, days, rng } = ctx;
  const total = days.length;
  const invoicesByAccount = new Map(catalog.billingAccounts.map((a) => [a.id, invoiceIds(catalog, a, days)]));
  const invoicesOf = (a: BillingAccount) => invoicesByAccount.get(a.id) ?? [];
  const resources: Resource[] = [];
  const commitments: CommitmentPlan[] = [];
  const oneOffs: OneOffCharge[] = [];
  const rowsByAccount = new Map<string, number>(catalog.billingAccounts.map((a) => [a.id, 0]));
  const count = (a: BillingAccount, rows: number) => rowsByAccount.set(a.id, (rowsByAccount.get(a.id) ?? 0) + rows);
  const budget = rowsTarget * catalog.rowShare;

  const add = (spec: ResourceSpec) => {
    const r = createResource(ctx, spec, invoicesOf(spec.account));
    resources.push(r);
    count(spec.account, activeDays(r.birth, r.death, total));
    return r;
  };

  for (const anchor of catalog.anchors) {
    const { account, sub } = subAccountOf(catalog, anchor.subAccount);
    add({
      template: templateOf(catalog, anchor.template),
      account,
      sub,
      region: regionOf(catalog, anchor.region),
      birth: 0,
      death: Number.POSITIVE_INFINITY,
      base: anchor.base,
      tagged: true,
    });
  }

  if (mode === 'demo') {
    for (const def of catalog.commitments) {
      const { account, sub } = subAccountOf(catalog, def.subAccount);
      const template = templateOf(catalog, def.template);
      const region = regionOf(catalog, def.region);
      const idRng = randomFor(hashString(def.key), 'commitment');
      const id = fill(def.id, { payer: account.id, guid: idRng.guid(), guid2: idRng.guid(), region: def.region });
      const instances = Math.min(8, Math.max(2, Math.round(budget / 20_000)));
      for (let i = 0; i < instances; i++) {
        const always: Quantity = { kind: 'hours', pattern: 'always' };
        add({
          template,
          account,
          sub,
          region,
          birth: 0,
          death: Number.POSITIVE_INFINITY,
          commitment: { def, id },
          qty: always,
          tagged: true,
        });
      }
      const pricing = pricingFor(template, account, region, def.discountPercent);
      if (pricing.quantityDecimals !== 3 || pricing.committed === null) throw new Error(`${def.key}: commitments cover hourly SKUs`);
      const sku = skuIds(catalog.provider, `${def.key}|purchase`);
      const regionless = def.category === 'Spend' ? null : region;
      const common: StaticFields = {
        ...baseFields(catalog, account, sub, regionless),
        ServiceName: template.service.name,
        ServiceCategory: template.service.category,
        ServiceSubcategory: template.service.subcategory,
        ResourceId: id,
        ResourceName: def.name,
        ResourceType: def.type,
        SkuId: sku.skuId,
        SkuPriceId: sku.skuPriceId,
        PricingCategory: 'Committed',
        PricingUnit: 'Hours',
        ConsumedUnit: 'Hours',
        CommitmentDiscountId: id,
        CommitmentDiscountType: def.type,
        CommitmentDiscountCategory: def.category,
        x_ServiceCode: template.service.code,
      };
      commitments.push({
        id,
        purchase: compileSegments({
          ...common,
          ChargeCategory: 'Purchase',
          ChargeDescription: `${def.name}: ${instances + def.spareInstances} × ${template.label}, monthly fee`,
          ChargeFrequency: 'Recurring',
          ConsumedUnit: '',
          x_UsageType: `${def.type} recurring fee`,
        }),
        unused:
          def.spareInstances > 0
            ? compileSegments({
                ...common,
                ChargeCategory: 'Usage',
                ChargeDescription: `${def.name}: unused commitment`,
                ChargeFrequency: 'Usage-Based',
                CommitmentDiscountStatus: 'Unused',
                x_UsageType: `${def.type} unused`,
              })
            : null,
        acc: ctx.sink.accumulator(account.currency),
        invoiceIds: invoicesOf(account),
        instances,
        spare: def.spareInstances,
        rate: pricing.committed,
      });
      const months = new Set(days.map((d) => d.monthIndex)).size;
      count(account, months + (def.spareInstances > 0 ? total : 0));
    }

    for (const spike of resolveSpikes(days)) {
      if (spike.provider !== catalog.provider) continue;
      const from = days.findIndex((d) => d.date === spike.from);
      const to = days.findIndex((d) => d.date === spike.to);
      if (spike.kind !== 'burst') continue;
      const template = templateOf(catalog, spike.template);
      const { account, sub } = subAccountByName(catalog, spike.subAccountName);
      const region = regionOf(catalog, spike.regionId);
      const always: Quantity = { kind: 'hours', pattern: 'always' };
      for (let i = 0; i < spike.size; i++) add({ template, account, sub, region, birth: from, death: to + 1, qty: always, tagged: true });
    }

    for (const charge of oneOffCharges(ctx, invoicesOf)) {
      oneOffs.push(charge);
      count(charge.account, 1);
    }
  }

  // Fill each billing account up to its share of the rows with sampled resources.
  for (const account of catalog.billingAccounts) {
    const accountBudget = budget * account.rowShare;
    const regions = catalog.regions.filter((r) => !account.regions || account.regions.includes(r.id));
    while ((rowsByAccount.get(account.id) ?? 0) < accountBudget) {
      const sub = rng.pick(account.subAccounts);
      const candidates = catalog.templates.filter(
        (t) =>
          (!t.envs || t.envs.includes(sub.env)) &&
          (!t.teams || t.teams.some((team) => sub.teams.includes(team))) &&
          (!t.regions || t.regions.some((r) => r === 'global' || regions.some((x) => x.id === r))),
      );
      const template = rng.weighted(candidates, (t) => t.weight);
      const allowed = template.regions?.includes('global')
        ? []
        : regions.filter((r) => !template.regions || template.regions.includes(r.id));
      const region = allowed.length ? rng.weighted(allowed, (r) => r.weight) : null;
      let birth = 0;
      let death = Number.POSITIVE_INFINITY;
      if (mode === 'demo') {
        // Resources appear over the year (gentle growth); outside production some are torn down.
        if (rng.chance(0.32)) birth = rng.int(1, total - 1);
        if (rng.chance(sub.env === 'prod' ? 0.04 : 0.25)) death = birth + rng.int(14, 240);
      }
      add({ template, account, sub, region, birth, death });
    }
  }

  // Surges multiply the usage of every matching resource inside the window.
  if (mode === 'demo') {
    for (const spike of resolveSpikes(days)) {
      if (spike.provider !== catalog.provider || spike.kind !== 'surge') continue;
      const from = days.findIndex((d) => d.date === spike.from);
      const to = days.findIndex((d) => d.date === spike.to);
      for (const r of resources) {
        if (r.template === spike.template && r.regionId === spike.regionId && r.subAccountName === spike.subAccountName) {
          r.surge = { from, to, factor: spike.size };
        }
      }
    }
  }
  return { resources, commitments, oneOffs };
}

/** A few charges that are not usage: monthly sales tax (AWS), promotional credits (AWS, GCP). */
function oneOffCharges(ctx: Context, invoicesOf: (a: BillingAccount) => readonly string[]): OneOffCharge[] {
  const { catalog, days, rng } = ctx;
  const account = catalog.billingAccounts[0];
  const sub = account?.subAccounts[0];
  if (!account || !sub) return [];
  const out: OneOffCharge[] = [];
  const charge = (day: Day, category: 'Tax' | 'Credit', description: string, cents: number) => {
    out.push({
      account,
      day: day.index,
      segments: compileSegments({
        ...baseFields(catalog, account, sub, null),
        ChargeCategory: category,
        ChargeDescription: description,
        ChargeFrequency: category === 'Tax' ? 'Recurring' : 'One-Time',
        x_UsageType: category,
      }),
      acc: ctx.sink.accumulator(account.currency),
      invoiceIds: invoicesOf(account),
      amount: mulExact(cents, 100_000_000),
      credit: category === 'Credit',
    });
  };
  const total = days.length;
  for (const day of days) {
    if (catalog.provider === 'aws' && day.lastOfMonth && day.closedMonth) {
      const cents = Math.round((180_000 + rng.int(0, 90_000)) * (1 + (catalog.growth * day.index) / total));
      charge(day, 'Tax', 'Sales tax (US)', cents);
    }
    if (day.dayOfMonth === 1 && catalog.provider === 'gcp' && day.monthIndex < 4) {
      charge(day, 'Credit', 'Promotional credit: Google Cloud for Startups', -250_000);
    }
    if (day.dayOfMonth === 1 && catalog.provider === 'aws' && day.monthIndex === 6) {
      charge(day, 'Credit', 'AWS Activate promotional credit', -1_000_000);
    }
  }
  return out;
}

async function writePlan(ctx: Context, plan: ProviderPlan, limit: number): Promise<void> {
  const { days, sink, rng } = ctx;
  const total = days.length;
  const HOURS = 24_000; // 24 h at 3 quantity decimals
  for (const day of days) {
    const m = day.monthIndex;
    for (const c of plan.commitments) {
      if (day.dayOfMonth !== 1) continue;
      const hours = (c.instances + c.spare) * 24 * day.daysInMonth;
      const fee = mulExact(hours * 1000, c.rate);
      sink.row(c.purchase, c.acc, day, c.invoiceIds[m] ?? '', String(hours), '', fee, fee, fee, 0);
    }
    for (const o of plan.oneOffs) {
      if (o.day !== day.index) continue;
      const listed = o.credit ? 0 : o.amount;
      sink.row(o.segments, o.acc, day, o.invoiceIds[m] ?? '', '', '', listed, listed, o.amount, o.amount);
    }
    for (const r of plan.resources) {
      if (day.index < r.birth || day.index >= r.death) continue;
      const q = quantityOn(r, day, total, rng);
      const p = r.pricing;
      const list = mulExact(q, p.list);
      const contracted = mulExact(q, p.contracted);
      const billed = p.committed === null ? contracted : 0;
      const effective = p.committed === null ? contracted : mulExact(q, p.committed);
      const quantity = formatScaled(q, p.quantityDecimals);
      sink.row(r.segments, r.acc, day, r.invoiceIds[m] ?? '', quantity, quantity, list, contracted, billed, effective);
      if (sink.rows >= limit) return;
      await sink.maybeFlush();
    }
    for (const c of plan.commitments) {
      if (!c.unused) continue;
      const q = c.spare * HOURS;
      const quantity = formatScaled(q, 3);
      sink.row(c.unused, c.acc, day, c.invoiceIds[m] ?? '', quantity, quantity, 0, 0, 0, mulExact(q, c.rate));
    }
    await sink.maybeFlush();
  }
}

// ---------------------------------------------------------------------------------------------
// Entry points

function resolveOptions(options: DemoOptions): { seed: number; lastDay: number; rowsTarget: number } {
  const rowsTarget = options.rowsTarget ?? DEFAULT_DEMO_ROWS;
  if (!(rowsTarget > 0)) throw new Error(`rowsTarget must be positive, got ${rowsTarget}`);
  return { seed: options.seed ?? DEFAULT_DEMO_SEED, lastDay: utcMidnight(options.endDate) - DAY_MS, rowsTarget };
}

/**
 * Writes one provider's demo FOCUS CSV (header included) to `out`; the caller ends the stream.
 * Returns what was written: rows, bytes and exact totals per currency.
 */
export async function writeDemoCsv(out: Writable, provider: DemoProvider, options: DemoOptions = {}): Promise<DemoFileSummary> {
  const { seed, lastDay, rowsTarget } = resolveOptions(options);
  const catalog = CATALOGS[provider];
  const sink = new CsvSink(out);
  const ctx: Context = { catalog, days: calendar(lastDay, DEMO_MONTHS), rng: randomFor(seed, provider), sink, growth: catalog.growth };
  const plan = planProvider(ctx, rowsTarget, 'demo');
  await writePlan(ctx, plan, Number.POSITIVE_INFINITY);
  await sink.flush();
  return sink.summary(provider, catalog.sourceName);
}

/**
 * Exactly `rows` usage rows of the three providers' USD accounts for one billing period (the last
 * full month before `endDate`), as one FOCUS CSV: the shape of a large monthly export, for the
 * ingest benchmark.
 */
export async function writeBenchCsv(
  out: Writable,
  options: { rows: number; seed?: number; endDate?: Date | string },
): Promise<DemoFileSummary> {
  if (!Number.isInteger(options.rows) || options.rows < 1) throw new Error(`rows must be a positive integer, got ${options.rows}`);
  const endMs = utcMidnight(options.endDate);
  const end = new Date(endMs);
  const lastDay = Date.UTC(end.getUTCFullYear(), end.getUTCMonth(), 0);
  const days = calendar(lastDay, 1).map((d) => ({ ...d, closedMonth: true }));
  const sink = new CsvSink(out);
  const seed = options.seed ?? DEFAULT_DEMO_SEED;
  const plans: [Context, ProviderPlan][] = [];
  const shareTotal = DEMO_PROVIDERS.reduce((s, p) => s + CATALOGS[p].rowShare, 0);
  for (const provider of DEMO_PROVIDERS) {
    const source = CATALOGS[provider];
    // USD accounts only: one export is one billing currency.
    const catalog: ProviderCatalog = {
      ...source,
      billingAccounts: source.billingAccounts.filter((a) => a.currency === 'USD').map((a) => ({ ...a, rowShare: 1 })),
      anchors: source.anchors.filter((a) =>
        source.billingAccounts.some((b) => b.currency === 'USD' && b.subAccounts.some((s) => s.key === a.subAccount)),
      ),
      rowShare: source.rowShare / shareTotal,
    };
    const ctx: Context = { catalog, days, rng: randomFor(seed, `bench-${provider}`), sink, growth: 0 };
    // A little over the target so that stopping at exactly `rows` still fills every day but the last.
    plans.push([ctx, planProvider(ctx, options.rows * 1.002 + days.length * 3, 'bench')]);
  }
  // Day by day across the providers, like a consolidated monthly export.
  for (const day of days) {
    for (const [ctx, plan] of plans) {
      await writePlan({ ...ctx, days: [day] }, plan, options.rows);
      if (sink.rows >= options.rows) break;
    }
    if (sink.rows >= options.rows) break;
  }
  if (sink.rows < options.rows) throw new Error(`bench plan produced ${sink.rows} rows, fewer than ${options.rows}`);
  await sink.flush();
  return sink.summary('bench', 'bench');
}

/** Opens `file`, lets `write` fill it, and resolves once every byte is on disk. */
export async function withCsvFile<T>(file: string, write: (out: Writable) => Promise<T>): Promise<T> {
  const out = createWriteStream(file);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => {}); // observed through the races below; an error after them must not crash the process
  try {
    const result = await Promise.race([write(out), failed]);
    out.end();
    await Promise.race([once(out, 'finish'), failed]);
    return result;
  } catch (error) {
    out.destroy();
    throw error;
  }
}

/** Writes demo-aws.csv, demo-azure.csv and demo-gcp.csv into `dir`. */
export async function writeDemoFiles(dir: string, options: DemoOptions = {}): Promise<(DemoFileSummary & { file: string })[]> {
  const out: (DemoFileSummary & { file: string })[] = [];
  for (const provider of DEMO_PROVIDERS) {
    const file = path.join(dir, `${CATALOGS[provider].sourceName}.csv`);
    const summary = await withCsvFile(file, (stream) => writeDemoCsv(stream, provider, options));
    out.push({ ...summary, file });
  }
  return out;
}
