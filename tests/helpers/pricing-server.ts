// A local AWS Price List Query API for the catalog refresher's tests: a node:http server on
// loopback speaking the service's JSON 1.1 protocol (POST /, X-Amz-Target:
// AWSPriceListService.GetProducts, errors as {"__type", "message"}), SigV4-checked for the signing
// name 'pricing' (tests/helpers/sigv4.ts). GetProducts applies TERM_MATCH filters to the products'
// attributes and answers {FormatVersion, PriceList: [JSON text, …], NextToken} as documented
// (each PriceList entry a JSON document serialized to a string).
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { JSON_SERVICE_SIGV4_CODES, SigV4Error, verifySigV4 } from './sigv4';

const TARGET = 'AWSPriceListService.GetProducts';

export interface PriceListProduct {
  serviceCode: string;
  product: { sku: string; productFamily?: string; attributes: Record<string, string> };
  terms: Record<string, unknown>;
  [key: string]: unknown;
}

export interface PricingTestServer {
  endpoint: string;
  /** The filters of every GetProducts request answered, in order. */
  readonly requests: { filters: Record<string, string>; nextToken?: string; status: number }[];
  /** The next `times` requests fail with this error. */
  failNext(times: number, error: { status: number; type: string; message: string }): void;
  stop(): Promise<void>;
}

export async function startPricingServer(options: {
  credentials: { accessKeyId: string; secretAccessKey: string };
  products: PriceListProduct[];
  pageSize?: number;
}): Promise<PricingTestServer> {
  const pageSize = options.pageSize ?? 100;
  const tokens = new Map<string, { offset: number; key: string }>();
  const faults: { status: number; type: string; message: string }[] = [];
  const requests: PricingTestServer['requests'] = [];

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const record: PricingTestServer['requests'][number] = { filters: {}, status: 200 };
    const reply = (status: number, body: unknown) => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
      res.end(JSON.stringify(body));
    };
    const error = (status: number, type: string, message: string) => reply(status, { __type: type, message });
    try {
      verifySigV4(req, raw, options.credentials, { services: ['pricing'], region: 'us-east-1' });
    } catch (e) {
      if (e instanceof SigV4Error) return error(400, JSON_SERVICE_SIGV4_CODES[e.failure], e.message);
      throw e;
    }
    if (req.headers['x-amz-target'] !== TARGET)
      return error(400, 'UnknownOperationException', `Unknown target ${req.headers['x-amz-target']}`);
    const body = JSON.parse(raw.toString('utf8') || '{}') as {
      ServiceCode?: string;
      Filters?: { Type: string; Field: string; Value: string }[];
      FormatVersion?: string;
      NextToken?: string;
      MaxResults?: number;
    };
    requests.push(record);
    const fault = faults.shift();
    if (fault) return error(fault.status, fault.type, fault.message);
    if (!body.ServiceCode) return error(400, 'InvalidParameterException', 'ServiceCode is required');
    for (const f of body.Filters ?? []) {
      if (f.Type !== 'TERM_MATCH') return error(400, 'InvalidParameterException', `Unsupported filter type ${f.Type}`);
      record.filters[f.Field] = f.Value;
    }
    record.nextToken = body.NextToken;
    const key = JSON.stringify({ ...body, NextToken: undefined });
    let offset = 0;
    if (body.NextToken !== undefined) {
      const t = tokens.get(body.NextToken);
      if (!t || t.key !== key) return error(400, 'InvalidNextTokenException', 'The pagination token is invalid');
      offset = t.offset;
    }
    const matching = options.products.filter(
      (p) => p.serviceCode === body.ServiceCode && Object.entries(record.filters).every(([k, v]) => p.product.attributes[k] === v),
    );
    const size = Math.min(pageSize, body.MaxResults ?? 100);
    const page = matching.slice(offset, offset + size);
    const out: Record<string, unknown> = { FormatVersion: body.FormatVersion ?? 'aws_v1', PriceList: page.map((p) => JSON.stringify(p)) };
    if (offset + size < matching.length) {
      const token = randomBytes(24).toString('base64');
      tokens.set(token, { offset: offset + size, key });
      out.NextToken = token;
    }
    reply(200, out);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      res.writeHead(500);
      res.end(String(e));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    failNext(times, e) {
      for (let i = 0; i < times; i++) faults.push(e);
    },
    async stop() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
