// The GCP BigQuery connector through the official @google-cloud/bigquery client, pointed (apiEndpoint)
// at a local server speaking BigQuery's REST wire format (tests/helpers/gcp-server.ts), over tables
// built from the GCP export fixtures, syncing into a real PostgreSQL.

import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { OAuth2Client } from 'google-auth-library';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { canonicalDecimal as canonical, sumDecimals } from '../../tests/helpers/bigint-decimal';
import { insertSource, sql, useTestDatabase } from '../../tests/helpers/db';
import {
  type BqRecord,
  type BqRow,
  type BqTable,
  createServiceAccount,
  DETAILED_EXPORT_SCHEMA,
  exportRowsFromCsv,
  type GcpTestServer,
  parseTimestampMicros,
  STANDARD_EXPORT_SCHEMA,
  startGcpServer,
} from '../../tests/helpers/gcp-server';

import { createGcpBigQueryConnector, type GcpBigQueryConnectorOptions, type GcpBigQuerySourceConfig } from './gcp-bigquery';
import { syncSource } from './sync';
import { type Connector, ConnectorError, type DeliveryRef } from './types';

const GCP = path.resolve(__dirname, '../../tests/fixtures/gcp');
const PROJECT = 'billing-test-project';
const DATASET = 'billing_export';
const DETAILED = 'gcp_billing_export_resource_v1_01A2B3_C4D5E6_F7A8B9';
const STANDARD = 'gcp_billing_export_v1_000000_B0BBA4_940A77';
const TOKEN = 'burnrate-test-access-token-0001';

let url: string;
let server: GcpTestServer;

beforeAll(async () => {
  url = await useTestDatabase();
  server = await startGcpServer();
  server.acceptTokens.add(TOKEN);
});

afterAll(async () => {
  await server?.stop();
});

afterEach(() => {
  server.pendingPolls = 0;
});

function tokenClient(token: string): OAuth2Client {
  // An access token with no expiry: the client sends it as is and never tries to refresh it.
  const client = new OAuth2Client();
  client.setCredentials({ access_token: token });
  return client;
}

function connector(
  config: Partial<GcpBigQuerySourceConfig> & { table: string },
  options: GcpBigQueryConnectorOptions & { token?: string } = {},
): Connector {
  const { token = TOKEN, ...rest } = options;
  return createGcpBigQueryConnector({ projectId: PROJECT, dataset: DATASET, apiEndpoint: server.endpoint, ...config }, undefined, {
    authClient: tokenClient(token),
    maxRetries: 2,
    maxRetryDelaySeconds: 0.02,
    ...rest,
  });
}

function table(tableId: string, rows: BqRow[], schema = DETAILED_EXPORT_SCHEMA): BqTable {
  return server.addTable({ projectId: PROJECT, datasetId: DATASET, tableId, location: 'US', schema, rows });
}

// ---------------------------------------------------------------------------------------------
// Totals computed from the dataset itself (BigQuery's text of cost and credits.amount, summed
// exactly), independently of the connector and the reader. The reader's documented rule:
// BilledCost = EffectiveCost = cost + sum(credits.amount).

interface Totals {
  rows: number;
  billed: string | null;
  effective: string | null;
}

const monthOf = (r: BqRow) => (r.values.invoice as BqRecord).month as string;

function datasetTotals(rows: BqRow[], months: string[]): Map<string, Totals> {
  const sums = new Map<string, { rows: number; billed: string }>();
  for (const r of rows) {
    const month = monthOf(r);
    if (!months.includes(month)) continue;
    const credits = (r.values.credits as BqRecord[]).map((c) => c.amount as string);
    const billed = sumDecimals([r.values.cost as string, ...credits]);
    const key = `${month.slice(0, 4)}-${month.slice(4)}-01|${r.values.currency}`;
    const t = sums.get(key) ?? { rows: 0, billed: '0' };
    sums.set(key, { rows: t.rows + 1, billed: sumDecimals([t.billed, billed]) });
  }
  return new Map(
    [...sums]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, t]) => [k, { rows: t.rows, billed: canonical(t.billed), effective: canonical(t.billed) }]),
  );
}

async function storedTotals(sourceId: number): Promise<Map<string, Totals>> {
  const rows = await sql<{ period: string; currency: string; n: number; billed: string; effective: string | null }>(
    url,
    `SELECT to_char(billing_period_start AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS period, billing_currency AS currency, count(*)::int AS n,
            sum(billed_cost)::text AS billed, sum(effective_cost)::text AS effective
       FROM cost_line_items WHERE source_id = $1 GROUP BY 1, 2 ORDER BY 1, 2`,
    [sourceId],
  );
  return new Map(
    rows.map((r) => [`${r.period}|${r.currency}`, { rows: r.n, billed: canonical(r.billed), effective: canonical(r.effective) }]),
  );
}

function createSource(name: string, config: object): Promise<number> {
  return insertSource(url, name, 'gcp_bigquery', config);
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

async function expectConnectorError(promise: Promise<unknown>, code: ConnectorError['code'], message: RegExp): Promise<ConnectorError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a ConnectorError, got success');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectorError);
  const ce = error as ConnectorError;
  expect({ code: ce.code, message: ce.message }).toEqual({ code, message: expect.stringMatching(message) });
  return ce;
}

function readCsvGz(file: Buffer): { header: string[]; rows: Record<string, string>[] } {
  const [header = [], ...records] = parse(gunzipSync(file)) as string[][];
  return { header, rows: records.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] as string]))) };
}

const postsSince = (from: number) => server.requests.slice(from).filter((r) => r.method === 'POST');

// ---------------------------------------------------------------------------------------------

describe('detailed export table: discover, download, sync, resync, new rows', () => {
  const now = () => new Date('2025-01-10T12:00:00Z');
  const config = { table: DETAILED, lookbackMonths: 3 };
  const make = (options: GcpBigQueryConnectorOptions = {}) => connector(config, { now, ...options });
  const sourceName = 'gcp-bq-test:detailed';
  let data: BqTable;
  let sourceId: number;

  beforeAll(async () => {
    const rows = exportRowsFromCsv(DETAILED_EXPORT_SCHEMA, readFileSync(path.join(GCP, 'detailed-usage-multi-currency.csv')));
    // The JPY row is still in the streaming buffer (no partition yet).
    const jpy = rows.find((r) => r.values.currency === 'JPY') as BqRow;
    jpy.partition = null;
    // A correction for an invoice month before the window, exported inside the window's partitions.
    const old = structuredClone(rows[3] as BqRow);
    (old.values.invoice as BqRecord).month = '202409';
    old.partition = '2024-11-20';
    rows.push(old);
    data = table(DETAILED, rows);
    sourceId = await createSource(sourceName, { projectId: PROJECT, dataset: DATASET, ...config });
  });

  it('discovers one delivery per invoice month of the window with a parameterized, partition-bounded query', async () => {
    const before = server.requests.length;
    const refs = await make().discover();
    expect(refs).toEqual([
      {
        key: `bq:${DETAILED}:202411`,
        fingerprint: 'rows=6;exported_until=2024-11-02T04:00:00.000000Z',
        billingPeriod: '2024-11-01',
        format: 'gcp',
        description: `BigQuery export ${DATASET}.${DETAILED} invoice month 2024-11 (6 rows, exported until 2024-11-02T04:00:00.000000Z)`,
      },
      {
        key: `bq:${DETAILED}:202412`,
        fingerprint: 'rows=3;exported_until=2024-11-02T04:00:00.000000Z',
        billingPeriod: '2024-12-01',
        format: 'gcp',
        description: `BigQuery export ${DATASET}.${DETAILED} invoice month 2024-12 (3 rows, exported until 2024-11-02T04:00:00.000000Z)`,
      },
    ]);
    const [post] = postsSince(before);
    const body = post?.body as { query: string; queryParameters: unknown; useLegacySql: boolean; parameterMode: string };
    expect(post?.path).toBe(`/bigquery/v2/projects/${PROJECT}/queries`);
    expect(post?.principal).toBe(`token:${TOKEN}`);
    expect(body.query).toContain(`FROM \`${PROJECT}.${DATASET}.${DETAILED}\``);
    expect(body.query).toContain('_PARTITIONTIME >= @partitions_from');
    // Values travel as parameters, never in the SQL text.
    expect(body.query).not.toMatch(/20\d\d/);
    expect({ useLegacySql: body.useLegacySql, parameterMode: body.parameterMode, params: body.queryParameters }).toEqual({
      useLegacySql: false,
      parameterMode: 'NAMED',
      // The window's first month, less the late-usage margin.
      params: [
        { name: 'partitions_from', parameterType: { type: 'TIMESTAMP' }, parameterValue: { value: '2024-10-18T00:00:00Z' } },
        { name: 'first_month', parameterType: { type: 'STRING' }, parameterValue: { value: '202411' } },
      ],
    });
  });

  it("downloads a month as gzipped CSV in the reader's layout: dotted columns, JSON lists, BigQuery's text for amounts", async () => {
    const c = make();
    const [nov] = await c.discover();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'burnrate-bq-test-'));
    try {
      const files = await c.download(nov as NonNullable<typeof nov>, dir);
      expect(files.map((f) => path.basename(f))).toEqual([`${DETAILED}-202411.csv.gz`]);
      const raw = await readFile(files[0] as string);
      const { header, rows } = readCsvGz(raw);
      expect(header).toEqual(
        expect.arrayContaining([
          'billing_account_id',
          'service.description',
          'sku.id',
          'usage_start_time',
          'project.id',
          'project.labels',
          'labels',
          'location.region',
          'resource.global_name',
          'export_time',
          'cost',
          'currency',
          'usage.amount_in_pricing_units',
          'credits',
          'invoice.month',
          'cost_type',
          'adjustment_info.id',
          'price.effective_price',
          'tags',
        ]),
      );
      const expected = data.rows.filter((r) => monthOf(r) === '202411');
      expect(rows.map((r) => r.cost)).toEqual(expected.map((r) => r.values.cost));
      const first = rows[0] as Record<string, string>;
      // FLOAT64: 1.234567890123456789 in the fixture is the double 1.2345678901234567 in BigQuery.
      expect(first.cost).toBe('1.2345678901234567');
      expect(first.usage_start_time).toBe('2024-11-01 10:00:00 UTC');
      expect(first.export_time).toBe('2024-11-02 04:00:00 UTC');
      expect(first['invoice.month']).toBe('202411');
      expect(first['price.effective_price']).toBe('0.3086419725');
      // The amount's text is kept inside the JSON (a JSON number, never a float in between).
      expect(first.credits).toBe(
        '[{"name":"Sustained Usage Discount","amount":-0.12345678901234568,"full_name":null,"id":"","type":"SUSTAINED_USAGE_DISCOUNT"}]',
      );
      expect(JSON.parse(first.labels as string)).toEqual([
        { key: 'app', value: 'checkout' },
        { key: 'env', value: 'prod-eu' },
      ]);
      expect(JSON.parse(first['project.labels'] as string)).toEqual([
        { key: 'cost-center', value: 'cc-100' },
        { key: 'env', value: 'prod' },
      ]);
      expect(JSON.parse(first.tags as string)).toEqual([{ key: '123/team', value: 'payments', inherited: true, namespace: '123' }]);
      expect((rows[4] as Record<string, string>).cost).toBe('-1.0E-6');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('sync stores each month with the exact sums of the dataset (cost + credits), per currency', async () => {
    const result = await syncSource({ sourceId, sourceName, connector: make() });
    expect(result.ingested.map((i) => [i.ref.key, i.summary.rows, i.summary.billingPeriods])).toEqual([
      [`bq:${DETAILED}:202411`, 6, ['2024-11-01']],
      [`bq:${DETAILED}:202412`, 3, ['2024-12-01']],
    ]);
    const expected = datasetTotals(data.rows, ['202411', '202412']);
    expect([...expected.keys()]).toEqual(['2024-11-01|USD', '2024-12-01|EUR', '2024-12-01|JPY']);
    expect(await storedTotals(sourceId)).toEqual(expected);
    expect(expected.get('2024-12-01|JPY')).toEqual({ rows: 1, billed: '1250', effective: '1250' });
    expect(await deliveries(sourceId)).toEqual([
      {
        delivery_key: `bq:${DETAILED}:202411`,
        fingerprint: 'rows=6;exported_until=2024-11-02T04:00:00.000000Z',
        billing_period_start: '2024-11-01',
      },
      {
        delivery_key: `bq:${DETAILED}:202412`,
        fingerprint: 'rows=3;exported_until=2024-11-02T04:00:00.000000Z',
        billing_period_start: '2024-12-01',
      },
    ]);
    expect(await lastSyncRun(sourceId)).toEqual({ status: 'succeeded', error: null });
  });

  it('a second sync ingests nothing: the months are unchanged', async () => {
    const before = server.requests.length;
    const result = await syncSource({ sourceId, sourceName, connector: make() });
    expect({ ingested: result.ingested.length, skipped: result.skipped }).toEqual({ ingested: 0, skipped: 2 });
    // Only the summary query ran.
    expect(postsSince(before)).toHaveLength(1);
    expect(await storedTotals(sourceId)).toEqual(datasetTotals(data.rows, ['202411', '202412']));
  });

  it('rows exported later for a month re-ingest that month whole, replacing it (not doubled); the other month is skipped', async () => {
    const late = (source: BqRow, cost: string, exportTime: string): BqRow => {
      const r = structuredClone(source);
      r.values.cost = cost;
      r.values.export_time = String(parseTimestampMicros(exportTime));
      return r;
    };
    const usd = data.rows.filter((r) => monthOf(r) === '202411');
    data.rows.push(
      late(usd[0] as BqRow, '2.5', '2024-11-03 05:00:00.250000 UTC'),
      late(usd[5] as BqRow, '4.0E-6', '2024-11-03 06:30:00 UTC'),
    );
    const result = await syncSource({ sourceId, sourceName, connector: make() });
    expect(result.ingested.map((i) => [i.ref.key, i.ref.fingerprint, i.summary.rows, i.summary.replacedRows])).toEqual([
      [`bq:${DETAILED}:202411`, 'rows=8;exported_until=2024-11-03T06:30:00.000000Z', 8, 6],
    ]);
    expect(result.skipped).toBe(1);
    const stored = await storedTotals(sourceId);
    expect(stored).toEqual(datasetTotals(data.rows, ['202411', '202412']));
    expect(stored.get('2024-11-01|USD')?.rows).toBe(8);
  });

  it('rows exported between discover and download wait for the next sync, so the stored month matches its fingerprint', async () => {
    const c = make();
    const [nov] = await c.discover();
    const added = structuredClone(data.rows.find((r) => monthOf(r) === '202411') as BqRow);
    added.values.export_time = String(parseTimestampMicros('2024-11-04 00:00:00 UTC'));
    data.rows.push(added);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'burnrate-bq-test-'));
    try {
      const [file] = await c.download(nov as NonNullable<typeof nov>, dir);
      expect(readCsvGz(await readFile(file as string)).rows).toHaveLength(8);
      expect((await c.discover())[0]?.fingerprint).toBe('rows=9;exported_until=2024-11-04T00:00:00.000000Z');
    } finally {
      data.rows.pop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a month that lost rows between discover and download fails as a retryable BAD_DELIVERY; the stored month stays', async () => {
    const c = make();
    const [nov] = await c.discover();
    const i = data.rows.findIndex((r) => monthOf(r) === '202411');
    const [removed] = data.rows.splice(i, 1);
    try {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'burnrate-bq-test-'));
      const error = await expectConnectorError(
        c.download(nov as NonNullable<typeof nov>, dir).finally(() => rm(dir, { recursive: true, force: true })),
        'BAD_DELIVERY',
        /^Invoice month 2024-11 of billing-test-project\.billing_export\.gcp_billing_export_resource_v1_\S+ changed while it was being read \(expected 8 rows exported until 2024-11-03T06:30:00\.000000Z, read 7\)/,
      );
      expect(error.retryable).toBe(true);
    } finally {
      data.rows.splice(i, 0, removed as BqRow);
    }
    expect(await storedTotals(sourceId)).toEqual(datasetTotals(data.rows, ['202411', '202412']));
  });

  it('checks the connection with a dry run of the summary query', async () => {
    const before = server.requests.length;
    await expect(make().testConnection()).resolves.toBeUndefined();
    const [post] = postsSince(before);
    expect(post?.body).toMatchObject({ dryRun: true, useLegacySql: false, query: expect.stringContaining('GROUP BY invoice_month') });
  });
});

describe('paging and long-running queries', () => {
  it('reads a month across result pages after polling a job that is still running; the sums match', async () => {
    const rows = exportRowsFromCsv(STANDARD_EXPORT_SCHEMA, readFileSync(path.join(GCP, 'koku-202011-credits.csv')));
    expect(rows).toHaveLength(25);
    table(STANDARD, rows, STANDARD_EXPORT_SCHEMA);
    const config = { table: STANDARD };
    const sourceName = 'gcp-bq-test:paging';
    const sourceId = await createSource(sourceName, { projectId: PROJECT, dataset: DATASET, ...config });
    server.pendingPolls = 2;
    const before = server.requests.length;
    const result = await syncSource({
      sourceId,
      sourceName,
      connector: connector(config, { now: () => new Date('2020-12-05T00:00:00Z'), pageSize: 4 }),
    });
    expect(result.ingested.map((i) => [i.ref.key, i.ref.fingerprint, i.summary.rows])).toEqual([
      [`bq:${STANDARD}:202011`, 'rows=25;exported_until=2020-11-11T14:14:41.604000Z', 25],
    ]);
    expect(await storedTotals(sourceId)).toEqual(datasetTotals(rows, ['202011']));
    const monthQuery = server.requests.slice(before).filter((r) => r.method === 'POST')[1];
    expect(monthQuery?.body).toMatchObject({ maxResults: 4, formatOptions: { useInt64Timestamp: true } });
    const gets = server.requests.slice(before).filter((r) => r.method === 'GET');
    // Per query: two polls answered "still running", one that brings the first page; then, for the
    // month, 6 more pages of 4 rows.
    expect(gets.filter((g) => !g.query.pageToken)).toHaveLength(6);
    expect(gets.filter((g) => g.query.pageToken)).toHaveLength(6);
    expect(gets.every((g) => g.query.maxResults === '4' && g.query.location === 'US')).toBe(true);
  });

  it('reads timestamps sent as float seconds (a server that ignores useInt64Timestamp) to the same microseconds', async () => {
    const rows = exportRowsFromCsv(STANDARD_EXPORT_SCHEMA, readFileSync(path.join(GCP, 'koku-202011-credits.csv')));
    const t = table('gcp_billing_export_v1_float_seconds', rows, STANDARD_EXPORT_SCHEMA);
    const c = connector({ table: t.tableId }, { now: () => new Date('2020-11-30T00:00:00Z') });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'burnrate-bq-test-'));
    server.ignoreInt64Timestamps = true;
    try {
      const [ref] = await c.discover();
      expect(ref?.fingerprint).toBe('rows=25;exported_until=2020-11-11T14:14:41.604000Z');
      const [file] = await c.download(ref as NonNullable<typeof ref>, dir);
      const csv = readCsvGz(await readFile(file as string));
      expect(csv.rows.map((r) => r.export_time)).toEqual(
        rows.map((r) => {
          const micros = BigInt(r.values.export_time as string);
          const iso = new Date(Number(micros / 1000n)).toISOString();
          return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(micros % 1_000_000n).padStart(6, '0')} UTC`;
        }),
      );
      expect(csv.rows[0]?.export_time).toBe('2020-11-10 05:49:32.199000 UTC');
    } finally {
      server.ignoreInt64Timestamps = false;
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('partition bounds', () => {
  it("a month's count and its download read the same partitions, also for a row far before its invoice month (regression)", async () => {
    const rows = exportRowsFromCsv(DETAILED_EXPORT_SCHEMA, readFileSync(path.join(GCP, 'detailed-usage-multi-currency.csv')));
    // An invoice-December row in a partition of 10 November: inside the window's partitions (from
    // 18 October) but more than the 14-day margin before December. Counted for December by the
    // summary query, it would be missing from December's download and fail every sync.
    const far = structuredClone(rows.find((r) => monthOf(r) === '202412') as BqRow);
    far.partition = '2024-11-10';
    rows.push(far);
    const t = table('gcp_billing_export_resource_v1_partition_bounds', rows);
    const c = connector({ table: t.tableId }, { now: () => new Date('2025-01-10T12:00:00Z') });
    const refs = await c.discover();
    expect(refs.map((r) => r.fingerprint.split(';')[0])).toEqual(['rows=6', 'rows=3']);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'burnrate-bq-test-'));
    try {
      const [file] = await c.download(refs[1] as DeliveryRef, dir);
      expect(readCsvGz(await readFile(file as string)).rows).toHaveLength(3);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('failures', () => {
  const now = () => new Date('2025-01-10T12:00:00Z');
  const config = { table: DETAILED };

  it('a token BigQuery does not accept fails with AUTH naming the table; the failed sync is recorded; no secret in the message', async () => {
    const sourceName = 'gcp-bq-test:bad-token';
    const sourceId = await createSource(sourceName, { projectId: PROJECT, dataset: DATASET, ...config });
    const wrong = 'burnrate-revoked-token-9999';
    const error = await expectConnectorError(
      syncSource({ sourceId, sourceName, connector: connector(config, { now, token: wrong }) }),
      'AUTH',
      /^BigQuery rejected the configured credentials \(HTTP 401, authError\) while listing invoice months on billing-test-project\.billing_export\.gcp_billing_export_resource_v1_01A2B3_C4D5E6_F7A8B9: Request had invalid authentication credentials/,
    );
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain(wrong);
    expect(await lastSyncRun(sourceId)).toEqual({ status: 'failed', error: error.message });
    expect(await storedTotals(sourceId)).toEqual(new Map());
  });

  it('credentials the token endpoint refuses fail with AUTH, before BigQuery is asked', async () => {
    const refreshing = new OAuth2Client({
      clientId: 'burnrate-test-client',
      clientSecret: 'burnrate-test-secret',
      endpoints: { oauth2TokenUrl: `${server.endpoint}/token` },
    });
    refreshing.setCredentials({ refresh_token: 'burnrate-revoked-refresh-token' });
    const before = server.requests.length;
    const error = await expectConnectorError(
      connector(config, { now, authClient: refreshing }).discover(),
      'AUTH',
      /^Google refused to issue an access token for the configured credentials \(invalid_grant: Token has been expired or revoked\.\)/,
    );
    expect(error.message).not.toContain('burnrate-revoked-refresh-token');
    expect(error.message).not.toContain('burnrate-test-secret');
    expect(server.requests.slice(before).map((r) => r.path)).toEqual(['/token']);
  });

  it('a 429 then success: the client retries the same request (same requestId) and discovery succeeds', async () => {
    server.failNext({
      status: 429,
      reason: 'rateLimitExceeded',
      message: 'Exceeded rate limits: too many api requests per user per method',
    });
    const before = server.requests.length;
    const refs = await connector(config, { now }).discover();
    expect(refs.map((r) => r.key)).toEqual([`bq:${DETAILED}:202411`, `bq:${DETAILED}:202412`]);
    const posts = postsSince(before);
    expect(posts).toHaveLength(2);
    const ids = posts.map((p) => (p.body as { requestId: string }).requestId);
    expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[1]).toBe(ids[0]);
  });

  it('throttling that outlasts the retries fails with THROTTLED (retryable), for 429 and for 403 rateLimitExceeded', async () => {
    server.failNext({ status: 429, reason: 'rateLimitExceeded', message: 'Too many requests', times: 3 });
    const before = server.requests.length;
    const e1 = await expectConnectorError(
      connector(config, { now }).discover(),
      'THROTTLED',
      /^BigQuery throttled the requests for billing-test-project\.billing_export\.\S+ while listing invoice months \(HTTP 429, rateLimitExceeded: Too many requests\) after 3 attempts; the sync will be retried later\.$/,
    );
    expect(e1.retryable).toBe(true);
    expect(postsSince(before)).toHaveLength(3);

    server.failNext({ status: 403, reason: 'rateLimitExceeded', message: 'Exceeded rate limits: too many concurrent queries', times: 3 });
    await expectConnectorError(connector(config, { now }).discover(), 'THROTTLED', /\(HTTP 403, rateLimitExceeded: Exceeded rate limits/);
  });

  it('403 accessDenied fails with AUTH naming the roles to grant', async () => {
    server.failNext({
      status: 403,
      reason: 'accessDenied',
      message: `Access Denied: Table ${PROJECT}:${DATASET}.${DETAILED}: User does not have permission to query table`,
    });
    await expectConnectorError(
      connector(config, { now }).testConnection(),
      'AUTH',
      /^BigQuery denied the configured credentials access to billing-test-project\.billing_export\.\S+ while checking the table \(dry run\) \(HTTP 403, accessDenied: Access Denied: .*\)\. Grant it BigQuery Data Viewer \(roles\/bigquery\.dataViewer\) on dataset billing_export and BigQuery Job User \(roles\/bigquery\.jobUser\) on project billing-test-project\.$/,
    );
  });

  it('a table that does not exist fails with NOT_FOUND naming project.dataset.table', async () => {
    await expectConnectorError(
      connector({ table: 'gcp_billing_export_v1_MISSING' }, { now }).testConnection(),
      'NOT_FOUND',
      /^BigQuery table billing-test-project\.billing_export\.gcp_billing_export_v1_MISSING was not found while checking the table \(dry run\) \(HTTP 404, notFound: Not found: Table billing-test-project:billing_export\.gcp_billing_export_v1_MISSING was not found in location US\)\. Check the project, dataset and table names\.$/,
    );
  });

  it('a table without the export columns (invalidQuery) fails with CONFIG explaining which tables are expected', async () => {
    server.failNext({ status: 400, reason: 'invalidQuery', message: 'Unrecognized name: export_time at [1:81]' });
    await expectConnectorError(
      connector(config, { now }).testConnection(),
      'CONFIG',
      /\(HTTP 400, invalidQuery: Unrecognized name: export_time at \[1:81\]\)\. Check that the table is a Cloud Billing standard or detailed usage cost export/,
    );
  });

  it('server errors that outlast the retries fail with NETWORK (retryable)', async () => {
    server.failNext({ status: 503, reason: 'backendError', message: 'Backend error', times: 3 });
    const e = await expectConnectorError(
      connector(config, { now }).discover(),
      'NETWORK',
      /^BigQuery failed while listing invoice months .*\(HTTP 503, backendError: Backend error\) after 3 attempts\.$/,
    );
    expect(e.retryable).toBe(true);
  });

  it('an endpoint nobody listens on fails with NETWORK naming it', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const endpoint = `http://127.0.0.1:${port}`;
    await expectConnectorError(
      createGcpBigQueryConnector({ projectId: PROJECT, dataset: DATASET, table: DETAILED, apiEndpoint: endpoint }, undefined, {
        authClient: tokenClient(TOKEN),
        maxRetries: 1,
        maxRetryDelaySeconds: 0.02,
      }).discover(),
      'NETWORK',
      new RegExp(
        `^Cannot reach BigQuery at ${endpoint} for billing-test-project\\.billing_export\\.\\S+ while listing invoice months: ECONNREFUSED\\.$`,
      ),
    );
  });

  it('rejects table names that are not BigQuery IDs before anything is sent', async () => {
    const before = server.requests.length;
    expect(() => connector({ table: 'gcp_billing_export_v1_x` WHERE 1=1; --' })).toThrow(
      expect.objectContaining({
        code: 'CONFIG',
        message: expect.stringMatching(/^Invalid BigQuery source configuration: table: must be a BigQuery table ID/),
      }),
    );
    expect(() => connector({ table: 'ok', dataset: 'a.b' })).toThrow(
      expect.objectContaining({ code: 'CONFIG', message: expect.stringContaining('dataset: ') }),
    );
    expect(server.requests.length).toBe(before);
  });

  it('a key that is not JSON, or lacks fields, fails with CONFIG naming the fields, never quoting the key', () => {
    const account = createServiceAccount('reader@burnrate-test.iam.gserviceaccount.com');
    const make = (serviceAccountKey: unknown) =>
      createGcpBigQueryConnector({ projectId: PROJECT, dataset: DATASET, table: DETAILED }, { serviceAccountKey } as {
        serviceAccountKey: string;
      });
    const notJson = `${JSON.stringify(account.key).slice(0, -5)}`;
    let error: unknown;
    try {
      make(notJson);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      code: 'CONFIG',
      message: expect.stringMatching(/^Invalid Google Cloud service-account key: serviceAccountKey: is not valid JSON/),
    });
    expect((error as Error).message).not.toContain('PRIVATE KEY');
    const { private_key: _omitted, ...withoutKey } = account.key;
    expect(() => make(JSON.stringify(withoutKey))).toThrow(/serviceAccountKey\.private_key: is missing/);
    expect(() => make({ ...account.key, type: 'authorized_user' })).toThrow(/serviceAccountKey\.type: must be "service_account"/);
    // A parsed key object (as the registry passes a validated secret) is accepted as well as the text.
    expect(() => make(account.key)).not.toThrow();
    expect(() => make(JSON.stringify(account.key))).not.toThrow();
  });

  it('a key whose private_key cannot be read fails with CONFIG before any request leaves the machine', async () => {
    const account = createServiceAccount('reader@burnrate-test.iam.gserviceaccount.com');
    const broken = { ...account.key, private_key: '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n' };
    const outbound: string[] = [];
    const original = net.Socket.prototype.connect;
    const guard = vi.spyOn(net.Socket.prototype, 'connect').mockImplementation(function (this: net.Socket, ...args: unknown[]) {
      const first = args[0] as { host?: string; path?: string } | number;
      const host = typeof first === 'object' ? (first.host ?? first.path ?? '') : String(args[1] ?? '');
      if (!/^(127\.0\.0\.1|localhost|::1|\/)/.test(host)) {
        outbound.push(host);
        throw new Error(`test guard: no network beyond loopback (${host})`);
      }
      return (original as (...a: unknown[]) => net.Socket).apply(this, args);
    });
    try {
      const c = createGcpBigQueryConnector(
        { projectId: PROJECT, dataset: DATASET, table: DETAILED, apiEndpoint: server.endpoint },
        { serviceAccountKey: JSON.stringify(broken) },
        { maxRetries: 0 },
      );
      const error = await expectConnectorError(
        c.testConnection(),
        'CONFIG',
        /^The private_key of the service account reader@burnrate-test\.iam\.gserviceaccount\.com's key cannot be read \(ERR_OSSL_\w+\); paste the key file again as downloaded\.$/,
      );
      expect(error.message).not.toContain('bm90IGEga2V5');
    } finally {
      guard.mockRestore();
    }
    expect(outbound).toEqual([]);
  });

  it('an aborted discovery stops with the abort reason', async () => {
    const controller = new AbortController();
    controller.abort(new Error('sync cancelled'));
    await expect(connector(config, { now }).discover(controller.signal)).rejects.toThrow('sync cancelled');
  });
});
