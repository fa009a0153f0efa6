// A local stand-in for two Google Cloud REST APIs, for connector tests: a real node:http server on
// 127.0.0.1 (port 0) that the official clients (@google-cloud/bigquery, @google-cloud/billing in
// its HTTP/JSON mode) are pointed at through their endpoint options.
//
// - BigQuery v2: jobs.query (POST /bigquery/v2/projects/{p}/queries) and jobs.getQueryResults
//   (GET .../queries/{jobId}) with the documented wire format: schema.fields (nested RECORD /
//   REPEATED), rows[].f[].v with every scalar as a string, pageToken/maxResults paging,
//   jobComplete false while a job "runs", int64 or float-seconds timestamps, and Google's error
//   body {error:{code,message,errors:[{reason}],status}}. It is not a SQL engine: it evaluates the
//   query shapes the GCP connector sends (SELECT * and the per-invoice-month COUNT/MAX summary)
//   with their named parameters, and answers 400 to anything else.
// - Cloud Billing Catalog v1: services.skus.list (GET /v1/services/{service}/skus) with
//   pageSize/pageToken/nextPageToken.
// - An OAuth token endpoint (POST /token) that answers invalid_grant to everything.
//
// Every request must carry a bearer token: one of `acceptTokens`, or a self-signed service-account
// JWT (RS256) whose signature verifies against a registered public key. Failures (429, 403, 500 ...)
// can be queued for the next requests, and every request is recorded for assertions.

import { createPublicKey, generateKeyPairSync, type KeyObject, randomUUID, verify } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'csv-parse/sync';

// ---------------------------------------------------------------------------------------------
// Tables

export interface BqField {
  name: string;
  type: 'STRING' | 'FLOAT' | 'INTEGER' | 'NUMERIC' | 'BOOLEAN' | 'TIMESTAMP' | 'RECORD';
  mode?: 'NULLABLE' | 'REQUIRED' | 'REPEATED';
  fields?: BqField[];
}

/**
 * A stored value: scalars as BigQuery sends them (FLOAT as its shortest round-trip text, e.g.
 * "5.0E-6"; NUMERIC exact; TIMESTAMP as integer microseconds), records as objects, repeated
 * fields as arrays.
 */
export type BqValue = string | null | BqValue[] | { [name: string]: BqValue };
export type BqRecord = { [name: string]: BqValue };

export interface BqRow {
  values: BqRecord;
  /** Day of the ingestion-time partition (YYYY-MM-DD); null while in the streaming buffer. */
  partition: string | null;
}

export interface BqTable {
  projectId: string;
  datasetId: string;
  tableId: string;
  location: string;
  schema: BqField[];
  rows: BqRow[];
  /** As a table created with require_partition_filter: queries without a _PARTITIONTIME filter fail. */
  requirePartitionFilter?: boolean;
}

const s = (name: string): BqField => ({ name, type: 'STRING', mode: 'NULLABLE' });
const f = (name: string): BqField => ({ name, type: 'FLOAT', mode: 'NULLABLE' });
const n = (name: string): BqField => ({ name, type: 'NUMERIC', mode: 'NULLABLE' });
const ts = (name: string): BqField => ({ name, type: 'TIMESTAMP', mode: 'NULLABLE' });
const record = (name: string, fields: BqField[]): BqField => ({ name, type: 'RECORD', mode: 'NULLABLE', fields });
const repeated = (name: string, fields: BqField[]): BqField => ({ name, type: 'RECORD', mode: 'REPEATED', fields });
const keyValue = (name: string) => repeated(name, [s('key'), s('value')]);

/** The standard usage cost export (gcp_billing_export_v1_<account>), as Google documents its schema. */
export const STANDARD_EXPORT_SCHEMA: BqField[] = [
  s('billing_account_id'),
  record('service', [s('id'), s('description')]),
  record('sku', [s('id'), s('description')]),
  ts('usage_start_time'),
  ts('usage_end_time'),
  record('project', [
    s('id'),
    s('number'),
    s('name'),
    keyValue('labels'),
    s('ancestry_numbers'),
    repeated('ancestors', [s('resource_name'), s('display_name')]),
  ]),
  keyValue('labels'),
  keyValue('system_labels'),
  record('location', [s('location'), s('country'), s('region'), s('zone')]),
  repeated('tags', [s('key'), s('value'), { name: 'inherited', type: 'BOOLEAN', mode: 'NULLABLE' }, s('namespace')]),
  ts('export_time'),
  f('cost'),
  s('currency'),
  f('currency_conversion_rate'),
  record('usage', [f('amount'), s('unit'), f('amount_in_pricing_units'), s('pricing_unit')]),
  repeated('credits', [s('name'), f('amount'), s('full_name'), s('id'), s('type')]),
  record('invoice', [s('month'), s('publisher_type')]),
  s('cost_type'),
  record('adjustment_info', [s('id'), s('description'), s('mode'), s('type')]),
  f('cost_at_list'),
  s('transaction_type'),
  s('seller_name'),
  record('subscription', [s('instance_id')]),
];

/** The detailed usage cost export (gcp_billing_export_resource_v1_<account>): standard + resource + price. */
export const DETAILED_EXPORT_SCHEMA: BqField[] = [
  ...STANDARD_EXPORT_SCHEMA.slice(0, 10),
  record('resource', [s('name'), s('global_name')]),
  ...STANDARD_EXPORT_SCHEMA.slice(10, 18),
  record('price', [n('effective_price'), n('tier_start_amount'), s('unit'), n('pricing_unit_quantity')]),
  ...STANDARD_EXPORT_SCHEMA.slice(18),
];

/**
 * Rows of a billing export from a CSV of exported rows (dotted column names; credits and labels as
 * Python-repr or JSON lists), converted to what BigQuery holds: FLOAT columns become doubles (and
 * are sent as a double's text), timestamps microseconds. The partition is the CSV's partition_date
 * when present, else the usage day (the export partitions by usage date).
 */
export function exportRowsFromCsv(schema: BqField[], csv: string | Buffer): BqRow[] {
  const [header = [], ...records] = parse(csv, { bom: true }) as string[][];
  const at = new Map(header.map((h, i) => [h, i]));
  return records.map((r) => {
    const cell = (name: string): string | null => {
      const i = at.get(name);
      const v = i === undefined ? undefined : r[i];
      return v === undefined || v === '' ? null : v;
    };
    const values = recordFromColumns(schema, '', cell);
    const partitionDate = cell('partition_date');
    const usage = values.usage_start_time;
    const partition = partitionDate
      ? partitionDate.slice(0, 10)
      : typeof usage === 'string'
        ? new Date(Number(BigInt(usage) / 1000n)).toISOString().slice(0, 10)
        : null;
    return { values, partition };
  });
}

function recordFromColumns(fields: BqField[], prefix: string, cell: (name: string) => string | null): BqRecord {
  const out: BqRecord = {};
  for (const field of fields) {
    const name = `${prefix}${field.name}`;
    if (field.mode === 'REPEATED') {
      const text = cell(name);
      const parsed = text === null ? [] : parseLiteral(text);
      if (!Array.isArray(parsed)) throw new Error(`${name}: not a list: ${text}`);
      out[field.name] = parsed.map((item) => fromLiteral(field, item, name));
    } else if (field.type === 'RECORD') {
      out[field.name] = recordFromColumns(field.fields ?? [], `${name}.`, cell);
    } else {
      out[field.name] = scalarFromText(field, cell(name), name);
    }
  }
  return out;
}

function fromLiteral(field: BqField, value: unknown, name: string): BqValue {
  if (value === null || value === undefined) return null;
  if (field.type === 'RECORD') {
    if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${name}: not a record`);
    const obj = value as Record<string, unknown>;
    const out: BqRecord = {};
    for (const sub of field.fields ?? []) {
      out[sub.name] =
        sub.mode === 'REPEATED'
          ? ((obj[sub.name] as unknown[] | undefined) ?? []).map((x) => fromLiteral({ ...sub, mode: 'NULLABLE' }, x, name))
          : fromLiteral(sub, obj[sub.name], `${name}.${sub.name}`);
    }
    return out;
  }
  if (field.type === 'FLOAT') return formatFloat64(typeof value === 'number' ? value : Number(value));
  if (field.type === 'BOOLEAN') return value === true || value === 'true' || value === 'True' ? 'true' : 'false';
  return String(value);
}

function scalarFromText(field: BqField, text: string | null, name: string): BqValue {
  if (text === null) return null;
  switch (field.type) {
    case 'FLOAT':
      return formatFloat64(Number(text));
    case 'TIMESTAMP':
      return String(parseTimestampMicros(text, name));
    case 'BOOLEAN':
      return text.toLowerCase() === 'true' ? 'true' : 'false';
    default:
      return text.trim();
  }
}

/** "2024-11-01 10:00:00 UTC", "2020-11-10 05:49:32.199000+00:00", "2024-11-01T10:00:00Z" -> microseconds. */
export function parseTimestampMicros(text: string, name = 'timestamp'): bigint {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?)?\s*(?:UTC|Z|\+00:?00)?$/.exec(text.trim());
  if (!m) throw new Error(`${name}: not a UTC timestamp: ${text}`);
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = ''] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec));
  return BigInt(ms) * 1000n + BigInt(frac.padEnd(6, '0') || '0');
}

/**
 * A double as BigQuery's REST API writes FLOAT64: the shortest digits that round-trip, in Java's
 * Double.toString layout ("0.7", "1.2345678901234568", "5.0E-6", "1.0E7").
 */
export function formatFloat64(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(value);
  if (abs >= 1e-3 && abs < 1e7) {
    const text = String(value);
    return text.includes('.') ? text : `${text}.0`;
  }
  const [mantissa = '', exponent = '0'] = value.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

/** Python repr or JSON literal (lists, dicts, strings, numbers, None/null, True/False) -> JS value. */
export function parseLiteral(source: string): unknown {
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`cannot read ${what} at ${i} of ${source.slice(0, 120)}`);
  };
  const ws = () => {
    while (i < source.length && /\s/.test(source[i] as string)) i++;
  };
  const value = (): unknown => {
    ws();
    const c = source[i];
    if (c === '[' || c === '{') {
      const close = c === '[' ? ']' : '}';
      i++;
      const list: unknown[] = [];
      const dict: Record<string, unknown> = {};
      ws();
      while (source[i] !== close) {
        if (i >= source.length) fail(close);
        const item = value();
        ws();
        if (c === '{') {
          if (source[i] !== ':') fail(':');
          i++;
          dict[String(item)] = value();
          ws();
        } else list.push(item);
        if (source[i] === ',') {
          i++;
          ws();
        } else if (source[i] !== close) fail(close);
      }
      i++;
      return c === '[' ? list : dict;
    }
    if (c === '"' || c === "'") {
      i++;
      let out = '';
      while (source[i] !== c) {
        if (i >= source.length) fail('a closing quote');
        if (source[i] === '\\') {
          const e = source[i + 1] as string;
          i += 2;
          if (e === 'u') {
            out += String.fromCharCode(Number.parseInt(source.slice(i, i + 4), 16));
            i += 4;
          } else out += e === 'n' ? '\n' : e === 't' ? '\t' : e;
        } else out += source[i++];
      }
      i++;
      return out;
    }
    const m = /^(?:None|null|True|true|False|false|-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/.exec(source.slice(i));
    if (!m) return fail('a value');
    i += m[0].length;
    if (m[0] === 'None' || m[0] === 'null') return null;
    if (m[0] === 'True' || m[0] === 'true') return true;
    if (m[0] === 'False' || m[0] === 'false') return false;
    return Number(m[0]);
  };
  const result = value();
  ws();
  if (i !== source.length) fail('the end');
  return result;
}

// ---------------------------------------------------------------------------------------------
// Service accounts

export interface TestServiceAccount {
  /** The key file as the console downloads it. */
  key: {
    type: 'service_account';
    project_id: string;
    private_key_id: string;
    private_key: string;
    client_email: string;
    client_id: string;
    auth_uri: string;
    token_uri: string;
  };
  publicKey: KeyObject;
}

/** A freshly generated RSA service-account key (nothing is sent anywhere). */
export function createServiceAccount(email: string, projectId = 'burnrate-test'): TestServiceAccount {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    key: {
      type: 'service_account',
      project_id: projectId,
      private_key_id: randomUUID().replace(/-/g, ''),
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      client_email: email,
      client_id: '100000000000000000001',
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: 'https://oauth2.googleapis.com/token',
    },
    publicKey,
  };
}

// ---------------------------------------------------------------------------------------------
// Server

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** Who the bearer token says: "token:<value>", "jwt:<email>", or null when it was refused. */
  principal: string | null;
  /** Claims of a service-account JWT. */
  claims?: Record<string, unknown>;
}

export interface InjectedFailure {
  status: number;
  reason?: string;
  message?: string;
  /** Only requests whose path matches. */
  path?: RegExp;
  /** How many matching requests fail (default 1). */
  times?: number;
}

export interface GcpTestServer {
  endpoint: string;
  host: string;
  port: number;
  /** Bearer tokens accepted as they are (OAuth access tokens). */
  acceptTokens: Set<string>;
  addServiceAccount(email: string, publicKey: KeyObject): void;
  addTable(table: BqTable): BqTable;
  table(ref: string): BqTable;
  setSkus(serviceId: string, skus: unknown[]): void;
  /** Another API's route (Compute Engine, Cloud Monitoring): the handler's value is the 200 body; throw GcpHttpError to fail. */
  route(method: string, path: RegExp, handler: RouteHandler): void;
  failNext(failure: InjectedFailure): void;
  /** Polls a new query job answers with jobComplete: false before it completes. */
  pendingPolls: number;
  /** Send timestamps as float seconds even when the client asks for int64 microseconds. */
  ignoreInt64Timestamps: boolean;
  requests: RecordedRequest[];
  stop(): Promise<void>;
}

interface Job {
  projectId: string;
  jobId: string;
  location: string;
  schema: BqField[];
  rows: BqRecord[];
  pollsLeft: number;
}

export type RouteHandler = (match: RegExpExecArray, url: URL, body: unknown) => unknown;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason: string,
  ) {
    super(message);
  }
}

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

export async function startGcpServer(): Promise<GcpTestServer> {
  const tables = new Map<string, BqTable>();
  const jobs = new Map<string, Job>();
  const jobsByRequestId = new Map<string, Job>();
  const skus = new Map<string, unknown[]>();
  const accounts = new Map<string, KeyObject>();
  const failures: InjectedFailure[] = [];
  const requests: RecordedRequest[] = [];
  const acceptTokens = new Set<string>();
  const routes: { method: string; path: RegExp; handler: RouteHandler }[] = [];
  let jobCounter = 0;

  const state = { pendingPolls: 0, ignoreInt64Timestamps: false };

  function authenticate(header: string | undefined): { principal: string; claims?: Record<string, unknown> } | null {
    const m = /^Bearer (\S+)$/.exec(header ?? '');
    if (!m) return null;
    const token = m[1] as string;
    if (acceptTokens.has(token)) return { principal: `token:${token}` };
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    try {
      const [h, p, sig] = parts as [string, string, string];
      const headerJson = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg?: string };
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
      const email = claims.iss;
      if (headerJson.alg !== 'RS256' || typeof email !== 'string' || claims.sub !== email) return null;
      const key = accounts.get(email);
      if (!key) return null;
      if (!verify('RSA-SHA256', Buffer.from(`${h}.${p}`), key, Buffer.from(sig, 'base64url'))) return null;
      const exp = Number(claims.exp);
      if (!Number.isFinite(exp) || exp * 1000 < Date.now()) return null;
      // Self-signed JWTs carry either a scope or an audience (AIP-4111).
      if (typeof claims.scope !== 'string' && typeof claims.aud !== 'string') return null;
      return { principal: `jwt:${email}`, claims };
    } catch {
      return null;
    }
  }

  function nextFailure(path: string): InjectedFailure | undefined {
    const i = failures.findIndex((fl) => !fl.path || fl.path.test(path));
    if (i < 0) return undefined;
    const failure = failures[i] as InjectedFailure;
    const left = (failure.times ?? 1) - 1;
    if (left <= 0) failures.splice(i, 1);
    else failures[i] = { ...failure, times: left };
    return failure;
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = null;
      const send = (status: number, payload: unknown) => {
        res.statusCode = status;
        res.setHeader('content-type', 'application/json; charset=UTF-8');
        res.end(JSON.stringify(payload));
      };
      const sendError = (status: number, message: string, reason: string) =>
        send(status, {
          error: {
            code: status,
            message,
            errors: [{ message, domain: 'global', reason }],
            status: STATUS_NAMES[status] ?? 'UNKNOWN',
          },
        });
      if (url.pathname === '/token' && req.method === 'POST') {
        // An OAuth token endpoint that refuses every grant (a revoked refresh token or a deleted key).
        requests.push({ method: 'POST', path: url.pathname, query: {}, body: text, principal: null });
        send(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
        return;
      }
      try {
        body = text ? (JSON.parse(text) as unknown) : null;
      } catch {
        sendError(400, 'Invalid JSON payload received.', 'parseError');
        return;
      }
      const auth = authenticate(req.headers.authorization);
      requests.push({
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body,
        principal: auth?.principal ?? null,
        claims: auth?.claims,
      });
      if (!auth) {
        sendError(
          401,
          'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
          'authError',
        );
        return;
      }
      const failure = nextFailure(url.pathname);
      if (failure) {
        sendError(failure.status, failure.message ?? `Injected failure (HTTP ${failure.status})`, failure.reason ?? 'backendError');
        return;
      }
      try {
        send(200, route(req.method ?? 'GET', url, body));
      } catch (error) {
        if (error instanceof HttpError) sendError(error.status, error.message, error.reason);
        else sendError(500, String((error as Error).stack ?? error), 'internalError');
      }
    });
  });

  function route(method: string, url: URL, body: unknown): unknown {
    for (const r of routes) {
      const match = r.method === method ? r.path.exec(url.pathname) : null;
      if (match) return r.handler(match, url, body);
    }
    let m = /^\/bigquery\/v2\/projects\/([^/]+)\/queries$/.exec(url.pathname);
    if (m && method === 'POST') return jobsQuery(decodeURIComponent(m[1] as string), body);
    m = /^\/bigquery\/v2\/projects\/([^/]+)\/queries\/([^/]+)$/.exec(url.pathname);
    if (m && method === 'GET')
      return getQueryResults(decodeURIComponent(m[1] as string), decodeURIComponent(m[2] as string), url.searchParams);
    m = /^\/v1\/services\/([^/]+)\/skus$/.exec(url.pathname);
    if (m && method === 'GET') return listSkus(decodeURIComponent(m[1] as string), url.searchParams);
    throw new HttpError(404, `Not found: ${method} ${url.pathname}`, 'notFound');
  }

  // -- BigQuery ---------------------------------------------------------------------------------

  function jobsQuery(projectId: string, body: unknown): unknown {
    const q = (body ?? {}) as {
      query?: unknown;
      useLegacySql?: unknown;
      parameterMode?: unknown;
      queryParameters?: unknown;
      dryRun?: unknown;
      maxResults?: unknown;
      requestId?: unknown;
      location?: unknown;
      formatOptions?: { useInt64Timestamp?: unknown };
    };
    if (typeof q.query !== 'string') throw new HttpError(400, 'Required parameter is missing: query', 'required');
    // jobs.query defaults to legacy SQL, which knows neither named parameters nor backquoted names.
    if (q.useLegacySql !== false) throw new HttpError(400, 'Query parameters cannot be used in legacy SQL queries.', 'invalidQuery');
    const params = readParams(q.parameterMode, q.queryParameters);
    const result = evaluate(q.query, params);
    if (q.dryRun === true) {
      return {
        kind: 'bigquery#queryResponse',
        jobReference: { projectId, location: result.location },
        totalBytesProcessed: String(result.rows.length * 512),
        jobComplete: true,
        cacheHit: false,
        schema: { fields: result.schema },
      };
    }
    const requestId = typeof q.requestId === 'string' ? q.requestId : undefined;
    let job = requestId ? jobsByRequestId.get(requestId) : undefined;
    if (!job) {
      job = {
        projectId,
        jobId: `job_${++jobCounter}_${randomUUID().slice(0, 8)}`,
        location: result.location,
        schema: result.schema,
        rows: result.rows,
        pollsLeft: state.pendingPolls,
      };
      jobs.set(job.jobId, job);
      if (requestId) jobsByRequestId.set(requestId, job);
    }
    const ref = { projectId: job.projectId, jobId: job.jobId, location: job.location };
    if (job.pollsLeft > 0) return { kind: 'bigquery#queryResponse', jobReference: ref, jobComplete: false };
    return {
      kind: 'bigquery#queryResponse',
      ...page(job, 0, numberOr(q.maxResults), q.formatOptions?.useInt64Timestamp === true && !state.ignoreInt64Timestamps),
      cacheHit: false,
      totalBytesProcessed: String(job.rows.length * 512),
    };
  }

  function getQueryResults(projectId: string, jobId: string, qs: URLSearchParams): unknown {
    const job = jobs.get(jobId);
    if (!job || job.projectId !== projectId || (qs.get('location') ?? job.location) !== job.location) {
      throw new HttpError(404, `Not found: Job ${projectId}:${qs.get('location') ?? 'US'}.${jobId}`, 'notFound');
    }
    if (job.pollsLeft > 0) {
      job.pollsLeft--;
      return {
        kind: 'bigquery#getQueryResultsResponse',
        jobReference: { projectId, jobId, location: job.location },
        jobComplete: false,
      };
    }
    const token = qs.get('pageToken');
    let offset = 0;
    if (token) {
      const [tokenJob, at] = Buffer.from(token, 'base64url').toString().split(':');
      if (tokenJob !== jobId || !/^\d+$/.test(at ?? '')) throw new HttpError(400, `Invalid page token: ${token}`, 'invalid');
      offset = Number(at);
    }
    return {
      kind: 'bigquery#getQueryResultsResponse',
      ...page(
        job,
        offset,
        numberOr(qs.get('maxResults')),
        qs.get('formatOptions.useInt64Timestamp') === 'true' && !state.ignoreInt64Timestamps,
      ),
    };
  }

  function page(job: Job, offset: number, maxResults: number | undefined, int64Timestamps: boolean) {
    const size = maxResults && maxResults > 0 ? maxResults : 100_000;
    const rows = job.rows.slice(offset, offset + size);
    const next = offset + rows.length;
    return {
      jobReference: { projectId: job.projectId, jobId: job.jobId, location: job.location },
      schema: { fields: job.schema },
      totalRows: String(job.rows.length),
      ...(rows.length ? { rows: rows.map((r) => encodeRecord(job.schema, r, int64Timestamps)) } : {}),
      ...(next < job.rows.length ? { pageToken: Buffer.from(`${job.jobId}:${next}`).toString('base64url') } : {}),
      jobComplete: true,
    };
  }

  interface Param {
    type: string;
    value: string;
  }

  function readParams(mode: unknown, list: unknown): Map<string, Param> {
    const out = new Map<string, Param>();
    if (list === undefined) return out;
    if (mode !== 'NAMED') throw new HttpError(400, 'Query parameters need parameterMode NAMED in this server.', 'invalid');
    if (!Array.isArray(list)) throw new HttpError(400, 'queryParameters must be a list', 'invalid');
    for (const p of list as { name?: unknown; parameterType?: { type?: unknown }; parameterValue?: { value?: unknown } }[]) {
      if (typeof p.name !== 'string' || typeof p.parameterType?.type !== 'string' || typeof p.parameterValue?.value !== 'string') {
        throw new HttpError(400, `Invalid query parameter ${JSON.stringify(p)}`, 'invalid');
      }
      out.set(p.name, { type: p.parameterType.type, value: p.parameterValue.value });
    }
    return out;
  }

  function evaluate(sql: string, params: Map<string, Param>): { location: string; schema: BqField[]; rows: BqRecord[] } {
    const from = /\bFROM\s+`([^`]+)`/i.exec(sql);
    if (!from) throw new HttpError(400, 'Syntax error: this test server needs FROM `project.dataset.table`', 'invalidQuery');
    const ref = from[1] as string;
    const table = tables.get(ref);
    if (!table) {
      const [p, d, t] = ref.split('.');
      throw new HttpError(404, `Not found: Table ${p}:${d}.${t} was not found in location US`, 'notFound');
    }
    for (const used of sql.matchAll(/@(\w+)/g)) {
      if (!params.has(used[1] as string)) throw new HttpError(400, `Query parameter '${used[1]}' not found`, 'invalidQuery');
    }
    const param = (re: RegExp, type: string): string | undefined => {
      const m = re.exec(sql);
      if (!m) return undefined;
      const p = params.get(m[1] as string) as Param;
      if (p.type !== type) throw new HttpError(400, `No matching signature for @${m[1]} of type ${p.type}`, 'invalidQuery');
      return p.value;
    };
    const partitionsFrom = param(/_PARTITIONTIME\s*>=\s*@(\w+)/i, 'TIMESTAMP');
    const streamingBuffer = /_PARTITIONTIME\s+IS\s+NULL\s+OR/i.test(sql);
    if (table.requirePartitionFilter && partitionsFrom === undefined) {
      throw new HttpError(
        400,
        `Cannot query over table '${ref}' without a filter over column(s) '_PARTITIONTIME' that can be used for partition elimination`,
        'invalidQuery',
      );
    }
    const monthFrom = param(/invoice\.month\s*>=\s*@(\w+)/i, 'STRING');
    const monthIs = param(/invoice\.month\s*=\s*@(\w+)/i, 'STRING');
    const exportedUntil = param(/export_time\s*<=\s*@(\w+)/i, 'TIMESTAMP');
    const fromMicros = partitionsFrom === undefined ? undefined : parseTimestampMicros(partitionsFrom);
    const untilMicros = exportedUntil === undefined ? undefined : parseTimestampMicros(exportedUntil);
    // The per-month partition bound: DATE(_PARTITIONTIME) >= DATE_SUB(SAFE.PARSE_DATE('%Y%m', invoice.month), INTERVAL n DAY).
    const perMonth =
      /DATE\(_PARTITIONTIME\)\s*>=\s*DATE_SUB\(SAFE\.PARSE_DATE\('%Y%m',\s*invoice\.month\),\s*INTERVAL\s+(\d+)\s+DAY\)/i.exec(sql);
    const perMonthMarginDays = perMonth ? Number(perMonth[1]) : undefined;
    const monthOf = (r: BqRecord) => (r.invoice as BqRecord | null)?.month as string | null;
    const rows = table.rows
      .filter((r) => {
        if (fromMicros !== undefined) {
          if (r.partition === null ? !streamingBuffer : parseTimestampMicros(r.partition) < fromMicros) return false;
        }
        const month = monthOf(r.values);
        if (perMonthMarginDays !== undefined && r.partition !== null) {
          if (month === null || !/^\d{6}$/.test(month)) return false;
          const bound = Date.UTC(Number(month.slice(0, 4)), Number(month.slice(4)) - 1, 1) - perMonthMarginDays * 86_400_000;
          if (Date.parse(`${r.partition}T00:00:00Z`) < bound) return false;
        }
        if (monthFrom !== undefined && (month === null || month < monthFrom)) return false;
        if (monthIs !== undefined && month !== monthIs) return false;
        if (untilMicros !== undefined && BigInt(r.values.export_time as string) > untilMicros) return false;
        return true;
      })
      .map((r) => r.values);

    if (/^\s*SELECT\s+\*\s/i.test(sql)) return { location: table.location, schema: table.schema, rows };
    if (
      /COUNT\(\*\)\s+AS\s+row_count/i.test(sql) &&
      /invoice\.month\s+AS\s+invoice_month/i.test(sql) &&
      /MAX\(export_time\)\s+AS\s+last_export_time/i.test(sql) &&
      /GROUP BY\s+invoice_month/i.test(sql)
    ) {
      const groups = new Map<string | null, { count: number; last: bigint }>();
      for (const r of rows) {
        const month = monthOf(r);
        const g = groups.get(month) ?? { count: 0, last: -1n };
        const t = BigInt(r.export_time as string);
        groups.set(month, { count: g.count + 1, last: t > g.last ? t : g.last });
      }
      const keys = [...groups.keys()];
      if (/ORDER BY\s+invoice_month/i.test(sql)) keys.sort((a, b) => String(a).localeCompare(String(b)));
      return {
        location: table.location,
        schema: [
          { name: 'invoice_month', type: 'STRING', mode: 'NULLABLE' },
          { name: 'row_count', type: 'INTEGER', mode: 'NULLABLE' },
          { name: 'last_export_time', type: 'TIMESTAMP', mode: 'NULLABLE' },
        ],
        rows: keys.map((k) => {
          const g = groups.get(k) as { count: number; last: bigint };
          return { invoice_month: k, row_count: String(g.count), last_export_time: String(g.last) };
        }),
      };
    }
    throw new HttpError(400, 'This test server does not evaluate this query shape', 'invalidQuery');
  }

  // -- Cloud Billing Catalog ---------------------------------------------------------------------

  function listSkus(serviceId: string, qs: URLSearchParams): unknown {
    const list = skus.get(serviceId);
    if (!list) throw new HttpError(404, `Service not found: services/${serviceId}`, 'notFound');
    const size = numberOr(qs.get('pageSize')) || 5000;
    const token = qs.get('pageToken');
    const offset = token ? Number(Buffer.from(token, 'base64url').toString()) : 0;
    if (!Number.isInteger(offset)) throw new HttpError(400, 'Invalid page token', 'invalid');
    const items = list.slice(offset, offset + size);
    const next = offset + items.length;
    return { skus: items, nextPageToken: next < list.length ? Buffer.from(String(next)).toString('base64url') : '' };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    acceptTokens,
    addServiceAccount(email, publicKey) {
      accounts.set(email, createPublicKey(publicKey.export({ type: 'spki', format: 'pem' })));
    },
    addTable(table) {
      tables.set(`${table.projectId}.${table.datasetId}.${table.tableId}`, table);
      return table;
    },
    table(ref) {
      const t = tables.get(ref);
      if (!t) throw new Error(`no table ${ref}`);
      return t;
    },
    setSkus(serviceId, list) {
      skus.set(serviceId, list);
    },
    route(method, path, handler) {
      routes.push({ method, path, handler });
    },
    failNext(failure) {
      failures.push(failure);
    },
    get pendingPolls() {
      return state.pendingPolls;
    },
    set pendingPolls(value: number) {
      state.pendingPolls = value;
    },
    get ignoreInt64Timestamps() {
      return state.ignoreInt64Timestamps;
    },
    set ignoreInt64Timestamps(value: boolean) {
      state.ignoreInt64Timestamps = value;
    },
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function numberOr(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

/** A stored record as rows[].f[].v: every scalar a string, records {f:[...]}, repeated [{v}]. */
function encodeRecord(fields: BqField[], values: BqRecord, int64Timestamps: boolean): { f: { v: unknown }[] } {
  return { f: fields.map((field) => ({ v: encodeValue(field, values[field.name] ?? null, int64Timestamps) })) };
}

function encodeValue(field: BqField, value: BqValue, int64Timestamps: boolean): unknown {
  if (field.mode === 'REPEATED') {
    const one = { ...field, mode: 'NULLABLE' as const };
    return ((value as BqValue[] | null) ?? []).map((item) => ({ v: encodeValue(one, item, int64Timestamps) }));
  }
  if (value === null) return null;
  if (field.type === 'RECORD') return encodeRecord(field.fields ?? [], value as BqRecord, int64Timestamps);
  if (field.type === 'TIMESTAMP' && !int64Timestamps) return formatFloat64(Number(BigInt(value as string)) / 1e6);
  return value;
}

/** A failure a route handler answers with (Google's error body with this status and reason). */
export { HttpError as GcpHttpError };
