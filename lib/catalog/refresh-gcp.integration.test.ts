// The GCP price refresher through lib/connectors/gcp-billing-catalog.ts (the official
// @google-cloud/billing client) against the local Cloud Billing Catalog of tests/helpers/gcp-server.ts,
// storing into a real PostgreSQL. SKU descriptions follow Compute Engine's ("N2 Instance Core
// running in Iowa", "N1 Predefined Instance Ram running in Americas", "Nvidia L4 GPU running in
// Iowa"); the N2/N1 unit prices are autoscaler's (tests/fixtures/instance-catalog/gcp/
// autoscaler-gce-family-unit-prices.csv: n2,0.031611,0.004237), and every expected machine price
// below is worked out by hand in its comment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../tests/helpers/db';
import { createServiceAccount, type GcpTestServer, startGcpServer, type TestServiceAccount } from '../../tests/helpers/gcp-server';
import { ConnectorError } from '../connectors/types';
import { getPool } from '../db/pool';
import { loadCatalog } from './load';
import { COMPUTE_ENGINE_SERVICE_ID, fetchGcpPrices, type GcpRefreshOptions } from './refresh-gcp';
import { storeRefreshedPrices } from './store';
import type { InstanceTypeSpec } from './types';

let server: GcpTestServer;
let account: TestServiceAccount;

function sku(
  skuId: string,
  description: string,
  regions: string[],
  unit: string,
  nanos: number,
  usageType = 'OnDemand',
  effectiveTime = '2026-09-01T00:00:00Z',
) {
  return {
    name: `services/${COMPUTE_ENGINE_SERVICE_ID}/skus/${skuId}`,
    skuId,
    description,
    category: { serviceDisplayName: 'Compute Engine', resourceFamily: 'Compute', resourceGroup: 'CPU', usageType },
    serviceRegions: regions,
    pricingInfo: [
      {
        effectiveTime,
        pricingExpression: {
          usageUnit: unit,
          usageUnitDescription: unit,
          tieredRates: [{ startUsageAmount: 0, unitPrice: { currencyCode: 'USD', units: '0', nanos } }],
        },
      },
    ],
  };
}

const SKUS = [
  sku('0001-N2C', 'N2 Instance Core running in Iowa', ['us-central1'], 'h', 31_611_000),
  sku('0002-N2R', 'N2 Instance Ram running in Iowa', ['us-central1'], 'GiBy.h', 4_237_000),
  sku('0003-N1C', 'N1 Predefined Instance Core running in Americas', ['us-central1', 'us-east4'], 'h', 31_611_000),
  sku(
    '0004-N1R',
    'N1 Predefined Instance Ram running in Americas',
    ['us-central1', 'us-east4'],
    'GiBy.h',
    4_237_000,
    'OnDemand',
    '2026-10-15T00:00:00Z',
  ),
  sku('0005-G2C', 'G2 Instance Core running in Iowa', ['us-central1'], 'h', 24_988_000),
  sku('0006-G2R', 'G2 Instance Ram running in Iowa', ['us-central1'], 'GiBy.h', 2_927_000),
  sku('0007-L4', 'Nvidia L4 GPU running in Iowa', ['us-central1'], 'h', 560_040_000),
  sku('0008-A3C', 'A3 Instance Core running in Iowa', ['us-central1'], 'h', 31_000_000),
  sku('0009-A3R', 'A3 Instance Ram running in Iowa', ['us-central1'], 'GiBy.h', 4_000_000),
  // Not on-demand prices: ignored.
  sku('0010-N2S', 'Spot Preemptible N2 Instance Core running in Iowa', ['us-central1'], 'h', 7_650_000, 'Preemptible'),
  sku('0011-N2K', 'Commitment v1: N2 Cpu in Americas for 1 Year', ['us-central1'], 'h', 19_915_000, 'Commit1Yr'),
];

/** The shipped specs of a few types (their vCPUs and memory are ccf's, checked in load.integration.test.ts). */
async function specs(...types: string[]): Promise<InstanceTypeSpec[]> {
  const catalog = await loadCatalog();
  return types.map((t) => catalog.spec('gcp', t)!);
}

function refresh(options: GcpRefreshOptions) {
  return fetchGcpPrices({
    apiEndpoint: server.endpoint,
    credentials: { serviceAccountKey: JSON.stringify(account.key) },
    maxRetries: 0,
    ...options,
  });
}

beforeAll(async () => {
  await useTestDatabase();
  server = await startGcpServer();
  account = createServiceAccount('catalog-reader@burnrate-test.iam.gserviceaccount.com');
  server.addServiceAccount(account.key.client_email, account.publicKey);
  server.setSkus(COMPUTE_ENGINE_SERVICE_ID, SKUS);
});
afterAll(async () => {
  await server?.stop();
});

describe('GCP Cloud Billing Catalog refresh', () => {
  it('prices machine types from their core, RAM and GPU SKUs, exactly', async () => {
    const prices = await refresh({
      types: await specs('n2-standard-8', 'n1-standard-1', 'n1-standard-8', 'g2-standard-8', 'a3-highgpu-8g'),
    });
    const got = prices.map((p) => [p.type, p.region, p.hourly, p.currency]).sort();
    expect(got).toEqual([
      // g2-standard-8: 8 × 0.024988 + 32 × 0.002927 + 1 × 0.56004 = 0.199904 + 0.093664 + 0.56004
      ['g2-standard-8', 'us-central1', '0.853608', 'USD'],
      // n1-standard-1: 1 × 0.031611 + 3.75 × 0.004237 = 0.031611 + 0.01588875
      ['n1-standard-1', 'us-central1', '0.04749975', 'USD'],
      ['n1-standard-1', 'us-east4', '0.04749975', 'USD'],
      // n1-standard-8: 8 × 0.031611 + 30 × 0.004237 = 0.252888 + 0.12711
      ['n1-standard-8', 'us-central1', '0.379998', 'USD'],
      ['n1-standard-8', 'us-east4', '0.379998', 'USD'],
      // n2-standard-8: 8 × 0.031611 + 32 × 0.004237 = 0.252888 + 0.135584
      ['n2-standard-8', 'us-central1', '0.388472', 'USD'],
      // a3-highgpu-8g: no H100 SKU, so no price (not a guess without its GPUs).
    ]);
    expect(prices.find((p) => p.type === 'n1-standard-8' && p.region === 'us-east4')?.source).toBe(
      'GCP Cloud Billing Catalog (effective 2026-10-15; SKUs 0003-N1C 0004-N1R)',
    );
  });

  it('keeps only the asked regions, and the stored prices win over the shipped ones', async () => {
    const prices = await refresh({ regions: ['us-east4'], types: await specs('n1-standard-8', 'n2-standard-8') });
    expect(prices.map((p) => [p.type, p.region])).toEqual([['n1-standard-8', 'us-east4']]);
    const all = await refresh({ regions: ['us-central1'] });
    // autoscaler's shipped n2-standard-8 price is 0.3885 (rounded); the catalog's SKUs give 0.388472.
    expect((await loadCatalog()).price('gcp', 'n2-standard-8', 'us-central1')?.hourly).toBe('0.3885');
    await storeRefreshedPrices(getPool(), 'gcp', all, { regions: ['us-central1'], startedAt: new Date() });
    const catalog = await loadCatalog(getPool());
    expect(catalog.price('gcp', 'n2-standard-8', 'us-central1')).toMatchObject({ currency: 'USD', hourly: '0.388472' });
    expect(catalog.price('gcp', 'n2-highmem-16', 'us-central1')?.hourly).toBe('1.048112'); // 16 × 0.031611 + 128 × 0.004237 = 0.505776 + 0.542336
  });

  it('a RAM SKU priced per hour instead of per GiB-hour is a BAD_DELIVERY error naming it', async () => {
    server.setSkus(COMPUTE_ENGINE_SERVICE_ID, [
      ...SKUS.slice(0, 1),
      sku('0002-N2R', 'N2 Instance Ram running in Iowa', ['us-central1'], 'h', 4_237_000),
    ]);
    try {
      const error = (await refresh({}).catch((e: unknown) => e)) as ConnectorError;
      expect(error).toBeInstanceOf(ConnectorError);
      expect(error.code).toBe('BAD_DELIVERY');
      expect(error.message).toBe('Cloud Billing Catalog SKU 0002-N2R (N2 Instance Ram running in Iowa) is priced per h, not GiBy.h');
    } finally {
      server.setSkus(COMPUTE_ENGINE_SERVICE_ID, SKUS);
    }
  });
});
