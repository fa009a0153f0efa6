/**
 * Azure Cost Management exports delivered to Azure Blob Storage.
 *
 * Cost Management writes each export run below the container and directory the export names:
 *
 *   <directory>/<exportName>/<YYYYMMDD-YYYYMMDD>/[<export-time>/]<runId>/manifest.json
 *                                                                      /part_0_0001.csv[.gz] | .parquet ...
 *   <directory>/<exportName>/<YYYYMMDD-YYYYMMDD>/<exportName>_<guid>.csv      (older exports: no manifest)
 *
 * (Microsoft Learn "Tutorial: Improved exports experience"; FinOps toolkit "How data is processed
 * in FinOps hubs", which documents the manifest: exportConfig {exportName, type, dataVersion},
 * runInfo {runId, submittedTime, startDate, endDate}, blobs [{blobName, byteCount, dataRowCount}].)
 * The folders between the date range and the files changed with the API version, so, like FinOps
 * hubs 0.4+, the manifest is the source of truth and only the date-range folder is read from the
 * path. Partitioned runs are ingested once their manifest exists: it is written last, so a run
 * folder without one is still being written and is ignored.
 *
 * One delivery per (export, date range): the LATEST run for that range (a re-run or the next
 * daily month-to-date run restates the month), fingerprinted by runId + the manifest's ETag.
 * Every ingest replaces the billing periods it covers for the whole source, so a source must hold
 * one export per dataset: two actual-cost exports of different scopes, or a FOCUS export next to
 * actual/amortized ones, would replace each other's months; discover() refuses that layout.
 *
 * Credentials: a connection string, a storage account key or a SAS token (read + list). Microsoft
 * Entra ID (managed identity, workload identity, service principal) needs `@azure/identity`, which
 * Burnrate does not install: install it and pass its credential object as the TokenCredential.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { TokenCredential } from '@azure/core-auth';
import {
  AnonymousCredential,
  BlobServiceClient,
  type ContainerClient,
  newPipeline,
  type RequestPolicyFactory,
  RestError,
  type StoragePipelineOptions,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { z } from 'zod';
import { guardedLookup } from './endpoint-guard';
import { type Connector, ConnectorError, type DeliveryRef } from './types';

// ---------------------------------------------------------------------------------------------
// Configuration and credentials

const AZURE_BLOB_HOST = /^([a-z0-9]{3,24})\.blob\.core\.(?:windows\.net|chinacloudapi\.cn|usgovcloudapi\.net)$/;
const CONTAINER_NAME = /^(?=.{3,63}$)[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$/;

interface AccountUrl {
  url: string;
  accountName: string;
}

/** The account endpoint, or why it is not one: https://<account>.blob.core.windows.net or an emulator URL (path-style). */
function parseAccountUrl(raw: string): AccountUrl | string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return 'accountUrl is not a URL';
  }
  // The source config is stored in plain text; a SAS token belongs in the (encrypted) credential.
  if (u.search || u.hash) return 'accountUrl must not carry a query string: put the SAS token in the credential, not in the URL';
  if (u.username || u.password) return 'accountUrl must not contain a user name or password';
  const segments = u.pathname.split('/').filter(Boolean);
  const host = AZURE_BLOB_HOST.exec(u.hostname);
  if (host && u.protocol === 'https:' && segments.length === 0) return { url: u.origin, accountName: host[1] as string };
  // Azurite and other emulators address the account in the first path segment.
  if (!host && (u.protocol === 'http:' || u.protocol === 'https:') && segments.length === 1) {
    return { url: `${u.origin}/${segments[0]}`, accountName: decodeURIComponent(segments[0] as string) };
  }
  return 'accountUrl must be https://<account>.blob.core.windows.net or an emulator URL such as http://127.0.0.1:10000/devstoreaccount1';
}

function normalizeDirectory(raw: string | undefined): string | undefined {
  const parts = (raw ?? '').split('/').filter(Boolean);
  return parts.length ? parts.join('/') : undefined;
}

/** One Azure Blob billing source: where Cost Management delivers its exports. */
export const AzureBlobSourceConfig = z.object({
  accountUrl: z
    .string()
    .trim()
    .transform((value, ctx) => {
      const parsed = parseAccountUrl(value);
      if (typeof parsed === 'string') {
        ctx.addIssue({ code: 'custom', message: parsed });
        return z.NEVER;
      }
      return parsed.url;
    }),
  container: z
    .string()
    .trim()
    .regex(
      CONTAINER_NAME,
      'container names are 3-63 characters: lower-case letters, digits and single hyphens, starting with a letter or digit',
    ),
  /** The export's storage directory (folder path inside the container); the whole container when absent. */
  directory: z
    .string()
    .trim()
    .optional()
    .transform(normalizeDirectory)
    .refine((d) => !d?.split('/').some((s) => s === '.' || s === '..'), 'directory must not contain "." or ".." segments'),
});
export type AzureBlobSourceConfig = z.output<typeof AzureBlobSourceConfig>;
export type AzureBlobSourceConfigInput = z.input<typeof AzureBlobSourceConfig>;

/** The secret stored (encrypted) with the source: one of the three ways to reach a storage account without @azure/identity. */
export const AzureBlobSecret = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('connectionString'), connectionString: z.string().trim().min(1) }),
  z.object({
    kind: z.literal('accountKey'),
    accountKey: z.string().trim().min(1),
    /** Defaults to the account in accountUrl. */
    accountName: z.string().trim().min(1).optional(),
  }),
  /** A service SAS for the container or an account SAS, with Read and List; with or without the leading "?". */
  z.object({ kind: z.literal('sasToken'), sasToken: z.string().trim().min(1) }),
]);
export type AzureBlobSecret = z.infer<typeof AzureBlobSecret>;

/** A stored secret, or a Microsoft Entra ID credential from @azure/identity (e.g. `new DefaultAzureCredential()`). */
export type AzureBlobCredential = AzureBlobSecret | TokenCredential;

export interface AzureBlobConnectorOptions {
  /** Blobs per listing page (the service caps it at 5000). */
  pageSize?: number;
  /** Attempts per request, including the first (the SDK retries throttling and network errors with backoff). */
  maxTries?: number;
  /** Manifests read in parallel during discover(). */
  concurrency?: number;
}

/** When a SAS token (given alone or in a connection string) stops working: its signed expiry `se`. */
function sasExpiry(credential: AzureBlobCredential | undefined): number | undefined {
  if (!credential || isTokenCredential(credential)) return undefined;
  const text =
    credential.kind === 'sasToken' ? credential.sasToken : credential.kind === 'connectionString' ? credential.connectionString : '';
  const m = /[?&;=]se=([^&;]+)/.exec(`;${text}`) ?? /^se=([^&;]+)/.exec(text);
  if (!m) return undefined;
  const t = Date.parse(decodeURIComponent(m[1] as string));
  return Number.isNaN(t) ? undefined : t;
}

function isTokenCredential(c: AzureBlobCredential): c is TokenCredential {
  return typeof (c as Partial<TokenCredential>).getToken === 'function';
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function urlWithoutQuery(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`.replace(/\/+$/, '');
}

/** Keep-alive agents that resolve through endpoint-guard's check, like the AWS clients' (one pair per process). */
const GUARDED_AGENTS = {
  http: new HttpAgent({ keepAlive: true, lookup: guardedLookup }),
  https: new HttpsAgent({ keepAlive: true, lookup: guardedLookup }),
};

/**
 * Sends every request of the client through GUARDED_AGENTS, so that the account URL's name is
 * checked again when the socket connects (a name rebound to a metadata address after the
 * pre-check is refused). The storage pipeline takes no agent option, but its requests carry one
 * (core-rest-pipeline's `PipelineRequest.agent`, which the Node HTTP client uses as given); a
 * request policy sets it.
 */
const guardedAgentPolicy: RequestPolicyFactory = {
  create: (next) => ({
    sendRequest: (request) => {
      request.agent = request.url.startsWith('https:') ? GUARDED_AGENTS.https : GUARDED_AGENTS.http;
      return next.sendRequest(request);
    },
  }),
};

function guardedClient(
  url: string,
  credential: StorageSharedKeyCredential | AnonymousCredential | TokenCredential,
  options: StoragePipelineOptions,
): BlobServiceClient {
  // newPipeline keeps the credential apart from its (empty) list of extra policies.
  const pipeline = newPipeline(credential, options);
  pipeline.factories.push(guardedAgentPolicy);
  return new BlobServiceClient(url, pipeline);
}

function serviceClient(
  config: AzureBlobSourceConfig,
  accountName: string,
  credential: AzureBlobCredential | undefined,
  options: StoragePipelineOptions,
): BlobServiceClient {
  const where = `Azure Blob ${accountName}/${config.container}`;
  if (credential === undefined) {
    throw new ConnectorError(
      `${where}: no credential. Give a connection string, a storage account key or a SAS token (Read and List on the container). ` +
        'Managed identity and other Microsoft Entra ID sign-ins need the @azure/identity package, which Burnrate does not install.',
      'CONFIG',
    );
  }
  if (isTokenCredential(credential)) return guardedClient(config.accountUrl, credential, options);
  const secret = AzureBlobSecret.safeParse(credential);
  if (!secret.success) throw new ConnectorError(`${where}: the credential is not a connection string, account key or SAS token`, 'CONFIG');
  const c = secret.data;
  if (c.kind === 'connectionString') {
    let client: BlobServiceClient;
    try {
      client = BlobServiceClient.fromConnectionString(c.connectionString, options);
    } catch {
      // The SDK's message may quote the connection string; it is not repeated here.
      throw new ConnectorError(
        `${where}: the connection string is not valid (expected DefaultEndpointsProtocol=...;AccountName=...;AccountKey=... or BlobEndpoint=...;SharedAccessSignature=...)`,
        'CONFIG',
      );
    }
    const endpoint = urlWithoutQuery(client.url);
    if (endpoint !== config.accountUrl) {
      throw new ConnectorError(
        `${where}: the connection string is for ${endpoint}, but the source's accountUrl is ${config.accountUrl}`,
        'CONFIG',
      );
    }
    return guardedClient(client.url, client.credential, options);
  }
  if (c.kind === 'accountKey') {
    if (c.accountName && c.accountName !== accountName) {
      throw new ConnectorError(
        `${where}: the account key is for account "${c.accountName}", but accountUrl names "${accountName}"`,
        'CONFIG',
      );
    }
    if (!BASE64.test(c.accountKey))
      throw new ConnectorError(
        `${where}: the account key is not base64 (copy key1 or key2 from the storage account's Access keys)`,
        'CONFIG',
      );
    return guardedClient(config.accountUrl, new StorageSharedKeyCredential(accountName, c.accountKey), options);
  }
  // A pasted SAS URL is accepted as well as the bare token.
  let sas = c.sasToken;
  if (/^https?:\/\//i.test(sas)) {
    try {
      sas = new URL(sas).search;
    } catch {
      sas = '';
    }
  }
  sas = sas.replace(/^\?/, '');
  if (!/(^|&)sig=/.test(sas))
    throw new ConnectorError(`${where}: the SAS token has no signature (sig=...); copy the whole token`, 'CONFIG');
  return guardedClient(`${config.accountUrl}?${sas}`, new AnonymousCredential(), options);
}

// ---------------------------------------------------------------------------------------------
// Export layout and manifest

const RANGE_FOLDER = /^(\d{4})(\d{2})(\d{2})-(\d{4})(\d{2})(\d{2})$/;
const MANIFEST_FILE = /^_?manifest\.json$/i;
const LEGACY_DATA_FILE = /\.csv(?:\.gz)?$/i;
const PARTITION_FILE = /^part_\d+_\d+\./i;
const MAX_MANIFEST_BYTES = 16 << 20;

const ManifestSchema = z.object({
  exportConfig: z
    .object({
      exportName: z.string().nullish(),
      type: z.string().nullish(),
      dataVersion: z.string().nullish(),
    })
    .nullish(),
  runInfo: z
    .object({
      runId: z.string().nullish(),
      submittedTime: z.string().nullish(),
      startDate: z.string().nullish(),
      endDate: z.string().nullish(),
    })
    .nullish(),
  blobs: z.array(
    z.object({
      blobName: z.string().min(1),
      byteCount: z.number().int().nonnegative().nullish(),
      dataRowCount: z.number().int().nonnegative().nullish(),
    }),
  ),
});
type Manifest = z.infer<typeof ManifestSchema>;

interface DatasetKind {
  format: 'azure' | 'focus';
  dataset?: 'actual' | 'amortized';
}

/** exportConfig.type → what the pipeline ingests. Other types (price sheet, reservations) are not cost data and are skipped. */
const EXPORT_TYPES: Record<string, DatasetKind> = {
  actualcost: { format: 'azure', dataset: 'actual' },
  usage: { format: 'azure', dataset: 'actual' },
  amortizedcost: { format: 'azure', dataset: 'amortized' },
  focuscost: { format: 'focus' },
};

/** Older exports (and manifests without a type) say which dataset they are only in their names. */
function kindFromName(name: string): DatasetKind {
  return { format: 'azure', dataset: /amorti[sz]/i.test(name) ? 'amortized' : 'actual' };
}

function parseRangeFolder(segment: string): { start: string; end: string } | null {
  const m = RANGE_FOLDER.exec(segment);
  if (!m) return null;
  const day = (y: string, mo: string, d: string) => {
    const iso = `${y}-${mo}-${d}`;
    const t = new Date(`${iso}T00:00:00Z`);
    return !Number.isNaN(t.getTime()) && t.toISOString().startsWith(iso) ? iso : null;
  };
  const start = day(m[1] as string, m[2] as string, m[3] as string);
  const end = day(m[4] as string, m[5] as string, m[6] as string);
  return start && end && start <= end ? { start, end } : null;
}

function dateOf(value: string | null | undefined): string | undefined {
  const m = value ? /^(\d{4}-\d{2}-\d{2})/.exec(value.trim()) : null;
  return m ? m[1] : undefined;
}

/** Manifest timestamps come without a zone ("2024-01-01T00:00:00") or with seven fraction digits; both are UTC. */
function instant(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  const t = Date.parse(/(?:[zZ]|[+-]\d{2}:?\d{2})$/.test(v) ? v : `${v}Z`);
  return Number.isNaN(t) ? undefined : t;
}

const parentOf = (name: string) => {
  const i = name.lastIndexOf('/');
  return i < 0 ? '' : name.slice(0, i);
};
const baseOf = (name: string) => name.slice(name.lastIndexOf('/') + 1);

interface ListedBlob {
  name: string;
  etag: string;
  lastModified: number;
  size: number;
}

interface PlannedBlob {
  name: string;
  /** ETag seen when listing; the download is conditional on it. */
  etag?: string;
  byteCount?: number;
}

/** A run that can be ingested, or (with `problem`) one whose manifest cannot be used. */
interface Delivery {
  key: string;
  /** The export that delivered it: one export per dataset and month per source. */
  exportId: string;
  exportName: string;
  start?: string;
  end?: string;
  submitted: number;
  lastModified: number;
  /** The manifest (or, for older exports, the CSV) this delivery was read from. */
  source: string;
  runId: string;
  fingerprint: string;
  kind: DatasetKind;
  blobs: PlannedBlob[];
  problem?: string;
}

function isNewer(a: Delivery, b: Delivery): boolean {
  if (a.submitted !== b.submitted) return a.submitted > b.submitted;
  if (a.lastModified !== b.lastModified) return a.lastModified > b.lastModified;
  return a.source > b.source;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(limit, 1), items.length) }, worker));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Errors

const AUTH_CODES = new Set([
  'AuthenticationFailed',
  'AuthorizationFailure',
  'AuthorizationPermissionMismatch',
  'AuthorizationResourceTypeMismatch',
  'AuthorizationServiceMismatch',
  'AuthorizationSourceIPMismatch',
  'AuthorizationProtocolMismatch',
  'InvalidAuthenticationInfo',
  'NoAuthenticationInformation',
  'KeyBasedAuthenticationNotPermitted',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'REQUEST_SEND_ERROR',
]);

/** Never let a key or SAS signature through, whatever an error message quotes. */
function redact(text: string): string {
  return text
    .replace(/(sig=)[^&\s"']+/gi, '$1***')
    .replace(/(AccountKey=)[^;\s"']+/gi, '$1***')
    .replace(/(SharedAccessSignature=)[^;\s"']+/gi, '$1***');
}

function firstLine(text: string): string {
  return redact(text.split('\n')[0] ?? '').trim();
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

// ---------------------------------------------------------------------------------------------
// The connector

class AzureBlobConnector implements Connector {
  private readonly container: ContainerClient;
  private readonly label: string;
  private readonly sasExpiresAt: number | undefined;
  private readonly prefix: string | undefined;
  private readonly pageSize: number;
  private readonly concurrency: number;
  /** Parsed manifests by blob name and ETag: a worker re-syncing every hour reads each manifest once. */
  private readonly manifestCache = new Map<string, { etag: string; manifest: Manifest | string }>();
  /** What the last discover() found, by delivery key, for download(). */
  private deliveries = new Map<string, Delivery>();

  constructor(
    private readonly config: AzureBlobSourceConfig,
    private readonly accountName: string,
    credential: AzureBlobCredential | undefined,
    options: AzureBlobConnectorOptions,
  ) {
    this.label = `Azure Blob ${accountName}/${config.container}`;
    this.sasExpiresAt = sasExpiry(credential);
    const service = serviceClient(config, accountName, credential, {
      retryOptions: { maxTries: options.maxTries ?? 4 },
      userAgentOptions: { userAgentPrefix: 'burnrate' },
    });
    this.container = service.getContainerClient(config.container);
    this.prefix = config.directory ? `${config.directory}/` : undefined;
    this.pageSize = Math.min(Math.max(options.pageSize ?? 5000, 1), 5000);
    this.concurrency = options.concurrency ?? 8;
  }

  async testConnection(signal?: AbortSignal): Promise<void> {
    try {
      await this.container.listBlobsFlat({ prefix: this.prefix, abortSignal: signal }).byPage({ maxPageSize: 1 }).next();
    } catch (error) {
      throw this.fail(error, 'listing the container');
    }
  }

  async discover(signal?: AbortSignal): Promise<DeliveryRef[]> {
    const listed = await this.listAll(signal);
    const listing = new Map(listed.map((b) => [b.name, b]));

    // One manifest per run folder ("manifest.json" wins over a "_manifest.json" copy).
    const manifests = new Map<string, ListedBlob>();
    for (const blob of listed) {
      if (!MANIFEST_FILE.test(baseOf(blob.name))) continue;
      const folder = parentOf(blob.name);
      const seen = manifests.get(folder);
      if (!seen || baseOf(seen.name).startsWith('_')) manifests.set(folder, blob);
    }
    const candidates: Delivery[] = [];
    for (const d of await mapLimit([...manifests.values()], this.concurrency, (m) => this.fromManifest(m, listing, signal))) {
      if (d) candidates.push(d);
    }
    candidates.push(...this.fromOlderExports(listed, new Set(manifests.keys())));

    const latest = new Map<string, Delivery>();
    for (const d of candidates) {
      const seen = latest.get(d.key);
      if (!seen || isNewer(d, seen)) latest.set(d.key, d);
    }
    // Newest last: when two deliveries touch one billing period, the newer one lands last.
    const chosen = [...latest.values()].sort((a, b) => (isNewer(a, b) ? 1 : isNewer(b, a) ? -1 : 0));
    this.checkOneExportPerDataset(chosen);
    this.deliveries = new Map(chosen.map((d) => [d.key, d]));
    return chosen.map((d) => ({
      key: d.key,
      fingerprint: d.fingerprint,
      billingPeriod: d.start,
      format: d.kind.format,
      dataset: d.kind.dataset,
      description: `${d.exportName} ${d.start && d.end ? `${d.start}..${d.end}` : ''} run ${d.runId}`.replace(/\s+/g, ' ').trim(),
    }));
  }

  async download(ref: DeliveryRef, dir: string, signal?: AbortSignal): Promise<string[]> {
    let delivery = this.deliveries.get(ref.key);
    if (!delivery || delivery.fingerprint !== ref.fingerprint) {
      await this.discover(signal);
      delivery = this.deliveries.get(ref.key);
    }
    if (!delivery) throw new ConnectorError(`${this.label}: the export delivery ${ref.key} is no longer in the container`, 'BAD_DELIVERY');
    if (delivery.fingerprint !== ref.fingerprint) {
      throw new ConnectorError(
        `${this.label}: ${ref.key} was re-run while syncing (now run ${delivery.runId}); the next sync ingests it`,
        'BAD_DELIVERY',
        true,
      );
    }
    if (delivery.problem) throw new ConnectorError(`${this.label}: ${delivery.problem}`, 'BAD_DELIVERY');
    const files: string[] = [];
    for (const blob of delivery.blobs) {
      signal?.throwIfAborted();
      files.push(await this.downloadBlob(blob, delivery, dir, signal));
    }
    return files;
  }

  private async listAll(signal?: AbortSignal): Promise<ListedBlob[]> {
    const out: ListedBlob[] = [];
    try {
      for await (const page of this.container
        .listBlobsFlat({ prefix: this.prefix, abortSignal: signal })
        .byPage({ maxPageSize: this.pageSize })) {
        for (const item of page.segment.blobItems) {
          out.push({
            name: item.name,
            etag: item.properties.etag ?? '',
            lastModified: item.properties.lastModified?.getTime() ?? 0,
            size: item.properties.contentLength ?? 0,
          });
        }
      }
    } catch (error) {
      throw this.fail(error, 'listing the container');
    }
    return out;
  }

  /** Reads one run's manifest; null when it is not cost data or vanished since the listing. */
  private async fromManifest(blob: ListedBlob, listing: Map<string, ListedBlob>, signal?: AbortSignal): Promise<Delivery | null> {
    const runFolder = parentOf(blob.name);
    const segments = runFolder ? runFolder.split('/') : [];
    const rangeAt = segments.findLastIndex((s) => parseRangeFolder(s) !== null);
    const folderRange = rangeAt >= 0 ? parseRangeFolder(segments[rangeAt] as string) : null;
    const read = await this.readManifest(blob, signal);
    if (read === null) return null;
    const { etag, manifest } = read;
    const base = {
      submitted: blob.lastModified,
      lastModified: blob.lastModified,
      source: blob.name,
    };
    const pathExportName = rangeAt > 0 ? (segments[rangeAt - 1] as string) : undefined;

    if (typeof manifest === 'string') {
      // Still a delivery: if it is the newest run of its range the sync must fail and say why.
      const key = rangeAt >= 0 ? segments.slice(0, rangeAt + 1).join('/') : runFolder;
      return {
        ...base,
        key,
        exportId: rangeAt >= 0 ? segments.slice(0, rangeAt).join('/') : runFolder,
        exportName: pathExportName ?? 'export',
        start: folderRange?.start,
        end: folderRange?.end,
        runId: baseOf(runFolder),
        fingerprint: `invalid@${etag}`,
        kind: kindFromName(blob.name),
        blobs: [],
        problem: manifest,
      };
    }

    const type = manifest.exportConfig?.type?.trim();
    const exportName = manifest.exportConfig?.exportName?.trim() || pathExportName || 'export';
    let kind: DatasetKind;
    if (type) {
      const known = EXPORT_TYPES[type.toLowerCase()];
      if (!known) return null;
      kind = known;
    } else {
      kind = kindFromName(`${runFolder}/${exportName}`);
    }
    const start = folderRange?.start ?? dateOf(manifest.runInfo?.startDate);
    const end = folderRange?.end ?? dateOf(manifest.runInfo?.endDate) ?? start;
    const runId = manifest.runInfo?.runId?.trim() || baseOf(runFolder) || blob.name;

    let key: string;
    let exportId: string;
    if (rangeAt >= 0) {
      const root = segments.slice(0, rangeAt);
      const rangeFolder = segments.slice(0, rangeAt + 1).join('/');
      // Usually the export name is the folder above the date range; some API versions put it below.
      const named = root.includes(exportName);
      key = named ? rangeFolder : `${rangeFolder}/${exportName}`;
      exportId = named ? root.join('/') : `${root.join('/')}/${exportName}`.replace(/^\//, '');
    } else {
      const root = this.config.directory ?? '';
      const range = start ? `${start.replaceAll('-', '')}-${(end ?? start).replaceAll('-', '')}` : runFolder;
      key = `${root ? `${root}/` : ''}${exportName}/${range}`;
      exportId = `${root ? `${root}/` : ''}${exportName}`;
    }

    const blobs: PlannedBlob[] = [];
    const seen = new Set<string>();
    let problem: string | undefined;
    for (const entry of manifest.blobs) {
      const name = this.resolveBlobName(entry.blobName, runFolder, listing);
      if (seen.has(name)) {
        problem = `${blob.name} lists ${name} twice`;
        break;
      }
      seen.add(name);
      blobs.push({ name, etag: listing.get(name)?.etag || undefined, byteCount: entry.byteCount ?? undefined });
    }
    if (!start) problem ??= `${blob.name}: no date range, neither in the folder (YYYYMMDD-YYYYMMDD) nor in runInfo.startDate`;

    return {
      ...base,
      submitted: instant(manifest.runInfo?.submittedTime) ?? blob.lastModified,
      key,
      exportId,
      exportName,
      start,
      end,
      runId,
      fingerprint: `${runId}@${etag}`,
      kind,
      blobs,
      problem,
    };
  }

  /** Older exports: one CSV per run directly in the date-range folder, no manifest. */
  private fromOlderExports(listed: ListedBlob[], manifestFolders: Set<string>): Delivery[] {
    const out: Delivery[] = [];
    for (const blob of listed) {
      const file = baseOf(blob.name);
      if (!LEGACY_DATA_FILE.test(file) || PARTITION_FILE.test(file)) continue;
      const folder = parentOf(blob.name);
      if (manifestFolders.has(folder)) continue;
      const segments = folder.split('/');
      const range = parseRangeFolder(segments[segments.length - 1] ?? '');
      if (!range) continue;
      const root = segments.slice(0, -1).join('/');
      out.push({
        key: folder,
        exportId: root,
        exportName: segments[segments.length - 2] ?? 'export',
        start: range.start,
        end: range.end,
        submitted: blob.lastModified,
        lastModified: blob.lastModified,
        source: blob.name,
        runId: file,
        fingerprint: `${file}@${blob.etag}`,
        kind: kindFromName(`${root}/${file}`),
        blobs: [{ name: blob.name, etag: blob.etag }],
      });
    }
    return out;
  }

  /**
   * A manifest's blobName is container-relative; some deliveries prefix the container (or give a
   * URL, or a name relative to the run folder). The first spelling that exists in the listing wins.
   */
  private resolveBlobName(raw: string, runFolder: string, listing: Map<string, ListedBlob>): string {
    let name = raw.trim();
    if (/^https?:\/\//i.test(name)) {
      try {
        name = decodeURIComponent(new URL(name).pathname);
      } catch {
        // keep it as written; the download reports it missing
      }
    }
    name = name.replace(/^\/+/, '');
    const parts = name.split('/');
    const candidates = [name, runFolder ? `${runFolder}/${name}` : name, parts.slice(1).join('/'), parts.slice(2).join('/')];
    return candidates.find((c) => c && listing.has(c)) ?? name;
  }

  private async readManifest(blob: ListedBlob, signal?: AbortSignal): Promise<{ etag: string; manifest: Manifest | string } | null> {
    const cached = this.manifestCache.get(blob.name);
    if (cached && cached.etag === blob.etag) return cached;
    const remember = (etag: string, manifest: Manifest | string) => {
      const entry = { etag, manifest };
      this.manifestCache.set(blob.name, entry);
      return entry;
    };
    const tooLarge = `${blob.name} is larger than ${MAX_MANIFEST_BYTES} bytes, too large for an export manifest`;
    if (blob.size > MAX_MANIFEST_BYTES) return remember(blob.etag, tooLarge);
    let etag: string;
    const chunks: Buffer[] = [];
    try {
      const res = await this.container.getBlobClient(blob.name).download(0, undefined, { abortSignal: signal });
      etag = res.etag ?? blob.etag;
      let size = 0;
      for await (const chunk of res.readableStreamBody ?? []) {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
        size += buf.length;
        if (size > MAX_MANIFEST_BYTES) return remember(etag, tooLarge);
        chunks.push(buf);
      }
    } catch (error) {
      // Overwritten or deleted since the listing: the next listing shows what replaced it.
      if (error instanceof RestError && error.statusCode === 404) return null;
      throw this.fail(error, `reading ${blob.name}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(
        Buffer.concat(chunks)
          .toString('utf8')
          .replace(/^\uFEFF/, ''),
      );
    } catch (error) {
      return remember(etag, `${blob.name} is not valid JSON (${(error as Error).message})`);
    }
    const parsed = ManifestSchema.safeParse(json);
    if (parsed.success) return remember(etag, parsed.data);
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    return remember(etag, `${blob.name} is not a Cost Management export manifest (${issues.join('; ')})`);
  }

  private checkOneExportPerDataset(deliveries: Delivery[]): void {
    const byMonth = new Map<string, Map<string, Set<string>>>();
    for (const d of deliveries) {
      if (!d.start) continue;
      const month = d.start.slice(0, 7);
      const kinds = byMonth.get(month) ?? new Map<string, Set<string>>();
      const kind = d.kind.format === 'focus' ? 'FOCUS' : (d.kind.dataset ?? 'actual');
      const exports = kinds.get(kind) ?? new Set<string>();
      exports.add(d.exportId || '(container root)');
      kinds.set(kind, exports);
      byMonth.set(month, kinds);
    }
    const where = this.config.directory ? `directory "${this.config.directory}"` : 'the container';
    for (const [month, kinds] of [...byMonth].sort()) {
      for (const [kind, exports] of kinds) {
        if (exports.size > 1) {
          throw new ConnectorError(
            `${this.label}: ${where} holds ${exports.size} exports of ${kind} cost for ${month} (${[...exports].sort().join(', ')}). ` +
              "Each ingest replaces the source's month, so they would overwrite each other: point this source at one export's folder " +
              '(one export per dataset), or create one source per export.',
            'CONFIG',
          );
        }
      }
      const focus = kinds.get('FOCUS');
      if (focus && kinds.size > 1) {
        const others = [...kinds].filter(([k]) => k !== 'FOCUS').flatMap(([, e]) => [...e]);
        throw new ConnectorError(
          `${this.label}: ${where} mixes a FOCUS export (${[...focus].join(', ')}) with actual/amortized exports (${others.sort().join(', ')}) for ${month}. ` +
            'The FOCUS dataset already holds both views and each would replace the other; use one or the other for this source.',
          'CONFIG',
        );
      }
    }
  }

  /** Streams one blob of a delivery to disk, under the blob's own path (so ingest errors name it). */
  private async downloadBlob(blob: PlannedBlob, delivery: Delivery, dir: string, signal?: AbortSignal): Promise<string> {
    const root = path.resolve(dir);
    const dest = path.join(
      root,
      ...blob.name
        .split('/')
        .filter(Boolean)
        .map((s) => (s === '.' || s === '..' ? '_' : s.replace(/[^\w.\-=@+ ]/g, '_'))),
    );
    if (!dest.startsWith(root + path.sep))
      throw new ConnectorError(`${this.label}: ${delivery.source} lists an unusable blob name`, 'BAD_DELIVERY');
    await mkdir(path.dirname(dest), { recursive: true });
    const client = this.container.getBlobClient(blob.name);
    let expected: number | undefined;
    try {
      const res = await client.download(0, undefined, {
        abortSignal: signal,
        conditions: blob.etag ? { ifMatch: blob.etag } : undefined,
        maxRetryRequests: 5,
      });
      const body = res.readableStreamBody;
      if (!body) throw new ConnectorError(`${this.label}: downloading ${blob.name} returned no body`, 'NETWORK');
      expected = res.contentLength;
      await pipeline(body, createWriteStream(dest, { flags: 'wx' }), ...(signal ? [{ signal }] : []));
    } catch (error) {
      if (error instanceof RestError && (error.statusCode === 404 || error.code === 'BlobNotFound')) {
        throw new ConnectorError(
          `${this.label}: ${blob.name} is listed in ${delivery.source} but missing from the container; the export run is incomplete or was partly deleted. ` +
            `Run the export again for ${delivery.start ?? 'that period'} in Cost Management.`,
          'BAD_DELIVERY',
        );
      }
      if (error instanceof RestError && (error.statusCode === 412 || error.code === 'ConditionNotMet')) {
        throw new ConnectorError(
          `${this.label}: ${blob.name} changed while syncing; the next sync ingests the new version`,
          'BAD_DELIVERY',
          true,
        );
      }
      throw this.fail(error, `downloading ${blob.name}`);
    }
    const size = (await stat(dest)).size;
    if (expected !== undefined && size !== expected) {
      throw new ConnectorError(`${this.label}: the download of ${blob.name} ended after ${size} of ${expected} bytes`, 'NETWORK');
    }
    if (blob.byteCount !== undefined && size !== blob.byteCount) {
      throw new ConnectorError(
        `${this.label}: ${blob.name} has ${size} bytes but ${delivery.source} says ${blob.byteCount}; it was changed after the export wrote it`,
        'BAD_DELIVERY',
      );
    }
    return dest;
  }

  /** Maps a storage or network failure to an error a user can act on; never quotes a key or a SAS token. */
  private fail(error: unknown, doing: string): Error {
    if (error instanceof ConnectorError || isAbort(error)) return error as Error;
    const where = `${this.label} (${doing})`;
    if (error instanceof RestError) {
      const status = error.statusCode;
      const code = error.code ?? '';
      // endpoint-guard refused the address at connect time: its message says why and how to allow it.
      if (code === 'EBURNRATEBLOCKED') return new ConnectorError(`${where}: ${firstLine(error.message)}`, 'CONFIG');
      if (status === 401 || status === 403 || AUTH_CODES.has(code))
        return new ConnectorError(this.authMessage(where, code, status), 'AUTH');
      if (code === 'ContainerNotFound') {
        return new ConnectorError(
          `${where}: container "${this.config.container}" does not exist in storage account "${this.accountName}" (${this.config.accountUrl})`,
          'NOT_FOUND',
        );
      }
      if (status === 404)
        return new ConnectorError(`${where}: not found (${code || 'HTTP 404'}) at ${this.config.accountUrl}`, 'NOT_FOUND');
      if (status === 503 || status === 429 || code === 'ServerBusy' || code === 'OperationTimedOut') {
        return new ConnectorError(
          `${where}: Azure Storage is throttling requests (${code || `HTTP ${status}`}); the sync will be retried`,
          'THROTTLED',
        );
      }
      if (status === undefined || NETWORK_CODES.has(code))
        return new ConnectorError(`${where}: cannot reach ${this.config.accountUrl} (${code || firstLine(error.message)})`, 'NETWORK');
      if (status >= 500) return new ConnectorError(`${where}: Azure Storage failed (HTTP ${status} ${code})`, 'NETWORK');
      return new ConnectorError(`${where}: request rejected (HTTP ${status} ${code}): ${firstLine(error.message)}`, 'CONFIG');
    }
    const e = error as NodeJS.ErrnoException;
    if (e?.code && NETWORK_CODES.has(e.code))
      return new ConnectorError(`${where}: cannot reach ${this.config.accountUrl} (${e.code})`, 'NETWORK');
    return new ConnectorError(`${where}: ${firstLine(e?.message ?? String(error))}`, 'NETWORK');
  }

  private authMessage(where: string, code: string, status: number | undefined): string {
    const c = code || `HTTP ${status}`;
    const scope = `container "${this.config.container}" of storage account "${this.accountName}"`;
    if (this.sasExpiresAt !== undefined && this.sasExpiresAt < Date.now()) {
      return `${where}: the SAS token expired on ${new Date(this.sasExpiresAt).toISOString()} (${c}); create a new one with Read and List on ${scope}.`;
    }
    switch (code) {
      case 'AuthorizationPermissionMismatch':
        return `${where}: the credential is valid but may not read ${scope} (${c}). It needs Read and List (for Microsoft Entra ID: the Storage Blob Data Reader role).`;
      case 'AuthorizationSourceIPMismatch':
      case 'AuthorizationProtocolMismatch':
        return `${where}: the SAS token does not allow this server's IP address or protocol (${c}).`;
      case 'AuthorizationResourceTypeMismatch':
      case 'AuthorizationServiceMismatch':
        return `${where}: the SAS token does not cover blob containers and objects (${c}); use a container SAS or an account SAS with srt=co and ss=b.`;
      case 'KeyBasedAuthenticationNotPermitted':
        return `${where}: the storage account does not allow account keys or SAS tokens signed with them (${c}); use Microsoft Entra ID through @azure/identity.`;
      case 'AuthorizationFailure':
        return `${where}: the storage account refused the request (${c}): the credentials are wrong, or its firewall or network rules do not admit this server. Check the account key or SAS token for ${scope}.`;
      default:
        return `${where}: the storage account rejected the credentials (${c}). Check that the account key or SAS token belongs to "${this.accountName}", is current (keys are rotated, SAS tokens expire) and allows Read and List on ${scope}.`;
    }
  }
}

/**
 * A connector for one Azure Blob billing source. Throws ConnectorError('CONFIG') for an invalid
 * configuration or a missing/unusable credential; connection problems surface from its methods.
 */
export function createAzureBlobConnector(
  config: AzureBlobSourceConfigInput,
  credential?: AzureBlobCredential,
  options: AzureBlobConnectorOptions = {},
): Connector {
  const parsed = AzureBlobSourceConfig.safeParse(config);
  if (!parsed.success) {
    throw new ConnectorError(
      `Azure Blob source: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      'CONFIG',
    );
  }
  const account = parseAccountUrl(parsed.data.accountUrl);
  if (typeof account === 'string') throw new ConnectorError(`Azure Blob source: ${account}`, 'CONFIG');
  return new AzureBlobConnector(parsed.data, account.accountName, credential, options);
}
