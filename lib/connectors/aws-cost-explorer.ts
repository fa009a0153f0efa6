/**
 * AWS Cost Explorer (GetCostAndUsage) for accounts that have no CUR / Data Exports delivery yet.
 *
 * Cost Explorer gives daily amounts per (service, region), not line items: each calendar month of
 * the lookback window becomes one delivery, written as a FOCUS 1.2 CSV (one row per day, service
 * and region) and ingested by the FOCUS reader into the same cost_line_items as the exports. The
 * rows say what they are in extras: x_Source 'aws-cost-explorer', x_Granularity
 * 'daily-service-region', x_Estimated (Cost Explorer marks recent days as estimated until the bill
 * is final).
 *
 * Each month is fetched in discover(), because the only way to know whether Cost Explorer restated
 * a month is to read it: the fingerprint is a SHA-256 of the month's parsed rows (never of the raw
 * pages, whose NextPageToken values are opaque and change between calls). An unchanged month is
 * skipped by the sync; a restated month, or one whose estimated days became final, is ingested
 * again and replaces that billing period of the source. download() writes the rows discover()
 * fetched. Every GetCostAndUsage request (each page) is billed by AWS (USD 0.01 at the time of
 * writing), so a sync costs about one request per month of the window.
 *
 * Superseding (see supersedeCostExplorerMonths): an export is the authority for the months it
 * covers. A month of Cost Explorer data is dropped when another, non-Cost-Explorer source holds AWS
 * rows for the same billing account and billing period; discover() does not return such months.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { CostExplorerClient, GetCostAndUsageCommand, type GetCostAndUsageCommandOutput } from '@aws-sdk/client-cost-explorer';
import { z } from 'zod';
import { addDays, addMonths, utcToday } from '../calendar';
import { getPool } from '../db/pool';
import { deleteBillingPeriod } from '../ingest/replace';
import { AwsS3Credentials } from './aws-s3';
import { guardedLookup } from './endpoint-guard';
import { describeIssues, isSdkUnreachable, plural, redactAwsSecrets, type SdkErrorShape } from './messages';
import { type Connector, ConnectorError, type ConnectorErrorCode, type DeliveryRef } from './types';

// ---------------------------------------------------------------------------------------------
// Configuration and credentials

export const AwsCostExplorerSourceConfig = z.object({
  /** Cost Explorer has one endpoint per partition: us-east-1 (aws), cn-northwest-1 (aws-cn). */
  region: z
    .string()
    .regex(/^[a-z0-9-]{2,40}$/, 'must be an AWS region such as us-east-1')
    .default('us-east-1'),
  /** Tests only; AWS itself needs no endpoint. */
  endpoint: z.url({ protocol: /^https?$/ }).optional(),
  /** Calendar months read, the current one included. Cost Explorer keeps 13 months of daily data. */
  lookbackMonths: z.number().int().min(1).max(13).default(3),
  /**
   * The payer (management) account id the rows belong to. GetCostAndUsage grouped by service and
   * region does not name it, and superseding by an export matches on it: without it (and without
   * DimensionValueAttributes naming one account) the rows have no billing account and are never
   * superseded automatically.
   */
  billingAccountId: z
    .string()
    .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
    .optional(),
});
export type AwsCostExplorerSourceConfig = z.infer<typeof AwsCostExplorerSourceConfig>;

/** The same key pair as the S3 connector (access key id, secret, optional session token). */
export const AwsCostExplorerCredentials = AwsS3Credentials;
export type AwsCostExplorerCredentials = AwsS3Credentials;

export interface AwsCostExplorerConnectorOptions {
  /** Attempts per request, the first included; the SDK's standard retry strategy backs off between them (throttling too). */
  maxAttempts?: number;
  /** "Today" for the lookback window (tests). */
  now?: () => Date;
  /**
   * The months (YYYY-MM) of `months` that an export already covers for the billing account.
   * Defaults to a query of the database (monthsCoveredByExports).
   */
  exportCoverage?: (billingAccountId: string, months: readonly string[]) => Promise<Set<string>>;
}

const DEFAULT_MAX_ATTEMPTS = 4;
/** A runaway NextPageToken loop (a server handing back the same token) stops here. */
const MAX_PAGES_PER_MONTH = 10_000;
const METRICS = ['UnblendedCost', 'AmortizedCost'] as const;
export const COST_EXPLORER_SOURCE = 'aws-cost-explorer';
export const COST_EXPLORER_GRANULARITY = 'daily-service-region';
/** billing_sources.kind of Cost Explorer sources (see prisma/migrations/0001_init). */
export const COST_EXPLORER_KIND = 'aws_cost_explorer';
const DELIVERY_PREFIX = 'ce:';

const FOCUS_HEADER = [
  'ProviderName',
  'BillingAccountId',
  'BillingPeriodStart',
  'BillingPeriodEnd',
  'ChargePeriodStart',
  'ChargePeriodEnd',
  'ChargeCategory',
  'ServiceName',
  'RegionId',
  'BilledCost',
  'EffectiveCost',
  'BillingCurrency',
  'x_Granularity',
  'x_Source',
  'x_Estimated',
] as const;

// ---------------------------------------------------------------------------------------------
// One month as Cost Explorer reported it

interface CostRow {
  day: string;
  service: string;
  /** The REGION key as given ('NoRegion' included); mapped to RegionId when written. */
  region: string;
  unblended: string;
  /** Null when the group carried no AmortizedCost metric. */
  amortized: string | null;
  currency: string;
  estimated: boolean;
}

interface MonthData {
  month: string;
  billingAccountId: string | null;
  rows: CostRow[];
  pages: number;
  estimated: boolean;
  fingerprint: string;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Reads the Cost Explorer API (GetCostAndUsage, daily, grouped by SERVICE and REGION, unblended and
 * amortized cost) one calendar month at a time. Without `credentials` the SDK's default chain
 * applies (environment, shared profile, container or instance role).
 */
export function createAwsCostExplorerConnector(
  config: z.input<typeof AwsCostExplorerSourceConfig>,
  credentials?: AwsCostExplorerCredentials,
  options: AwsCostExplorerConnectorOptions = {},
): Connector {
  const parsed = AwsCostExplorerSourceConfig.safeParse(config);
  if (!parsed.success) {
    throw new ConnectorError(`Invalid AWS Cost Explorer source configuration: ${describeIssues(parsed.error.issues)}`, 'CONFIG');
  }
  const cfg = parsed.data;
  let creds: AwsCostExplorerCredentials | undefined;
  if (credentials !== undefined) {
    const c = AwsCostExplorerCredentials.safeParse(credentials);
    // Only the paths of the problems: the values are secrets.
    if (!c.success) throw new ConnectorError(`Invalid AWS credentials: ${describeIssues(c.error.issues)}`, 'CONFIG');
    creds = c.data;
  }
  const secrets = creds ? [creds.accessKeyId, creds.secretAccessKey, creds.sessionToken ?? ''] : [];
  const client = new CostExplorerClient({
    region: cfg.region,
    endpoint: cfg.endpoint,
    credentials: creds,
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryMode: 'standard',
    requestHandler: {
      connectionTimeout: 10_000,
      requestTimeout: 120_000,
      // No link-local or metadata address, checked again when the socket connects (endpoint-guard.ts).
      httpAgent: { lookup: guardedLookup },
      httpsAgent: { lookup: guardedLookup },
    },
  });
  const ctx: ErrorContext = { region: cfg.region, endpoint: cfg.endpoint, secrets };
  const now = options.now ?? (() => new Date());
  const coverage = options.exportCoverage ?? monthsCoveredByExports;
  // What the last discover() fetched, so that download() does not ask (and pay) again.
  const fetched = new Map<string, MonthData>();

  async function fetchMonth(month: string, signal?: AbortSignal): Promise<MonthData> {
    const { start, end } = monthQueryWindow(month, now());
    const action = `reading ${month}`;
    const byKey = new Map<string, CostRow>();
    const estimatedDays = new Set<string>();
    const accounts = new Set<string>();
    let token: string | undefined;
    let pages = 0;
    do {
      const page: GetCostAndUsageCommandOutput = await send(
        () =>
          client.send(
            new GetCostAndUsageCommand({
              TimePeriod: { Start: start, End: end },
              Granularity: 'DAILY',
              Metrics: [...METRICS],
              GroupBy: [
                { Type: 'DIMENSION', Key: 'SERVICE' },
                { Type: 'DIMENSION', Key: 'REGION' },
              ],
              NextPageToken: token,
            }),
            { abortSignal: signal },
          ),
        { ...ctx, action },
      );
      pages++;
      for (const result of page.ResultsByTime ?? []) {
        const day = result.TimePeriod?.Start?.slice(0, 10) ?? '';
        if (!DAY.test(day) || day < start || day >= end) {
          throw badResponse(month, `a result for ${JSON.stringify(result.TimePeriod?.Start ?? null)}, outside ${start}..${end}`);
        }
        // A day's groups may continue on the next page; the day is estimated if any page says so.
        if (result.Estimated) estimatedDays.add(day);
        for (const group of result.Groups ?? []) {
          const row = toRow(month, day, group);
          const key = `${day}\u0000${row.service}\u0000${row.region}`;
          if (byKey.has(key)) {
            throw badResponse(month, `${row.service} in ${row.region} on ${day} twice (the data changed while paging?)`);
          }
          byKey.set(key, row);
        }
      }
      for (const attribute of page.DimensionValueAttributes ?? []) {
        if (attribute.Value && /^\d{12}$/.test(attribute.Value)) accounts.add(attribute.Value);
      }
      token = page.NextPageToken || undefined;
      if (pages >= MAX_PAGES_PER_MONTH && token) throw badResponse(month, `more than ${MAX_PAGES_PER_MONTH} pages`);
    } while (token);

    const rows = [...byKey.values()]
      .map((r) => ({ ...r, estimated: estimatedDays.has(r.day) }))
      .sort((a, b) => a.day.localeCompare(b.day) || a.service.localeCompare(b.service) || a.region.localeCompare(b.region));
    // The configured payer wins; otherwise the response's one account, if it names exactly one.
    const billingAccountId = cfg.billingAccountId ?? (accounts.size === 1 ? ([...accounts][0] as string) : null);
    const hash = createHash('sha256');
    hash.update(JSON.stringify({ month, billingAccountId }));
    for (const r of rows)
      hash.update(`\n${JSON.stringify([r.day, r.service, r.region, r.unblended, r.amortized, r.currency, r.estimated])}`);
    return {
      month,
      billingAccountId,
      rows,
      pages,
      estimated: rows.some((r) => r.estimated),
      fingerprint: `sha256:${hash.digest('hex')}`,
    };
  }

  function toRef(data: MonthData): DeliveryRef {
    const days = new Set(data.rows.map((r) => r.day)).size;
    return {
      key: `${DELIVERY_PREFIX}${data.month}`,
      fingerprint: data.fingerprint,
      billingPeriod: `${data.month}-01`,
      format: 'focus',
      description: `Cost Explorer ${data.month} (daily by service and region: ${plural(data.rows.length, 'row')} over ${plural(days, 'day')}${data.estimated ? ', partly estimated' : ''})`,
    };
  }

  return {
    async discover(signal) {
      const months = lookbackMonths(now(), cfg.lookbackMonths);
      // With the payer known up front, months an export covers are not even requested.
      const covered = cfg.billingAccountId ? await coverage(cfg.billingAccountId, months) : new Set<string>();
      const refs: DeliveryRef[] = [];
      fetched.clear();
      for (const month of months) {
        if (covered.has(month)) continue;
        const data = await fetchMonth(month, signal);
        if (!data.rows.length) continue;
        if (!cfg.billingAccountId && data.billingAccountId && (await coverage(data.billingAccountId, [month])).has(month)) continue;
        fetched.set(month, data);
        refs.push(toRef(data));
      }
      return refs;
    },

    async download(ref, dir, signal) {
      const month = ref.key.startsWith(DELIVERY_PREFIX) ? ref.key.slice(DELIVERY_PREFIX.length) : '';
      if (!/^\d{4}-\d{2}$/.test(month))
        throw new ConnectorError(`${ref.key} is not a Cost Explorer delivery (expected ce:YYYY-MM)`, 'BAD_DELIVERY');
      let data = fetched.get(month);
      // A ref from an earlier discover(): read the month again. What is written is what Cost
      // Explorer says now; if it changed since, the next sync sees a new fingerprint and re-ingests.
      if (!data || data.fingerprint !== ref.fingerprint) data = await fetchMonth(month, signal);
      if (!data.rows.length) return [];
      const file = path.join(dir, `aws-cost-explorer-${month}.csv`);
      await writeFocusCsv(file, data);
      return [file];
    },

    async testConnection(signal) {
      // One day (yesterday, UTC), no grouping: the cheapest request that proves access.
      const today = utcToday(now());
      const yesterday = addDays(today, -1);
      await send(
        () =>
          client.send(
            new GetCostAndUsageCommand({ TimePeriod: { Start: yesterday, End: today }, Granularity: 'DAILY', Metrics: ['UnblendedCost'] }),
            { abortSignal: signal },
          ),
        { ...ctx, action: 'checking access' },
      );
    },
  };
}

function toRow(
  month: string,
  day: string,
  group: { Keys?: string[]; Metrics?: Record<string, { Amount?: string; Unit?: string }> },
): CostRow {
  const keys = group.Keys ?? [];
  if (keys.length !== 2) throw badResponse(month, `a group on ${day} with keys ${JSON.stringify(keys)} (expected SERVICE and REGION)`);
  const [service = '', region = ''] = keys;
  const what = `${service} in ${region || '(no region)'} on ${day}`;
  const unblended = group.Metrics?.UnblendedCost;
  const amortized = group.Metrics?.AmortizedCost;
  if (!unblended?.Amount || !DECIMAL.test(unblended.Amount)) {
    throw badResponse(month, `${what}: UnblendedCost ${JSON.stringify(unblended?.Amount ?? null)} is not a decimal amount`);
  }
  if (!unblended.Unit || !/^[A-Za-z]{3}$/.test(unblended.Unit)) {
    throw badResponse(month, `${what}: UnblendedCost unit ${JSON.stringify(unblended.Unit ?? null)} is not a currency code`);
  }
  let effective: string | null = null;
  if (amortized?.Amount !== undefined) {
    if (!DECIMAL.test(amortized.Amount))
      throw badResponse(month, `${what}: AmortizedCost ${JSON.stringify(amortized.Amount)} is not a decimal amount`);
    if (amortized.Unit && amortized.Unit.toUpperCase() !== unblended.Unit.toUpperCase()) {
      throw badResponse(month, `${what}: AmortizedCost is in ${amortized.Unit}, UnblendedCost in ${unblended.Unit}`);
    }
    effective = amortized.Amount;
  }
  return {
    day,
    service,
    region,
    unblended: unblended.Amount,
    amortized: effective,
    currency: unblended.Unit.toUpperCase(),
    estimated: false,
  };
}

function badResponse(month: string, detail: string): ConnectorError {
  return new ConnectorError(
    `Cost Explorer ${month}: the response has ${detail}; nothing of the month was ingested and the next sync tries again.`,
    'BAD_DELIVERY',
  );
}

// ---------------------------------------------------------------------------------------------
// FOCUS CSV

const CSV_SPECIAL = /[",\r\n]/;
function csvField(value: string | null): string {
  if (value === null) return '';
  return CSV_SPECIAL.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

async function writeFocusCsv(file: string, data: MonthData): Promise<void> {
  const periodStart = `${data.month}-01T00:00:00Z`;
  const periodEnd = `${addMonths(data.month, 1)}-01T00:00:00Z`;
  const handle = await open(file, 'w');
  try {
    let chunk = `${FOCUS_HEADER.join(',')}\n`;
    for (const r of data.rows) {
      const fields = [
        'AWS',
        data.billingAccountId,
        periodStart,
        periodEnd,
        `${r.day}T00:00:00Z`,
        `${addDays(r.day, 1)}T00:00:00Z`,
        // Cost Explorer books tax under the service "Tax"; FOCUS has a category for it.
        r.service === 'Tax' ? 'Tax' : 'Usage',
        r.service || null,
        // 'NoRegion' is Cost Explorer's key for charges without a region (support, tax, ...).
        r.region && r.region !== 'NoRegion' ? r.region : null,
        r.unblended,
        r.amortized,
        r.currency,
        COST_EXPLORER_GRANULARITY,
        COST_EXPLORER_SOURCE,
        r.estimated ? 'true' : 'false',
      ];
      chunk += `${fields.map(csvField).join(',')}\n`;
      if (chunk.length > 1 << 20) {
        await handle.write(chunk);
        chunk = '';
      }
    }
    await handle.write(chunk);
  } finally {
    await handle.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Dates (all UTC: Cost Explorer's days are UTC days)

/** The `count` calendar months up to and including the month of `today`, oldest first (YYYY-MM). */
export function lookbackMonths(today: Date, count: number): string[] {
  const out: string[] = [];
  const y = today.getUTCFullYear();
  const m = today.getUTCMonth();
  for (let i = count - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(y, m - i, 1));
    out.push(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`);
  }
  return out;
}

/** [Start, End) of the request for a month: the whole month, or up to and including today for the current one. */
function monthQueryWindow(month: string, today: Date): { start: string; end: string } {
  const start = `${month}-01`;
  const monthEnd = `${addMonths(month, 1)}-01`;
  const tomorrow = addDays(utcToday(today), 1);
  return { start, end: tomorrow < monthEnd ? tomorrow : monthEnd };
}

// ---------------------------------------------------------------------------------------------
// Superseding by exports
//
// The rule: for one AWS billing (payer) account and one billing period, an export is the
// authority. A month of a Cost Explorer source is covered when another source that is not a Cost
// Explorer source (billing_sources.kind <> 'aws_cost_explorer') holds AWS rows for the same
// billing_account_id and billing_period_start that did not themselves come from Cost Explorer
// (extras x_Source). Covered months are skipped by discover() and deleted by
// supersedeCostExplorerMonths() (line items, their daily rollup, and the delivery record, so that
// the month comes back by itself if the export's rows are ever removed). The whole month goes,
// even if the export covers only part of it so far (a month-to-date CUR): mixing the two grains
// inside one month would count the overlap twice.
// Limits: rows without a billing account (none configured, none in the response) are never
// superseded; an export of a linked account only (which carries the payer's id too) supersedes
// the payer's whole month.

const AWS_PROVIDER_NAMES = ['aws', 'amazon web services'];

/** The months (YYYY-MM) among `months` for which an export holds AWS rows of `billingAccountId`. */
export async function monthsCoveredByExports(billingAccountId: string, months: readonly string[]): Promise<Set<string>> {
  if (!months.length) return new Set();
  const { rows } = await getPool().query<{ period: string }>(
    `${COVERED_SQL} SELECT DISTINCT to_char(billing_period_start, 'YYYY-MM') AS period FROM covered`,
    [[billingAccountId], months.map((m) => `${m}-01`), COST_EXPLORER_KIND, AWS_PROVIDER_NAMES, COST_EXPLORER_SOURCE],
  );
  return new Set(rows.map((r) => r.period));
}

// $1 accounts, $2 periods (dates), $3 the Cost Explorer kind, $4 AWS provider names (lower case),
// $5 the x_Source of Cost Explorer rows. The daily rollup finds the candidate sources cheaply; one
// line item per candidate confirms that it is export data.
const COVERED_SQL = `
  WITH candidates AS (
    SELECT DISTINCT d.source_id, d.billing_account_id, d.billing_period_start
      FROM cost_daily d JOIN billing_sources s ON s.id = d.source_id
     WHERE s.kind <> $3 AND lower(d.provider_name) = ANY($4::text[])
       AND d.billing_account_id = ANY($1::text[]) AND d.billing_period_start = ANY($2::date[])
  ), covered AS (
    SELECT c.billing_account_id, c.billing_period_start FROM candidates c
     WHERE EXISTS (
       SELECT 1 FROM cost_line_items e
        WHERE e.source_id = c.source_id
          AND e.billing_period_start = (c.billing_period_start::timestamp AT TIME ZONE 'UTC')
          AND e.billing_account_id = c.billing_account_id
          AND (e.extras->>'x_Source') IS DISTINCT FROM $5)
  )`;

export interface SupersededMonth {
  sourceId: number;
  billingAccountId: string;
  /** YYYY-MM-DD, the first day of the month. */
  billingPeriod: string;
  /** Line items deleted. */
  rows: number;
}

/**
 * Deletes the months of Cost Explorer sources (all of them, or `sourceId`) that an export now
 * covers; see the rule above. Idempotent; meant to run after every sync.
 */
export async function supersedeCostExplorerMonths(args: { sourceId?: number } = {}): Promise<SupersededMonth[]> {
  const { rows: months } = await getPool().query<{ source_id: number; billing_account_id: string; period: string }>(
    `WITH ce AS (
       SELECT DISTINCT d.source_id, d.billing_account_id, d.billing_period_start
         FROM cost_daily d JOIN billing_sources s ON s.id = d.source_id
        WHERE s.kind = $1 AND ($2::int IS NULL OR s.id = $2) AND d.billing_account_id <> ''
     )
     SELECT ce.source_id, ce.billing_account_id, to_char(ce.billing_period_start, 'YYYY-MM-DD') AS period
       FROM ce
      WHERE EXISTS (
        SELECT 1 FROM cost_daily d JOIN billing_sources s ON s.id = d.source_id
         WHERE s.kind <> $1 AND lower(d.provider_name) = ANY($3::text[])
           AND d.billing_account_id = ce.billing_account_id AND d.billing_period_start = ce.billing_period_start
           AND EXISTS (
             SELECT 1 FROM cost_line_items e
              WHERE e.source_id = d.source_id
                AND e.billing_period_start = (d.billing_period_start::timestamp AT TIME ZONE 'UTC')
                AND e.billing_account_id = d.billing_account_id
                AND (e.extras->>'x_Source') IS DISTINCT FROM $4))
      ORDER BY 1, 3`,
    [COST_EXPLORER_KIND, args.sourceId ?? null, AWS_PROVIDER_NAMES, COST_EXPLORER_SOURCE],
  );
  const out: SupersededMonth[] = [];
  for (const m of months) {
    const rows = await deleteBillingPeriod({
      sourceId: m.source_id,
      billingPeriod: m.period,
      deliveryKey: `${DELIVERY_PREFIX}${m.period.slice(0, 7)}`,
    });
    out.push({ sourceId: m.source_id, billingAccountId: m.billing_account_id, billingPeriod: m.period, rows });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// SDK errors -> ConnectorError. Messages name the endpoint, the month and the cause; never a key.

interface ErrorContext {
  region: string;
  endpoint?: string;
  secrets: string[];
  action?: string;
}

async function send<T>(fn: () => Promise<T>, ctx: ErrorContext): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toConnectorError(error, ctx);
  }
}

const AUTH_CODES: Record<string, string> = {
  UnrecognizedClientException: 'the access key is unknown to AWS (deleted, mistyped, or from another partition)',
  InvalidClientTokenId: 'the access key or session token is invalid',
  InvalidSignatureException: 'the secret access key does not belong to the access key',
  SignatureDoesNotMatch: 'the secret access key does not belong to the access key',
  IncompleteSignature: 'the request signature is incomplete; check the credentials',
  MissingAuthenticationTokenException: 'the request was not signed; no credentials were used',
  ExpiredTokenException: 'the session token has expired; refresh the temporary credentials',
  ExpiredToken: 'the session token has expired; refresh the temporary credentials',
};
const THROTTLE_CODES = new Set([
  'LimitExceededException',
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);

function toConnectorError(error: unknown, ctx: ErrorContext): Error {
  if (error instanceof ConnectorError) return error;
  const e = (error ?? {}) as SdkErrorShape;
  if (e.name === 'AbortError') return error as Error;
  const code = e.name && e.name !== 'Error' && e.name !== 'Unknown' ? e.name : undefined;
  const status = e.$metadata?.httpStatusCode;
  const attempts = e.$metadata?.attempts;
  const during = ctx.action ? ` while ${ctx.action}` : '';
  const target = ctx.endpoint ?? `Cost Explorer in ${ctx.region}`;
  const fail = (message: string, kind: ConnectorErrorCode) => new ConnectorError(redactAwsSecrets(message, ctx.secrets), kind);

  if (code && code in AUTH_CODES) return fail(`AWS rejected the credentials for Cost Explorer (${code}): ${AUTH_CODES[code]}.`, 'AUTH');
  if (code === 'CredentialsProviderError') {
    return fail(
      'No AWS credentials for Cost Explorer: none were configured for the source, and the default chain (environment variables, shared config/credentials profile, container or instance role) found none.',
      'AUTH',
    );
  }
  if (code === 'AccessDeniedException' || code === 'AccessDenied' || status === 403) {
    // "User not enabled for cost explorer access" is how AWS says Cost Explorer was never opened.
    const notEnabled = /not enabled for cost explorer/i.test(e.message ?? '');
    return fail(
      notEnabled
        ? 'AWS denied access to Cost Explorer: it is not enabled for this account. Open Cost Explorer once in the AWS Billing console (data appears about 24 hours later).'
        : `AWS denied access to Cost Explorer${during} (${code ?? 'HTTP 403'}): the credentials are not allowed ce:GetCostAndUsage, or an organization policy denies it${e.message ? ` (${e.message})` : ''}.`,
      'AUTH',
    );
  }
  if (code === 'DataUnavailableException') {
    return fail('Cost Explorer has no data yet; it is enabled 24 h after first opening it in the AWS Billing console.', 'NOT_FOUND');
  }
  if ((code && THROTTLE_CODES.has(code)) || e.$retryable?.throttling || status === 429) {
    return fail(
      `Cost Explorer throttled the requests${during} (${code ?? `HTTP ${status}`})${attempts ? ` after ${plural(attempts, 'attempt')}` : ''}; the sync will be retried later.`,
      'THROTTLED',
    );
  }
  if (code === 'BillExpirationException') {
    return fail(`Cost Explorer no longer has the data${during} (BillExpirationException); lower lookbackMonths.`, 'CONFIG');
  }
  if (code === 'RequestChangedException' || code === 'InvalidNextTokenException') {
    return fail(
      `Cost Explorer's data changed while it was being paged${during} (${code}); the next sync reads the month again.`,
      'BAD_DELIVERY',
    );
  }
  if (isSdkUnreachable(e, code)) {
    return fail(`Cannot reach ${target}${during}: ${e.code ?? code} (${e.message ?? ''}).`, 'NETWORK');
  }
  const detail = `${code ?? e.name ?? 'Error'}${status ? `, HTTP ${status}` : ''}: ${e.message ?? String(error)}`;
  if (e.$fault === 'server' || (status !== undefined && status >= 500))
    return fail(`Cost Explorer failed${during} (${detail}).`, 'NETWORK');
  if (status === undefined && e.$fault === undefined) return fail(`Request to ${target} failed${during} (${detail}).`, 'NETWORK');
  return fail(`Cost Explorer refused the request${during} (${detail}).`, 'CONFIG');
}
