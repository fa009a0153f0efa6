import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, HeadBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { guardedLookup } from './endpoint-guard';
import { describeIssues, isSdkUnreachable, plural, redactAwsSecrets, type SdkErrorShape, sdkErrorCode } from './messages';
import { type Connector, ConnectorError, type ConnectorErrorCode, type DeliveryRef } from './types';

/**
 * Where AWS delivers a billing export. `prefix` is the S3 prefix set on the report or export (the
 * folder above `<reportName>/`), or any folder below it down to the report's own folder.
 */
export const AwsS3SourceConfig = z.object({
  bucket: z.string().regex(/^[A-Za-z0-9._-]{3,255}$/, 'must be an S3 bucket name (letters, digits, dots, hyphens, underscores)'),
  prefix: z
    .string()
    .max(1024)
    .default('')
    .transform((p) => p.replace(/^\/+|\/+$/g, '')),
  region: z.string().regex(/^[a-z0-9-]{2,40}$/, 'must be an AWS region such as us-east-1'),
  exportType: z.enum(['cur-legacy', 'cur2', 'focus']),
  /** S3-compatible servers and tests only; AWS itself needs no endpoint. */
  endpoint: z.url({ protocol: /^https?$/ }).optional(),
  forcePathStyle: z.boolean().optional(),
});
export type AwsS3SourceConfig = z.infer<typeof AwsS3SourceConfig>;

export const AwsS3Credentials = z.object({
  accessKeyId: z.string().min(1),
  secretAccessKey: z.string().min(1),
  sessionToken: z.string().min(1).optional(),
});
export type AwsS3Credentials = z.infer<typeof AwsS3Credentials>;

export interface AwsS3ConnectorOptions {
  /** Attempts per request, the first included; the SDK's standard retry strategy backs off between them. */
  maxAttempts?: number;
  /** Keys per ListObjectsV2 page (S3's maximum is 1000). */
  listPageSize?: number;
  /** Data files downloaded at once. */
  downloadConcurrency?: number;
}

// Legacy CUR, "keep previous versions" and "overwrite" alike:
//   <prefix>/<report>/<yyyymmdd-yyyymmdd>/<report>-Manifest.json             (the current version)
//   <prefix>/<report>/<yyyymmdd-yyyymmdd>/<assemblyId>/<report>-Manifest.json (a copy, one per version)
const LEGACY_MANIFEST_KEY = /^((?:.*\/)?)(\d{8}-\d{8})\/(?:([^/]+)\/)?([^/]+)-Manifest\.json$/;
// Data Exports (CUR 2.0, FOCUS): <prefix>/<export>/metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json.
// A sub-folder between the partition and the manifest is accepted like the legacy assembly folder.
const EXPORT_MANIFEST_KEY = /^((?:.*\/)?)metadata\/BILLING_PERIOD=(\d{4}-\d{2})\/(?:([^/]+)\/)?([^/]+)-Manifest\.json$/;

const LegacyManifest = z.object({
  assemblyId: z.string().min(1),
  reportKeys: z.array(z.string().min(1)),
  billingPeriod: z.object({
    start: z.string().regex(/^\d{8}T/, 'expected a yyyymmddT... timestamp'),
    end: z.string(),
  }),
  compression: z.string().optional(),
});

const DataExportManifest = z.object({
  executionId: z.string().min(1),
  dataFiles: z.array(z.string().min(1)),
  compression: z.string().optional(),
});

interface ManifestObject {
  key: string;
  /** The key of the period's top-level manifest, whether or not this object is it: the delivery's identity. */
  canonicalKey: string;
  /** Folder of the report/export and its name: one source syncs one report. */
  report: string;
  folder: string;
  reportName: string;
  topLevel: boolean;
  lastModified: number;
}

interface Delivery {
  ref: DeliveryRef;
  manifestKey: string;
  parts: string[];
  compression?: string;
}

const DEFAULT_MAX_ATTEMPTS = 4;
const DEFAULT_PAGE_SIZE = 1000;
const DEFAULT_DOWNLOAD_CONCURRENCY = 4;

/**
 * Finds the CUR / Data Exports deliveries AWS wrote to a bucket (one per report and billing period,
 * read from the period's current manifest) and downloads the data files a manifest lists.
 * Without `credentials` the SDK's default chain applies (environment, shared profile, container
 * or instance role).
 */
export function createAwsS3Connector(
  config: z.input<typeof AwsS3SourceConfig>,
  credentials?: AwsS3Credentials,
  options: AwsS3ConnectorOptions = {},
): Connector {
  const parsed = AwsS3SourceConfig.safeParse(config);
  if (!parsed.success) {
    throw new ConnectorError(`Invalid AWS S3 source configuration: ${describeIssues(parsed.error.issues)}`, 'CONFIG');
  }
  const cfg = parsed.data;
  let creds: AwsS3Credentials | undefined;
  if (credentials !== undefined) {
    const c = AwsS3Credentials.safeParse(credentials);
    // Only the paths of the problems: the values are secrets.
    if (!c.success) throw new ConnectorError(`Invalid AWS credentials: ${describeIssues(c.error.issues)}`, 'CONFIG');
    creds = c.data;
  }
  const secrets = creds ? [creds.accessKeyId, creds.secretAccessKey, creds.sessionToken ?? ''] : [];
  const client = new S3Client({
    region: cfg.region,
    endpoint: cfg.endpoint,
    forcePathStyle: cfg.forcePathStyle,
    credentials: creds,
    // A bucket in another region than configured still works (S3 says where it is).
    followRegionRedirects: true,
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryMode: 'standard',
    // A scheduled sync must not hang on a dead connection; large parts stream for longer than
    // this, the timeout is for a silent socket.
    requestHandler: {
      connectionTimeout: 10_000,
      requestTimeout: 120_000,
      // No link-local or metadata address, checked again when the socket connects (endpoint-guard.ts).
      httpAgent: { lookup: guardedLookup },
      httpsAgent: { lookup: guardedLookup },
    },
  });
  const bucket = cfg.bucket;
  const listPrefix = cfg.prefix ? `${cfg.prefix}/` : '';
  const where = `s3://${bucket}/${listPrefix}`;
  const layout = cfg.exportType === 'cur-legacy' ? LEGACY_MANIFEST_KEY : EXPORT_MANIFEST_KEY;
  const format = cfg.exportType === 'focus' ? 'focus' : 'aws-cur';
  const kindLabel = { 'cur-legacy': 'CUR report', cur2: 'CUR 2.0 export', focus: 'FOCUS export' }[cfg.exportType];
  const ctx: ErrorContext = { bucket, region: cfg.region, endpoint: cfg.endpoint, secrets };
  // What the last discover() read, so that download() does not fetch the manifest again.
  const known = new Map<string, Delivery>();

  async function listManifests(signal?: AbortSignal): Promise<ManifestObject[]> {
    const found: ManifestObject[] = [];
    let token: string | undefined;
    do {
      const page = await send(
        () =>
          client.send(
            new ListObjectsV2Command({
              Bucket: bucket,
              Prefix: listPrefix || undefined,
              ContinuationToken: token,
              MaxKeys: options.listPageSize ?? DEFAULT_PAGE_SIZE,
            }),
            { abortSignal: signal },
          ),
        { ...ctx, action: `listing ${where}` },
      );
      for (const object of page.Contents ?? []) {
        const key = object.Key;
        if (!key) continue;
        const m = layout.exec(key);
        if (!m) continue;
        const [, parent = '', period = '', subfolder, name = ''] = m;
        found.push({
          key,
          canonicalKey:
            cfg.exportType === 'cur-legacy'
              ? `${parent}${period}/${name}-Manifest.json`
              : `${parent}metadata/BILLING_PERIOD=${period}/${name}-Manifest.json`,
          report: `${parent}|${name}`,
          folder: parent.replace(/\/$/, ''),
          reportName: name,
          topLevel: subfolder === undefined,
          lastModified: object.LastModified?.getTime() ?? 0,
        });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return found;
  }

  async function readManifest(key: string, signal?: AbortSignal): Promise<{ json: unknown; etag: string }> {
    const res = await send(() => client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal }), {
      ...ctx,
      action: `reading manifest s3://${bucket}/${key}`,
    });
    const text = await send(async () => (res.Body ? res.Body.transformToString('utf-8') : ''), {
      ...ctx,
      action: `reading manifest s3://${bucket}/${key}`,
    });
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new ConnectorError(`Manifest s3://${bucket}/${key} is not valid JSON (${(error as Error).message})`, 'BAD_DELIVERY');
    }
    return { json, etag: (res.ETag ?? '').replace(/"/g, '') };
  }

  function toDelivery(manifest: ManifestObject, json: unknown, etag: string): Delivery {
    const where = `s3://${bucket}/${manifest.key}`;
    if (cfg.exportType === 'cur-legacy') {
      const m = LegacyManifest.safeParse(json);
      if (!m.success) throw badManifest(where, 'CUR', m.error.issues);
      const start = m.data.billingPeriod.start;
      const billingPeriod = `${start.slice(0, 4)}-${start.slice(4, 6)}-01`;
      // AWS writes full keys; some copies of real buckets have a leading slash.
      const parts = m.data.reportKeys.map((k) => k.replace(/^\/+/, ''));
      return {
        manifestKey: manifest.key,
        parts,
        compression: m.data.compression,
        ref: {
          key: manifest.canonicalKey,
          fingerprint: `${m.data.assemblyId}@${etag}`,
          billingPeriod,
          format,
          description: `${kindLabel} ${manifest.reportName} ${billingPeriod.slice(0, 7)} (assembly ${m.data.assemblyId}, ${plural(parts.length, 'file')})`,
        },
      };
    }
    const m = DataExportManifest.safeParse(json);
    if (!m.success) throw badManifest(where, 'Data Exports', m.error.issues);
    const period = EXPORT_MANIFEST_KEY.exec(manifest.key)?.[2] ?? '';
    const billingPeriod = `${period}-01`;
    // dataFiles are s3:// URLs. The bucket named there is ignored: a replicated copy of the
    // bucket keeps the original's manifests, and the files sit under the same keys.
    const parts = m.data.dataFiles.map((f) => (f.startsWith('s3://') ? f.slice(5).replace(/^[^/]*\//, '') : f.replace(/^\/+/, '')));
    return {
      manifestKey: manifest.key,
      parts,
      compression: m.data.compression,
      ref: {
        key: manifest.canonicalKey,
        fingerprint: `${m.data.executionId}@${etag}`,
        billingPeriod,
        format,
        description: `${kindLabel} ${manifest.reportName} ${period} (execution ${m.data.executionId}, ${plural(parts.length, 'file')})`,
      },
    };
  }

  async function discover(signal?: AbortSignal): Promise<DeliveryRef[]> {
    const manifests = await listManifests(signal);
    const reports = new Map(manifests.map((m) => [m.report, m]));
    if (reports.size > 1) {
      // Two reports in one source would replace each other's billing periods.
      const names = [...reports.values()].map((m) => `${m.reportName} in ${m.folder || '(bucket root)'}`).sort();
      const folder = [...reports.values()].map((m) => m.folder).sort()[0];
      throw new ConnectorError(
        `Found ${reports.size} ${kindLabel}s under ${where} (${names.join('; ')}); a source syncs one. Set the prefix to one report's folder${folder ? `, e.g. "${folder}"` : ''}.`,
        'CONFIG',
      );
    }
    // One delivery per billing period: its top-level manifest, else the newest versioned copy.
    const chosen = new Map<string, ManifestObject>();
    for (const m of manifests) {
      const current = chosen.get(m.canonicalKey);
      if (!current || rank(m) > rank(current)) chosen.set(m.canonicalKey, m);
    }
    const deliveries: Delivery[] = [];
    for (const manifest of chosen.values()) {
      const { json, etag } = await readManifest(manifest.key, signal);
      deliveries.push(toDelivery(manifest, json, etag));
    }
    deliveries.sort((a, b) => (a.ref.billingPeriod ?? '').localeCompare(b.ref.billingPeriod ?? '') || a.ref.key.localeCompare(b.ref.key));
    known.clear();
    for (const d of deliveries) known.set(d.ref.key, d);
    return deliveries.map((d) => d.ref);
  }

  async function downloadPart(delivery: Delivery, key: string, file: string, signal: AbortSignal): Promise<void> {
    const action = `downloading s3://${bucket}/${key} (listed in manifest s3://${bucket}/${delivery.manifestKey})`;
    const res = await send(() => client.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal }), {
      ...ctx,
      action,
      missing: () =>
        new ConnectorError(
          `${delivery.ref.description ?? delivery.ref.key}: s3://${bucket}/${key}, listed in manifest s3://${bucket}/${delivery.manifestKey}, is missing (NoSuchKey). The delivery is incomplete or was replaced during the sync; nothing of it was ingested and the next sync tries again.`,
          'BAD_DELIVERY',
        ),
    });
    const body = res.Body;
    if (!(body instanceof Readable)) throw new ConnectorError(`S3 returned no readable body for s3://${bucket}/${key}`, 'NETWORK');
    await send(() => pipeline(body, createWriteStream(file), { signal }), { ...ctx, action });
    const size = (await stat(file)).size;
    if (res.ContentLength !== undefined && size !== res.ContentLength) {
      throw new ConnectorError(`Download of s3://${bucket}/${key} ended early (${size} of ${res.ContentLength} bytes)`, 'NETWORK');
    }
  }

  return {
    discover,

    async download(ref, dir, signal) {
      let delivery = known.get(ref.key);
      if (!delivery || delivery.ref.fingerprint !== ref.fingerprint) {
        await discover(signal);
        delivery = known.get(ref.key);
        if (!delivery)
          throw new ConnectorError(`${ref.description ?? ref.key}: the manifest s3://${bucket}/${ref.key} is gone`, 'BAD_DELIVERY');
      }
      const zipped = delivery.compression?.toUpperCase() === 'ZIP' || delivery.parts.some((p) => p.toLowerCase().endsWith('.zip'));
      if (zipped) {
        throw new ConnectorError(
          `${delivery.ref.description ?? ref.key}: the report is delivered as ZIP, which Burnrate does not read. Set the report's compression to GZIP or Parquet in the AWS Billing console.`,
          'BAD_DELIVERY',
        );
      }
      const d = delivery;
      const files = d.parts.map((key, i) => path.join(dir, `${String(i + 1).padStart(5, '0')}-${path.posix.basename(key)}`));
      await forEachLimited(d.parts, options.downloadConcurrency ?? DEFAULT_DOWNLOAD_CONCURRENCY, signal, (key, i, s) =>
        downloadPart(d, key, files[i] as string, s),
      );
      return files;
    },

    async testConnection(signal) {
      try {
        await client.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: signal });
      } catch (error) {
        // A HEAD response has no body, so the error has no S3 code; the same request as a listing
        // says why (InvalidAccessKeyId, NoSuchBucket, ...).
        if (errorCode(error) === undefined) await listOne(signal);
        throw toConnectorError(error, { ...ctx, action: `checking bucket ${bucket}` });
      }
      const page = await listOne(signal);
      if (!page.KeyCount && !page.Contents?.length) {
        throw new ConnectorError(
          `Bucket ${bucket} has no objects under ${where}. Check the prefix; AWS writes the first delivery up to 24 hours after the ${kindLabel} is created.`,
          'NOT_FOUND',
        );
      }
    },
  };

  function listOne(signal?: AbortSignal) {
    return send(
      () => client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: listPrefix || undefined, MaxKeys: 1 }), { abortSignal: signal }),
      { ...ctx, action: `listing ${where}` },
    );
  }
}

function rank(m: ManifestObject): string {
  // Top-level first, then the newest, then the greatest key (stable when times tie).
  return `${m.topLevel ? 1 : 0}|${String(m.lastModified).padStart(16, '0')}|${m.key}`;
}

function badManifest(where: string, kind: string, issues: readonly z.core.$ZodIssue[]): ConnectorError {
  return new ConnectorError(`Manifest ${where} is not a valid ${kind} manifest: ${describeIssues(issues)}`, 'BAD_DELIVERY');
}

/** Runs `fn` over `items`, `limit` at a time; the first failure aborts the others and is thrown. */
async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  signal: AbortSignal | undefined,
  fn: (item: T, index: number, signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const stop = new AbortController();
  const combined = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const i = next++;
      try {
        await fn(items[i] as T, i, combined);
      } catch (error) {
        if (!failure) {
          failure = { error };
          stop.abort(error);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
}

// ---------------------------------------------------------------------------------------------
// SDK errors -> ConnectorError. Messages name the bucket, the object and the cause; never a key.

interface ErrorContext {
  bucket: string;
  region: string;
  endpoint?: string;
  secrets: string[];
  action?: string;
  /** The error for a missing object (NoSuchKey), when the caller has a better one. */
  missing?: () => ConnectorError;
}

async function send<T>(fn: () => Promise<T>, ctx: ErrorContext): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toConnectorError(error, ctx);
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as SdkErrorShape | null)?.Code;
}

const AUTH_CODES: Record<string, string> = {
  InvalidAccessKeyId: 'the access key is unknown to AWS (deleted, mistyped, or from another partition)',
  SignatureDoesNotMatch: 'the secret access key does not belong to the access key',
  ExpiredToken: 'the session token has expired; refresh the temporary credentials',
  TokenRefreshRequired: 'the session token has expired; refresh the temporary credentials',
  InvalidToken: 'the session token is malformed or invalid',
  InvalidClientTokenId: 'the access key or session token is invalid',
  AuthorizationHeaderMalformed: 'the request was signed for another region or with malformed credentials',
};
const THROTTLE_CODES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'ServiceUnavailable',
]);

function toConnectorError(error: unknown, ctx: ErrorContext): Error {
  if (error instanceof ConnectorError) return error;
  const e = (error ?? {}) as SdkErrorShape;
  if (e.name === 'AbortError') return error as Error;
  const code = sdkErrorCode(e);
  const status = e.$metadata?.httpStatusCode;
  const attempts = e.$metadata?.attempts;
  const during = ctx.action ? ` while ${ctx.action}` : '';
  const target = ctx.endpoint ? `${ctx.endpoint}` : `S3 in ${ctx.region}`;
  const fail = (message: string, kind: ConnectorErrorCode) => new ConnectorError(redactAwsSecrets(message, ctx.secrets), kind);

  if (code && code in AUTH_CODES) {
    return fail(`AWS rejected the credentials for bucket ${ctx.bucket} (${code}): ${AUTH_CODES[code]}.`, 'AUTH');
  }
  if (code === 'CredentialsProviderError') {
    return fail(
      `No AWS credentials for bucket ${ctx.bucket}: none were configured for the source, and the default chain (environment variables, shared config/credentials profile, container or instance role) found none.`,
      'AUTH',
    );
  }
  if (code === 'AccessDenied' || code === 'AllAccessDisabled' || status === 403) {
    const permission = ctx.action?.startsWith('listing')
      ? 's3:ListBucket'
      : ctx.action?.startsWith('checking')
        ? 's3:ListBucket'
        : 's3:GetObject';
    return fail(
      `AWS denied access to bucket ${ctx.bucket}${during} (${code ?? 'HTTP 403'}): the credentials are not allowed ${permission} there, or a bucket policy or KMS key policy denies them.`,
      'AUTH',
    );
  }
  if (code === 'NoSuchBucket' || (status === 404 && ctx.action?.startsWith('checking'))) {
    return fail(`Bucket ${ctx.bucket} does not exist (NoSuchBucket) at ${target}. Check the bucket name.`, 'NOT_FOUND');
  }
  if (code === 'NoSuchKey' || (status === 404 && code === 'NotFound')) {
    if (ctx.missing) return ctx.missing();
    return fail(`The object is missing${during} (NoSuchKey).`, 'NOT_FOUND');
  }
  if ((code && THROTTLE_CODES.has(code)) || e.$retryable?.throttling || status === 503 || status === 429) {
    return fail(
      `S3 throttled the requests for bucket ${ctx.bucket}${during} (${code ?? `HTTP ${status}`})${attempts ? ` after ${plural(attempts, 'attempt')}` : ''}; the sync will be retried later.`,
      'THROTTLED',
    );
  }
  if (code === 'PermanentRedirect' || code === 'IllegalLocationConstraintException' || status === 301) {
    return fail(`Bucket ${ctx.bucket} is not in region ${ctx.region} (${code ?? 'HTTP 301'}). Set the bucket's region.`, 'CONFIG');
  }
  if (isSdkUnreachable(e, code)) {
    return fail(`Cannot reach ${target} for bucket ${ctx.bucket}${during}: ${e.code ?? code} (${e.message ?? ''}).`, 'NETWORK');
  }
  const detail = `${code ?? e.name ?? 'Error'}${status ? `, HTTP ${status}` : ''}: ${e.message ?? String(error)}`;
  if (e.$fault === 'server' || (status !== undefined && status >= 500)) {
    return fail(`S3 failed${during} for bucket ${ctx.bucket} (${detail}).`, 'NETWORK');
  }
  if (status === undefined && e.$fault === undefined) {
    // Not an S3 response at all: a socket or stream failure.
    return fail(`Transfer failed${during} for bucket ${ctx.bucket} (${detail}).`, 'NETWORK');
  }
  return fail(`S3 refused the request${during} for bucket ${ctx.bucket} (${detail}).`, 'CONFIG');
}
