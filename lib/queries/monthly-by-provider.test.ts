import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clearCosts, insertDaily } from '../../tests/helpers/cost-daily';
import { useTestDatabase } from '../../tests/helpers/db';
import { getMonthlySpendByProvider } from './monthly-by-provider';
import { chartMonthsEndingWith } from './period';

let url: string;
beforeAll(async () => {
  url = await useTestDatabase();
});
beforeEach(async () => {
  await clearCosts(url);
});

describe('getMonthlySpendByProvider', () => {
  it('returns 13 months per currency, zero-filled, providers largest first, never mixing currencies', async () => {
    await insertDaily(url, [
      { day: '2025-11-01', billed: '1.00', provider: 'AWS' },
      { day: '2025-10-31', billed: '500', provider: 'AWS' }, // before the 13 months
      { day: '2026-11-30', billed: '2.00', provider: 'AWS' },
      { day: '2026-11-15', billed: '5.25', provider: 'Google Cloud' },
      { day: '2026-11-15', billed: '0.75', provider: 'Google Cloud' },
      { day: '2026-10-10', billed: '9.99', provider: 'Microsoft', currency: 'EUR' },
      { day: '2026-12-01', billed: '700', provider: 'AWS' }, // after
    ]);
    const months = chartMonthsEndingWith('2026-11');
    const series = await getMonthlySpendByProvider({ months, metric: 'billed' });
    expect(series.map((s) => s.currency)).toEqual(['EUR', 'USD']);
    const usd = series[1];
    expect(usd.providers).toEqual(['Google Cloud', 'AWS']);
    expect(usd.points).toHaveLength(13);
    expect(usd.points[0]).toEqual({ month: '2025-11', byProvider: { 'Google Cloud': '0', AWS: '1.00' }, total: '1.00' });
    expect(usd.points[1]).toEqual({ month: '2025-12', byProvider: { 'Google Cloud': '0', AWS: '0' }, total: '0' });
    expect(usd.points[12]).toEqual({ month: '2026-11', byProvider: { 'Google Cloud': '6.00', AWS: '2.00' }, total: '8.00' });
    const eur = series[0];
    expect(eur.providers).toEqual(['Microsoft']);
    expect(eur.points[11]).toEqual({ month: '2026-10', byProvider: { Microsoft: '9.99' }, total: '9.99' });
  });

  it('switches between effective and billed cost', async () => {
    await insertDaily(url, [
      { day: '2026-11-01', billed: '2500', effective: '0' },
      { day: '2026-11-02', billed: '10', effective: '8' },
    ]);
    const months = chartMonthsEndingWith('2026-11');
    const [amortized] = await getMonthlySpendByProvider({ months, metric: 'amortized' });
    const [billed] = await getMonthlySpendByProvider({ months, metric: 'billed' });
    expect(amortized.points[12].total).toBe('8');
    expect(billed.points[12].total).toBe('2510');
  });
});
