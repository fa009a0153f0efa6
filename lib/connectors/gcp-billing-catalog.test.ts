// SKU prices from the Cloud Billing Catalog through the official @google-cloud/billing client in its
// HTTP/JSON mode, pointed at the local server of tests/helpers/gcp-server.ts. The client signs its
// own bearer token (a self-signed JWT) with a service-account key generated here; the server
// verifies it against the key's public half.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServiceAccount, type GcpTestServer, startGcpServer, type TestServiceAccount } from '../../tests/helpers/gcp-server';
import { type FetchSkuPricesOptions, fetchSkuPrices, moneyToDecimal, type SkuPrice } from './gcp-billing-catalog';
import { ConnectorError } from './types';

const COMPUTE = '6F81-5844-456A';
let server: GcpTestServer;
let account: TestServiceAccount;

/** SKUs in the services.skus.list wire format (int64 units as strings, RFC 3339 times). */
const SKUS = [
  {
    name: `services/${COMPUTE}/skus/0009-6F35-3126`,
    skuId: '0009-6F35-3126',
    description: 'N2 Instance Core running in Americas',
    category: { serviceDisplayName: 'Compute Engine', resourceFamily: 'Compute', resourceGroup: 'N2Standard', usageType: 'OnDemand' },
    serviceRegions: ['us-central1', 'us-east1'],
    pricingInfo: [
      {
        summary: '',
        effectiveTime: '2024-06-01T08:00:00Z',
        pricingExpression: {
          usageUnit: 'h',
          usageUnitDescription: 'hour',
          displayQuantity: 1,
          tieredRates: [{ startUsageAmount: 0, unitPrice: { currencyCode: 'USD', units: '0', nanos: 12345678 } }],
        },
        currencyConversionRate: 1,
      },
    ],
    serviceProviderName: 'Google',
  },
  {
    name: `services/${COMPUTE}/skus/984A-1F4B-FB7E`,
    skuId: '984A-1F4B-FB7E',
    description: 'Network Internet Egress from Americas to EMEA',
    category: {
      serviceDisplayName: 'Compute Engine',
      resourceFamily: 'Network',
      resourceGroup: 'PremiumInternetEgress',
      usageType: 'OnDemand',
    },
    serviceRegions: ['us-central1'],
    pricingInfo: [
      {
        effectiveTime: '2024-01-01T00:00:00.123456789Z',
        pricingExpression: {
          usageUnit: 'GiBy',
          usageUnitDescription: 'gibibyte',
          tieredRates: [
            { startUsageAmount: 0, unitPrice: { currencyCode: 'USD', units: '0', nanos: 0 } },
            { startUsageAmount: 1, unitPrice: { currencyCode: 'USD', units: '0', nanos: 120000000 } },
            { startUsageAmount: 10240, unitPrice: { currencyCode: 'USD', units: '0', nanos: 85000000 } },
          ],
        },
      },
    ],
  },
  {
    skuId: '2E27-4F75-95CD',
    description: 'Commitment v1: Cpu in Americas for 3 Years',
    category: { resourceFamily: 'Compute', usageType: 'Commit3Yr' },
    serviceRegions: ['us-central1'],
    pricingInfo: [
      {
        effectiveTime: '2023-03-15T07:00:00Z',
        pricingExpression: {
          usageUnit: 'h',
          usageUnitDescription: 'hour',
          tieredRates: [{ startUsageAmount: 0, unitPrice: { currencyCode: 'USD', units: '1234', nanos: 500000000 } }],
        },
      },
    ],
  },
  {
    skuId: 'ADJ0-0000-0001',
    description: 'Synthetic negative rate',
    serviceRegions: ['global'],
    pricingInfo: [
      {
        effectiveTime: '2022-01-01T00:00:00Z',
        pricingExpression: {
          usageUnit: 'count',
          tieredRates: [{ unitPrice: { currencyCode: 'USD', units: '-1', nanos: -250000000 } }],
        },
      },
    ],
  },
  {
    skuId: 'F00D-0000-0005',
    description: 'Whole price',
    serviceRegions: ['europe-west1'],
    pricingInfo: [
      {
        effectiveTime: '2025-02-01T00:00:00Z',
        pricingExpression: {
          usageUnit: 'mo',
          tieredRates: [{ startUsageAmount: 0, unitPrice: { currencyCode: 'USD', units: '5' } }],
        },
      },
    ],
  },
];

beforeAll(async () => {
  server = await startGcpServer();
  account = createServiceAccount('catalog-reader@burnrate-test.iam.gserviceaccount.com');
  server.addServiceAccount(account.key.client_email, account.publicKey);
  server.setSkus(COMPUTE, SKUS);
});

afterAll(async () => {
  await server?.stop();
});

async function collect(options: Partial<FetchSkuPricesOptions> = {}): Promise<SkuPrice[]> {
  const out: SkuPrice[] = [];
  for await (const price of fetchSkuPrices({
    serviceId: COMPUTE,
    apiEndpoint: server.endpoint,
    credentials: { serviceAccountKey: JSON.stringify(account.key) },
    maxRetries: 2,
    maxRetryDelaySeconds: 0.02,
    ...options,
  })) {
    out.push(price);
  }
  return out;
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

describe('fetchSkuPrices', () => {
  it('returns every tier of every SKU with exact prices, across pages, authenticated with the service-account key', async () => {
    const before = server.requests.length;
    const prices = await collect({ pageSize: 2 });
    expect(prices.map((p) => [p.skuId, p.tierStart, p.unitPrice, p.currency, p.unit])).toEqual([
      ['0009-6F35-3126', '0', '0.012345678', 'USD', 'h'],
      ['984A-1F4B-FB7E', '0', '0', 'USD', 'GiBy'],
      ['984A-1F4B-FB7E', '1', '0.12', 'USD', 'GiBy'],
      ['984A-1F4B-FB7E', '10240', '0.085', 'USD', 'GiBy'],
      ['2E27-4F75-95CD', '0', '1234.5', 'USD', 'h'],
      ['ADJ0-0000-0001', '0', '-1.25', 'USD', 'count'],
      ['F00D-0000-0005', '0', '5', 'USD', 'mo'],
    ]);
    expect(prices[0]).toEqual({
      skuId: '0009-6F35-3126',
      description: 'N2 Instance Core running in Americas',
      regions: ['us-central1', 'us-east1'],
      usageType: 'OnDemand',
      resourceFamily: 'Compute',
      unit: 'h',
      unitDescription: 'hour',
      currency: 'USD',
      unitPrice: '0.012345678',
      tierStart: '0',
      effectiveTime: '2024-06-01T08:00:00Z',
    });
    expect(prices[1]?.effectiveTime).toBe('2024-01-01T00:00:00.123456789Z');
    expect(prices[5]).toMatchObject({ usageType: null, resourceFamily: null, regions: ['global'] });

    const calls = server.requests.slice(before);
    expect(calls.map((c) => [c.method, c.path, c.query.pageSize, c.query.pageToken ?? null])).toEqual([
      ['GET', `/v1/services/${COMPUTE}/skus`, '2', null],
      ['GET', `/v1/services/${COMPUTE}/skus`, '2', expect.any(String)],
      ['GET', `/v1/services/${COMPUTE}/skus`, '2', expect.any(String)],
    ]);
    // A JWT the client signed itself with the key, verified by the server: no token exchange.
    expect(calls.every((c) => c.principal === `jwt:${account.key.client_email}`)).toBe(true);
    expect(String(calls[0]?.claims?.scope)).toContain('https://www.googleapis.com/auth/cloud-platform');
  });

  it('asks for prices in another currency when told to', async () => {
    const before = server.requests.length;
    await collect({ currencyCode: 'EUR' });
    expect(server.requests.slice(before).map((r) => r.query.currencyCode)).toEqual(['EUR']);
  });

  it('stops requesting pages when the consumer stops', async () => {
    const before = server.requests.length;
    for await (const price of fetchSkuPrices({
      serviceId: COMPUTE,
      apiEndpoint: server.endpoint,
      credentials: { serviceAccountKey: account.key },
      pageSize: 1,
    })) {
      expect(price.skuId).toBe('0009-6F35-3126');
      break;
    }
    expect(server.requests.length - before).toBe(1);
  });

  it('a key the server does not know fails with AUTH naming the service account, not quoting the key', async () => {
    const stranger = createServiceAccount('catalog-reader@burnrate-test.iam.gserviceaccount.com');
    const error = await expectConnectorError(
      collect({ credentials: { serviceAccountKey: JSON.stringify(stranger.key) } }),
      'AUTH',
      /^The Cloud Billing Catalog API rejected the service account catalog-reader@burnrate-test\.iam\.gserviceaccount\.com \(UNAUTHENTICATED: .*Request had invalid authentication credentials.*\) reading the prices of service 6F81-5844-456A\.$/,
    );
    expect(error.message).not.toContain('PRIVATE KEY');
  });

  it('an unknown service fails with NOT_FOUND saying which IDs to use', async () => {
    await expectConnectorError(
      collect({ serviceId: 'AAAA-BBBB-CCCC' }),
      'NOT_FOUND',
      /^The Cloud Billing Catalog has no service AAAA-BBBB-CCCC \(NOT_FOUND: .*Service not found: services\/AAAA-BBBB-CCCC.*\)\. Use the service ID/,
    );
  });

  it('a 429 on a later page is retried and the listing completes; throttling that outlasts the retries is THROTTLED', async () => {
    server.failNext({
      status: 429,
      reason: 'rateLimitExceeded',
      message: 'Quota exceeded for quota metric Read requests',
      path: /\/skus$/,
    });
    const before = server.requests.length;
    expect(await collect({ pageSize: 3 })).toHaveLength(7);
    expect(server.requests.length - before).toBe(3);

    server.failNext({ status: 429, reason: 'rateLimitExceeded', message: 'Quota exceeded for quota metric Read requests', times: 3 });
    const error = await expectConnectorError(
      collect(),
      'THROTTLED',
      /^The Cloud Billing Catalog API throttled the requests for the prices of service 6F81-5844-456A \(RESOURCE_EXHAUSTED: .*Quota exceeded.*\) after 3 attempts; try again later\.$/,
    );
    expect(error.retryable).toBe(true);
  });

  it('an endpoint nobody listens on fails with NETWORK naming it', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await expectConnectorError(
      collect({ apiEndpoint: `http://127.0.0.1:${port}`, maxRetries: 1 }),
      'NETWORK',
      new RegExp(
        `^Cannot reach the Cloud Billing Catalog API at http://127\\.0\\.0\\.1:${port} for the prices of service 6F81-5844-456A: ECONNREFUSED after 2 attempts\\.$`,
      ),
    );
    expect(error.retryable).toBe(true);
  });

  it('rejects a malformed service ID or currency before anything is sent', async () => {
    const before = server.requests.length;
    await expectConnectorError(
      collect({ serviceId: '../billingAccounts' }),
      'CONFIG',
      /^Invalid SKU price query: serviceId: must be a Cloud Billing service ID/,
    );
    await expectConnectorError(collect({ currencyCode: 'euro' }), 'CONFIG', /currencyCode: must be an ISO 4217 currency code/);
    expect(server.requests.length).toBe(before);
  });
});

describe('moneyToDecimal', () => {
  it('adds units and nanos exactly, in integers', () => {
    expect(moneyToDecimal('0', 12345678)).toBe('0.012345678');
    expect(moneyToDecimal('0', 0)).toBe('0');
    expect(moneyToDecimal('1', 500000000)).toBe('1.5');
    expect(moneyToDecimal('-1', -750000000)).toBe('-1.75');
    expect(moneyToDecimal('0', -1)).toBe('-0.000000001');
    expect(moneyToDecimal('0', 999999999)).toBe('0.999999999');
    // Beyond a double's 15-16 significant digits.
    expect(moneyToDecimal('9007199254740993', 1)).toBe('9007199254740993.000000001');
  });

  it('refuses nanos out of range or units that are not an integer', () => {
    expect(() => moneyToDecimal('0', 1_000_000_000)).toThrow(ConnectorError);
    expect(() => moneyToDecimal('1.5', 0)).toThrow(/not a valid amount/);
    expect(() => moneyToDecimal('0', 0.5)).toThrow(/not a valid amount/);
  });
});
