// The AWS price refresher through the official @aws-sdk/client-pricing against a local Price List
// Query API (tests/helpers/pricing-server.ts: JSON 1.1, SigV4 for 'pricing', paging), storing into
// a real PostgreSQL. The m5.large entry is amazon-ec2-instance-selector's recorded GetProducts
// item (tests/fixtures/instance-catalog/aws/instance-selector/GetProducts_m5_large.json):
// "$0.096 per On Demand Linux m5.large Instance Hour", pricePerUnit USD "0.0960000000",
// effectiveDate 2021-02-01, location "US East (N. Virginia)" and no regionCode attribute.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { type PriceListProduct, type PricingTestServer, startPricingServer } from '../../tests/helpers/pricing-server';
import { ConnectorError } from '../connectors/types';
import { getPool } from '../db/pool';
import { loadCatalog } from './load';
import { fetchAwsPrices } from './refresh-aws';
import { storeRefreshedPrices } from './store';

const CREDENTIALS = { accessKeyId: 'AKIAPRICINGTEST00001', secretAccessKey: 'pricing/test+secret000000000000000000000' };
const FIXTURE = JSON.parse(
  readFileSync('tests/fixtures/instance-catalog/aws/instance-selector/GetProducts_m5_large.json', 'utf8'),
) as PriceListProduct;

/** The fixture's entry as another type, region, OS or price: same shape, other values. */
function variant(sku: string, attrs: Record<string, string>, usd: string, effective = '2026-11-01T00:00:00Z'): PriceListProduct {
  const term = `${sku}.JRTCKXETXF`;
  return {
    ...FIXTURE,
    product: { ...FIXTURE.product, sku, attributes: { ...FIXTURE.product.attributes, ...attrs } },
    terms: {
      OnDemand: {
        [term]: {
          priceDimensions: {
            [`${term}.6YS6EN2CT7`]: { unit: 'Hrs', endRange: 'Inf', beginRange: '0', appliesTo: [], pricePerUnit: { USD: usd } },
          },
          sku,
          effectiveDate: effective,
          offerTermCode: 'JRTCKXETXF',
          termAttributes: {},
        },
      },
    },
  };
}

// 60 filler types in eu-west-1 so that the answers take several pages (the server pages by 25).
const FILLER = Array.from({ length: 60 }, (_, i) =>
  variant(
    `FILL${String(i).padStart(4, '0')}`,
    { instanceType: `t9.size${i}`, regionCode: 'eu-west-1', location: 'EU (Ireland)' },
    `0.${String(i + 1).padStart(4, '0')}`,
  ),
);
const PRODUCTS: PriceListProduct[] = [
  FIXTURE,
  variant('P5USW2', { instanceType: 'p5.48xlarge', regionCode: 'us-west-2', location: 'US West (Oregon)' }, '55.0400000000'),
  variant('G5USW2', { instanceType: 'g5.xlarge', regionCode: 'us-west-2', location: 'US West (Oregon)' }, '1.0060000000'),
  // Filtered out by the request: Windows, and a dedicated-tenancy price.
  variant('G5WIN', { instanceType: 'g5.xlarge', regionCode: 'us-west-2', operatingSystem: 'Windows' }, '1.1900000000'),
  variant('G5DED', { instanceType: 'g5.xlarge', regionCode: 'us-west-2', tenancy: 'Dedicated' }, '1.1070000000'),
  ...FILLER,
];

let server: PricingTestServer;
let url: string;

beforeAll(async () => {
  url = await useTestDatabase();
  server = await startPricingServer({ credentials: CREDENTIALS, products: PRODUCTS, pageSize: 25 });
});
afterAll(async () => {
  await server?.stop();
});

describe('AWS Price List refresh', () => {
  it('reads every page of Linux on-demand prices, as exact decimals with currency and effective date', async () => {
    const prices = await fetchAwsPrices({ endpoint: server.endpoint, credentials: CREDENTIALS });
    expect(prices).toHaveLength(63);
    expect(prices.find((p) => p.type === 'm5.large')).toEqual({
      type: 'm5.large',
      region: 'us-east-1',
      currency: 'USD',
      hourly: '0.096',
      source: 'AWS Price List API (effective 2021-02-01)',
    });
    expect(prices.filter((p) => p.type === 'g5.xlarge')).toEqual([
      { type: 'g5.xlarge', region: 'us-west-2', currency: 'USD', hourly: '1.006', source: 'AWS Price List API (effective 2026-11-01)' },
    ]);
    expect(prices.find((p) => p.type === 't9.size59')?.hourly).toBe('0.006');
    // 63 products at 25 a page: 3 requests, each with the Linux/shared/no-software/used filters.
    const last = server.requests.slice(-3);
    expect(last.map((r) => r.nextToken === undefined)).toEqual([true, false, false]);
    expect(last[0]?.filters).toEqual({
      operatingSystem: 'Linux',
      tenancy: 'Shared',
      preInstalledSw: 'NA',
      capacitystatus: 'Used',
      licenseModel: 'No License required',
    });
  });

  it('asks per region with a regionCode filter, and the stored prices win over the shipped ones', async () => {
    const started = new Date();
    const prices = await fetchAwsPrices({ endpoint: server.endpoint, credentials: CREDENTIALS, regions: ['us-west-2'] });
    expect(server.requests.at(-1)?.filters.regionCode).toBe('us-west-2');
    expect(prices.map((p) => p.type).sort()).toEqual(['g5.xlarge', 'p5.48xlarge']);
    const stored = await storeRefreshedPrices(getPool(), 'aws', prices, { regions: ['us-west-2'], startedAt: started });
    expect(stored.prices).toBe(2);
    const rows = await sql<{ instance_type: string; hourly: string; currency: string }>(
      url,
      "SELECT instance_type, hourly::text AS hourly, currency FROM catalog_prices WHERE provider = 'aws' ORDER BY instance_type",
    );
    expect(rows).toEqual([
      { instance_type: 'g5.xlarge', hourly: '1.006', currency: 'USD' },
      { instance_type: 'p5.48xlarge', hourly: '55.04', currency: 'USD' },
    ]);
    const catalog = await loadCatalog(getPool());
    // The shipped data has no us-west-2 price for p5.48xlarge (ec2instances.info lists it as "0").
    expect(catalog.price('aws', 'p5.48xlarge', 'us-west-2')).toEqual({
      currency: 'USD',
      hourly: '55.04',
      source: 'AWS Price List API (effective 2026-11-01)',
    });
    const [run] = await sql<{ regions: string[]; prices: number }>(
      url,
      "SELECT regions, prices FROM catalog_refreshes WHERE provider = 'aws'",
    );
    expect(run).toEqual({ regions: ['us-west-2'], prices: 2 });
  });

  it('throttling that outlasts the retries is a THROTTLED error, and nothing is stored', async () => {
    server.failNext(2, { status: 400, type: 'ThrottlingException', message: 'Rate exceeded' });
    const error = await fetchAwsPrices({
      endpoint: server.endpoint,
      credentials: CREDENTIALS,
      regions: ['eu-west-1'],
      maxAttempts: 2,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).code).toBe('THROTTLED');
    expect((error as ConnectorError).message).toMatch(
      /AWS Price List API, GetProducts AmazonEC2 eu-west-1 page 1: throttled after 2 attempts/,
    );
  });

  it('a throttled request that succeeds on retry reads everything', async () => {
    server.failNext(1, { status: 400, type: 'ThrottlingException', message: 'Rate exceeded' });
    const prices = await fetchAwsPrices({ endpoint: server.endpoint, credentials: CREDENTIALS, regions: ['eu-west-1'], maxAttempts: 3 });
    expect(prices).toHaveLength(60);
  });

  it('expired credentials and a wrong secret are AUTH errors that never show the secret', async () => {
    server.failNext(1, { status: 400, type: 'ExpiredTokenException', message: 'The security token included in the request is expired' });
    const expired = (await fetchAwsPrices({ endpoint: server.endpoint, credentials: CREDENTIALS, maxAttempts: 1 }).catch(
      (e: unknown) => e,
    )) as ConnectorError;
    expect(expired.code).toBe('AUTH');
    expect(expired.message).toMatch(/the credentials have expired/);

    const wrong = { accessKeyId: CREDENTIALS.accessKeyId, secretAccessKey: 'not/the+secret0000000000000000000000000' };
    const denied = (await fetchAwsPrices({ endpoint: server.endpoint, credentials: wrong, maxAttempts: 1 }).catch(
      (e: unknown) => e,
    )) as ConnectorError;
    expect(denied.code).toBe('AUTH');
    expect(denied.message).toMatch(/InvalidSignatureException/);
    expect(denied.message).not.toContain(wrong.secretAccessKey);
    expect(denied.message).not.toContain(CREDENTIALS.accessKeyId);
  });

  it('a price that is not a decimal is a BAD_DELIVERY error naming the SKU and value', async () => {
    const bad = await startPricingServer({
      credentials: CREDENTIALS,
      products: [variant('BADPRICE', { instanceType: 'm6i.large', regionCode: 'us-east-1' }, '9.6E-2')],
    });
    try {
      const error = (await fetchAwsPrices({ endpoint: bad.endpoint, credentials: CREDENTIALS }).catch((e: unknown) => e)) as ConnectorError;
      expect(error.code).toBe('BAD_DELIVERY');
      expect(error.message).toBe('GetProducts AmazonEC2 page 1: SKU BADPRICE of m6i.large in us-east-1: price "9.6E-2" is not a decimal');
    } finally {
      await bad.stop();
    }
  });
});
