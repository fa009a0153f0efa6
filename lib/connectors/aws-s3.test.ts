// The AWS S3 connector against a real S3-compatible server (s3rver on loopback) through the
// official AWS SDK, syncing into a real PostgreSQL. Buckets are laid out as AWS writes them:
// manifests plus gzipped CSV parts made from the CUR and FOCUS fixtures.

import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { legacyCurManifest } from '../../scripts/local-clouds';
import { canonicalDecimal as canonical, sumDecimals } from '../../tests/helpers/bigint-decimal';
import { insertSource, sql, useTestDatabase } from '../../tests/helpers/db';
import {
  readTarGz,
  S3_TEST_REGION,
  S3RVER_CREDENTIALS,
  type S3TestServer,
  startS3ErrorEndpoint,
  startS3Server,
} from '../../tests/helpers/s3-server';
import { addMonths } from '../calendar';
import { freePort } from '../db/embedded';
import { getPool } from '../db/pool';

import { ensurePartitions } from '../ingest/pipeline';
import { type AwsS3ConnectorOptions, type AwsS3Credentials, type AwsS3SourceConfig, createAwsS3Connector } from './aws-s3';
import { syncSource } from './sync';
import { type Connector, ConnectorError } from './types';

const AWS_CUR = path.resolve(__dirname, '../../tests/fixtures/aws-cur');
const FOCUS = path.resolve(__dirname, '../../tests/fixtures/focus');
const LAYOUTS = path.resolve(__dirname, '../../tests/fixtures/aws-s3');

// AWS's documented example key pair: looks real, belongs to nobody.
const UNKNOWN_KEY: AwsS3Credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

// ---------------------------------------------------------------------------------------------
// Fixture tables, and their totals computed here from the CSV (csv-parse + exact decimal sums),
// independently of the readers.

interface Table {
  header: string[];
  rows: string[][];
}

function readTable(file: string | Buffer): Table {
  const raw = typeof file === 'string' ? readFileSync(file) : file;
  const data = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
  const [header = [], ...rows] = parse(data, { bom: true }) as string[][];
  return { header, rows };
}

function toCsv(t: Table): Buffer {
  const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return Buffer.from(`${[t.header, ...t.rows].map((r) => r.map(quote).join(',')).join('\r\n')}\r\n`);
}

const gz = (t: Table) => gzipSync(toCsv(t));

/** The table's rows cut into parts of the given sizes, each with the header (as AWS splits large reports). */
function parts(t: Table, ...sizes: number[]): Table[] {
  const out: Table[] = [];
  let at = 0;
  for (const n of sizes) {
    out.push({ header: t.header, rows: t.rows.slice(at, at + n) });
    at += n;
  }
  if (at !== t.rows.length) throw new Error(`parts cover ${at} of ${t.rows.length} rows`);
  return out;
}

function col(t: Table, name: string): number {
  const i = t.header.indexOf(name);
  if (i < 0) throw new Error(`no ${name} column`);
  return i;
}

/** The same table with one column's values changed. */
function withColumn(t: Table, name: string, fn: (v: string) => string): Table {
  const i = col(t, name);
  return { header: t.header, rows: t.rows.map((r) => r.map((v, j) => (j === i ? fn(v) : v))) };
}

interface Totals {
  rows: number;
  billed: string | null;
  effective: string | null;
}
/** Totals keyed "YYYY-MM-DD|currency" (billing period start, billing currency). */
type TotalsByPeriod = Map<string, Totals>;

function sumInto(out: TotalsByPeriod, key: string, billed: string, effective: string) {
  const t = out.get(key) ?? { rows: 0, billed: '0', effective: '0' };
  out.set(key, {
    rows: t.rows + 1,
    billed: sumDecimals([t.billed ?? '0', billed]),
    effective: sumDecimals([t.effective ?? '0', effective]),
  });
}

function finish(out: TotalsByPeriod): TotalsByPeriod {
  return new Map(
    [...out]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, t]) => [k, { rows: t.rows, billed: canonical(t.billed), effective: canonical(t.effective) }]),
  );
}

/** CUR (legacy or CUR 2.0 column names): BilledCost = unblended cost; EffectiveCost by AWS's amortization rule for the types present. */
function curTotals(...tables: Table[]): TotalsByPeriod {
  const out: TotalsByPeriod = new Map();
  for (const t of tables) {
    const legacy = t.header.includes('lineItem/UnblendedCost');
    const name = legacy
      ? {
          period: 'bill/BillingPeriodStartDate',
          type: 'lineItem/LineItemType',
          cost: 'lineItem/UnblendedCost',
          currency: 'lineItem/CurrencyCode',
          sp: 'savingsPlan/SavingsPlanEffectiveCost',
        }
      : {
          period: 'bill_billing_period_start_date',
          type: 'line_item_line_item_type',
          cost: 'line_item_unblended_cost',
          currency: 'line_item_currency_code',
          sp: 'savings_plan_savings_plan_effective_cost',
        };
    for (const r of t.rows) {
      const cost = r[col(t, name.cost)] as string;
      const type = r[col(t, name.type)];
      let effective: string;
      if (type === 'Usage') effective = cost;
      else if (type === 'SavingsPlanCoveredUsage') effective = r[col(t, name.sp)] as string;
      else throw new Error(`line item type ${type} is not covered by this test's effective-cost rule`);
      sumInto(out, `${(r[col(t, name.period)] as string).slice(0, 10)}|${r[col(t, name.currency)]}`, cost, effective);
    }
  }
  return finish(out);
}

function focusTotals(...tables: Table[]): TotalsByPeriod {
  const out: TotalsByPeriod = new Map();
  for (const t of tables) {
    for (const r of t.rows) {
      const key = `${(r[col(t, 'BillingPeriodStart')] as string).slice(0, 10)}|${(r[col(t, 'BillingCurrency')] as string).toUpperCase()}`;
      sumInto(out, key, r[col(t, 'BilledCost')] as string, r[col(t, 'EffectiveCost')] as string);
    }
  }
  return finish(out);
}

async function storedTotals(url: string, sourceId: number): Promise<TotalsByPeriod> {
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

// ---------------------------------------------------------------------------------------------
// Bucket layouts as AWS writes them (data first, manifest last).

const monthAfter = (period: string) => addMonths(period, 1);
const compact = (period: string) => period.replace('-', '');

/**
 * Legacy CUR, "keep previous versions": <prefix>/<report>/<yyyymmdd-yyyymmdd>/<assemblyId>/<report>-0000N.csv.gz,
 * the version's manifest beside its parts, and the period's current manifest one folder up.
 */
async function putLegacyDelivery(
  s3: S3TestServer,
  bucket: string,
  o: { prefix: string; report: string; period: string; assemblyId: string; parts: Table[] },
): Promise<string[]> {
  const next = monthAfter(o.period);
  const base = `${o.prefix ? `${o.prefix}/` : ''}${o.report}/${compact(o.period)}01-${compact(next)}01`;
  const keys = o.parts.map((_, i) => `${base}/${o.assemblyId}/${o.report}-${String(i + 1).padStart(5, '0')}.csv.gz`);
  for (const [i, part] of o.parts.entries()) await s3.put(bucket, keys[i] as string, gz(part));
  const header = o.parts[0]?.header ?? [];
  const manifest = legacyCurManifest({ report: o.report, period: o.period, assemblyId: o.assemblyId, bucket, reportKeys: keys, header });
  await s3.put(bucket, `${base}/${o.assemblyId}/${o.report}-Manifest.json`, JSON.stringify(manifest, null, 2));
  await s3.put(bucket, `${base}/${o.report}-Manifest.json`, JSON.stringify(manifest, null, 2));
  return keys;
}

/** Data Exports (CUR 2.0, FOCUS): <prefix>/<export>/data/BILLING_PERIOD=YYYY-MM/ and metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json. */
async function putExportDelivery(
  s3: S3TestServer,
  bucket: string,
  o: { prefix: string; exportName: string; period: string; executionId: string; parts: Table[] },
): Promise<string[]> {
  const base = `${o.prefix ? `${o.prefix}/` : ''}${o.exportName}`;
  const keys = o.parts.map((_, i) => `${base}/data/BILLING_PERIOD=${o.period}/${o.exportName}-${String(i + 1).padStart(5, '0')}.csv.gz`);
  for (const [i, part] of o.parts.entries()) await s3.put(bucket, keys[i] as string, gz(part));
  const manifest = {
    executionId: o.executionId,
    exportArn: `arn:aws:bcm-data-exports:us-east-1:123456789012:export/${o.exportName}-0a1b2c3d`,
    exportName: o.exportName,
    billingPeriod: { start: `${o.period}-01T00:00:00.000Z`, end: `${monthAfter(o.period)}-01T00:00:00.000Z` },
    columns: (o.parts[0]?.header ?? []).map((name) => ({ name, type: 'string' })),
    compression: 'GZIP',
    contentType: 'text/csv',
    dataFiles: keys.map((k) => `s3://${bucket}/${k}`),
    schema: '2',
  };
  await s3.put(bucket, `${base}/metadata/BILLING_PERIOD=${o.period}/${o.exportName}-Manifest.json`, JSON.stringify(manifest, null, 2));
  return keys;
}

// ---------------------------------------------------------------------------------------------

let url: string;
let s3: S3TestServer;

beforeAll(async () => {
  url = await useTestDatabase();
  s3 = await startS3Server();
});

afterAll(async () => {
  await s3?.stop();
});

function connector(
  config: Partial<AwsS3SourceConfig> & Pick<AwsS3SourceConfig, 'bucket' | 'exportType'>,
  credentials: AwsS3Credentials | 'default chain' = S3RVER_CREDENTIALS,
  options: AwsS3ConnectorOptions = {},
): Connector {
  return createAwsS3Connector(
    { region: S3_TEST_REGION, endpoint: s3.endpoint, forcePathStyle: true, ...config },
    credentials === 'default chain' ? undefined : credentials,
    options,
  );
}

function createSource(name: string, config: object): Promise<number> {
  return insertSource(url, name, 'aws_s3', config);
}

async function deliveries(sourceId: number) {
  return sql<{ delivery_key: string; fingerprint: string; billing_period_start: string }>(
    url,
    `SELECT delivery_key, fingerprint, to_char(billing_period_start, 'YYYY-MM-DD') AS billing_period_start
       FROM source_deliveries WHERE source_id = $1 ORDER BY billing_period_start`,
    [sourceId],
  );
}

async function lastSyncRun(sourceId: number) {
  const [run] = await sql<{ status: string; error: string | null; deliveries_seen: number; deliveries_ingested: number }>(
    url,
    'SELECT status, error, deliveries_seen, deliveries_ingested FROM sync_runs WHERE source_id = $1 ORDER BY id DESC LIMIT 1',
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

describe('legacy CUR in a bucket: discover, sync, resync, restatement, failures', () => {
  const bucket = 'cur-legacy';
  const prefix = 'billing/cur';
  const report = 'burnrate-cur';
  const june2018 = readTable(path.join(AWS_CUR, 'koku/test_cur.csv'));
  const june2023 = readTable(path.join(AWS_CUR, 'koku/2023-06-01.csv'));
  const doubled = withColumn(june2018, 'lineItem/UnblendedCost', (v) => sumDecimals([v, v]));
  const tripled = withColumn(june2018, 'lineItem/UnblendedCost', (v) => sumDecimals([v, v, v]));
  const config = { bucket, prefix, exportType: 'cur-legacy' as const };
  // Two keys a page, so that discovery has to follow continuation tokens.
  const make = () => connector(config, S3RVER_CREDENTIALS, { listPageSize: 2 });
  const key2018 = `${prefix}/${report}/20180601-20180701/${report}-Manifest.json`;
  const key2023 = `${prefix}/${report}/20230601-20230701/${report}-Manifest.json`;
  let sourceId: number;
  const sourceName = 'aws-s3-test:legacy';

  beforeAll(async () => {
    await s3.createBucket(bucket);
    // An older version of June 2018 (AWS keeps them when "create new report version" is set),
    // then the current one, split in two parts; June 2023 in one part.
    await putLegacyDelivery(s3, bucket, {
      prefix,
      report,
      period: '2018-06',
      assemblyId: 'a0-older',
      parts: [parts(june2018, 10, 9)[0] as Table],
    });
    await putLegacyDelivery(s3, bucket, { prefix, report, period: '2018-06', assemblyId: 'a1-current', parts: parts(june2018, 10, 9) });
    await putLegacyDelivery(s3, bucket, { prefix, report, period: '2023-06', assemblyId: 'b1', parts: [june2023] });
    sourceId = await createSource(sourceName, config);
  });

  it('discovers one delivery per billing period from its current manifest, across listing pages', async () => {
    const refs = await make().discover();
    expect(refs).toEqual([
      {
        key: key2018,
        fingerprint: expect.stringMatching(/^a1-current@[0-9a-f]{32}$/),
        billingPeriod: '2018-06-01',
        format: 'aws-cur',
        description: `CUR report ${report} 2018-06 (assembly a1-current, 2 files)`,
      },
      {
        key: key2023,
        fingerprint: expect.stringMatching(/^b1@[0-9a-f]{32}$/),
        billingPeriod: '2023-06-01',
        format: 'aws-cur',
        description: `CUR report ${report} 2023-06 (assembly b1, 1 file)`,
      },
    ]);
  });

  it('downloads the parts the manifest lists, in manifest order, byte for byte', async () => {
    const c = make();
    const [ref] = await c.discover();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'burnrate-s3-test-'));
    try {
      const files = await c.download(ref as NonNullable<typeof ref>, dir);
      expect(files.map((f) => path.basename(f))).toEqual([`00001-${report}-00001.csv.gz`, `00002-${report}-00002.csv.gz`]);
      const [p1, p2] = parts(june2018, 10, 9) as [Table, Table];
      expect(readTable(await readFile(files[0] as string))).toEqual(p1);
      expect(readTable(await readFile(files[1] as string))).toEqual(p2);
      // A connector that did not discover it reads the manifest again.
      const again = await make().download(ref as NonNullable<typeof ref>, await mkdtemp(path.join(dir, 'again-')));
      expect(await Promise.all(again.map((f) => readFile(f)))).toEqual(await Promise.all(files.map((f) => readFile(f))));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('sync stores every row; totals per billing period and currency equal the CSVs', async () => {
    const result = await syncSource({ sourceId, sourceName, connector: make() });
    expect(result.deliveriesSeen).toBe(2);
    expect(result.ingested.map((i) => [i.ref.key, i.summary.rows])).toEqual([
      [key2018, 19],
      [key2023, 3],
    ]);
    expect(await storedTotals(url, sourceId)).toEqual(curTotals(june2018, june2023));
    expect(await deliveries(sourceId)).toEqual([
      { delivery_key: key2018, fingerprint: result.ingested[0]?.ref.fingerprint, billing_period_start: '2018-06-01' },
      { delivery_key: key2023, fingerprint: result.ingested[1]?.ref.fingerprint, billing_period_start: '2023-06-01' },
    ]);
    expect(await lastSyncRun(sourceId)).toEqual({ status: 'succeeded', error: null, deliveries_seen: 2, deliveries_ingested: 2 });
  });

  it('a second sync ingests nothing: every fingerprint is unchanged', async () => {
    const before = await deliveries(sourceId);
    const [{ n: runsBefore }] = (await sql<{ n: number }>(url, 'SELECT count(*)::int AS n FROM ingest_runs WHERE source_id = $1', [
      sourceId,
    ])) as [{ n: number }];
    const result = await syncSource({ sourceId, sourceName, connector: make() });
    expect({ ingested: result.ingested.length, skipped: result.skipped }).toEqual({ ingested: 0, skipped: 2 });
    expect(await deliveries(sourceId)).toEqual(before);
    const [{ n: runsAfter }] = (await sql<{ n: number }>(url, 'SELECT count(*)::int AS n FROM ingest_runs WHERE source_id = $1', [
      sourceId,
    ])) as [{ n: number }];
    expect(runsAfter).toBe(runsBefore);
    expect(await storedTotals(url, sourceId)).toEqual(curTotals(june2018, june2023));
  });

  it('a restated month (new assembly, changed amounts) replaces that month, not doubled; the other month is untouched', async () => {
    await putLegacyDelivery(s3, bucket, { prefix, report, period: '2018-06', assemblyId: 'a2-restated', parts: parts(doubled, 7, 12) });
    const result = await syncSource({ sourceId, sourceName, connector: make() });
    expect(result.ingested.map((i) => [i.ref.key, i.ref.fingerprint.split('@')[0], i.summary.rows])).toEqual([
      [key2018, 'a2-restated', 19],
    ]);
    expect(result.skipped).toBe(1);
    const stored = await storedTotals(url, sourceId);
    expect(stored).toEqual(curTotals(doubled, june2023));
    expect(stored.get('2018-06-01|USD')?.rows).toBe(19);
    const before = curTotals(june2018).get('2018-06-01|USD')?.billed ?? '';
    expect(stored.get('2018-06-01|USD')?.billed).toBe(canonical(sumDecimals([before, before])));
    expect((await deliveries(sourceId))[0]?.fingerprint).toMatch(/^a2-restated@/);
  });

  it('a part that disappears between discover and download fails the sync naming it; the stored month stays', async () => {
    const keys = await putLegacyDelivery(s3, bucket, {
      prefix,
      report,
      period: '2018-06',
      assemblyId: 'a3-vanishing',
      parts: parts(tripled, 10, 9),
    });
    const inner = make();
    const vanishing: Connector = {
      discover: (signal) => inner.discover(signal),
      testConnection: (signal) => inner.testConnection(signal),
      async download(ref, dir, signal) {
        await s3.remove(bucket, keys[1] as string);
        return inner.download(ref, dir, signal);
      },
    };
    const error = await expectConnectorError(
      syncSource({ sourceId, sourceName, connector: vanishing }),
      'BAD_DELIVERY',
      /is missing \(NoSuchKey\)/,
    );
    expect(error.message).toContain(`s3://${bucket}/${keys[1]}`);
    expect(error.message).toContain(`s3://${bucket}/${key2018}`);
    expect(error.retryable).toBe(false);
    expect(await storedTotals(url, sourceId)).toEqual(curTotals(doubled, june2023));
    expect((await deliveries(sourceId))[0]?.fingerprint).toMatch(/^a2-restated@/);
    expect(await lastSyncRun(sourceId)).toEqual({ status: 'failed', error: error.message, deliveries_seen: 2, deliveries_ingested: 0 });

    // Once the part is back, the next sync ingests the delivery.
    await s3.put(bucket, keys[1] as string, gz(parts(tripled, 10, 9)[1] as Table));
    const result = await syncSource({ sourceId, sourceName, connector: make() });
    expect(result.ingested.map((i) => i.ref.fingerprint.split('@')[0])).toEqual(['a3-vanishing']);
    expect(await storedTotals(url, sourceId)).toEqual(curTotals(tripled, june2023));
  });

  it('a corrupt gzip part fails the sync naming the file; the stored month stays', async () => {
    const [p1, p2] = parts(june2018, 10, 9) as [Table, Table];
    const keys = await putLegacyDelivery(s3, bucket, { prefix, report, period: '2018-06', assemblyId: 'a4-corrupt', parts: [p1, p2] });
    const whole = gz(p2);
    await s3.put(bucket, keys[1] as string, whole.subarray(0, Math.floor(whole.length / 2)));
    const error = await syncSource({ sourceId, sourceName, connector: make() }).then(
      () => null,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(new RegExp(`${report}-00002\\.csv\\.gz: cannot decompress`));
    expect(await storedTotals(url, sourceId)).toEqual(curTotals(tripled, june2023));
    expect((await deliveries(sourceId))[0]?.fingerprint).toMatch(/^a3-vanishing@/);
    expect(await lastSyncRun(sourceId)).toEqual({ status: 'failed', error: error?.message, deliveries_seen: 2, deliveries_ingested: 0 });
  });

  it('checks the connection: bucket reachable, objects under the prefix', async () => {
    await expect(make().testConnection()).resolves.toBeUndefined();
  });
});

describe('a month restated as empty', () => {
  it('clears that month (rows and daily rollup); the other month is untouched', async () => {
    const bucket = 'cur-emptied';
    const report = 'burnrate-cur';
    await s3.createBucket(bucket);
    const june2018 = readTable(path.join(AWS_CUR, 'koku/test_cur.csv'));
    const june2023 = readTable(path.join(AWS_CUR, 'koku/2023-06-01.csv'));
    const config = { bucket, prefix: 'cur', exportType: 'cur-legacy' as const };
    await putLegacyDelivery(s3, bucket, { prefix: 'cur', report, period: '2018-06', assemblyId: 'e1', parts: [june2018] });
    await putLegacyDelivery(s3, bucket, { prefix: 'cur', report, period: '2023-06', assemblyId: 'f1', parts: [june2023] });
    const sourceName = 'aws-s3-test:emptied';
    const sourceId = await createSource(sourceName, config);
    await syncSource({ sourceId, sourceName, connector: connector(config) });
    expect(await storedTotals(url, sourceId)).toEqual(curTotals(june2018, june2023));

    // AWS re-delivers June 2023 with its header only: nothing is billed for it any more.
    await putLegacyDelivery(s3, bucket, {
      prefix: 'cur',
      report,
      period: '2023-06',
      assemblyId: 'f2-empty',
      parts: [{ ...june2023, rows: [] }],
    });
    const result = await syncSource({ sourceId, sourceName, connector: connector(config) });
    expect(
      result.ingested.map((i) => [i.ref.fingerprint.split('@')[0], i.summary.rows, i.summary.replacedRows, i.summary.billingPeriods]),
    ).toEqual([['f2-empty', 0, june2023.rows.length, ['2023-06-01']]]);
    expect(await storedTotals(url, sourceId)).toEqual(curTotals(june2018));
    const daily = await sql<{ period: string; n: number }>(
      url,
      `SELECT to_char(billing_period_start, 'YYYY-MM-DD') AS period, sum(line_items)::int AS n FROM cost_daily WHERE source_id = $1 GROUP BY 1 ORDER BY 1`,
      [sourceId],
    );
    expect(daily).toEqual([{ period: '2018-06-01', n: june2018.rows.length }]);
  });
});

describe('two syncs of one source racing', () => {
  it('end with one copy of the data', async () => {
    const bucket = 'cur-race';
    await s3.createBucket(bucket);
    const june2018 = readTable(path.join(AWS_CUR, 'koku/test_cur.csv'));
    const june2023 = readTable(path.join(AWS_CUR, 'koku/2023-06-01.csv'));
    await putLegacyDelivery(s3, bucket, {
      prefix: '',
      report: 'race',
      period: '2018-06',
      assemblyId: 'r1',
      parts: parts(june2018, 5, 5, 9),
    });
    await putLegacyDelivery(s3, bucket, { prefix: '', report: 'race', period: '2023-06', assemblyId: 'r2', parts: [june2023] });
    const config = { bucket, exportType: 'cur-legacy' as const };
    const sourceName = 'aws-s3-test:race';
    const sourceId = await createSource(sourceName, config);
    // The months' partitions exist already, as for any source after its first sync: this races
    // the ingests themselves (serialized by the pipeline's per-source lock). Two ingests creating
    // the same new month partition at once is a pipeline matter, reported separately.
    await ensurePartitions(getPool(), ['2018-06', '2023-06']);
    // Both syncs finish discovering before either goes on, so both find nothing recorded and both
    // ingest every delivery: the second ingest of each month must replace the first.
    let arrived = 0;
    let release = () => {};
    const bothDiscovered = new Promise<void>((resolve) => {
      release = resolve;
    });
    const racing = (): Connector => {
      const inner = connector(config);
      return {
        async discover(signal) {
          const refs = await inner.discover(signal);
          if (++arrived === 2) release();
          await bothDiscovered;
          return refs;
        },
        download: (ref, dir, signal) => inner.download(ref, dir, signal),
        testConnection: (signal) => inner.testConnection(signal),
      };
    };
    const results = await Promise.allSettled([
      syncSource({ sourceId, sourceName, connector: racing() }),
      syncSource({ sourceId, sourceName, connector: racing() }),
    ]);
    expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual(['ok', 'ok']);
    const ingests = results.flatMap((r) => (r.status === 'fulfilled' ? r.value.ingested : []));
    const replaced = (period: string) =>
      ingests
        .filter((i) => i.ref.billingPeriod === period)
        .map((i) => i.summary.replacedRows)
        .sort((a, b) => a - b);
    expect([replaced('2018-06-01'), replaced('2023-06-01')]).toEqual([
      [0, 19],
      [0, 3],
    ]);
    expect(await storedTotals(url, sourceId)).toEqual(curTotals(june2018, june2023));
    expect((await deliveries(sourceId)).map((d) => d.fingerprint.split('@')[0])).toEqual(['r1', 'r2']);
  });
});

describe('recorded bucket layouts from other projects', () => {
  it('koku test_local_bucket: legacy CUR with "/"-prefixed reportKeys is discovered and synced', async () => {
    const bucket = 'koku-local';
    await s3.createBucket(bucket);
    const entries = await readTarGz(path.join(LAYOUTS, 'koku/test_local_bucket.tar.gz'));
    expect(entries.map((e) => e.path).sort()).toEqual([
      'koku-local/20180801-20180901/16e57707-f9e3-49be-8be6-b84e684b5194/koku-local-1.csv.gz',
      'koku-local/20180801-20180901/16e57707-f9e3-49be-8be6-b84e684b5194/koku-local-Manifest.json',
      'koku-local/20180801-20180901/koku-local-Manifest.json',
    ]);
    for (const e of entries) await s3.put(bucket, e.path, e.data);
    const config = { bucket, exportType: 'cur-legacy' as const };
    const c = connector(config);
    const refs = await c.discover();
    expect(refs).toEqual([
      expect.objectContaining({
        key: 'koku-local/20180801-20180901/koku-local-Manifest.json',
        fingerprint: expect.stringMatching(/^16e57707-f9e3-49be-8be6-b84e684b5194@[0-9a-f]{32}$/),
        billingPeriod: '2018-08-01',
        format: 'aws-cur',
      }),
    ]);
    const sourceName = 'aws-s3-test:koku';
    const sourceId = await createSource(sourceName, config);
    const result = await syncSource({ sourceId, sourceName, connector: c });
    const data = entries.find((e) => e.path.endsWith('.csv.gz'))?.data as Buffer;
    const expected = curTotals(readTable(data));
    expect(result.ingested[0]?.summary.rows).toBe(13_380);
    // The part holds three billing periods, although its manifest is for August 2018.
    expect([...expected.keys()]).toEqual(['2018-06-01|USD', '2018-07-01|USD', '2018-08-01|USD']);
    expect(await storedTotals(url, sourceId)).toEqual(expected);
  });

  it('keboola CUR 2.0 mock bucket: manifest dataFiles are s3:// URLs naming another bucket', async () => {
    const bucket = 'keboola-cur2';
    await s3.createBucket(bucket);
    await s3.put(
      bucket,
      'data/BILLING_PERIOD=2024-09/MockTestReportV2-00001.csv.gz',
      readFileSync(path.join(AWS_CUR, 'keboola-cur2/MockTestReportV2-00001.csv.gz')),
    );
    await s3.put(
      bucket,
      'metadata/BILLING_PERIOD=2024-09/MockTestReportV2-Manifest.json',
      readFileSync(path.join(LAYOUTS, 'keboola-cur2/MockTestReportV2-Manifest.json')),
    );
    const config = { bucket, exportType: 'cur2' as const };
    const c = connector(config);
    expect(await c.discover()).toEqual([
      {
        key: 'metadata/BILLING_PERIOD=2024-09/MockTestReportV2-Manifest.json',
        fingerprint: expect.stringMatching(/^test-exec-id-12345@[0-9a-f]{32}$/),
        billingPeriod: '2024-09-01',
        format: 'aws-cur',
        description: 'CUR 2.0 export MockTestReportV2 2024-09 (execution test-exec-id-12345, 1 file)',
      },
    ]);
    const sourceName = 'aws-s3-test:keboola-cur2';
    const sourceId = await createSource(sourceName, config);
    await syncSource({ sourceId, sourceName, connector: c });
    expect(await storedTotals(url, sourceId)).toEqual(
      curTotals(readTable(path.join(AWS_CUR, 'keboola-cur2/MockTestReportV2-00001.csv.gz'))),
    );
  });

  it('keboola CUR 1.0 mock bucket: a ZIP-compressed report fails the sync saying to choose GZIP or Parquet', async () => {
    const bucket = 'keboola-cur1';
    await s3.createBucket(bucket);
    await s3.put(
      bucket,
      '20240101-20240131/MockTestReport-00001.csv.zip',
      readFileSync(path.join(LAYOUTS, 'keboola-cur1/MockTestReport-00001.csv.zip')),
    );
    await s3.put(
      bucket,
      '20240101-20240131/MockTestReport-Manifest.json',
      readFileSync(path.join(LAYOUTS, 'keboola-cur1/MockTestReport-Manifest.json')),
    );
    const config = { bucket, exportType: 'cur-legacy' as const };
    const sourceName = 'aws-s3-test:keboola-cur1';
    const sourceId = await createSource(sourceName, config);
    const c = connector(config);
    expect((await c.discover()).map((r) => [r.key, r.billingPeriod, r.fingerprint.split('@')[0]])).toEqual([
      ['20240101-20240131/MockTestReport-Manifest.json', '2024-01-01', '123e4567-e89b-12d3-a456-426614174000'],
    ]);
    await expectConnectorError(syncSource({ sourceId, sourceName, connector: c }), 'BAD_DELIVERY', /delivered as ZIP.*GZIP or Parquet/);
    expect(await storedTotals(url, sourceId)).toEqual(new Map());
  });
});

describe('Data Exports layouts', () => {
  it("CUR 2.0: two billing periods, one of them in two parts, land with the CSVs' totals", async () => {
    const bucket = 'cur2';
    await s3.createBucket(bucket);
    const sep2024 = readTable(path.join(AWS_CUR, 'keboola-cur2/sample_billing_data_v2.csv'));
    const jul2022 = readTable(path.join(AWS_CUR, 'koku/2022-07-01-alt-columns.csv'));
    const o = { prefix: 'exports', exportName: 'burnrate-cur2' };
    const keys = await putExportDelivery(s3, bucket, { ...o, period: '2024-09', executionId: 'exec-2024-09', parts: parts(sep2024, 2, 2) });
    await putExportDelivery(s3, bucket, { ...o, period: '2022-07', executionId: 'exec-2022-07', parts: [jul2022] });
    expect(keys).toEqual([
      'exports/burnrate-cur2/data/BILLING_PERIOD=2024-09/burnrate-cur2-00001.csv.gz',
      'exports/burnrate-cur2/data/BILLING_PERIOD=2024-09/burnrate-cur2-00002.csv.gz',
    ]);
    const config = { bucket, prefix: 'exports', exportType: 'cur2' as const };
    const sourceName = 'aws-s3-test:cur2';
    const sourceId = await createSource(sourceName, config);
    const result = await syncSource({ sourceId, sourceName, connector: connector(config) });
    expect(result.ingested.map((i) => [i.ref.key, i.ref.billingPeriod, i.ref.format, i.summary.rows])).toEqual([
      ['exports/burnrate-cur2/metadata/BILLING_PERIOD=2022-07/burnrate-cur2-Manifest.json', '2022-07-01', 'aws-cur', 2],
      ['exports/burnrate-cur2/metadata/BILLING_PERIOD=2024-09/burnrate-cur2-Manifest.json', '2024-09-01', 'aws-cur', 4],
    ]);
    expect(await storedTotals(url, sourceId)).toEqual(curTotals(sep2024, jul2022));
  });

  it("FOCUS: one export per billing period, stored as FOCUS with the CSV's totals per currency", async () => {
    const bucket = 'focus-export';
    await s3.createBucket(bucket);
    const all = readTable(path.join(FOCUS, 'focus-1.2-multi-currency.csv'));
    const byPeriod = (p: string) => ({
      header: all.header,
      rows: all.rows.filter((r) => r[col(all, 'BillingPeriodStart')]?.startsWith(p)),
    });
    const nov = byPeriod('2024-11');
    const dec = byPeriod('2024-12');
    expect([nov.rows.length, dec.rows.length]).toEqual([5, 3]);
    const o = { prefix: 'focus', exportName: 'burnrate-focus' };
    await putExportDelivery(s3, bucket, { ...o, period: '2024-11', executionId: 'focus-exec-11', parts: parts(nov, 3, 2) });
    await putExportDelivery(s3, bucket, { ...o, period: '2024-12', executionId: 'focus-exec-12', parts: [dec] });
    const config = { bucket, prefix: 'focus/burnrate-focus', exportType: 'focus' as const };
    const sourceName = 'aws-s3-test:focus';
    const sourceId = await createSource(sourceName, config);
    const result = await syncSource({ sourceId, sourceName, connector: connector(config) });
    expect(result.ingested.map((i) => [i.ref.billingPeriod, i.ref.format, i.summary.format, i.summary.rows])).toEqual([
      ['2024-11-01', 'focus', 'focus', 5],
      ['2024-12-01', 'focus', 'focus', 3],
    ]);
    expect(await storedTotals(url, sourceId)).toEqual(focusTotals(all));
  });
});

describe('manifest and layout problems', () => {
  it('a manifest without reportKeys fails discovery naming its key and the field', async () => {
    const bucket = 'bad-manifest';
    await s3.createBucket(bucket);
    const key = 'cur/r/20240101-20240201/r-Manifest.json';
    await s3.put(
      bucket,
      key,
      JSON.stringify({ assemblyId: 'x', billingPeriod: { start: '20240101T000000.000Z', end: '20240201T000000.000Z' } }),
    );
    await expectConnectorError(
      connector({ bucket, prefix: 'cur', exportType: 'cur-legacy' }).discover(),
      'BAD_DELIVERY',
      new RegExp(`^Manifest s3://${bucket}/${key} is not a valid CUR manifest: reportKeys: `),
    );
  });

  it('a manifest that is not JSON fails discovery naming its key', async () => {
    const bucket = 'bad-json';
    await s3.createBucket(bucket);
    const key = 'x/metadata/BILLING_PERIOD=2024-01/x-Manifest.json';
    await s3.put(bucket, key, '{"executionId": "e", "dataFiles": [');
    await expectConnectorError(
      connector({ bucket, exportType: 'cur2' }).discover(),
      'BAD_DELIVERY',
      new RegExp(`^Manifest s3://${bucket}/${key} is not valid JSON`),
    );
  });

  it('two reports under one prefix are refused: they would replace each other', async () => {
    const bucket = 'two-reports';
    await s3.createBucket(bucket);
    const t = readTable(path.join(AWS_CUR, 'koku/2023-06-01.csv'));
    await putLegacyDelivery(s3, bucket, { prefix: 'cur', report: 'hourly', period: '2023-06', assemblyId: 'h', parts: [t] });
    await putLegacyDelivery(s3, bucket, { prefix: 'cur', report: 'daily', period: '2023-06', assemblyId: 'd', parts: [t] });
    await expectConnectorError(
      connector({ bucket, prefix: 'cur', exportType: 'cur-legacy' }).discover(),
      'CONFIG',
      /Found 2 CUR reports under s3:\/\/two-reports\/cur\/ \(daily in cur\/daily; hourly in cur\/hourly\).*e\.g\. "cur\/daily"/,
    );
    // Narrowed to one report's folder, it works.
    expect(await connector({ bucket, prefix: 'cur/hourly', exportType: 'cur-legacy' }).discover()).toHaveLength(1);
  });

  it('an invalid configuration is refused naming the field', () => {
    expect(() => createAwsS3Connector({ bucket: 'b', region: 'us-east-1', exportType: 'cur3' as 'cur2' })).toThrow(
      /Invalid AWS S3 source configuration: bucket: .*; exportType: /,
    );
  });
});

describe('credentials and S3 errors', () => {
  const bucket = 'cur-legacy';
  const secretsOf = (c: AwsS3Credentials) => [c.accessKeyId, c.secretAccessKey];

  it('an access key the server does not know gives AUTH, naming the bucket and never the key (s3rver checks key ids)', async () => {
    const c = connector({ bucket, prefix: 'billing/cur', exportType: 'cur-legacy' }, UNKNOWN_KEY);
    for (const attempt of [() => c.testConnection(), () => c.discover()]) {
      const error = await expectConnectorError(
        attempt(),
        'AUTH',
        /^AWS rejected the credentials for bucket cur-legacy \(InvalidAccessKeyId\): the access key is unknown/,
      );
      for (const secret of secretsOf(UNKNOWN_KEY)) expect(error.message).not.toContain(secret);
    }
  });

  it('a bucket that does not exist gives NOT_FOUND', async () => {
    const c = connector({ bucket: 'no-such-bucket', exportType: 'cur2' });
    await expectConnectorError(c.testConnection(), 'NOT_FOUND', /^Bucket no-such-bucket does not exist \(NoSuchBucket\)/);
    await expectConnectorError(c.discover(), 'NOT_FOUND', /^Bucket no-such-bucket does not exist/);
  });

  it('a prefix with nothing under it fails the connection test', async () => {
    await expectConnectorError(
      connector({ bucket, prefix: 'no/such/prefix', exportType: 'cur2' }).testConnection(),
      'NOT_FOUND',
      /no objects under s3:\/\/cur-legacy\/no\/such\/prefix\//,
    );
  });

  // s3rver does not verify SigV4 signatures (a wrong secret for a known key id is accepted) and
  // has no session tokens, so these S3 error responses come from a loopback HTTP endpoint.
  it.each([
    [403, 'SignatureDoesNotMatch', /\(SignatureDoesNotMatch\): the secret access key does not belong to the access key/],
    [400, 'ExpiredToken', /\(ExpiredToken\): the session token has expired/],
  ])('S3 answering %i %s gives AUTH', async (status, code, message) => {
    const server = await startS3ErrorEndpoint({ status, code, message: 'from the test endpoint' });
    try {
      const creds = { ...UNKNOWN_KEY, sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN' };
      const c = createAwsS3Connector(
        { bucket, region: S3_TEST_REGION, exportType: 'cur2', endpoint: server.endpoint, forcePathStyle: true },
        creds,
      );
      for (const attempt of [() => c.testConnection(), () => c.discover()]) {
        const error = await expectConnectorError(attempt(), 'AUTH', message);
        for (const secret of [...secretsOf(creds), creds.sessionToken]) expect(error.message).not.toContain(secret);
      }
    } finally {
      await server.stop();
    }
  });

  it("503 SlowDown gives THROTTLED (retryable) once the SDK's bounded retries are spent", async () => {
    const server = await startS3ErrorEndpoint({ status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' });
    try {
      const c = createAwsS3Connector(
        { bucket, region: S3_TEST_REGION, exportType: 'cur2', endpoint: server.endpoint, forcePathStyle: true },
        S3RVER_CREDENTIALS,
        { maxAttempts: 3 },
      );
      const error = await expectConnectorError(
        c.discover(),
        'THROTTLED',
        /^S3 throttled the requests for bucket cur-legacy while listing .* \(SlowDown\) after 3 attempts/,
      );
      expect(error.retryable).toBe(true);
      expect(server.requests()).toBe(3);
    } finally {
      await server.stop();
    }
  });

  it('nothing listening at the endpoint gives NETWORK (retryable)', async () => {
    const port = await freePort();
    const c = createAwsS3Connector(
      { bucket, region: S3_TEST_REGION, exportType: 'cur2', endpoint: `http://127.0.0.1:${port}`, forcePathStyle: true },
      S3RVER_CREDENTIALS,
      { maxAttempts: 1 },
    );
    const error = await expectConnectorError(
      c.discover(),
      'NETWORK',
      /^Cannot reach http:\/\/127\.0\.0\.1:\d+ for bucket cur-legacy while listing .*ECONNREFUSED/,
    );
    expect(error.retryable).toBe(true);
  });

  describe('without credentials: the SDK default chain', () => {
    const noSharedFiles = path.join(os.tmpdir(), 'burnrate-no-such-aws-dir', 'none');
    const clearChain = () => {
      for (const name of [
        'AWS_ACCESS_KEY_ID',
        'AWS_SECRET_ACCESS_KEY',
        'AWS_SESSION_TOKEN',
        'AWS_PROFILE',
        'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
        'AWS_CONTAINER_CREDENTIALS_FULL_URI',
        'AWS_WEB_IDENTITY_TOKEN_FILE',
        'AWS_ROLE_ARN',
      ]) {
        vi.stubEnv(name, undefined);
      }
      vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', noSharedFiles);
      vi.stubEnv('AWS_CONFIG_FILE', noSharedFiles);
      vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    };
    afterEach(() => {
      vi.unstubAllEnvs();
    });

    it('uses credentials from the environment', async () => {
      clearChain();
      vi.stubEnv('AWS_ACCESS_KEY_ID', S3RVER_CREDENTIALS.accessKeyId);
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', S3RVER_CREDENTIALS.secretAccessKey);
      const c = connector({ bucket, prefix: 'billing/cur', exportType: 'cur-legacy' }, 'default chain');
      await expect(c.testConnection()).resolves.toBeUndefined();
      expect(await c.discover()).toHaveLength(2);
    });

    it('finding none gives AUTH saying where it looked', async () => {
      clearChain();
      const c = connector({ bucket, exportType: 'cur2' }, 'default chain', { maxAttempts: 1 });
      await expectConnectorError(
        c.discover(),
        'AUTH',
        /^No AWS credentials for bucket cur-legacy: .*default chain \(environment variables, shared config/,
      );
    });
  });
});
