import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clearCosts, insertDaily } from '../../tests/helpers/cost-daily';
import { useTestDatabase } from '../../tests/helpers/db';
import { getTopRegions } from './top-regions';
import { getTopServices } from './top-services';

let url: string;
beforeAll(async () => {
  url = await useTestDatabase();
});
beforeEach(async () => {
  await clearCosts(url);
});

const range = { from: '2026-11-01', to: '2026-11-30' };

describe('getTopServices', () => {
  it('ranks services per currency with exact shares and an "other" remainder', async () => {
    await insertDaily(url, [
      { day: '2026-11-01', billed: '60.00', service: 'EC2', category: 'Compute' },
      { day: '2026-11-02', billed: '15.00', service: 'EC2', category: 'Compute' },
      { day: '2026-11-02', billed: '20.00', service: 'S3', category: 'Storage' },
      { day: '2026-11-03', billed: '3.00', service: 'Lambda', category: 'Compute' },
      { day: '2026-11-03', billed: '2.00', service: '', category: '', chargeCategory: 'Tax' },
      { day: '2026-11-03', billed: '9.00', service: 'Virtual Machines', provider: 'Microsoft', currency: 'EUR' },
      { day: '2026-10-31', billed: '1000', service: 'S3' },
    ]);
    const result = await getTopServices({ range, metric: 'billed', limit: 2 });
    expect(result).toEqual([
      {
        currency: 'EUR',
        total: '9.00',
        rows: [{ provider: 'Microsoft', serviceName: 'Virtual Machines', serviceCategory: 'Compute', amount: '9.00', share: '100.00' }],
        otherCount: 0,
        otherAmount: '0.00',
      },
      {
        currency: 'USD',
        total: '100.00',
        rows: [
          { provider: 'AWS', serviceName: 'EC2', serviceCategory: 'Compute', amount: '75.00', share: '75.00' },
          { provider: 'AWS', serviceName: 'S3', serviceCategory: 'Storage', amount: '20.00', share: '20.00' },
        ],
        otherCount: 2,
        otherAmount: '5.00',
      },
    ]);
  });

  it('keeps the same service of two providers apart and ranks amortized by effective cost', async () => {
    await insertDaily(url, [
      { day: '2026-11-01', billed: '10', effective: '1', service: 'Storage', provider: 'Microsoft' },
      { day: '2026-11-01', billed: '5', effective: '5', service: 'Storage', provider: 'Oracle' },
    ]);
    const [usd] = await getTopServices({ range, metric: 'amortized' });
    expect(usd.rows.map((r) => [r.provider, r.amount, r.share])).toEqual([
      ['Oracle', '5', '83.33'],
      ['Microsoft', '1', '16.67'],
    ]);
  });
});

describe('getTopRegions', () => {
  it('groups by region id across providers, keeps the export name and lists providers', async () => {
    await insertDaily(url, [
      { day: '2026-11-01', billed: '40', regionId: 'us-east-1', regionName: 'US East (N. Virginia)' },
      { day: '2026-11-01', billed: '10', regionId: 'global', provider: 'AWS' },
      { day: '2026-11-01', billed: '5', regionId: 'global', provider: 'Google Cloud' },
      { day: '2026-11-01', billed: '45', regionId: '', chargeCategory: 'Purchase', service: 'Savings Plans' },
      { day: '2026-11-02', billed: '7.5', regionId: 'westeurope', provider: 'Microsoft', currency: 'EUR' },
    ]);
    const [eur, usd] = await getTopRegions({ range, metric: 'billed' });
    expect(eur.rows).toEqual([{ regionId: 'westeurope', regionName: '', providers: ['Microsoft'], amount: '7.5', share: '100.00' }]);
    expect(usd.total).toBe('100');
    expect(usd.rows).toEqual([
      { regionId: '', regionName: '', providers: ['AWS'], amount: '45', share: '45.00' },
      { regionId: 'us-east-1', regionName: 'US East (N. Virginia)', providers: ['AWS'], amount: '40', share: '40.00' },
      { regionId: 'global', regionName: '', providers: ['AWS', 'Google Cloud'], amount: '15', share: '15.00' },
    ]);
    expect(usd.otherCount).toBe(0);
  });
});
