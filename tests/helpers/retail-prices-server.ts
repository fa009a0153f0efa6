// A local Azure Retail Prices API for the catalog refresher's tests: GET /api/retail/prices with
// api-version, an OData $filter of `field eq 'value'` clauses joined by `and`, and currencyCode;
// answers {BillingCurrency, CustomerEntityId, CustomerEntityType, Items, NextPageLink, Count} as
// documented, pages of `pageSize` items linked by an absolute NextPageLink ($skip), prices written
// as JSON numbers exactly as given (so a test can send digits a float cannot hold).
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RetailItem {
  currencyCode: string;
  /** Written into the JSON as a number literal, verbatim. */
  retailPrice: string;
  armRegionName: string;
  location: string;
  effectiveStartDate: string;
  meterName: string;
  productName: string;
  skuName: string;
  serviceName: string;
  armSkuName: string;
  type: string;
  unitOfMeasure: string;
  isPrimaryMeterRegion: boolean;
  [key: string]: unknown;
}

export interface RetailPricesTestServer {
  endpoint: string;
  readonly requests: { filter: string; skip: number; status: number }[];
  /** The next `times` requests answer this status (with Retry-After: 0 for 429). */
  failNext(times: number, status: number): void;
  stop(): Promise<void>;
}

function parseFilter(filter: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const clause of filter.split(/\s+and\s+/i)) {
    const m = /^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$/.exec(clause);
    if (!m) throw new Error(`unsupported $filter clause ${JSON.stringify(clause)}`);
    out[m[1]!] = m[2]!.replaceAll("''", "'");
  }
  return out;
}

export async function startRetailPricesServer(options: { items: RetailItem[]; pageSize?: number }): Promise<RetailPricesTestServer> {
  const pageSize = options.pageSize ?? 1000;
  const faults: number[] = [];
  const requests: RetailPricesTestServer['requests'] = [];
  let base = '';

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    const filter = url.searchParams.get('$filter') ?? '';
    const skip = Number(url.searchParams.get('$skip') ?? '0');
    const record = { filter, skip, status: 200 };
    requests.push(record);
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(body);
    };
    if (req.method !== 'GET' || url.pathname !== '/api/retail/prices') return send(404, '{"Error":"Not found"}');
    if (url.searchParams.get('api-version') !== '2023-01-01-preview') return send(400, '{"Error":"unsupported api-version"}');
    const fault = faults.shift();
    if (fault)
      return send(
        fault,
        JSON.stringify({ Error: { Code: String(fault), Message: 'Too many requests' } }),
        fault === 429 ? { 'retry-after': '0' } : {},
      );
    let clauses: Record<string, string>;
    try {
      clauses = parseFilter(filter);
    } catch (e) {
      return send(400, JSON.stringify({ Error: { Code: 'BadRequest', Message: String(e) } }));
    }
    const matching = options.items.filter((i) => Object.entries(clauses).every(([k, v]) => (k === 'priceType' ? i.type : i[k]) === v));
    const page = matching.slice(skip, skip + pageSize);
    let next: string | null = null;
    if (skip + pageSize < matching.length) {
      const n = new URL(url);
      n.searchParams.set('$skip', String(skip + pageSize));
      next = n.toString();
    }
    const items = page.map((i) => JSON.stringify(i).replace(/"retailPrice":"([^"]+)"/, '"retailPrice":$1'));
    send(
      200,
      `{"BillingCurrency":"USD","CustomerEntityId":"Default","CustomerEntityType":"Retail","Items":[${items.join(',')}],"NextPageLink":${JSON.stringify(next)},"Count":${page.length}}`,
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  return {
    endpoint: `${base}/api/retail/prices`,
    requests,
    failNext(times, status) {
      for (let i = 0; i < times; i++) faults.push(status);
    },
    async stop() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
