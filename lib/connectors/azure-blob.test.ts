// The Azure Cost Management exports connector against Azurite (the storage emulator) with the
// official @azure/storage-blob client, syncing into the test PostgreSQL.
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  BlobServiceClient,
  type ContainerClient,
  ContainerSASPermissions,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../../scripts/local-clouds';
import { withAzurite } from '../../tests/helpers/azurite';
import { canonicalDecimal as canon } from '../../tests/helpers/bigint-decimal';
import { insertSource, sql, useTestDatabase } from '../../tests/helpers/db';
import { type AzureBlobConnectorOptions, type AzureBlobCredential, AzureBlobSourceConfig, createAzureBlobConnector } from './azure-blob';
import { syncSource } from './sync';
import { type Connector, ConnectorError } from './types';

const azurite = withAzurite();
const CONTAINER = 'cost-exports';
const KEY: AzureBlobCredential = { kind: 'accountKey', accountKey: AZURITE_KEY };
const WRONG_KEY: AzureBlobCredential = {
  kind: 'accountKey',
  accountKey: Buffer.from('not the key of devstoreaccount1').toString('base64'),
};

const FIXTURES = path.resolve(__dirname, '../../tests/fixtures');
const ACTUAL = readFileSync(path.join(FIXTURES, 'azure/synthetic-actual.csv'), 'utf8');
const AMORTIZED = readFileSync(path.join(FIXTURES, 'azure/synthetic-amortized.csv'), 'utf8');
const FOCUS = readFileSync(path.join(FIXTURES, 'focus/focus-1.2-multi-currency.csv'));
// tests/fixtures/azure/SOURCE.md: the synthetic pair of June 2024 sums to these.
const ACTUAL_TOTAL = '730.5';
const AMORTIZED_TOTAL = '106.5';
// The on-demand VM row is in both files; a restatement changes it in both.
const restate = (csv: string) => csv.replace(',24,0.4375,10.50,', ',24,0.4375,12.50,');

let url: string;
let container: ContainerClient;

beforeAll(async () => {
  url = await useTestDatabase();
  const service = new BlobServiceClient(azurite().accountUrl, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
  container = service.getContainerClient(CONTAINER);
  await container.create();
});

// ---------------------------------------------------------------------------------------------
// Laying out exports the way Cost Management does

/** Same number however it is spelled: no trailing fraction zeros. */

/** Splits an export into partitions as Cost Management does: every part has the header row. */
function partition(csv: string, parts: number): string[] {
  const [header, ...rows] = csv.replace(/\r?\n$/, '').split(/\r?\n/);
  const size = Math.ceil(rows.length / parts);
  return Array.from({ length: parts }, (_, i) => `${[header, ...rows.slice(i * size, (i + 1) * size)].join('\n')}\n`);
}

interface Part {
  name: string;
  body: Buffer;
  /** false: listed in the manifest but never written. */
  upload?: boolean;
  /** What the manifest claims, when it is not the body's length. */
  byteCount?: number;
}

interface RunSpec {
  directory: string;
  exportName: string;
  type: string;
  runId: string;
  submitted: string;
  range?: string;
  parts: Part[];
  /** Manifest blobName spelling: container-relative (as documented) or prefixed with the container. */
  blobNames?: 'relative' | 'with-container';
  /** Replaces the manifest body (for unreadable manifests). */
  rawManifest?: string;
}

/** Writes one export run: the parts, then (last, as Cost Management does) the manifest. Returns the run folder. */
async function putRun(spec: RunSpec): Promise<string> {
  const range = spec.range ?? '20240601-20240630';
  const exportTime = spec.submitted.replace(/[-T:]/g, '').slice(0, 12);
  const folder = `${spec.directory}/${spec.exportName}/${range}/${exportTime}/${spec.runId}`;
  for (const part of spec.parts) {
    if (part.upload === false) continue;
    await container.getBlockBlobClient(`${folder}/${part.name}`).uploadData(part.body);
  }
  const manifest = {
    exportConfig: {
      exportName: spec.exportName,
      resourceId: `/providers/Microsoft.Billing/billingAccounts/12345678/providers/Microsoft.CostManagement/exports/${spec.exportName}`,
      dataVersion: spec.type === 'FocusCost' ? '1.0r2' : '2021-10-01',
      apiVersion: '2023-07-01-preview',
      type: spec.type,
      timeFrame: 'MonthToDate',
      granularity: 'Daily',
    },
    deliveryConfig: {
      partitionData: true,
      dataOverwriteBehavior: 'CreateNewReport',
      fileFormat: 'Csv',
      compressionMode: spec.parts.some((p) => p.name.endsWith('.gz')) ? 'gzip' : 'none',
      containerUri: `/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/${AZURITE_ACCOUNT}`,
      rootFolderPath: spec.directory,
    },
    runInfo: {
      executionType: 'Scheduled',
      submittedTime: spec.submitted,
      runId: spec.runId,
      startDate: `${range.slice(0, 4)}-${range.slice(4, 6)}-${range.slice(6, 8)}T00:00:00`,
      endDate: `${range.slice(9, 13)}-${range.slice(13, 15)}-${range.slice(15, 17)}T00:00:00`,
    },
    blobCount: spec.parts.length,
    blobs: spec.parts.map((p) => ({
      blobName: `${spec.blobNames === 'with-container' ? `${CONTAINER}/` : ''}${folder}/${p.name}`,
      byteCount: p.byteCount ?? p.body.length,
      dataRowCount: p.name.endsWith('.gz') ? undefined : p.body.toString('utf8').trim().split('\n').length - 1,
    })),
  };
  const body = spec.rawManifest ?? JSON.stringify(manifest, null, 2);
  await container.getBlockBlobClient(`${folder}/manifest.json`).uploadData(Buffer.from(body));
  return folder;
}

/** The month's actual-cost export as two gzipped parts and the amortized one as two CSV parts. */
async function putMonth(directory: string, runId: string, submitted: string, edit: (csv: string) => string = (s) => s): Promise<void> {
  await putRun({
    directory,
    exportName: 'daily-actual',
    type: 'ActualCost',
    runId: `${runId}-actual`,
    submitted,
    parts: partition(edit(ACTUAL), 2).map((csv, i) => ({ name: `part_${i}_0001.csv.gz`, body: gzipSync(csv) })),
  });
  await putRun({
    directory,
    exportName: 'daily-amortized',
    type: 'AmortizedCost',
    runId: `${runId}-amortized`,
    submitted,
    parts: partition(edit(AMORTIZED), 2).map((csv, i) => ({ name: `part_${i}_0001.csv`, body: Buffer.from(csv) })),
  });
}

function connectorFor(
  directory: string | undefined,
  credential: AzureBlobCredential | undefined = KEY,
  options: AzureBlobConnectorOptions = {},
) {
  return createAzureBlobConnector({ accountUrl: azurite().accountUrl, container: CONTAINER, directory }, credential, {
    pageSize: 2, // every listing takes several pages
    maxTries: 1,
    ...options,
  });
}

function newSource(name: string, directory: string): Promise<number> {
  return insertSource(url, name, 'azure_blob', { accountUrl: azurite().accountUrl, container: CONTAINER, directory });
}

function sync(sourceId: number, sourceName: string, connector: Connector) {
  return syncSource({ sourceId, sourceName, connector, trigger: 'manual' });
}

async function totals(sourceName: string) {
  const [items] = await sql<{ rows: string; billed: string | null; effective: string | null }>(
    url,
    `SELECT count(*)::text AS rows, sum(c.billed_cost)::text AS billed, sum(c.effective_cost)::text AS effective
       FROM cost_line_items c JOIN billing_sources s ON s.id = c.source_id WHERE s.name = $1`,
    [sourceName],
  );
  const [daily] = await sql<{ billed: string | null; effective: string | null }>(
    url,
    `SELECT sum(d.billed_cost)::text AS billed, sum(d.effective_cost)::text AS effective
       FROM cost_daily d JOIN billing_sources s ON s.id = d.source_id WHERE s.name = $1`,
    [sourceName],
  );
  // The dashboard reads the rollup: it must agree with the line items.
  expect({ billed: canon(daily?.billed), effective: canon(daily?.effective) }).toEqual({
    billed: canon(items?.billed),
    effective: canon(items?.effective),
  });
  return { rows: Number(items?.rows), billed: canon(items?.billed), effective: canon(items?.effective) };
}

async function lastSyncRun(sourceId: number) {
  const [run] = await sql<{ status: string; error: string | null; deliveries_ingested: number }>(
    url,
    'SELECT status, error, deliveries_ingested FROM sync_runs WHERE source_id = $1 ORDER BY id DESC LIMIT 1',
    [sourceId],
  );
  return run;
}

async function rejection(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

// ---------------------------------------------------------------------------------------------

describe('discover()', () => {
  it('gives one delivery per export and date range, from the latest run, oldest first', async () => {
    await putMonth('discover', 'run-1', '2024-06-10T05:00:00.1234567Z');
    // The next daily run restates the month; an even newer run is still being written (no manifest).
    await putMonth('discover', 'run-2', '2024-06-11T05:00:00.7654321Z', restate);
    await container
      .getBlockBlobClient('discover/daily-actual/20240601-20240630/202406120500/run-3/part_0_0001.csv.gz')
      .uploadData(gzipSync(ACTUAL));
    // May, delivered before June; a price sheet export is not cost data.
    await putRun({
      directory: 'discover',
      exportName: 'daily-actual',
      type: 'ActualCost',
      runId: 'may',
      submitted: '2024-06-01T04:00:00Z',
      range: '20240501-20240531',
      parts: [{ name: 'part_0_0001.csv', body: Buffer.from(ACTUAL) }],
    });
    await putRun({
      directory: 'discover',
      exportName: 'prices',
      type: 'PriceSheet',
      runId: 'prices-1',
      submitted: '2024-06-11T06:00:00Z',
      parts: [{ name: 'part_0_0001.csv', body: Buffer.from('MeterId,UnitPrice\nx,1\n') }],
    });

    const refs = await connectorFor('discover').discover();
    expect(refs.map(({ key, billingPeriod, format, dataset }) => ({ key, billingPeriod, format, dataset }))).toEqual([
      { key: 'discover/daily-actual/20240501-20240531', billingPeriod: '2024-05-01', format: 'azure', dataset: 'actual' },
      { key: 'discover/daily-actual/20240601-20240630', billingPeriod: '2024-06-01', format: 'azure', dataset: 'actual' },
      { key: 'discover/daily-amortized/20240601-20240630', billingPeriod: '2024-06-01', format: 'azure', dataset: 'amortized' },
    ]);
    expect(refs[1]?.fingerprint).toMatch(/^run-2-actual@"?0x/);
    expect(refs[2]?.fingerprint).toMatch(/^run-2-amortized@/);
    expect(refs[1]?.description).toBe('daily-actual 2024-06-01..2024-06-30 run run-2-actual');

    // The same listing gives the same fingerprints (they change only with a new run or manifest).
    expect(await connectorFor('discover', KEY, { pageSize: 5000 }).discover()).toEqual(refs);
  });

  it('a FocusCost export is a FOCUS delivery without a dataset', async () => {
    await putRun({
      directory: 'focus-only',
      exportName: 'focus-daily',
      type: 'FocusCost',
      runId: 'f-1',
      submitted: '2024-12-02T03:00:00Z',
      range: '20241101-20241130',
      parts: [{ name: 'part_0_0001.csv', body: FOCUS }],
    });
    const [ref] = await connectorFor('focus-only').discover();
    expect(ref).toMatchObject({ key: 'focus-only/focus-daily/20241101-20241130', format: 'focus', billingPeriod: '2024-11-01' });
    expect(ref?.dataset).toBeUndefined();
  });

  it('download() streams the run to disk in manifest order, resolving blob names prefixed with the container, manifest.json first', async () => {
    const folder = await putRun({
      directory: 'order',
      exportName: 'daily-actual',
      type: 'ActualCost',
      runId: 'o-1',
      submitted: '2024-06-11T05:00:00Z',
      blobNames: 'with-container',
      parts: [
        { name: 'part_1_0001.csv', body: Buffer.from(partition(ACTUAL, 2)[1] as string) },
        { name: 'part_0_0001.csv', body: Buffer.from(partition(ACTUAL, 2)[0] as string) },
      ],
    });
    // A stray copy under the other manifest name does not replace manifest.json.
    await container.getBlockBlobClient(`${folder}/_manifest.json`).uploadData(Buffer.from('{"blobs": "not a list"}'));
    const connector = connectorFor('order');
    const [ref] = await connector.discover();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'burnrate-azure-test-'));
    try {
      const files = await connector.download(ref as NonNullable<typeof ref>, dir);
      expect(files).toEqual([path.join(dir, folder, 'part_1_0001.csv'), path.join(dir, folder, 'part_0_0001.csv')]);
      expect(await readFile(files[0] as string, 'utf8')).toBe(partition(ACTUAL, 2)[1]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses two exports of the same dataset for one month (they would replace each other)', async () => {
    for (const scope of ['sub-a', 'sub-b']) {
      await putRun({
        directory: 'two-scopes',
        exportName: `actual-${scope}`,
        type: 'ActualCost',
        runId: scope,
        submitted: '2024-06-11T05:00:00Z',
        parts: [{ name: 'part_0_0001.csv', body: Buffer.from(ACTUAL) }],
      });
    }
    const error = await rejection(connectorFor('two-scopes').discover());
    expect(error.code).toBe('CONFIG');
    expect(error.message).toContain('two-scopes/actual-sub-a, two-scopes/actual-sub-b');
    expect(error.message).toMatch(/2 exports of actual cost for 2024-06.*one source per export/);
  });

  it('refuses a FOCUS export next to an actual-cost export for the same month', async () => {
    await putRun({
      directory: 'mixed',
      exportName: 'actual',
      type: 'ActualCost',
      runId: 'a',
      submitted: '2024-06-11T05:00:00Z',
      parts: [{ name: 'part_0_0001.csv', body: Buffer.from(ACTUAL) }],
    });
    await putRun({
      directory: 'mixed',
      exportName: 'focus',
      type: 'FocusCost',
      runId: 'f',
      submitted: '2024-06-11T05:00:00Z',
      parts: [{ name: 'part_0_0001.csv', body: FOCUS }],
    });
    const error = await rejection(connectorFor('mixed').discover());
    expect(error).toMatchObject({ code: 'CONFIG' });
    expect(error.message).toMatch(/mixes a FOCUS export \(mixed\/focus\) with actual\/amortized exports \(mixed\/actual\) for 2024-06/);
  });
});

describe('syncSource() with Azure exports', () => {
  describe('actual + amortized exports of one month', () => {
    const name = 'azure-blob:main';
    let sourceId: number;
    let connector: Connector;

    beforeAll(async () => {
      sourceId = await newSource(name, 'main');
      connector = connectorFor('main');
      await putMonth('main', 'run-1', '2024-06-10T05:00:00Z');
    });

    it('land once: BilledCost sums to the actual total, EffectiveCost to the amortized total', async () => {
      const result = await sync(sourceId, name, connector);
      expect(result.ingested.map((i) => [i.ref.dataset, i.summary.rows])).toEqual([
        ['actual', 5],
        ['amortized', 5],
      ]);
      expect(await totals(name)).toEqual({ rows: 6, billed: ACTUAL_TOTAL, effective: AMORTIZED_TOTAL });
      const deliveries = await sql<{ delivery_key: string; fingerprint: string; period: string }>(
        url,
        `SELECT delivery_key, fingerprint, billing_period_start::text AS period FROM source_deliveries WHERE source_id = $1 ORDER BY delivery_key`,
        [sourceId],
      );
      expect(deliveries.map((d) => [d.delivery_key, d.fingerprint.split('@')[0], d.period])).toEqual([
        ['main/daily-actual/20240601-20240630', 'run-1-actual', '2024-06-01'],
        ['main/daily-amortized/20240601-20240630', 'run-1-amortized', '2024-06-01'],
      ]);
      expect(await lastSyncRun(sourceId)).toMatchObject({ status: 'succeeded', deliveries_ingested: 2 });
    });

    it('a second sync ingests nothing', async () => {
      const [before] = await sql<{ n: string }>(url, 'SELECT count(*)::text AS n FROM ingest_runs WHERE source_id = $1', [sourceId]);
      const result = await sync(sourceId, name, connector);
      expect(result).toMatchObject({ deliveriesSeen: 2, skipped: 2, ingested: [] });
      const [after] = await sql<{ n: string }>(url, 'SELECT count(*)::text AS n FROM ingest_runs WHERE source_id = $1', [sourceId]);
      expect(after?.n).toBe(before?.n);
      expect(await totals(name)).toEqual({ rows: 6, billed: ACTUAL_TOTAL, effective: AMORTIZED_TOTAL });
    });

    it('a re-run of the month (new runId, changed amounts) replaces the month', async () => {
      await putMonth('main', 'run-2', '2024-06-11T05:00:00Z', restate);
      const result = await sync(sourceId, name, connector);
      expect(result.ingested.map((i) => i.ref.fingerprint.split('@')[0])).toEqual(['run-2-actual', 'run-2-amortized']);
      expect(await totals(name)).toEqual({ rows: 6, billed: '732.5', effective: '108.5' });
      expect((await sync(sourceId, name, connector)).ingested).toEqual([]);
    });
  });

  describe('a failed delivery leaves the month as it was', () => {
    /** A source with the June run-1 synced; returns what it holds. */
    async function syncedSource(directory: string) {
      const name = `azure-blob:${directory}`;
      const sourceId = await newSource(name, directory);
      const connector = connectorFor(directory);
      await putMonth(directory, 'run-1', '2024-06-10T05:00:00Z');
      await sync(sourceId, name, connector);
      const before = await totals(name);
      expect(before).toEqual({ rows: 6, billed: ACTUAL_TOTAL, effective: AMORTIZED_TOTAL });
      return { name, sourceId, connector, before };
    }

    /** The restated actual-cost run-2, with `damage` applied to its parts. */
    function brokenRun(directory: string, damage: (parts: Part[]) => Part[]) {
      const parts = partition(restate(ACTUAL), 2).map((csv, i) => ({ name: `part_${i}_0001.csv.gz`, body: gzipSync(csv) }));
      return putRun({
        directory,
        exportName: 'daily-actual',
        type: 'ActualCost',
        runId: 'run-2-actual',
        submitted: '2024-06-11T05:00:00Z',
        parts: damage(parts),
      });
    }

    it('a blob listed in the manifest but missing fails the sync naming it; uploading it heals the next sync', async () => {
      const { name, sourceId, connector, before } = await syncedSource('missing-part');
      const folder = await brokenRun('missing-part', (parts) => parts.map((p, i) => (i === 1 ? { ...p, upload: false } : p)));
      const missing = `${folder}/part_1_0001.csv.gz`;

      const error = await rejection(sync(sourceId, name, connector));
      expect(error.code).toBe('BAD_DELIVERY');
      expect(error.message).toContain(`${missing} is listed in ${folder}/manifest.json but missing from the container`);
      expect(await totals(name)).toEqual(before);
      expect(await lastSyncRun(sourceId)).toMatchObject({ status: 'failed', error: error.message, deliveries_ingested: 0 });
      const [source] = await sql<{ last_sync_status: string; consecutive_failures: number }>(
        url,
        'SELECT last_sync_status, consecutive_failures FROM billing_sources WHERE id = $1',
        [sourceId],
      );
      expect(source).toEqual({ last_sync_status: 'failed', consecutive_failures: 1 });

      await container.getBlockBlobClient(missing).uploadData(gzipSync(partition(restate(ACTUAL), 2)[1] as string));
      const healed = await sync(sourceId, name, connector);
      expect(healed.ingested.map((i) => i.ref.dataset)).toEqual(['actual']);
      // Only the actual export was restated: the merge keeps the amortized on-demand row (10.50).
      expect(await totals(name)).toEqual(before);
      const [row] = await sql<{ billed: string }>(
        url,
        `SELECT c.billed_cost::text AS billed FROM cost_line_items c JOIN billing_sources s ON s.id = c.source_id
          WHERE s.name = $1 AND c.cost_dataset = 'actual'`,
        [name],
      );
      expect(row?.billed).toBe('720.00');
    });

    it('a truncated gzip part fails the sync; the month keeps its data', async () => {
      const { name, sourceId, connector, before } = await syncedSource('truncated-gzip');
      await brokenRun('truncated-gzip', (parts) =>
        parts.map((p, i) => (i === 1 ? { ...p, body: p.body.subarray(0, p.body.length - 12) } : p)),
      );
      await expect(sync(sourceId, name, connector)).rejects.toThrow(/part_1_0001\.csv\.gz: cannot decompress/);
      expect(await totals(name)).toEqual(before);
      expect(await lastSyncRun(sourceId)).toMatchObject({ status: 'failed' });
    });

    it('a bad number fails the sync naming the part and line; the month keeps its data', async () => {
      const { name, sourceId, connector, before } = await syncedSource('bad-number');
      await brokenRun('bad-number', (parts) =>
        partition(restate(ACTUAL).replace(',1,720.00,720.00,', ',1,720.00,72O.00,'), 2).map((csv, i) => ({
          name: parts[i]?.name as string,
          body: gzipSync(csv),
        })),
      );
      await expect(sync(sourceId, name, connector)).rejects.toThrow(/part_0_0001\.csv\.gz, line 3: .*not a decimal number: "72O\.00"/);
      expect(await totals(name)).toEqual(before);
    });

    it('a part whose size differs from the manifest is refused', async () => {
      const { name, sourceId, connector, before } = await syncedSource('wrong-size');
      await brokenRun('wrong-size', (parts) => parts.map((p, i) => (i === 0 ? { ...p, byteCount: p.body.length + 100 } : p)));
      const error = await rejection(sync(sourceId, name, connector));
      expect(error.code).toBe('BAD_DELIVERY');
      expect(error.message).toMatch(/part_0_0001\.csv\.gz has \d+ bytes but .*manifest\.json says \d+/);
      expect(await totals(name)).toEqual(before);
    });

    it('an unreadable manifest in the newest run fails the sync saying so', async () => {
      const { name, sourceId, connector, before } = await syncedSource('bad-manifest');
      const folder = await putRun({
        directory: 'bad-manifest',
        exportName: 'daily-actual',
        type: 'ActualCost',
        runId: 'run-2-actual',
        submitted: '2024-06-11T05:00:00Z',
        parts: [{ name: 'part_0_0001.csv', body: Buffer.from(ACTUAL) }],
        rawManifest: '{"exportConfig": {"type": "ActualCost"}, "blobs": [',
      });
      const error = await rejection(sync(sourceId, name, connector));
      expect(error).toMatchObject({ code: 'BAD_DELIVERY' });
      expect(error.message).toContain(`${folder}/manifest.json is not valid JSON`);
      expect(await totals(name)).toEqual(before);
    });
  });

  it('older non-partitioned exports: the newest CSV of each date-range folder', async () => {
    const name = 'azure-blob:legacy';
    const sourceId = await newSource(name, 'legacy');
    const folder = 'legacy/monthly-amortized-cost/20240601-20240630';
    await container
      .getBlockBlobClient(`${folder}/monthly-amortized-cost_0a1b2c3d-0000-4000-8000-000000000001.csv`)
      .uploadData(Buffer.from(AMORTIZED));
    await new Promise((r) => setTimeout(r, 1100)); // Last-Modified has one-second resolution
    await container
      .getBlockBlobClient(`${folder}/monthly-amortized-cost_0a1b2c3d-0000-4000-8000-000000000002.csv`)
      .uploadData(Buffer.from(restate(AMORTIZED)));
    const connector = connectorFor('legacy');
    const refs = await connector.discover();
    expect(refs).toEqual([expect.objectContaining({ key: folder, format: 'azure', dataset: 'amortized', billingPeriod: '2024-06-01' })]);
    expect(refs[0]?.fingerprint).toMatch(/^monthly-amortized-cost_0a1b2c3d-0000-4000-8000-000000000002\.csv@/);
    await sync(sourceId, name, connector);
    expect(await totals(name)).toEqual({ rows: 5, billed: '12.5', effective: '108.5' });
  });

  it('a FOCUS export lands as FOCUS', async () => {
    const name = 'azure-blob:focus';
    const sourceId = await newSource(name, 'focus-sync');
    await putRun({
      directory: 'focus-sync',
      exportName: 'focus-daily',
      type: 'FocusCost',
      runId: 'f-1',
      submitted: '2024-12-02T03:00:00Z',
      range: '20241101-20241130',
      parts: [{ name: 'part_0_0001.csv', body: FOCUS }],
    });
    const result = await sync(sourceId, name, connectorFor('focus-sync'));
    expect(result.ingested.map((i) => [i.summary.format, i.summary.dataset, i.summary.rows])).toEqual([['focus', null, 8]]);
  });
});

describe('credentials and errors', () => {
  it('a wrong account key is AUTH with a clear message that quotes no secret (Azurite does check the signature)', async () => {
    const connector = connectorFor(undefined, WRONG_KEY);
    for (const attempt of [connector.testConnection(), connector.discover()]) {
      const error = await rejection(attempt);
      expect(error.code).toBe('AUTH');
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(
        /^Azure Blob devstoreaccount1\/cost-exports \(listing the container\): the storage account refused the request/,
      );
      expect(error.message).toContain('Check the account key or SAS token');
      expect(error.message).not.toContain((WRONG_KEY as { accountKey: string }).accountKey);
    }
    // Recorded as the sync's failure, still without the key.
    const sourceId = await newSource('azure-blob:wrong-key', 'main');
    const error = await rejection(sync(sourceId, 'azure-blob:wrong-key', connector));
    expect(error.code).toBe('AUTH');
    expect((await lastSyncRun(sourceId))?.error).toBe(error.message);
  });

  it('a missing container is NOT_FOUND', async () => {
    const connector = createAzureBlobConnector({ accountUrl: azurite().accountUrl, container: 'no-such-container' }, KEY, { maxTries: 1 });
    for (const attempt of [connector.testConnection(), connector.discover()]) {
      const error = await rejection(attempt);
      expect(error.code).toBe('NOT_FOUND');
      expect(error.message).toContain(
        `container "no-such-container" does not exist in storage account "devstoreaccount1" (${azurite().accountUrl})`,
      );
    }
  });

  it('connects by host name through the guarded agent (endpoint-guard.ts checks the name again at connect time)', async () => {
    // The other tests address Azurite by IP, which Node connects to without a lookup.
    const byName = azurite().accountUrl.replace('127.0.0.1', 'localhost');
    expect(byName).toMatch(/^http:\/\/localhost:\d+\/devstoreaccount1$/);
    const connector = createAzureBlobConnector({ accountUrl: byName, container: CONTAINER }, KEY, { maxTries: 1 });
    await expect(connector.testConnection()).resolves.toBeUndefined();
  });

  it('the right key, a connection string and a container SAS all connect', async () => {
    const sas = generateBlobSASQueryParameters(
      { containerName: CONTAINER, permissions: ContainerSASPermissions.parse('rl'), expiresOn: new Date(Date.now() + 3_600_000) },
      new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
    ).toString();
    const credentials: AzureBlobCredential[] = [
      KEY,
      { kind: 'connectionString', connectionString: azurite().connectionString },
      { kind: 'sasToken', sasToken: sas },
      { kind: 'sasToken', sasToken: `${azurite().accountUrl}/${CONTAINER}?${sas}` },
    ];
    for (const credential of credentials) {
      const connector = connectorFor('main', credential);
      await connector.testConnection();
      expect((await connector.discover()).map((r) => r.key)).toEqual([
        'main/daily-actual/20240601-20240630',
        'main/daily-amortized/20240601-20240630',
      ]);
    }
  });

  it('an expired SAS token is AUTH and the message carries no signature', async () => {
    const sas = generateBlobSASQueryParameters(
      {
        containerName: CONTAINER,
        permissions: ContainerSASPermissions.parse('rl'),
        startsOn: new Date(Date.now() - 7_200_000),
        expiresOn: new Date(Date.now() - 3_600_000),
      },
      new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
    );
    const error = await rejection(connectorFor('main', { kind: 'sasToken', sasToken: sas.toString() }).testConnection());
    expect(error.code).toBe('AUTH');
    expect(error.message).toContain(`the SAS token expired on ${sas.expiresOn?.toISOString().replace(/\.\d+Z$/, '')}`);
    expect(error.message).not.toContain(sas.signature);
    expect(error.message).not.toMatch(/sig=/);
  });

  it('configuration mistakes are CONFIG errors before any request', () => {
    const config = { accountUrl: azurite().accountUrl, container: CONTAINER };
    const cases: [() => unknown, RegExp][] = [
      [() => createAzureBlobConnector(config), /no credential.*@azure\/identity/],
      [
        () => createAzureBlobConnector({ ...config, accountUrl: `${azurite().accountUrl}?sv=2024&sig=abc` }, KEY),
        /put the SAS token in the credential/,
      ],
      [() => createAzureBlobConnector({ ...config, container: 'Cost_Exports' }, KEY), /container: container names are 3-63 characters/],
      [() => createAzureBlobConnector({ ...config, directory: 'a/../b' }, KEY), /directory must not contain/],
      [
        () => createAzureBlobConnector({ ...config, accountUrl: 'https://example.com' }, KEY),
        /accountUrl must be https:\/\/<account>\.blob\.core\.windows\.net/,
      ],
      [() => createAzureBlobConnector(config, { kind: 'accountKey', accountKey: 'not base64!' }), /account key is not base64/],
      [() => createAzureBlobConnector(config, { kind: 'sasToken', sasToken: 'sv=2024-01-01&sp=rl' }), /SAS token has no signature/],
      [
        () =>
          createAzureBlobConnector(config, {
            kind: 'connectionString',
            connectionString: azurite().connectionString.replace(String(azurite().port), '1'),
          }),
        /the connection string is for http:\/\/127\.0\.0\.1:1\/devstoreaccount1, but the source's accountUrl is/,
      ],
    ];
    for (const [create, message] of cases) {
      let error: unknown;
      try {
        create();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConnectorError);
      expect(error).toMatchObject({ code: 'CONFIG', message: expect.stringMatching(message) });
      expect((error as Error).message).not.toContain(AZURITE_KEY);
    }
  });

  it('the source config schema normalizes account URLs and directories', () => {
    expect(
      AzureBlobSourceConfig.parse({
        accountUrl: 'https://contosobilling.blob.core.windows.net/',
        container: 'exports',
        directory: '/finops/azure/',
      }),
    ).toEqual({
      accountUrl: 'https://contosobilling.blob.core.windows.net',
      container: 'exports',
      directory: 'finops/azure',
    });
    expect(AzureBlobSourceConfig.parse({ accountUrl: 'http://127.0.0.1:10000/devstoreaccount1/', container: 'exports' })).toEqual({
      accountUrl: 'http://127.0.0.1:10000/devstoreaccount1',
      container: 'exports',
      directory: undefined,
    });
    expect(
      AzureBlobSourceConfig.safeParse({ accountUrl: 'http://contosobilling.blob.core.windows.net', container: 'exports' }).success,
    ).toBe(false);
  });

  describe('service errors Azurite does not produce (a stub speaking the Blob REST error format)', () => {
    let stub: http.Server;
    let reply: { status: number; code: string } = { status: 503, code: 'ServerBusy' };
    beforeAll(async () => {
      stub = http.createServer((_req, res) => {
        res.writeHead(reply.status, { 'content-type': 'application/xml', 'x-ms-error-code': reply.code });
        res.end(
          `<?xml version="1.0" encoding="utf-8"?><Error><Code>${reply.code}</Code><Message>stub\nRequestId:1\nTime:now</Message></Error>`,
        );
      });
      await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      await new Promise((resolve) => stub.close(resolve));
    });
    const stubConnector = () =>
      createAzureBlobConnector(
        { accountUrl: `http://127.0.0.1:${(stub.address() as AddressInfo).port}/devstoreaccount1`, container: CONTAINER },
        KEY,
        { maxTries: 1 },
      );

    it.each([
      [503, 'ServerBusy', 'THROTTLED', /Azure Storage is throttling requests \(ServerBusy\)/],
      [403, 'AuthenticationFailed', 'AUTH', /rejected the credentials \(AuthenticationFailed\)/],
      [403, 'AuthorizationPermissionMismatch', 'AUTH', /needs Read and List/],
      [404, 'ContainerNotFound', 'NOT_FOUND', /container "cost-exports" does not exist/],
    ])('HTTP %i %s is %s', async (status, code, expected, message) => {
      reply = { status, code };
      const error = await rejection(stubConnector().testConnection());
      expect(error).toMatchObject({ code: expected, message: expect.stringMatching(message) });
      expect(error.retryable).toBe(expected === 'THROTTLED');
    });

    it('an unreachable endpoint is NETWORK', async () => {
      const connector = createAzureBlobConnector({ accountUrl: 'http://127.0.0.1:1/devstoreaccount1', container: CONTAINER }, KEY, {
        maxTries: 1,
      });
      const error = await rejection(connector.testConnection());
      expect(error).toMatchObject({
        code: 'NETWORK',
        retryable: true,
        message: expect.stringContaining('cannot reach http://127.0.0.1:1/devstoreaccount1 (ECONNREFUSED)'),
      });
    });
  });
});
