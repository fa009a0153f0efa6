// `npm run catalog -- refresh …` as a shell runs it: a child process reading a loopback price API
// and storing into a real PostgreSQL; bad usage and a failed read store nothing.
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../tests/helpers/db';
import { type PricingTestServer, startPricingServer } from '../tests/helpers/pricing-server';
import { type RetailItem, type RetailPricesTestServer, startRetailPricesServer } from '../tests/helpers/retail-prices-server';

let url: string;
let azure: RetailPricesTestServer;
let aws: PricingTestServer;
const AWS_KEY = { accessKeyId: 'AKIACATALOGCLI000001', secretAccessKey: 'catalog/cli+secret0000000000000000000000' };

function retail(armSkuName: string, retailPrice: string, extra: Partial<RetailItem> = {}): RetailItem {
  return {
    currencyCode: 'USD',
    retailPrice,
    armRegionName: 'eastus',
    location: 'US East',
    effectiveStartDate: '2026-10-01T00:00:00Z',
    meterName: armSkuName,
    productName: 'Virtual Machines Dsv5 Series',
    skuName: armSkuName.replace('Standard_', '').replaceAll('_', ' '),
    serviceName: 'Virtual Machines',
    armSkuName,
    type: 'Consumption',
    unitOfMeasure: '1 Hour',
    isPrimaryMeterRegion: true,
    ...extra,
  };
}

function catalog(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'scripts/catalog.ts', ...args],
      { env: { ...process.env, DATABASE_URL: url, ...env }, encoding: 'utf8' },
      (error, out, err) => resolve({ code: error ? Number(error.code ?? 1) : 0, out, err }),
    );
  });
}

beforeAll(async () => {
  url = await useTestDatabase();
  azure = await startRetailPricesServer({
    items: [
      retail('Standard_D4s_v5', '0.192'),
      retail('Standard_D8s_v5', '0.384'),
      retail('Standard_D8s_v5', '0.752', { productName: 'Virtual Machines Dsv5 Series Windows' }),
    ],
  });
  const item = (type: string, usd: string) => ({
    serviceCode: 'AmazonEC2',
    product: {
      sku: `SKU-${type}`,
      attributes: {
        instanceType: type,
        regionCode: 'eu-west-1',
        operatingSystem: 'Linux',
        tenancy: 'Shared',
        preInstalledSw: 'NA',
        capacitystatus: 'Used',
        licenseModel: 'No License required',
      },
    },
    terms: {
      OnDemand: {
        [`SKU-${type}.T`]: {
          effectiveDate: '2026-11-01T00:00:00Z',
          priceDimensions: { [`SKU-${type}.T.R`]: { unit: 'Hrs', pricePerUnit: { USD: usd } } },
        },
      },
    },
  });
  aws = await startPricingServer({
    credentials: AWS_KEY,
    products: [item('m6i.large', '0.1070000000'), item('c6i.large', '0.0960000000')],
  });
});
afterAll(async () => {
  await azure?.stop();
  await aws?.stop();
});

describe('npm run catalog -- refresh', () => {
  it('azure: stores the Linux prices of the asked region and says how many', async () => {
    const r = await catalog(['refresh', 'azure', '--region', 'eastus', '--endpoint', azure.endpoint]);
    expect(r.out).toBe('azure: stored 2 prices (2 types in 1 region)\n');
    expect(r.code).toBe(0);
    const rows = await sql<{ instance_type: string; hourly: string }>(
      url,
      "SELECT instance_type, hourly::text AS hourly FROM catalog_prices WHERE provider = 'azure' ORDER BY instance_type",
    );
    expect(rows).toEqual([
      { instance_type: 'Standard_D4s_v5', hourly: '0.192' },
      { instance_type: 'Standard_D8s_v5', hourly: '0.384' },
    ]);
  });

  it('aws --json: credentials from the environment, one JSON line', async () => {
    const r = await catalog(['refresh', 'aws', '--region', 'eu-west-1', '--endpoint', aws.endpoint, '--json'], {
      AWS_ACCESS_KEY_ID: AWS_KEY.accessKeyId,
      AWS_SECRET_ACCESS_KEY: AWS_KEY.secretAccessKey,
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ provider: 'aws', prices: 2, types: 2, regions: 1 });
    const rows = await sql<{ hourly: string }>(url, "SELECT hourly::text AS hourly FROM catalog_prices WHERE instance_type = 'm6i.large'");
    expect(rows).toEqual([{ hourly: '0.107' }]);
  });

  it('a failed read exits 1, says nothing was stored, and stores nothing', async () => {
    const refreshes = async () => (await sql<{ n: number }>(url, 'SELECT count(*)::int AS n FROM catalog_refreshes'))[0]?.n;
    const before = await refreshes();
    const r = await catalog(['refresh', 'aws', '--region', 'eu-west-1', '--endpoint', aws.endpoint], {
      AWS_ACCESS_KEY_ID: AWS_KEY.accessKeyId,
      AWS_SECRET_ACCESS_KEY: 'not/the+secret0000000000000000000000000',
    });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /error: AWS Price List API, GetProducts AmazonEC2 eu-west-1 page 1: AWS rejected the credentials .*InvalidSignatureException/,
    );
    expect(r.err).toMatch(/nothing was stored\.\n$/);
    expect(r.err).not.toContain('not/the+secret');
    expect(await refreshes()).toBe(before);
  });

  it('bad usage exits 2 with the usage', async () => {
    const r = await catalog(['refresh', 'oracle']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^refresh: which provider\? \(aws\|azure\|gcp\), not "oracle"\nusage: npm run catalog/);
    const cur = await catalog(['refresh', 'aws', '--currency', 'EUR']);
    expect(cur.code).toBe(2);
    expect(cur.err).toMatch(/--currency: the AWS Price List has USD prices only/);
  });
});
