// The Azure price refresher against a local Retail Prices API (tests/helpers/retail-prices-server.ts:
// GET with an OData $filter, NextPageLink paging, prices as JSON numbers), storing into a real
// PostgreSQL. Items follow the API's documented item shape; expected prices are the literals the
// server sends.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { type RetailItem, type RetailPricesTestServer, startRetailPricesServer } from '../../tests/helpers/retail-prices-server';
import { ConnectorError } from '../connectors/types';
import { getPool } from '../db/pool';
import { loadCatalog } from './load';
import { fetchAzurePrices } from './refresh-azure';
import { storeRefreshedPrices } from './store';

function item(armSkuName: string, armRegionName: string, retailPrice: string, extra: Partial<RetailItem> = {}): RetailItem {
  const size = armSkuName.replace(/^Standard_/, '').replaceAll('_', ' ');
  return {
    currencyCode: 'USD',
    tierMinimumUnits: 0,
    retailPrice,
    unitPrice: retailPrice,
    armRegionName,
    location: armRegionName === 'eastus' ? 'US East' : 'US West 2',
    effectiveStartDate: '2026-10-01T00:00:00Z',
    meterId: '00000000-0000-0000-0000-000000000000',
    meterName: size,
    productId: 'DZH318Z0BQPS',
    skuId: 'DZH318Z0BQPS/00TG',
    productName: 'Virtual Machines Dsv5 Series',
    skuName: size,
    serviceName: 'Virtual Machines',
    serviceId: 'DZH313Z7MMC8',
    serviceFamily: 'Compute',
    unitOfMeasure: '1 Hour',
    type: 'Consumption',
    isPrimaryMeterRegion: true,
    armSkuName,
    ...extra,
  };
}

const FILLER = Array.from({ length: 2300 }, (_, i) => item(`Standard_T${i}s_v9`, 'westus2', `0.${String(i + 1).padStart(4, '0')}`));
const ITEMS: RetailItem[] = [
  item('Standard_D4s_v5', 'eastus', '0.192'),
  item('Standard_D4s_v5', 'eastus', '0.376', { productName: 'Virtual Machines Dsv5 Series Windows' }),
  item('Standard_D4s_v5', 'eastus', '0.0384', { skuName: 'D4s v5 Spot' }),
  item('Standard_D4s_v5', 'eastus', '0.0384', { skuName: 'D4s v5 Low Priority' }),
  item('Standard_D4s_v5', 'eastus', '0.192', { type: 'Reservation', unitOfMeasure: '1 Hour' }),
  // A price change: the later effective date wins.
  item('Standard_E8s_v5', 'eastus', '0.504', { effectiveStartDate: '2023-01-01T00:00:00Z' }),
  item('Standard_E8s_v5', 'eastus', '0.496', { effectiveStartDate: '2026-11-01T00:00:00Z' }),
  // Digits a float cannot hold, and an exponent.
  item('Standard_B1ls', 'eastus', '0.10000000000000000555'),
  item('Standard_B1s', 'eastus', '1.2E-05'),
  ...FILLER,
];

let server: RetailPricesTestServer;
let url: string;

beforeAll(async () => {
  url = await useTestDatabase();
  server = await startRetailPricesServer({ items: ITEMS, pageSize: 1000 });
});
afterAll(async () => {
  await server?.stop();
});

describe('Azure Retail Prices refresh', () => {
  it("reads one region's Linux pay-as-you-go prices exactly, without Windows, Spot, Low Priority or reservations", async () => {
    const prices = await fetchAzurePrices({ endpoint: server.endpoint, regions: ['eastus'] });
    expect(server.requests.at(-1)?.filter).toBe(
      "serviceName eq 'Virtual Machines' and priceType eq 'Consumption' and armRegionName eq 'eastus'",
    );
    expect(prices.sort((a, b) => a.type.localeCompare(b.type))).toEqual([
      {
        type: 'Standard_B1ls',
        region: 'eastus',
        currency: 'USD',
        hourly: '0.10000000000000000555',
        source: 'Azure Retail Prices API (effective 2026-10-01)',
      },
      {
        type: 'Standard_B1s',
        region: 'eastus',
        currency: 'USD',
        hourly: '0.000012',
        source: 'Azure Retail Prices API (effective 2026-10-01)',
      },
      {
        type: 'Standard_D4s_v5',
        region: 'eastus',
        currency: 'USD',
        hourly: '0.192',
        source: 'Azure Retail Prices API (effective 2026-10-01)',
      },
      {
        type: 'Standard_E8s_v5',
        region: 'eastus',
        currency: 'USD',
        hourly: '0.496',
        source: 'Azure Retail Prices API (effective 2026-11-01)',
      },
    ]);
  });

  it('follows NextPageLink through every page, retrying a 429 with its Retry-After', async () => {
    server.failNext(1, 429);
    const before = server.requests.length;
    const prices = await fetchAzurePrices({ endpoint: server.endpoint, regions: ['westus2'], maxRetryDelayMs: 10 });
    expect(prices).toHaveLength(2300);
    expect(server.requests.slice(before).map((r) => [r.status, r.skip])).toEqual([
      [429, 0],
      [200, 0],
      [200, 1000],
      [200, 2000],
    ]);
    expect(prices.find((p) => p.type === 'Standard_T2299s_v9')?.hourly).toBe('0.23');
  });

  it('stored prices win over the shipped ones (karpenter: eastus,Standard_D4s_v5,0.192000)', async () => {
    const shipped = await loadCatalog();
    expect(shipped.price('azure', 'Standard_E8s_v5', 'eastus')?.hourly).toBe('0.504');
    const prices = await fetchAzurePrices({ endpoint: server.endpoint, regions: ['eastus'] });
    await storeRefreshedPrices(getPool(), 'azure', prices, { regions: ['eastus'], startedAt: new Date() });
    const catalog = await loadCatalog(getPool());
    expect(catalog.price('azure', 'Standard_E8s_v5', 'eastus')).toEqual({
      currency: 'USD',
      hourly: '0.496',
      source: 'Azure Retail Prices API (effective 2026-11-01)',
    });
    const [row] = await sql<{ hourly: string }>(
      url,
      "SELECT hourly::text AS hourly FROM catalog_prices WHERE instance_type = 'Standard_B1ls'",
    );
    expect(row?.hourly).toBe('0.10000000000000000555');
  });

  it('throttling that outlasts the retries is a THROTTLED error naming the page', async () => {
    server.failNext(3, 429);
    const error = (await fetchAzurePrices({ endpoint: server.endpoint, regions: ['eastus'], maxRetries: 2, maxRetryDelayMs: 10 }).catch(
      (e: unknown) => e,
    )) as ConnectorError;
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error.code).toBe('THROTTLED');
    expect(error.message).toMatch(/^Azure Retail Prices API, page 1 of .*armRegionName eq 'eastus': HTTP 429 after 3 attempts/);
  });

  it('an unreachable endpoint is a NETWORK error', async () => {
    // A port that was just free: nothing listens there.
    const probe = http.createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const { port } = probe.address() as AddressInfo;
    probe.close();
    await once(probe, 'close');
    const endpoint = `http://127.0.0.1:${port}/api/retail/prices`;
    const error = (await fetchAzurePrices({ endpoint, maxRetries: 0 }).catch((e: unknown) => e)) as ConnectorError;
    expect(error.code).toBe('NETWORK');
    expect(error.message).toContain(`cannot reach 127.0.0.1:${port} (ECONNREFUSED) after 1 attempt`);
  });
});
