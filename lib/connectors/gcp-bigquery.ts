import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { BigQuery, type BigQueryOptions } from '@google-cloud/bigquery';
import { z } from 'zod';
import { plural } from './messages';
import { type Connector, ConnectorError, type ConnectorErrorCode, type DeliveryRef } from './types';

/**
 * Where Cloud Billing exports to BigQuery: the standard (`gcp_billing_export_v1_<account>`) or the
 * detailed (`gcp_billing_export_resource_v1_<account>`) usage cost table. Names are validated
 * because the table reference is the one part of the SQL that cannot be a query parameter.
 */
export const GcpBigQuerySourceConfig = z.object({
  projectId: z
    .string()
    .regex(
      /^(?:[a-z][a-z0-9.-]{0,61}[a-z0-9]:)?[a-z][a-z0-9-]{4,61}[a-z0-9]$/,
      'must be a Google Cloud project ID (lower-case letters, digits and hyphens, e.g. my-billing-project)',
    ),
  dataset: z.string().regex(/^[A-Za-z0-9_-]{1,1024}$/, 'must be a BigQuery dataset ID (letters, digits, underscores)'),
  table: z.string().regex(/^[A-Za-z0-9_-]{1,1024}$/, 'must be a BigQuery table ID such as gcp_billing_export_v1_XXXXXX_XXXXXX_XXXXXX'),
  /** Project the query jobs run in and are billed to, when it is not the dataset's project. */
  queryProjectId: z
    .string()
    .regex(/^(?:[a-z][a-z0-9.-]{0,61}[a-z0-9]:)?[a-z][a-z0-9-]{4,61}[a-z0-9]$/, 'must be a Google Cloud project ID')
    .optional(),
  /** The dataset's location (US, EU, europe-west1, ...); BigQuery infers it when absent. */
  location: z
    .string()
    .regex(/^[A-Za-z0-9-]{2,40}$/, 'must be a BigQuery location such as US, EU or europe-west1')
    .optional(),
  /** BigQuery-compatible servers and tests only; Google's endpoint needs no setting. */
  apiEndpoint: z.url({ protocol: /^https?$/ }).optional(),
  /** Invoice months read on each sync, the current one included. */
  lookbackMonths: z.number().int().min(1).max(60).default(3),
});
export type GcpBigQuerySourceConfig = z.infer<typeof GcpBigQuerySourceConfig>;

/** A service-account key file as the Google Cloud console downloads it (the fields used here). */
export const GcpServiceAccountKey = z.object({
  type: z.literal('service_account', { error: 'must be "service_account" (a service-account key file, not user or workload credentials)' }),
  project_id: z.string().optional(),
  private_key_id: z.string().optional(),
  private_key: z
    .string({ error: 'is missing' })
    .regex(/-----BEGIN (?:RSA )?PRIVATE KEY-----/, { error: 'must be the PEM private key of the key file' }),
  client_email: z.string({ error: 'is missing' }).regex(/^[^@\s]+@[^@\s]+$/, { error: 'must be the service account e-mail address' }),
  client_id: z.string().optional(),
  universe_domain: z.string().optional(),
});
export type GcpServiceAccountKey = z.infer<typeof GcpServiceAccountKey>;

/**
 * The secret of a GCP source: the service-account key file, pasted as text or already parsed.
 * Issues name fields only; zod does not quote the values, and the JSON error hides the text.
 */
export const GcpServiceAccountCredentials = z.object({
  serviceAccountKey: z.preprocess((value, ctx) => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'is not valid JSON: paste the whole key file downloaded from the Google Cloud console' });
      return z.NEVER;
    }
  }, GcpServiceAccountKey),
});
export type GcpServiceAccountCredentials = z.infer<typeof GcpServiceAccountCredentials>;

export interface GcpBigQueryConnectorOptions {
  /**
   * Credentials that override the key and the default chain: a caller's own google-auth-library
   * client (impersonation, workload identity), or a fixed-token client in tests.
   */
  authClient?: BigQueryOptions['authClient'];
  /** The clock that places the window of invoice months. */
  now?: () => Date;
  /** Rows per result page (BigQuery caps a page at 10 MB whatever this says). */
  pageSize?: number;
  /** Retries of a throttled or failed request (429, 403 rateLimitExceeded, 5xx, network), after the first attempt. */
  maxRetries?: number;
  /** Longest wait between two attempts, in seconds (the waits double from one second up to it). */
  maxRetryDelaySeconds?: number;
  /** How long a query may run before the sync gives up on it. */
  queryTimeoutMs?: number;
}

/**
 * Rows of an invoice month may sit in partitions before the month starts: the export partitions
 * by usage date, and usage reported late is billed in the next invoice month.
 */
const LATE_USAGE_MARGIN_DAYS = 14;
const DEFAULT_MAX_RETRIES = 4;
const DEFAULT_MAX_RETRY_DELAY_SECONDS = 32;
const DEFAULT_QUERY_TIMEOUT_MS = 30 * 60_000;
/** How long BigQuery holds one jobs.query / getQueryResults call open waiting for the job. */
const SERVER_WAIT_MS = 10_000;

/**
 * Syncs a Cloud Billing export table in BigQuery, one delivery per invoice month of the window.
 * A month's fingerprint is its row count and latest export_time, so a month is read again (whole,
 * replacing what was stored) only when the export added or restated rows; data keeps arriving for
 * days after a month ends. Without credentials the client's default chain applies
 * (GOOGLE_APPLICATION_CREDENTIALS, gcloud's application default credentials, the metadata server).
 */
export function createGcpBigQueryConnector(
  config: z.input<typeof GcpBigQuerySourceConfig>,
  credentials?: z.input<typeof GcpServiceAccountCredentials>,
  options: GcpBigQueryConnectorOptions = {},
): Connector {
  const parsed = GcpBigQuerySourceConfig.safeParse(config);
  if (!parsed.success) {
    throw new ConnectorError(`Invalid BigQuery source configuration: ${describeIssues(parsed.error.issues)}`, 'CONFIG');
  }
  const cfg = parsed.data;
  let key: GcpServiceAccountKey | undefined;
  if (credentials !== undefined) {
    const c = GcpServiceAccountCredentials.safeParse(credentials);
    if (!c.success) throw new ConnectorError(`Invalid Google Cloud service-account key: ${describeIssues(c.error.issues)}`, 'CONFIG');
    key = c.data.serviceAccountKey;
  }
  const queryProject = cfg.queryProjectId ?? cfg.projectId;
  const client = new BigQuery({
    projectId: queryProject,
    apiEndpoint: cfg.apiEndpoint,
    location: cfg.location,
    credentials: key,
    authClient: options.authClient,
    userAgent: 'burnrate',
    // Retries are done below: the client's own do not see the reason in a 403 body, so they miss
    // rateLimitExceeded, and their count could not be reported.
    retryOptions: { autoRetry: false },
  });
  const maxAttempts = (options.maxRetries ?? DEFAULT_MAX_RETRIES) + 1;
  const maxDelayMs = (options.maxRetryDelaySeconds ?? DEFAULT_MAX_RETRY_DELAY_SECONDS) * 1000;
  const target = `${cfg.projectId}.${cfg.dataset}.${cfg.table}`;
  const ctx: ErrorContext = {
    target,
    dataset: cfg.dataset,
    queryProject,
    location: cfg.location,
    endpoint: cfg.apiEndpoint,
    principal: options.authClient
      ? 'the configured credentials'
      : key
        ? `the service account ${key.client_email}`
        : 'the application default credentials',
    attempts: 1,
    secrets: key ? [key.private_key, key.private_key_id ?? ''] : [],
  };
  const now = options.now ?? (() => new Date());

  // The table reference is built from validated IDs only ([A-Za-z0-9_-], no backquote); every
  // value that varies (months, timestamps) is a query parameter.
  const from = `\`${cfg.projectId}.${cfg.dataset}.${cfg.table}\``;
  // _PARTITIONTIME bounds the scan to the window's partitions; rows still in the streaming buffer
  // have no partition yet (NULL) and are read too.
  const partitions = '(_PARTITIONTIME IS NULL OR _PARTITIONTIME >= @partitions_from)';
  // Each month is counted over the partitions its download reads (from the month's start less the
  // margin), so that the count in the fingerprint is what the download finds; the constant bound
  // before it is what prunes the partitions.
  const discoverSql = [
    'SELECT invoice.month AS invoice_month, COUNT(*) AS row_count, MAX(export_time) AS last_export_time',
    `FROM ${from}`,
    `WHERE ${partitions} AND invoice.month >= @first_month`,
    `  AND (_PARTITIONTIME IS NULL OR DATE(_PARTITIONTIME) >= DATE_SUB(SAFE.PARSE_DATE('%Y%m', invoice.month), INTERVAL ${LATE_USAGE_MARGIN_DAYS} DAY))`,
    'GROUP BY invoice_month',
    'ORDER BY invoice_month',
  ].join('\n');
  // Rows exported after the discovered fingerprint are left for the next sync, so that what is
  // stored is exactly what the fingerprint describes.
  const monthSql = [
    'SELECT *',
    `FROM ${from}`,
    `WHERE ${partitions} AND invoice.month = @invoice_month AND export_time <= @exported_until`,
  ].join('\n');

  /** The window: the current invoice month (by the UTC clock) and the lookbackMonths - 1 before it. */
  function windowParams(): QueryParameter[] {
    const today = now();
    const first = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - (cfg.lookbackMonths - 1), 1));
    const firstMonth = `${first.getUTCFullYear()}${String(first.getUTCMonth() + 1).padStart(2, '0')}`;
    return [timestampParam('partitions_from', partitionsFrom(firstMonth)), stringParam('first_month', firstMonth)];
  }

  /**
   * One REST call through the client (its endpoint, credentials, user agent), retried with
   * exponential backoff while the failure is throttling or transient. A retried jobs.query is
   * harmless: its requestId makes BigQuery run the query once.
   */
  async function request(opts: RequestOptions, action: string, signal?: AbortSignal): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await requestOnce(opts, { ...ctx, action, attempts: attempt }, signal);
      } catch (error) {
        if (!(error instanceof ConnectorError) || !error.retryable || attempt >= maxAttempts) throw error;
        const delay = Math.min(maxDelayMs, 1000 * 2 ** (attempt - 1));
        await sleep(delay * (0.75 + Math.random() * 0.25), signal);
      }
    }
  }

  function requestOnce(opts: RequestOptions, errorContext: ErrorContext, signal?: AbortSignal): Promise<unknown> {
    signal?.throwIfAborted();
    return new Promise<unknown>((resolve, reject) => {
      // The client's request cannot be cancelled from here: an abort stops waiting for it.
      const onAbort = () => reject(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      client.request(opts, (error, body) => {
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(toConnectorError(error, errorContext));
        else resolve(body);
      });
    });
  }

  function parseResponse(body: unknown, action: string): QueryResponse {
    const r = QueryResponse.safeParse(body);
    if (!r.success) {
      throw new ConnectorError(
        `BigQuery sent an unexpected response while ${action} for ${target} (${describeIssues(r.error.issues)})`,
        'NETWORK',
      );
    }
    return r.data;
  }

  /**
   * Runs a query (jobs.query, then jobs.getQueryResults while the job runs and for every further
   * page) and yields its result one page at a time: a month is never held in memory whole.
   */
  async function* runQuery(sql: string, params: QueryParameter[], action: string, signal?: AbortSignal): AsyncGenerator<ResultPage> {
    const deadline = Date.now() + (options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS);
    let response = parseResponse(
      await request(
        {
          method: 'POST',
          uri: '/queries',
          json: {
            kind: 'bigquery#queryRequest',
            query: sql,
            useLegacySql: false,
            parameterMode: 'NAMED',
            queryParameters: params,
            location: cfg.location,
            maxResults: options.pageSize,
            timeoutMs: SERVER_WAIT_MS,
            // Integer microseconds instead of float seconds: exact timestamps.
            formatOptions: { useInt64Timestamp: true },
            // Makes the retried POST idempotent: BigQuery runs the query once per requestId.
            requestId: randomUUID(),
            labels: { app: 'burnrate' },
          },
        },
        action,
        signal,
      ),
      action,
    );
    const job = response.jobReference;
    const results = (pageToken?: string) =>
      request(
        {
          method: 'GET',
          uri: `/queries/${encodeURIComponent(job?.jobId ?? '')}`,
          projectId: job?.projectId,
          // querystring would send an undefined value as an empty parameter.
          qs: defined({
            location: job?.location ?? cfg.location,
            maxResults: options.pageSize,
            timeoutMs: SERVER_WAIT_MS,
            pageToken,
            'formatOptions.useInt64Timestamp': true,
          }),
        },
        action,
        signal,
      );
    while (!response.jobComplete) {
      if (!job?.jobId) throw new ConnectorError(`BigQuery did not name the job it started while ${action} for ${target}`, 'NETWORK');
      if (Date.now() > deadline) {
        throw new ConnectorError(
          `The BigQuery query for ${target} (job ${job.jobId}) did not finish in ${Math.round((options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS) / 60_000)} minutes while ${action}; the sync will be retried later.`,
          'NETWORK',
        );
      }
      response = parseResponse(await results(), action);
    }
    const schema = response.schema?.fields;
    if (!schema) throw new ConnectorError(`BigQuery returned no schema while ${action} for ${target}`, 'NETWORK');
    const seen = new Set<string>();
    for (;;) {
      yield { schema, rows: response.rows ?? [], totalRows: response.totalRows };
      const token = response.pageToken;
      if (!token) return;
      if (!job?.jobId) throw new ConnectorError(`BigQuery returned more pages without a job to read them from (${target})`, 'NETWORK');
      if (seen.has(token)) throw new ConnectorError(`BigQuery returned the same page token twice while ${action} for ${target}`, 'NETWORK');
      seen.add(token);
      response = parseResponse(await results(token), action);
    }
  }

  async function discover(signal?: AbortSignal): Promise<DeliveryRef[]> {
    const params = windowParams();
    const refs: DeliveryRef[] = [];
    const action = 'listing invoice months';
    for await (const page of runQuery(discoverSql, params, action, signal)) {
      const at = columnIndexes(page.schema, ['invoice_month', 'row_count', 'last_export_time'], target);
      for (const row of page.rows) {
        const cells = cellsOf(row, page.schema.length, target);
        const month = cells[at.invoice_month as number]?.v;
        const count = cells[at.row_count as number]?.v;
        const last = cells[at.last_export_time as number]?.v;
        if (typeof month !== 'string' || !/^\d{4}(0[1-9]|1[0-2])$/.test(month)) {
          throw new ConnectorError(
            `${target} has rows whose invoice.month is ${JSON.stringify(month)}, not YYYYMM; is it a Cloud Billing export table?`,
            'BAD_DELIVERY',
          );
        }
        if (typeof count !== 'string' || !/^\d+$/.test(count) || typeof last !== 'string') {
          throw new ConnectorError(`BigQuery returned an unreadable row count or export time for ${target} ${month}`, 'NETWORK');
        }
        const exportedUntil = isoMicros(timestampMicros(last));
        const period = `${month.slice(0, 4)}-${month.slice(4)}`;
        refs.push({
          key: `bq:${cfg.table}:${month}`,
          fingerprint: `rows=${count};exported_until=${exportedUntil}`,
          billingPeriod: `${period}-01`,
          format: 'gcp',
          description: `BigQuery export ${cfg.dataset}.${cfg.table} invoice month ${period} (${plural(Number(count), 'row')}, exported until ${exportedUntil})`,
        });
      }
    }
    refs.sort((a, b) => a.key.localeCompare(b.key));
    return refs;
  }

  return {
    discover,

    async download(ref, dir, signal) {
      const keyMatch = /^bq:([A-Za-z0-9_-]+):(\d{6})$/.exec(ref.key);
      if (!keyMatch || keyMatch[1] !== cfg.table) {
        throw new ConnectorError(`${ref.key} is not a delivery of BigQuery table ${target}`, 'CONFIG');
      }
      const month = keyMatch[2] as string;
      const fp = /^rows=(\d+);exported_until=(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)$/.exec(ref.fingerprint);
      if (!fp) throw new ConnectorError(`${ref.key}: unreadable fingerprint ${JSON.stringify(ref.fingerprint)}`, 'BAD_DELIVERY');
      const expected = Number(fp[1]);
      const exportedUntil = fp[2] as string;
      const period = `${month.slice(0, 4)}-${month.slice(4)}`;
      const action = `reading invoice month ${period}`;
      const params = [
        timestampParam('partitions_from', partitionsFrom(month)),
        stringParam('invoice_month', month),
        timestampParam('exported_until', exportedUntil),
      ];
      const file = path.join(dir, `${cfg.table}-${month}.csv.gz`);
      let written = 0;
      let totalRows: string | undefined;
      async function* csv(): AsyncGenerator<string> {
        let writer: RowWriter | undefined;
        for await (const page of runQuery(monthSql, params, action, signal)) {
          if (!writer) {
            writer = compileRowWriter(page.schema, target);
            yield csvLine(writer.headers);
          }
          totalRows = page.totalRows;
          let chunk = '';
          for (const row of page.rows) {
            chunk += csvLine(writer.write(row));
            written++;
          }
          if (chunk) yield chunk;
        }
      }
      // Each page is written (gzipped: a detailed month can be gigabytes of CSV) as it arrives.
      await pipeline(Readable.from(csv()), createGzip({ level: 1 }), createWriteStream(file), { signal });
      if (totalRows !== undefined && Number(totalRows) !== written) {
        throw new ConnectorError(
          `BigQuery ended the result for ${target} ${period} after ${written} of ${totalRows} rows; the sync will be retried.`,
          'NETWORK',
        );
      }
      if (written !== expected) {
        throw new ConnectorError(
          `Invoice month ${period} of ${target} changed while it was being read (expected ${plural(expected, 'row')} exported until ${exportedUntil}, read ${written}). Nothing of it was ingested; the next sync reads it again.`,
          'BAD_DELIVERY',
          true,
        );
      }
      return [file];
    },

    async testConnection(signal) {
      // A dry run checks the credentials, the table and the columns the sync needs, and costs nothing.
      const params = windowParams();
      const action = 'checking the table (dry run)';
      parseResponse(
        await request(
          {
            method: 'POST',
            uri: '/queries',
            json: {
              kind: 'bigquery#queryRequest',
              query: discoverSql,
              useLegacySql: false,
              parameterMode: 'NAMED',
              queryParameters: params,
              location: cfg.location,
              dryRun: true,
            },
          },
          action,
          signal,
        ),
        action,
      );
    },
  };
}

// ---------------------------------------------------------------------------------------------
// BigQuery REST wire format (jobs.query / jobs.getQueryResults).

type RequestOptions = Parameters<BigQuery['request']>[0];

interface TableField {
  name: string;
  type: string;
  mode?: string;
  fields?: TableField[];
}

const TableFieldSchema: z.ZodType<TableField> = z.lazy(() =>
  z.object({
    name: z.string(),
    type: z.string(),
    mode: z.string().optional(),
    fields: z.array(TableFieldSchema).optional(),
  }),
);

const QueryResponse = z.object({
  kind: z.string().optional(),
  jobReference: z.object({ projectId: z.string().optional(), jobId: z.string().optional(), location: z.string().optional() }).optional(),
  jobComplete: z.boolean().optional(),
  schema: z.object({ fields: z.array(TableFieldSchema).default([]) }).optional(),
  // Rows are checked cell by cell as they are written.
  rows: z.array(z.unknown()).optional(),
  pageToken: z.string().optional(),
  totalRows: z.string().optional(),
});
type QueryResponse = z.infer<typeof QueryResponse>;

interface ResultPage {
  schema: TableField[];
  rows: unknown[];
  totalRows?: string;
}

interface QueryParameter {
  name: string;
  parameterType: { type: 'STRING' | 'TIMESTAMP' };
  parameterValue: { value: string };
}

const stringParam = (name: string, value: string): QueryParameter => ({
  name,
  parameterType: { type: 'STRING' },
  parameterValue: { value },
});
const timestampParam = (name: string, value: string): QueryParameter => ({
  name,
  parameterType: { type: 'TIMESTAMP' },
  parameterValue: { value },
});

/** The lower partition bound for invoice months from `month` (YYYYMM) on. */
function partitionsFrom(month: string): string {
  const start = Date.UTC(Number(month.slice(0, 4)), Number(month.slice(4)) - 1, 1);
  return `${new Date(start - LATE_USAGE_MARGIN_DAYS * 86_400_000).toISOString().slice(0, 10)}T00:00:00Z`;
}

interface Cell {
  v?: unknown;
}

function cellsOf(row: unknown, width: number, target: string): Cell[] {
  const f = (row as { f?: unknown } | null)?.f;
  if (!Array.isArray(f) || f.length !== width) {
    throw new ConnectorError(`BigQuery returned a row of ${target} that does not match its schema (${width} columns)`, 'NETWORK');
  }
  return f as Cell[];
}

function columnIndexes(schema: TableField[], names: string[], target: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of names) {
    const i = schema.findIndex((f) => f.name === name);
    if (i < 0) throw new ConnectorError(`BigQuery returned no ${name} column for ${target}`, 'NETWORK');
    out[name] = i;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Rows -> CSV in the layout lib/ingest/readers/gcp.ts reads: nested RECORD fields flattened to
// dotted names (service.description, invoice.month), REPEATED fields (credits, labels,
// project.labels, tags) as JSON lists. Values are the text BigQuery sent: FLOAT64 cost and credit
// amounts arrive as strings (the shortest text that round-trips the double BigQuery holds), and
// that string is what is stored, exactly; it is never turned into a JS number.

interface RowWriter {
  headers: string[];
  write(row: unknown): string[];
}

const RECORD_TYPES = new Set(['RECORD', 'STRUCT']);
const NUMBER_TYPES = new Set(['INTEGER', 'INT64', 'FLOAT', 'FLOAT64', 'NUMERIC', 'BIGNUMERIC', 'DECIMAL', 'BIGDECIMAL']);
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

const isRecord = (f: TableField) => RECORD_TYPES.has(f.type.toUpperCase());
const isRepeated = (f: TableField) => f.mode?.toUpperCase() === 'REPEATED';

function compileRowWriter(schema: TableField[], target: string): RowWriter {
  const headers: string[] = [];
  const emit = compileRecord(schema, '', headers, target);
  return {
    headers,
    write(row) {
      const out: string[] = [];
      emit(row, out);
      return out;
    },
  };
}

type Emit = (value: unknown, out: string[]) => void;

function compileRecord(fields: TableField[], prefix: string, headers: string[], target: string): Emit {
  const parts: Emit[] = fields.map((field) => {
    const name = `${prefix}${field.name}`;
    if (isRecord(field) && !isRepeated(field)) {
      const start = headers.length;
      const inner = compileRecord(field.fields ?? [], `${name}.`, headers, target);
      const width = headers.length - start;
      return (value, out) => {
        if (value == null) for (let k = 0; k < width; k++) out.push('');
        else inner(value, out);
      };
    }
    headers.push(name);
    if (isRepeated(field)) return (value, out) => out.push(value == null ? '' : jsonOf(field, value, name, target));
    return (value, out) => out.push(scalarText(field, value, name, target));
  });
  const width = fields.length;
  return (record, out) => {
    const cells = cellsOf(record, width, target);
    for (let k = 0; k < width; k++) (parts[k] as Emit)(cells[k]?.v, out);
  };
}

function badCell(name: string, target: string): ConnectorError {
  return new ConnectorError(`BigQuery returned a value of ${target} column ${name} that does not match the column's type`, 'NETWORK');
}

function scalarText(field: TableField, value: unknown, name: string, target: string): string {
  if (value == null) return '';
  if (typeof value !== 'string') throw badCell(name, target);
  return field.type.toUpperCase() === 'TIMESTAMP' ? csvTimestamp(timestampMicros(value)) : value;
}

/** A REPEATED or RECORD value as JSON; numbers keep BigQuery's text (JSON numbers, not floats). */
function jsonOf(field: TableField, value: unknown, name: string, target: string): string {
  if (isRepeated(field)) {
    if (!Array.isArray(value)) throw badCell(name, target);
    const one = { ...field, mode: 'NULLABLE' };
    return `[${value.map((item: Cell) => jsonOf(one, item?.v, name, target)).join(',')}]`;
  }
  if (value == null) return 'null';
  if (isRecord(field)) {
    const subfields = field.fields ?? [];
    const cells = cellsOf(value, subfields.length, target);
    return `{${subfields.map((sub, k) => `${JSON.stringify(sub.name)}:${jsonOf(sub, cells[k]?.v, `${name}.${sub.name}`, target)}`).join(',')}}`;
  }
  if (typeof value !== 'string') throw badCell(name, target);
  const type = field.type.toUpperCase();
  if (NUMBER_TYPES.has(type) && JSON_NUMBER.test(value)) return value;
  if ((type === 'BOOLEAN' || type === 'BOOL') && (value === 'true' || value === 'false')) return value;
  if (type === 'TIMESTAMP') return JSON.stringify(csvTimestamp(timestampMicros(value)));
  return JSON.stringify(value);
}

function csvLine(values: readonly string[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as string;
    if (i) line += ',';
    line += /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
  }
  return `${line}\n`;
}

/**
 * A TIMESTAMP cell as integer microseconds since the epoch. BigQuery sends integer microseconds
 * when asked (formatOptions.useInt64Timestamp), else float seconds such as "1.561017697269367E9".
 */
function timestampMicros(value: string): bigint {
  if (/^-?\d+$/.test(value)) return BigInt(value);
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(value);
  if (!m) throw new ConnectorError(`BigQuery returned an unreadable timestamp ${JSON.stringify(value)}`, 'NETWORK');
  const [, sign, int = '', frac = '', e = '0'] = m;
  // Seconds -> microseconds: shift the decimal point 6 places right, then round to an integer.
  const digits = `${int}${frac}` || '0';
  const point = int.length + Number(e) + 6;
  let whole: bigint;
  if (point <= 0) whole = 0n;
  else if (point >= digits.length) whole = BigInt(digits + '0'.repeat(point - digits.length));
  else whole = BigInt(digits.slice(0, point)) + (Number(digits[point]) >= 5 ? 1n : 0n);
  return sign === '-' ? -whole : whole;
}

function splitMicros(micros: bigint): { date: Date; fraction: string } {
  const second = micros >= 0n ? micros / 1_000_000n : -((-micros + 999_999n) / 1_000_000n);
  const rest = micros - second * 1_000_000n;
  return { date: new Date(Number(second) * 1000), fraction: rest.toString().padStart(6, '0') };
}

/** 2024-11-02T04:00:00.000000Z: the fingerprint's and the query parameter's form. */
function isoMicros(micros: bigint): string {
  const { date, fraction } = splitMicros(micros);
  return `${date.toISOString().slice(0, 19)}.${fraction}Z`;
}

/** 2024-11-02 04:00:00.123456 UTC, as BigQuery's own CSV export writes timestamps. */
function csvTimestamp(micros: bigint): string {
  const { date, fraction } = splitMicros(micros);
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction === '000000' ? '' : `.${fraction}`} UTC`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function defined(values: Record<string, string | number | boolean | undefined>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(values)) if (v !== undefined) out[k] = v;
  return out;
}

export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

// ---------------------------------------------------------------------------------------------
// Client errors -> ConnectorError. Messages name the table, the principal and the cause; never a
// key or a token.

interface ErrorContext {
  target: string;
  dataset: string;
  queryProject: string;
  location?: string;
  endpoint?: string;
  principal: string;
  attempts: number;
  secrets: string[];
  action?: string;
}

interface ClientErrorShape {
  name?: string;
  message?: string;
  code?: number | string;
  errors?: { reason?: string; message?: string }[];
  response?: { status?: number; data?: unknown };
}

const THROTTLE_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'quotaExceeded', 'jobRateLimitExceeded']);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

function toConnectorError(error: unknown, ctx: ErrorContext): Error {
  if (error instanceof ConnectorError) return error;
  const e = (error ?? {}) as ClientErrorShape;
  if (e.name === 'AbortError') return error as Error;
  const fail = (message: string, kind: ConnectorErrorCode) => new ConnectorError(redact(message, ctx.secrets), kind);
  const during = ctx.action ? ` while ${ctx.action}` : '';
  const text = (e.message ?? String(error)).trim().replace(/\s+/g, ' ');
  const reason = e.errors?.find((x) => x.reason)?.reason;
  const status = typeof e.code === 'number' ? e.code : undefined;
  const label = [status ? `HTTP ${status}` : undefined, reason].filter(Boolean).join(', ');

  // google-auth-library, before any BigQuery request: no credentials, an unreadable key, or the
  // token endpoint refusing the key.
  if (/Could not load the default credentials/i.test(text)) {
    return fail(
      `No Google Cloud credentials for ${ctx.target}: none were entered for the source, and application default credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud auth application-default login, the metadata server) found none.`,
      'AUTH',
    );
  }
  if (typeof e.code === 'string' && (e.code.startsWith('ERR_OSSL') || e.code === 'ERR_CRYPTO_INVALID_KEYTYPE')) {
    return fail(`The private_key of ${ctx.principal}'s key cannot be read (${e.code}); paste the key file again as downloaded.`, 'CONFIG');
  }
  // An OAuth error body ({error: "invalid_grant", ...}) comes from the token endpoint, not BigQuery.
  const oauth = e.response?.data as { error?: unknown; error_description?: unknown } | undefined;
  if (typeof oauth?.error === 'string') {
    const detail = typeof oauth.error_description === 'string' ? `${oauth.error}: ${oauth.error_description}` : oauth.error;
    const advice = ctx.principal.startsWith('the service account')
      ? 'the key was deleted or disabled, or the service account no longer exists. Create a new key and enter it again.'
      : 'the credentials were revoked or have expired.';
    return fail(`Google refused to issue an access token for ${ctx.principal} (${detail}): ${advice}`, 'AUTH');
  }
  if (status === 401) {
    return fail(
      `BigQuery rejected ${ctx.principal} (${label})${during} on ${ctx.target}: ${text}. The key may have been deleted or disabled; create a new key and enter it again.`,
      'AUTH',
    );
  }
  if (status === 429 || (reason && THROTTLE_REASONS.has(reason))) {
    return fail(
      `BigQuery throttled the requests for ${ctx.target}${during} (${label}: ${text}) after ${plural(ctx.attempts, 'attempt')}; the sync will be retried later.`,
      'THROTTLED',
    );
  }
  if (status === 403 && (reason === 'accessNotConfigured' || /has not been used|is disabled/i.test(text))) {
    return fail(
      `The BigQuery API is not enabled in project ${ctx.queryProject} (${label}: ${text}). Enable it, then sync again.`,
      'CONFIG',
    );
  }
  if (status === 403 && reason === 'billingNotEnabled') {
    return fail(`Project ${ctx.queryProject} cannot run BigQuery jobs (${label}: ${text}).`, 'CONFIG');
  }
  if (status === 403) {
    return fail(
      `BigQuery denied ${ctx.principal} access to ${ctx.target}${during} (${label}: ${text}). Grant it BigQuery Data Viewer (roles/bigquery.dataViewer) on dataset ${ctx.dataset} and BigQuery Job User (roles/bigquery.jobUser) on project ${ctx.queryProject}.`,
      'AUTH',
    );
  }
  if (status === 404) {
    return fail(
      `BigQuery table ${ctx.target} was not found${ctx.location ? ` in location ${ctx.location}` : ''}${during} (${label}: ${text}). Check the project, dataset and table names${ctx.location ? ' and the location' : ''}.`,
      'NOT_FOUND',
    );
  }
  if (status === 400) {
    return fail(
      `BigQuery refused the query on ${ctx.target}${during} (${label}: ${text}). Check that the table is a Cloud Billing standard or detailed usage cost export (gcp_billing_export_v1_... or gcp_billing_export_resource_v1_...).`,
      'CONFIG',
    );
  }
  if (status !== undefined && status >= 500) {
    return fail(`BigQuery failed${during} for ${ctx.target} (${label}: ${text}) after ${plural(ctx.attempts, 'attempt')}.`, 'NETWORK');
  }
  if (status !== undefined) return fail(`BigQuery refused the request${during} for ${ctx.target} (${label}: ${text}).`, 'CONFIG');
  const code = typeof e.code === 'string' ? e.code : undefined;
  const target = ctx.endpoint ?? 'bigquery.googleapis.com';
  if ((code && NETWORK_CODES.has(code)) || /network timeout|socket hang up|fetch failed/i.test(text)) {
    return fail(`Cannot reach BigQuery at ${target} for ${ctx.target}${during}: ${code ?? text}.`, 'NETWORK');
  }
  return fail(`Request to BigQuery failed${during} for ${ctx.target} (${code ?? e.name ?? 'Error'}: ${text}).`, 'NETWORK');
}

const PEM_BLOCK = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g;
// OAuth access tokens (ya29....) and bearer headers, should a library put one in a message.
const TOKENS = /\b(?:ya29\.[\w-]+|Bearer\s+[\w.~+/-]+=*)/g;

export function redact(message: string, secrets: readonly string[]): string {
  let out = message.replace(PEM_BLOCK, '[redacted]').replace(TOKENS, '[redacted]');
  for (const s of secrets) if (s.length >= 8) out = out.split(s).join('[redacted]');
  return out;
}
