// The AWS Cost Explorer connector against a local Cost Explorer (tests/helpers/cost-explorer-server.ts:
// the JSON 1.1 wire protocol, SigV4-checked) through the official SDK client, syncing into a real
// PostgreSQL. Expected totals are computed here from the server's dataset with exact decimal
// arithmetic, independently of the connector and the ingest.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { canonicalDecimal as canonical, sumDecimals } from '../../tests/helpers/bigint-decimal';
import { type CeRecord, type CostExplorerTestServer, startCostExplorerServer } from '../../tests/helpers/cost-explorer-server';
import { insertSource, sql, useTestDatabase } from '../../tests/helpers/db';

import { ingestFile } from '../ingest/pipeline';
import {
  type AwsCostExplorerConnectorOptions,
  type AwsCostExplorerCredentials,
  type AwsCostExplorerSourceConfig,
  createAwsCostExplorerConnector,
  lookbackMonths,
  supersedeCostExplorerMonths,
} from './aws-cost-explorer';
import { syncSource } from './sync';
import { type Connector, ConnectorError } from './types';

const CREDENTIALS: AwsCostExplorerCredentials = {
  accessKeyId: 'AKIACETESTKEY0000001',
  secretAccessKey: 'ce/test+secret0000000000000000000000000',
};
// AWS's documented example key pair: looks real, belongs to nobody.
const UNKNOWN_KEY: AwsCostExplorerCredentials = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
const WRONG_SECRET: AwsCostExplorerCredentials = {
  accessKeyId: CREDENTIALS.accessKeyId,
  secretAccessKey: 'not/the+secret000000000000000000000000',
};
const ALL_SECRETS = [CREDENTIALS, UNKNOWN_KEY, WRONG_SECRET].flatMap((c) => [c.accessKeyId, c.secretAccessKey]);

// The payer of tests/fixtures/aws-cur/keboola-cur1 (a CUR of January 2024), which supersedes below.
const PAYER = '123456789012';
const TODAY = new Date('2024-03-15T12:00:00Z');
const MONTHS = ['2024-01', '2024-02', '2024-03'];
const CUR_FIXTURE = path.resolve(__dirname, '../../tests/fixtures/aws-cur/keboola-cur1/sample_billing_data.csv');
const CUR_FIXTURE_TOTAL = '0.045152'; // 0.0108 + 0.0108 + 0.023552 (lineItem/UnblendedCost)

// ---------------------------------------------------------------------------------------------
// The dataset: deterministic, amounts with 12 decimals and up to 17 significant digits (floats would
// not carry them exactly),
// credits, amortized cost differing from unblended, charges without a region, tax, and a
// Marketplace product whose name needs CSV quoting.

const COMBOS: [service: string, region: string][] = [
  ['Amazon Elastic Compute Cloud - Compute', 'us-east-1'],
  ['Amazon Elastic Compute Cloud - Compute', 'eu-west-1'],
  ['Amazon Simple Storage Service', 'us-east-1'],
  ['Amazon Simple Storage Service', 'eu-west-1'],
  ['AWS Lambda', 'us-east-1'],
  ['Amazon Relational Database Service', 'eu-central-1'],
  ['EC2 - Other', 'us-east-1'],
  ['Amazon CloudFront', 'global'],
  ['AWS Support (Business)', 'NoRegion'],
  ['Tax', 'NoRegion'],
  ['Acme Analytics, "Enterprise" Edition', 'us-east-1'],
];

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Up to 17 significant digits: a float does not hold most of these exactly (String(Number(a)) !== a). */
function amount(rand: () => number, max: number): string {
  const whole = Math.floor(rand() * max);
  const six = () => String(Math.floor(rand() * 1e6)).padStart(6, '0');
  return `${whole}.${six()}${six()}`;
}

function dataset(seed: number, from: string, to: string): CeRecord[] {
  const rand = prng(seed);
  const out: CeRecord[] = [];
  for (let day = from; day <= to; day = addDay(day)) {
    for (const [service, region] of COMBOS) {
      if (rand() < 0.3 && service !== 'Tax') continue;
      const unblended = amount(rand, service.startsWith('Amazon Elastic') ? 40_000 : 400);
      // Reserved capacity: amortized differs; a credit now and then is negative.
      const amortized = service.startsWith('Amazon Elastic') || service.startsWith('Amazon Relational') ? amount(rand, 30_000) : unblended;
      const credit = rand() < 0.05;
      out.push({
        day,
        service,
        region,
        unblended: credit ? `-${unblended}` : unblended,
        amortized: credit ? `-${amortized}` : amortized,
        currency: 'USD',
      });
    }
  }
  return out;
}

function addDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

/** Same number however it is spelled: no trailing fraction zeros. */

interface MonthTotals {
  rows: number;
  billed: string | null;
  effective: string | null;
}

/** Per billing month, from the dataset: the records the window covers (up to and including today). */
function expectedTotals(records: CeRecord[], months = MONTHS): Map<string, MonthTotals> {
  const out = new Map<string, MonthTotals>();
  for (const month of months) {
    const rs = records.filter((r) => r.day.startsWith(month) && r.day <= TODAY.toISOString().slice(0, 10));
    if (!rs.length) continue;
    out.set(month, {
      rows: rs.length,
      billed: canonical(sumDecimals(rs.map((r) => r.unblended))),
      effective: canonical(sumDecimals(rs.map((r) => r.amortized))),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Database helpers

let url: string;
let server: CostExplorerTestServer;

function createSource(name: string, config: object): Promise<number> {
  return insertSource(url, name, 'aws_cost_explorer', config);
}

async function storedTotals(
  sourceId: number,
  table: 'cost_line_items' | 'cost_daily' = 'cost_line_items',
): Promise<Map<string, MonthTotals>> {
  const count = table === 'cost_line_items' ? 'count(*)' : 'sum(line_items)';
  const rows = await sql<{ month: string; n: number; billed: string; effective: string | null }>(
    url,
    `SELECT to_char(billing_period_start, 'YYYY-MM') AS month, ${count}::int AS n, sum(billed_cost)::text AS billed,
            sum(effective_cost)::text AS effective
       FROM ${table} WHERE source_id = $1 GROUP BY 1 ORDER BY 1`,
    [sourceId],
  );
  return new Map(rows.map((r) => [r.month, { rows: r.n, billed: canonical(r.billed), effective: canonical(r.effective) }]));
}

async function deliveries(sourceId: number) {
  return sql<{ delivery_key: string; fingerprint: string; billing_period_start: string }>(
    url,
    `SELECT delivery_key, fingerprint, to_char(billing_period_start, 'YYYY-MM-DD') AS billing_period_start
       FROM source_deliveries WHERE source_id = $1 ORDER BY delivery_key`,
    [sourceId],
  );
}

async function lastSyncRun(sourceId: number) {
  const [run] = await sql<{ status: string; error: string | null }>(
    url,
    'SELECT status, error FROM sync_runs WHERE source_id = $1 ORDER BY id DESC LIMIT 1',
    [sourceId],
  );
  return run;
}

function connector(
  config: Partial<AwsCostExplorerSourceConfig> = {},
  credentials: AwsCostExplorerCredentials = CREDENTIALS,
  options: AwsCostExplorerConnectorOptions = {},
): Connector {
  return createAwsCostExplorerConnector({ endpoint: server.endpoint, lookbackMonths: 3, ...config }, credentials, {
    now: () => TODAY,
    ...options,
  });
}

async function expectConnectorError(promise: Promise<unknown>, code: ConnectorError['code'], message: RegExp): Promise<ConnectorError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a ConnectorError, got success');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectorError);
  const ce = error as ConnectorError;
  expect(ce.code).toBe(code);
  expect(ce.message).toMatch(message);
  for (const secret of ALL_SECRETS) expect(ce.message).not.toContain(secret);
  return ce;
}

/** The GetCostAndUsage requests the server answered for a month (by TimePeriod.Start). */
function requestsFor(month: string) {
  return server.requests.filter((r) => {
    const body = r.body as { TimePeriod?: { Start?: string } } | null;
    return body?.TimePeriod?.Start === `${month}-01`;
  });
}

beforeAll(async () => {
  url = await useTestDatabase();
  server = await startCostExplorerServer({
    credentials: CREDENTIALS,
    // December is outside the window: it must never be asked for.
    records: dataset(1, '2023-12-20', '2024-03-15'),
    payerAccountId: PAYER,
    estimatedFrom: '2024-03-13',
  });
});

afterAll(async () => {
  await server?.stop();
});

// ---------------------------------------------------------------------------------------------

describe('the lookback window', () => {
  it('is the current calendar month and the ones before it, oldest first', () => {
    expect(lookbackMonths(TODAY, 3)).toEqual(MONTHS);
    expect(lookbackMonths(new Date('2024-01-31T23:59:59Z'), 2)).toEqual(['2023-12', '2024-01']);
    expect(lookbackMonths(new Date('2024-03-01T00:00:00Z'), 13)).toHaveLength(13);
  });

  it('an invalid configuration is refused naming the field; credentials are never echoed', () => {
    expect(() => createAwsCostExplorerConnector({ lookbackMonths: 14 })).toThrow(/lookbackMonths/);
    expect(() => createAwsCostExplorerConnector({ billingAccountId: '12345' })).toThrow(/billingAccountId: must be a 12-digit/);
    let error: unknown;
    try {
      createAwsCostExplorerConnector({}, { accessKeyId: CREDENTIALS.accessKeyId, secretAccessKey: '' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).code).toBe('CONFIG');
    expect((error as ConnectorError).message).toMatch(/secretAccessKey/);
    expect((error as ConnectorError).message).not.toContain(CREDENTIALS.accessKeyId);
  });
});

describe('sync: months of daily cost by service and region', () => {
  let sourceId: number;
  const name = 'aws-ce';

  beforeAll(async () => {
    sourceId = await createSource(name, { lookbackMonths: 3 });
  });
  beforeEach(() => server.reset());

  it('syncs every month of the window; stored sums equal the dataset (line items and daily rollup)', async () => {
    const result = await syncSource({ sourceId, sourceName: name, connector: connector() });
    expect(result.ingested.map((i) => i.ref.key)).toEqual(['ce:2024-01', 'ce:2024-02', 'ce:2024-03']);
    expect(result.ingested.every((i) => i.summary.format === 'focus')).toBe(true);

    const expected = expectedTotals(server.records());
    expect(await storedTotals(sourceId)).toEqual(expected);
    expect(await storedTotals(sourceId, 'cost_daily')).toEqual(expected);
    expect((await deliveries(sourceId)).map((d) => [d.delivery_key, d.billing_period_start])).toEqual([
      ['ce:2024-01', '2024-01-01'],
      ['ce:2024-02', '2024-02-01'],
      ['ce:2024-03', '2024-03-01'],
    ]);

    // One request per month (each fits in a page), both metrics in it, nothing outside the window.
    const asked = server.requests.map(
      (r) => r.body as { TimePeriod: { Start: string; End: string }; Metrics: string[]; GroupBy: unknown; Granularity: string },
    );
    expect(asked.map((b) => [b.TimePeriod.Start, b.TimePeriod.End])).toEqual([
      ['2024-01-01', '2024-02-01'],
      ['2024-02-01', '2024-03-01'],
      ['2024-03-01', '2024-03-16'],
    ]);
    for (const b of asked) {
      expect(b.Granularity).toBe('DAILY');
      expect(b.Metrics).toEqual(['UnblendedCost', 'AmortizedCost']);
      expect(b.GroupBy).toEqual([
        { Type: 'DIMENSION', Key: 'SERVICE' },
        { Type: 'DIMENSION', Key: 'REGION' },
      ]);
    }
  });

  it('the rows are FOCUS: periods, payer, service, region (NoRegion -> none), tax, currency, and marked as Cost Explorer data', async () => {
    const rows = await sql<{
      provider_name: string;
      billing_account_id: string | null;
      bps: string;
      bpe: string;
      cps: string;
      cpe: string;
      charge_category: string;
      service_name: string;
      region_id: string | null;
      billed: string;
      effective: string;
      billing_currency: string;
      extras: Record<string, string>;
    }>(
      url,
      `SELECT provider_name, billing_account_id,
              to_char(billing_period_start AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS bps, to_char(billing_period_end AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS bpe,
              to_char(charge_period_start AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS cps, to_char(charge_period_end AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS cpe,
              charge_category, service_name, region_id, billed_cost::text AS billed, effective_cost::text AS effective, billing_currency, extras
         FROM cost_line_items WHERE source_id = $1 ORDER BY charge_period_start, service_name, region_id`,
      [sourceId],
    );
    const records = server.records().filter((r) => r.day >= '2024-01-01');
    expect(rows).toHaveLength(records.length);
    for (const r of rows) {
      expect(r.provider_name).toBe('AWS');
      expect(r.billing_account_id).toBe(PAYER);
      expect(r.bps).toBe(`${r.cps.slice(0, 7)}-01`);
      expect(r.cpe).toBe(addDay(r.cps));
      expect(r.extras).toEqual({
        x_Granularity: 'daily-service-region',
        x_Source: 'aws-cost-explorer',
        x_Estimated: r.cps >= '2024-03-13' ? 'true' : 'false',
      });
      expect(r.billing_currency).toBe('USD');
    }
    expect(rows.find((r) => r.bps === '2024-02-01')?.bpe).toBe('2024-03-01');
    // Every record is there, with its exact amounts.
    const key = (day: string, service: string, region: string | null) => `${day}|${service}|${region ?? ''}`;
    const stored = new Map(rows.map((r) => [key(r.cps, r.service_name, r.region_id), r]));
    for (const rec of records) {
      const region = rec.region === 'NoRegion' ? null : rec.region;
      const row = stored.get(key(rec.day, rec.service, region));
      expect(row, `${rec.day} ${rec.service} ${rec.region}`).toBeDefined();
      expect(canonical(row?.billed ?? null)).toBe(canonical(rec.unblended));
      expect(canonical(row?.effective ?? null)).toBe(canonical(rec.amortized));
      expect(row?.charge_category).toBe(rec.service === 'Tax' ? 'Tax' : 'Usage');
    }
    expect(rows.some((r) => r.service_name === 'Acme Analytics, "Enterprise" Edition')).toBe(true);
    expect(rows.some((r) => r.region_id === 'global')).toBe(true);
  });

  it('download writes a FOCUS 1.2 CSV: header, quoting, one row per day, service and region', async () => {
    const c = connector();
    const refs = await c.discover();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'burnrate-ce-test-'));
    try {
      const ref = refs.find((r) => r.key === 'ce:2024-02');
      if (!ref) throw new Error('no February delivery');
      const requestsBefore = server.requests.length;
      const [file] = await c.download(ref, dir);
      // The pages discover() read are reused: download asks nothing.
      expect(server.requests.length).toBe(requestsBefore);
      const [header = [], ...rows] = parse(await readFile(file as string)) as string[][];
      expect(header).toEqual([
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
      ]);
      expect(rows).toHaveLength(server.records().filter((r) => r.day.startsWith('2024-02')).length);
      const acme = rows.find((r) => r[7] === 'Acme Analytics, "Enterprise" Edition');
      expect(acme?.slice(0, 4)).toEqual(['AWS', PAYER, '2024-02-01T00:00:00Z', '2024-03-01T00:00:00Z']);
      expect(rows.filter((r) => r[7] === 'Tax').every((r) => r[8] === '' && r[6] === 'Tax')).toBe(true);
      expect(ref.description).toMatch(/^Cost Explorer 2024-02 \(daily by service and region: \d+ rows over 29 days\)$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a second sync ingests nothing: fingerprints are stable although page tokens are not', async () => {
    server.pageSize = 40; // several pages per month, with fresh random tokens on every call
    try {
      const before = await storedTotals(sourceId);
      const result = await syncSource({ sourceId, sourceName: name, connector: connector() });
      expect(result.deliveriesSeen).toBe(3);
      expect(result.ingested).toEqual([]);
      expect(result.skipped).toBe(3);
      expect(requestsFor('2024-01').length).toBeGreaterThan(1);
      expect(await storedTotals(sourceId)).toEqual(before);
    } finally {
      server.pageSize = 500;
    }
  });

  it('a restated month is ingested again and replaces the month (not added to it); the others are untouched', async () => {
    const before = await deliveries(sourceId);
    const restated = server
      .records()
      .map((r) =>
        r.day.startsWith('2024-02') && r.service === 'AWS Lambda' ? { ...r, unblended: sumDecimals([r.unblended, '0.0000000001']) } : r,
      );
    server.setRecords(restated);
    const result = await syncSource({ sourceId, sourceName: name, connector: connector() });
    expect(result.ingested.map((i) => i.ref.key)).toEqual(['ce:2024-02']);
    expect(result.ingested[0]?.summary.replacedRows).toBe(restated.filter((r) => r.day.startsWith('2024-02')).length);
    expect(await storedTotals(sourceId)).toEqual(expectedTotals(restated));
    expect(await storedTotals(sourceId, 'cost_daily')).toEqual(expectedTotals(restated));
    const after = await deliveries(sourceId);
    expect(after.map((d) => d.fingerprint === before.find((b) => b.delivery_key === d.delivery_key)?.fingerprint)).toEqual([
      true,
      false,
      true,
    ]);
  });

  it('estimated days turning final re-ingest their month, now with x_Estimated false', async () => {
    server.estimatedFrom = undefined;
    try {
      const result = await syncSource({ sourceId, sourceName: name, connector: connector() });
      expect(result.ingested.map((i) => i.ref.key)).toEqual(['ce:2024-03']);
      const [flags] = await sql<{ estimated: number }>(
        url,
        `SELECT count(*) FILTER (WHERE extras->>'x_Estimated' = 'true')::int AS estimated FROM cost_line_items WHERE source_id = $1`,
        [sourceId],
      );
      expect(flags?.estimated).toBe(0);
      expect(await storedTotals(sourceId)).toEqual(expectedTotals(server.records()));
    } finally {
      server.estimatedFrom = '2024-03-13';
    }
  });

  it('throttled twice (LimitExceededException), the SDK retries and the sync succeeds', async () => {
    server.throttle(2);
    const result = await syncSource({ sourceId, sourceName: name, connector: connector() });
    // The estimated flags came back: March is restated once more.
    expect(result.ingested.map((i) => i.ref.key)).toEqual(['ce:2024-03']);
    expect(server.requests.slice(0, 3).map((r) => [r.status, r.errorType ?? null])).toEqual([
      [400, 'LimitExceededException'],
      [400, 'LimitExceededException'],
      [200, null],
    ]);
    expect((await lastSyncRun(sourceId))?.status).toBe('succeeded');
    expect(await storedTotals(sourceId)).toEqual(expectedTotals(server.records()));
  });

  it('throttled past the bounded attempts: THROTTLED (retryable), the run recorded as failed, the data kept', async () => {
    const before = await storedTotals(sourceId);
    server.throttle(3, 'ThrottlingException');
    const error = await expectConnectorError(
      syncSource({ sourceId, sourceName: name, connector: connector({}, CREDENTIALS, { maxAttempts: 3 }) }),
      'THROTTLED',
      /^Cost Explorer throttled the requests while reading 2024-01 \(ThrottlingException\) after 3 attempts/,
    );
    expect(error.retryable).toBe(true);
    expect(server.requests).toHaveLength(3);
    expect(await lastSyncRun(sourceId)).toEqual({ status: 'failed', error: error.message });
    expect(await storedTotals(sourceId)).toEqual(before);
  });
});

describe('pagination', () => {
  beforeEach(() => server.reset());

  it('a month over three pages, a day split across two of them, lands complete', async () => {
    const now = new Date('2024-02-29T08:00:00Z');
    const february = server.records().filter((r) => r.day.startsWith('2024-02'));
    // Items in the order the server pages them; choose a page size that makes 3 pages and cuts a day.
    const items = [...february].sort(
      (a, b) => a.day.localeCompare(b.day) || a.service.localeCompare(b.service) || a.region.localeCompare(b.region),
    );
    let pageSize = Math.ceil(items.length / 3);
    while (items[pageSize - 1]?.day !== items[pageSize]?.day) pageSize++;
    expect(Math.ceil(items.length / pageSize)).toBe(3);
    server.pageSize = pageSize;
    try {
      const name = 'aws-ce-paged';
      const sourceId = await createSource(name, { lookbackMonths: 1 });
      const result = await syncSource({
        sourceId,
        sourceName: name,
        connector: connector({ lookbackMonths: 1 }, CREDENTIALS, { now: () => now }),
      });
      expect(result.ingested.map((i) => i.ref.key)).toEqual(['ce:2024-02']);
      const pages = requestsFor('2024-02').map((r) => (r.body as { NextPageToken?: string }).NextPageToken ?? null);
      expect(pages).toHaveLength(3);
      expect(pages[0]).toBeNull();
      expect(new Set(pages.slice(1)).size).toBe(2);
      expect(await storedTotals(sourceId)).toEqual(expectedTotals(server.records(), ['2024-02']));
    } finally {
      server.pageSize = 500;
    }
  });
});

describe('credentials and Cost Explorer errors', () => {
  beforeEach(() => server.reset());

  it('an access key AWS does not know gives AUTH (UnrecognizedClientException), never showing a key, and fails the sync', async () => {
    await expectConnectorError(
      connector({}, UNKNOWN_KEY).testConnection(),
      'AUTH',
      /^AWS rejected the credentials for Cost Explorer \(UnrecognizedClientException\): the access key is unknown to AWS/,
    );
    const name = 'aws-ce-bad-key';
    const sourceId = await createSource(name, {});
    const error = await expectConnectorError(
      syncSource({ sourceId, sourceName: name, connector: connector({}, UNKNOWN_KEY) }),
      'AUTH',
      /access key/,
    );
    expect(error.retryable).toBe(false);
    const run = await lastSyncRun(sourceId);
    expect(run?.status).toBe('failed');
    for (const secret of ALL_SECRETS) expect(run?.error).not.toContain(secret);
    // Not retried: a rejected key does not become valid by asking again.
    expect(server.requests.filter((r) => r.errorType === 'UnrecognizedClientException')).toHaveLength(2);
  });

  it('the right key with the wrong secret gives AUTH (InvalidSignatureException: the server checks SigV4)', async () => {
    await expectConnectorError(
      connector({}, WRONG_SECRET).testConnection(),
      'AUTH',
      /\(InvalidSignatureException\): the secret access key does not belong to the access key/,
    );
  });

  it('testConnection asks for one day, ungrouped, and passes with good credentials', async () => {
    await connector().testConnection();
    expect(server.requests.map((r) => r.body)).toEqual([
      { TimePeriod: { Start: '2024-03-14', End: '2024-03-15' }, Granularity: 'DAILY', Metrics: ['UnblendedCost'] },
    ]);
  });

  it('DataUnavailableException gives NOT_FOUND: Cost Explorer is not ready yet', async () => {
    server.dataUnavailable(true);
    await expectConnectorError(
      connector().testConnection(),
      'NOT_FOUND',
      /Cost Explorer has no data yet; it is enabled 24 h after first opening it/,
    );
    await expectConnectorError(connector().discover(), 'NOT_FOUND', /no data yet/);
  });

  it('AccessDeniedException gives AUTH naming the permission; "not enabled" says to open Cost Explorer', async () => {
    server.failNext(1, {
      status: 400,
      type: 'AccessDeniedException',
      message: `User: arn:aws:iam::${PAYER}:user/burnrate is not authorized to perform: ce:GetCostAndUsage on resource: arn:aws:ce:us-east-1:${PAYER}:/GetCostAndUsage`,
    });
    await expectConnectorError(connector().testConnection(), 'AUTH', /not allowed ce:GetCostAndUsage/);
    server.failNext(1, { status: 400, type: 'AccessDeniedException', message: 'User not enabled for cost explorer access' });
    await expectConnectorError(connector().testConnection(), 'AUTH', /not enabled for this account\. Open Cost Explorer once/);
  });

  it('nothing listening at the endpoint gives NETWORK (retryable)', async () => {
    const dead = createAwsCostExplorerConnector({ endpoint: 'http://127.0.0.1:9' }, CREDENTIALS, { maxAttempts: 1 });
    const error = await expectConnectorError(dead.testConnection(), 'NETWORK', /ECONNREFUSED/);
    expect(error.retryable).toBe(true);
  });
});

describe('superseded by an export', () => {
  beforeEach(() => server.reset());

  it('a CUR of the same payer and month replaces the Cost Explorer month; the next sync leaves it out', async () => {
    const [ce] = await sql<{ id: number }>(url, `SELECT id FROM billing_sources WHERE name = 'aws-ce'`);
    const sourceId = ce?.id as number;
    const [paged] = await sql<{ id: number }>(url, `SELECT id FROM billing_sources WHERE name = 'aws-ce-paged'`);
    const before = await storedTotals(sourceId);
    const januaryRows = before.get('2024-01')?.rows ?? 0;
    expect(januaryRows).toBeGreaterThan(0);

    // Nothing to supersede before the export exists.
    expect(await supersedeCostExplorerMonths()).toEqual([]);

    const cur = await ingestFile({ file: CUR_FIXTURE, format: 'aws-cur', sourceName: 'aws-cur-export' });
    expect(cur.billingPeriods).toEqual(['2024-01-01']);

    expect(await supersedeCostExplorerMonths()).toEqual([
      { sourceId, billingAccountId: PAYER, billingPeriod: '2024-01-01', rows: januaryRows },
    ]);
    const after = await storedTotals(sourceId);
    expect(after.has('2024-01')).toBe(false);
    expect((await storedTotals(sourceId, 'cost_daily')).has('2024-01')).toBe(false);
    expect(after.get('2024-02')).toEqual(before.get('2024-02'));
    expect(after.get('2024-03')).toEqual(before.get('2024-03'));
    expect((await deliveries(sourceId)).map((d) => d.delivery_key)).toEqual(['ce:2024-02', 'ce:2024-03']);
    // The other Cost Explorer source holds February only: untouched.
    expect((await storedTotals(paged?.id as number)).has('2024-02')).toBe(true);
    // Idempotent.
    expect(await supersedeCostExplorerMonths({ sourceId })).toEqual([]);

    // January across every source is now the export's, counted once.
    const [jan] = await sql<{ billed: string }>(
      url,
      `SELECT sum(billed_cost)::text AS billed FROM cost_daily WHERE billing_period_start = '2024-01-01'`,
    );
    expect(canonical(jan?.billed ?? null)).toBe(CUR_FIXTURE_TOTAL);

    // The next sync does not bring January back (the payer comes from the response here, so the month is read, then left out).
    const result = await syncSource({ sourceId, sourceName: 'aws-ce', connector: connector() });
    expect(result.deliveriesSeen).toBe(2);
    expect(result.ingested).toEqual([]);
    expect((await storedTotals(sourceId)).has('2024-01')).toBe(false);

    // With the payer configured, a covered month is not even requested (each request is billed).
    server.reset();
    const refs = await connector({ billingAccountId: PAYER }).discover();
    expect(refs.map((r) => r.key)).toEqual(['ce:2024-02', 'ce:2024-03']);
    expect(requestsFor('2024-01')).toEqual([]);
  });

  it('another payer, or rows without a billing account, are not superseded', async () => {
    const name = 'aws-ce-other-payer';
    const sourceId = await createSource(name, {});
    server.payerAccountId = '210987654321';
    try {
      const result = await syncSource({ sourceId, sourceName: name, connector: connector({ lookbackMonths: 3 }) });
      expect(result.ingested.map((i) => i.ref.key)).toEqual(['ce:2024-01', 'ce:2024-02', 'ce:2024-03']);
      expect(await supersedeCostExplorerMonths({ sourceId })).toEqual([]);
    } finally {
      server.payerAccountId = PAYER;
    }
    const anonymous = 'aws-ce-no-payer';
    const anonymousId = await createSource(anonymous, {});
    server.payerAccountId = undefined;
    try {
      await syncSource({ sourceId: anonymousId, sourceName: anonymous, connector: connector({ lookbackMonths: 3 }) });
      const [nulls] = await sql<{ n: number }>(
        url,
        'SELECT count(*)::int AS n FROM cost_line_items WHERE source_id = $1 AND billing_account_id IS NULL',
        [anonymousId],
      );
      expect(nulls?.n).toBeGreaterThan(0);
      expect(await supersedeCostExplorerMonths({ sourceId: anonymousId })).toEqual([]);
    } finally {
      server.payerAccountId = PAYER;
    }
  });
});
