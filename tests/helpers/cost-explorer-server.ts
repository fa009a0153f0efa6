// A local AWS Cost Explorer for connector tests: a node:http server on loopback that speaks the
// service's JSON 1.1 wire protocol (POST /, X-Amz-Target: AWSInsightsIndexService.<Operation>,
// Content-Type: application/x-amz-json-1.1, errors as {"__type": "<namespace>#<Code>", "message"})
// and answers GetCostAndUsage from an in-memory dataset, in the documented response shape
// (ResultsByTime[].{TimePeriod, Total, Groups[].{Keys, Metrics{Amount, Unit}}, Estimated},
// GroupDefinitions, DimensionValueAttributes, NextPageToken). Requests are authenticated like AWS
// does: the SigV4 Authorization header must name the configured access key (else
// UnrecognizedClientException) and carry a signature made with its secret (else
// InvalidSignatureException). The official SDK client talks to it through `endpoint`.
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { JSON_SERVICE_SIGV4_CODES, SigV4Error, verifySigV4 } from './sigv4';

export const CE_TARGET_PREFIX = 'AWSInsightsIndexService.';
const ERROR_NAMESPACE = 'com.amazonaws.costexplorer#';
const METRICS = new Set([
  'AmortizedCost',
  'BlendedCost',
  'NetAmortizedCost',
  'NetUnblendedCost',
  'NormalizedUsageAmount',
  'UnblendedCost',
  'UsageQuantity',
]);
const GROUP_DIMENSIONS = new Set(['SERVICE', 'REGION']);
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** One (day, service, region) of the dataset; amounts are exact decimal strings. */
export interface CeRecord {
  day: string;
  service: string;
  /** The REGION key; 'NoRegion' for charges without one, as Cost Explorer reports them. */
  region: string;
  unblended: string;
  amortized: string;
  currency: string;
}

export interface CeCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface RecordedRequest {
  target: string;
  accessKeyId: string | null;
  body: unknown;
  status: number;
  errorType?: string;
}

export interface CostExplorerServerOptions {
  credentials: CeCredentials;
  /** The region requests must be signed for. */
  region?: string;
  records?: CeRecord[];
  /** Groups per page (a day without groups counts as one). */
  pageSize?: number;
  /** Returned in DimensionValueAttributes when set. */
  payerAccountId?: string;
  /** Days on or after this one are Estimated. */
  estimatedFrom?: string;
}

export interface CostExplorerTestServer {
  endpoint: string;
  /** Every request answered, in order. */
  readonly requests: RecordedRequest[];
  setRecords(records: CeRecord[]): void;
  records(): CeRecord[];
  set pageSize(n: number);
  set estimatedFrom(day: string | undefined);
  set payerAccountId(id: string | undefined);
  /** The next `times` authenticated requests fail with a throttling error (LimitExceededException by default). */
  throttle(times: number, code?: 'LimitExceededException' | 'ThrottlingException'): void;
  /** Any error for the next `times` authenticated requests. */
  failNext(times: number, error: { status: number; type: string; message: string }): void;
  /** While on, every GetCostAndUsage answers DataUnavailableException (Cost Explorer not ready yet). */
  dataUnavailable(on: boolean): void;
  reset(): void;
  stop(): Promise<void>;
}

class WireError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

interface Page {
  offset: number;
  request: string;
}

/** Starts the server on 127.0.0.1, on a port the kernel picks. */
export async function startCostExplorerServer(options: CostExplorerServerOptions): Promise<CostExplorerTestServer> {
  const region = options.region ?? 'us-east-1';
  let records = checkRecords(options.records ?? []);
  let pageSize = options.pageSize ?? 500;
  let estimatedFrom = options.estimatedFrom;
  let payerAccountId = options.payerAccountId;
  let faults: { status: number; type: string; message: string }[] = [];
  let unavailable = false;
  const tokens = new Map<string, Page>();
  const requests: RecordedRequest[] = [];

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const target = header(req, 'x-amz-target') ?? '';
    const record: RecordedRequest = { target, accessKeyId: null, body: null, status: 200 };
    requests.push(record);
    const reply = (status: number, body: unknown) => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
      res.end(JSON.stringify(body));
    };
    try {
      if (req.method !== 'POST' || (req.url ?? '/') !== '/') throw new WireError(404, 'UnknownOperationException', 'Only POST / is served');
      const contentType = header(req, 'content-type') ?? '';
      if (contentType.split(';')[0]?.trim() !== 'application/x-amz-json-1.1') {
        throw new WireError(400, 'SerializationException', `Unexpected Content-Type ${JSON.stringify(contentType)}`);
      }
      record.accessKeyId = authenticate(req, raw, options.credentials, region);
      if (!target.startsWith(CE_TARGET_PREFIX)) throw new WireError(400, 'UnknownOperationException', `Unknown target ${target}`);
      const operation = target.slice(CE_TARGET_PREFIX.length);
      if (operation !== 'GetCostAndUsage')
        throw new WireError(400, 'UnknownOperationException', `Operation ${operation} is not served here`);
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8') || '{}');
      } catch {
        throw new WireError(400, 'SerializationException', 'The request body is not JSON');
      }
      record.body = body;
      const input = validateGetCostAndUsage(body);
      const fault = faults.shift();
      if (fault) throw new WireError(fault.status, fault.type, fault.message);
      if (unavailable) throw new WireError(400, 'DataUnavailableException', 'Data is not available. Please try to adjust the time period.');
      reply(200, answer(input));
    } catch (error) {
      if (!(error instanceof WireError)) throw error;
      record.errorType = error.type;
      reply(error.status, { __type: `${ERROR_NAMESPACE}${error.type}`, message: error.message });
    }
  }

  function answer(input: GetCostAndUsageInput) {
    const requestKey = JSON.stringify({ ...input, NextPageToken: undefined });
    let offset = 0;
    if (input.NextPageToken !== undefined) {
      const page = tokens.get(input.NextPageToken);
      if (!page) throw new WireError(400, 'InvalidNextTokenException', 'The pagination token is invalid');
      if (page.request !== requestKey) throw new WireError(400, 'RequestChangedException', 'Your request parameters changed between pages');
      offset = page.offset;
    }
    const { Start, End } = input.TimePeriod;
    const byDay = new Map<string, CeRecord[]>();
    for (const r of records) if (r.day >= Start && r.day < End) byDay.set(r.day, [...(byDay.get(r.day) ?? []), r]);
    // The result stream: one item per group, a day without groups still gets its (empty) result.
    const items: { day: string; record: CeRecord | null }[] = [];
    for (let day = Start; day < End; day = nextDay(day)) {
      const rs = (byDay.get(day) ?? []).sort((a, b) => a.service.localeCompare(b.service) || a.region.localeCompare(b.region));
      if (!rs.length) items.push({ day, record: null });
      for (const r of rs) items.push({ day, record: r });
    }
    const slice = items.slice(offset, offset + pageSize);
    const results: { TimePeriod: { Start: string; End: string }; Total: Record<string, never>; Groups: unknown[]; Estimated: boolean }[] =
      [];
    for (const item of slice) {
      let result = results[results.length - 1];
      if (!result || result.TimePeriod.Start !== item.day) {
        result = {
          TimePeriod: { Start: item.day, End: nextDay(item.day) },
          // Cost Explorer leaves Total empty when the request groups.
          Total: {},
          Groups: [],
          Estimated: estimatedFrom !== undefined && item.day >= estimatedFrom,
        };
        results.push(result);
      }
      if (item.record) result.Groups.push(group(item.record, input));
    }
    const response: Record<string, unknown> = {
      GroupDefinitions: input.GroupBy ?? [],
      ResultsByTime: results,
      DimensionValueAttributes: payerAccountId ? [{ Value: payerAccountId, Attributes: { description: 'Management account' } }] : [],
    };
    if (offset + pageSize < items.length) {
      // Opaque, and different on every call, like the service's.
      const token = randomBytes(32).toString('base64');
      tokens.set(token, { offset: offset + pageSize, request: requestKey });
      response.NextPageToken = token;
    }
    return response;
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ __type: `${ERROR_NAMESPACE}InternalServerException`, message: String(error) }));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    setRecords(next) {
      records = checkRecords(next);
    },
    records: () => records.map((r) => ({ ...r })),
    set pageSize(n: number) {
      pageSize = n;
    },
    set estimatedFrom(day: string | undefined) {
      estimatedFrom = day;
    },
    set payerAccountId(id: string | undefined) {
      payerAccountId = id;
    },
    throttle(times, code = 'LimitExceededException') {
      for (let i = 0; i < times; i++) faults.push({ status: 400, type: code, message: 'Rate exceeded' });
    },
    failNext(times, error) {
      for (let i = 0; i < times; i++) faults.push(error);
    },
    dataUnavailable(on) {
      unavailable = on;
    },
    reset() {
      faults = [];
      unavailable = false;
      requests.length = 0;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function group(r: CeRecord, input: GetCostAndUsageInput) {
  const keys = (input.GroupBy ?? []).map((g) => (g.Key === 'SERVICE' ? r.service : r.region));
  const metrics: Record<string, { Amount: string; Unit: string }> = {};
  for (const m of input.Metrics) {
    if (m === 'UnblendedCost') metrics[m] = { Amount: r.unblended, Unit: r.currency };
    else if (m === 'AmortizedCost') metrics[m] = { Amount: r.amortized, Unit: r.currency };
    else throw new WireError(400, 'ValidationException', `This test server has no data for metric ${m}`);
  }
  return { Keys: keys, Metrics: metrics };
}

function checkRecords(records: CeRecord[]): CeRecord[] {
  const seen = new Set<string>();
  for (const r of records) {
    const key = `${r.day}|${r.service}|${r.region}`;
    if (seen.has(key)) throw new Error(`the dataset has ${key} twice`);
    seen.add(key);
  }
  return records.map((r) => ({ ...r }));
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

// ---------------------------------------------------------------------------------------------
// Request validation, as the service does it (messages in its style)

interface GetCostAndUsageInput {
  TimePeriod: { Start: string; End: string };
  Granularity: string;
  Metrics: string[];
  GroupBy?: { Type: string; Key: string }[];
  NextPageToken?: string;
}

function validateGetCostAndUsage(body: unknown): GetCostAndUsageInput {
  const invalid = (message: string) => new WireError(400, 'ValidationException', message);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('The request body must be a JSON object');
  const b = body as Record<string, unknown>;
  const tp = b.TimePeriod as Record<string, unknown> | undefined;
  if (!tp || typeof tp !== 'object')
    throw invalid("1 validation error detected: Value null at 'timePeriod' failed to satisfy constraint: Member must not be null");
  const { Start, End } = tp;
  if (typeof Start !== 'string' || !DATE.test(Start) || Number.isNaN(Date.parse(Start)))
    throw invalid(`Start date ${JSON.stringify(Start)} is invalid`);
  if (typeof End !== 'string' || !DATE.test(End) || Number.isNaN(Date.parse(End)))
    throw invalid(`End date ${JSON.stringify(End)} is invalid`);
  if (Start >= End) throw invalid('Start date (inclusive) must be before end date (exclusive)');
  const granularity = b.Granularity;
  if (granularity === undefined || granularity === null) {
    throw invalid("1 validation error detected: Value null at 'granularity' failed to satisfy constraint: Member must not be null");
  }
  if (granularity !== 'DAILY' && granularity !== 'MONTHLY' && granularity !== 'HOURLY') {
    throw invalid(
      `Value '${String(granularity)}' at 'granularity' failed to satisfy constraint: Member must satisfy enum value set: [DAILY, MONTHLY, HOURLY]`,
    );
  }
  if (granularity !== 'DAILY') throw invalid(`This test server answers DAILY only, not ${granularity}`);
  const metrics = b.Metrics;
  if (!Array.isArray(metrics) || metrics.length === 0) throw invalid('Metrics is required for GetCostAndUsage requests');
  for (const m of metrics) if (typeof m !== 'string' || !METRICS.has(m)) throw invalid(`Invalid metric ${JSON.stringify(m)}`);
  let groupBy: { Type: string; Key: string }[] | undefined;
  if (b.GroupBy !== undefined) {
    if (!Array.isArray(b.GroupBy)) throw invalid('GroupBy must be a list');
    if (b.GroupBy.length > 2) throw invalid('You can group by up to two dimensions or tags');
    groupBy = b.GroupBy.map((g: unknown) => {
      const d = g as { Type?: unknown; Key?: unknown };
      if (d.Type !== 'DIMENSION' || typeof d.Key !== 'string' || !GROUP_DIMENSIONS.has(d.Key)) {
        throw invalid(`This test server groups by DIMENSION SERVICE and REGION only, not ${JSON.stringify(g)}`);
      }
      return { Type: d.Type, Key: d.Key };
    });
    if (new Set(groupBy.map((g) => g.Key)).size !== groupBy.length) throw invalid('Duplicate group by dimension');
  }
  const token = b.NextPageToken;
  if (token !== undefined && typeof token !== 'string') throw invalid('NextPageToken must be a string');
  return { TimePeriod: { Start, End }, Granularity: granularity, Metrics: metrics as string[], GroupBy: groupBy, NextPageToken: token };
}

// ---------------------------------------------------------------------------------------------
// SigV4 (tests/helpers/sigv4.ts), with Cost Explorer's error codes

/** Returns the access key id of a correctly signed request, or throws the error AWS would answer. */
function authenticate(req: http.IncomingMessage, body: Buffer, credentials: CeCredentials, region: string): string {
  try {
    return verifySigV4(req, body, credentials, { services: ['ce'], region }).accessKeyId;
  } catch (error) {
    if (error instanceof SigV4Error) throw new WireError(400, JSON_SERVICE_SIGV4_CODES[error.failure], error.message);
    throw error;
  }
}
