/**
 * Local stand-ins for the clouds, so the connector path (sources page -> sync-source job -> ingest)
 * can be seen working without an AWS or Azure account: s3rver (S3) and Azurite (Azure Blob) on
 * loopback, holding fixture deliveries laid out as AWS and Cost Management write them, and two
 * billing sources pointing at them. Used by `npm run demo:clouds` and its integration test.
 *
 * Both servers are dev dependencies (the same ones the connector tests use); they run as child
 * processes that exit with this one (s3rver: its stdin closes; Azurite: stop() or process exit).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, realpath, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import type { PgBoss } from 'pg-boss';
import type { z } from 'zod';
import { enqueueSourceSync } from '../jobs/client';
import { addMonths } from '../lib/calendar';
import type { AwsS3Credentials, AwsS3SourceConfig } from '../lib/connectors/aws-s3';
import type { AzureBlobCredential, AzureBlobSourceConfig } from '../lib/connectors/azure-blob';
import { freePort } from '../lib/db/embedded';
import { getPrisma } from '../lib/db/prisma';
import { encryptSecret } from '../lib/secrets';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURES = path.join(ROOT, 'tests/fixtures');

/** s3rver's built-in account (it accepts no other). */
const S3RVER_CREDENTIALS: AwsS3Credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
/** Azurite's well-known development account and key, published in Microsoft's Azurite documentation. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export const LOCAL_S3_SOURCE = 'local-s3-cur';
export const LOCAL_AZURE_SOURCE = 'local-azurite-exports';

/** What the deliveries hold, for the script's message and the test. */
export const LOCAL_CLOUD_FIXTURES = {
  /** koku's legacy CUR of June 2023 (NOK), one gzipped part. */
  awsCur: path.join(FIXTURES, 'aws-cur/koku/2023-06-01.csv'),
  awsMonth: '2023-06',
  /** The hand-made actual + amortized pair of June 2024 (USD), see tests/fixtures/azure/SOURCE.md. */
  azureActual: path.join(FIXTURES, 'azure/synthetic-actual.csv'),
  azureAmortized: path.join(FIXTURES, 'azure/synthetic-amortized.csv'),
  azureMonth: '2024-06',
} as const;

export interface LocalClouds {
  s3: { config: z.input<typeof AwsS3SourceConfig>; credentials: AwsS3Credentials };
  azure: { config: z.input<typeof AzureBlobSourceConfig>; credentials: AzureBlobCredential };
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// The servers

export interface LocalServer {
  endpoint: string;
  stop(): Promise<void>;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/**
 * s3rver in a child process with `--openssl-legacy-provider` (its listing continuation tokens use
 * DES, which Node's OpenSSL 3 offers only so); the child reports the port the kernel picked.
 */
export async function startS3rver(directory: string): Promise<LocalServer> {
  await mkdir(directory, { recursive: true });
  const main = createRequire(import.meta.url).resolve('s3rver');
  const script = `
    const S3rver = require(${JSON.stringify(main)});
    const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: ${JSON.stringify(directory)} });
    server.run().then((address) => process.stdout.write(JSON.stringify({ port: address.port }) + '\\n'), (error) => {
      process.stderr.write(String(error && error.stack || error));
      process.exit(1);
    });
    process.stdin.on('end', () => process.exit(0));
    process.stdin.resume();
  `;
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', script], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const port = await new Promise<number>((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n') && line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`s3rver exited (code ${code}) before listening: ${stderr}`)));
    child.once('error', reject);
  });
  return { endpoint: `http://127.0.0.1:${port}`, stop: () => stopChild(child) };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Azurite's blob service on a free loopback port, its data under `location`; resolves once it accepts connections. */
export async function startAzuriteBlob(location: string): Promise<LocalServer> {
  await mkdir(location, { recursive: true });
  const port = await freePort();
  const main = await realpath(path.join(ROOT, 'node_modules/.bin/azurite-blob'));
  const args = [main, '--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', location];
  const child = spawn(process.execPath, [...args, '--silent', '--skipApiVersionCheck', '--loose', '--disableTelemetry'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (d: Buffer) => {
    output += d.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Azurite exited with code ${child.exitCode}: ${output.trim()}`);
    if (await canConnect(port)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Azurite did not listen on 127.0.0.1:${port} within 30 s: ${output.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { endpoint: `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`, stop: () => stopChild(child) };
}

// ---------------------------------------------------------------------------------------------
// The deliveries

const S3_BUCKET = 'burnrate-billing';
const S3_PREFIX = 'cur';
const CUR_REPORT = 'local-cur';
const AZURE_CONTAINER = 'cost-exports';
const AZURE_DIRECTORY = 'exports';

/**
 * Puts an object into s3rver and returns once it reads back whole: s3rver acknowledges a PUT before
 * its write stream has flushed the object to disk, so a read right after could see nothing or a
 * truncated object. Shared with the tests' S3 helper (tests/helpers/s3-server.ts).
 */
export async function putS3rverObject(client: S3Client, bucket: string, key: string, body: Buffer): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  for (let attempt = 0; ; attempt++) {
    const stored = await client
      .send(new GetObjectCommand({ Bucket: bucket, Key: key }))
      .then(async (res) => Buffer.from((await res.Body?.transformToByteArray()) ?? []))
      .catch(() => null);
    if (stored?.equals(body)) return;
    if (attempt === 200) throw new Error(`s3rver did not store s3://${bucket}/${key} within two seconds`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function putS3(client: S3Client, key: string, body: Buffer): Promise<void> {
  return putS3rverObject(client, S3_BUCKET, key, body);
}

/**
 * A legacy CUR ("keep previous versions") as AWS writes it: the gzipped part under its assembly
 * id, that version's manifest beside it, and the period's current manifest one folder up.
 */
async function putLegacyCur(endpoint: string): Promise<void> {
  const client = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    // s3rver stores aws-chunked upload bodies as sent; plain bodies keep the objects byte-exact.
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  try {
    await client.send(new CreateBucketCommand({ Bucket: S3_BUCKET }));
    const csv = await readFile(LOCAL_CLOUD_FIXTURES.awsCur);
    const header = csv.toString('utf8').split(/\r?\n/, 1)[0]?.split(',') ?? [];
    const base = `${S3_PREFIX}/${CUR_REPORT}/20230601-20230701`;
    const assemblyId = '7c6f0c3e-9d1b-4f7a-a4c2-2f3b1e0d5a61';
    const part = `${base}/${assemblyId}/${CUR_REPORT}-00001.csv.gz`;
    await putS3(client, part, gzipSync(csv));
    const manifest = Buffer.from(
      JSON.stringify(
        legacyCurManifest({ report: CUR_REPORT, period: '2023-06', assemblyId, bucket: S3_BUCKET, reportKeys: [part], header }),
        null,
        2,
      ),
    );
    await putS3(client, `${base}/${assemblyId}/${CUR_REPORT}-Manifest.json`, manifest);
    await putS3(client, `${base}/${CUR_REPORT}-Manifest.json`, manifest);
  } finally {
    client.destroy();
  }
}

/**
 * A legacy CUR manifest (<report>-Manifest.json) as AWS writes it for one billing period ('YYYY-MM'):
 * every CSV column as category/name, the report's parts in `reportKeys`. Shared with the S3
 * connector's tests.
 */
export function legacyCurManifest(o: {
  report: string;
  period: string;
  assemblyId: string;
  bucket: string;
  reportKeys: string[];
  header: readonly string[];
}): object {
  const compact = (month: string) => month.replace('-', '');
  return {
    assemblyId: o.assemblyId,
    account: '123456789012',
    columns: o.header.map((h) => {
      const [category, name] = h.split('/');
      return { category, name, type: 'OptionalString' };
    }),
    charset: 'UTF-8',
    compression: 'GZIP',
    contentType: 'text/csv',
    reportId: '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0',
    reportName: o.report,
    billingPeriod: { start: `${compact(o.period)}01T000000.000Z`, end: `${compact(addMonths(o.period, 1))}01T000000.000Z` },
    bucket: o.bucket,
    reportKeys: o.reportKeys,
    additionalArtifactKeys: [],
  };
}

/** One Cost Management export run of June 2024: the part, then (last, as Azure does) manifest.json. */
async function putAzureRun(
  accountUrl: string,
  run: { exportName: string; type: 'ActualCost' | 'AmortizedCost'; runId: string; csv: Buffer },
): Promise<void> {
  const service = new BlobServiceClient(accountUrl, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
  const container = service.getContainerClient(AZURE_CONTAINER);
  await container.createIfNotExists();
  const submitted = '2024-07-01T05:00:00.0000000Z';
  const folder = `${AZURE_DIRECTORY}/${run.exportName}/20240601-20240630/202407010500/${run.runId}`;
  const part = gzipSync(run.csv);
  await container.getBlockBlobClient(`${folder}/part_0_0001.csv.gz`).uploadData(part);
  const manifest = {
    exportConfig: {
      exportName: run.exportName,
      resourceId: `/providers/Microsoft.Billing/billingAccounts/12345678/providers/Microsoft.CostManagement/exports/${run.exportName}`,
      dataVersion: '2021-10-01',
      apiVersion: '2023-07-01-preview',
      type: run.type,
      timeFrame: 'TheLastMonth',
      granularity: 'Daily',
    },
    deliveryConfig: {
      partitionData: true,
      dataOverwriteBehavior: 'CreateNewReport',
      fileFormat: 'Csv',
      compressionMode: 'gzip',
      containerUri: `/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/${AZURITE_ACCOUNT}`,
      rootFolderPath: AZURE_DIRECTORY,
    },
    runInfo: {
      executionType: 'Scheduled',
      submittedTime: submitted,
      runId: run.runId,
      startDate: '2024-06-01T00:00:00',
      endDate: '2024-06-30T00:00:00',
    },
    blobCount: 1,
    blobs: [{ blobName: `${folder}/part_0_0001.csv.gz`, byteCount: part.length }],
  };
  await container.getBlockBlobClient(`${folder}/manifest.json`).uploadData(Buffer.from(JSON.stringify(manifest, null, 2)));
}

/**
 * Starts s3rver and Azurite on loopback, keeping their data under `dir` (emptied first, so each
 * start serves exactly the fixture deliveries), and uploads the deliveries.
 */
export async function startLocalClouds(options: { dir: string }): Promise<LocalClouds> {
  const dir = path.resolve(options.dir);
  await rm(dir, { recursive: true, force: true });
  const started: LocalServer[] = [];
  const stop = async () => {
    await Promise.all(started.map((s) => s.stop()));
  };
  try {
    const s3 = await startS3rver(path.join(dir, 's3'));
    started.push(s3);
    const azurite = await startAzuriteBlob(path.join(dir, 'azurite'));
    started.push(azurite);
    await putLegacyCur(s3.endpoint);
    await putAzureRun(azurite.endpoint, {
      exportName: 'monthly-actual',
      type: 'ActualCost',
      runId: '3b0a6a41-0d52-4f1e-9a57-6c1f5f1b7a01',
      csv: await readFile(LOCAL_CLOUD_FIXTURES.azureActual),
    });
    await putAzureRun(azurite.endpoint, {
      exportName: 'monthly-amortized',
      type: 'AmortizedCost',
      runId: '3b0a6a41-0d52-4f1e-9a57-6c1f5f1b7a02',
      csv: await readFile(LOCAL_CLOUD_FIXTURES.azureAmortized),
    });
    return {
      s3: {
        config: {
          bucket: S3_BUCKET,
          prefix: S3_PREFIX,
          region: 'us-east-1',
          exportType: 'cur-legacy',
          endpoint: s3.endpoint,
          forcePathStyle: true,
        },
        credentials: S3RVER_CREDENTIALS,
      },
      azure: {
        config: { accountUrl: azurite.endpoint, container: AZURE_CONTAINER, directory: AZURE_DIRECTORY },
        credentials: { kind: 'accountKey', accountKey: AZURITE_KEY },
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// The sources

export interface RegisteredLocalSources {
  s3SourceId: number;
  azureSourceId: number;
  /** pg-boss job ids; null where a sync of the source was already queued or running. */
  jobs: (string | null)[];
}

/**
 * Creates or updates the two sources (their endpoints change with every start: the ports are
 * picked at bind time), stores their credentials encrypted with the instance's key (see
 * lib/secrets.ts) and enqueues a manual sync of each, which the worker of `npm start` runs.
 */
export async function registerLocalCloudSources(clouds: LocalClouds, boss: PgBoss): Promise<RegisteredLocalSources> {
  const prisma = getPrisma();
  const upsert = async (name: string, provider: string, kind: string, config: object, secret: object) => {
    const data = {
      provider,
      kind,
      config,
      enabled: true,
      secretCiphertext: encryptSecret(JSON.stringify(secret)),
      updatedAt: new Date(),
    };
    const row = await prisma.billingSource.upsert({ where: { name }, create: { name, ...data }, update: data, select: { id: true } });
    return row.id;
  };
  const s3SourceId = await upsert(LOCAL_S3_SOURCE, 'aws', 'aws_s3', clouds.s3.config, clouds.s3.credentials);
  const azureSourceId = await upsert(LOCAL_AZURE_SOURCE, 'azure', 'azure_blob', clouds.azure.config, clouds.azure.credentials);
  const jobs = [await enqueueSourceSync(boss, s3SourceId, 'manual'), await enqueueSourceSync(boss, azureSourceId, 'manual')];
  return { s3SourceId, azureSourceId, jobs };
}
