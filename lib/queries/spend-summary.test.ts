import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clearCosts, insertDaily } from '../../tests/helpers/cost-daily';
import { useTestDatabase } from '../../tests/helpers/db';
import { getSpendSummary } from './spend-summary';

let url: string;
beforeAll(async () => {
  url = await useTestDatabase();
});
beforeEach(async () => {
  await clearCosts(url);
});

const current = { from: '2026-11-01', to: '2026-11-23' };
const comparison = { from: '2026-10-01', to: '2026-10-23' };

describe('getSpendSummary', () => {
  it('keeps currencies apart: USD and EUR are two figures, never one sum', async () => {
    await insertDaily(url, [
      { day: '2026-11-02', billed: '100.10', currency: 'USD' },
      { day: '2026-11-03', billed: '0.20', currency: 'USD' },
      { day: '2026-11-02', billed: '78.90', currency: 'EUR', provider: 'Microsoft', lineItems: 3 },
      { day: '2026-10-02', billed: '50.00', currency: 'USD' },
    ]);
    const rows = await getSpendSummary({ current, comparison, metric: 'billed' });
    expect(rows).toEqual([
      { currency: 'EUR', current: '78.90', previous: '0', delta: '78.90', deltaPercent: null, lineItems: '3', effectiveCostMissing: '0' },
      {
        currency: 'USD',
        current: '100.30',
        previous: '50.00',
        delta: '50.30',
        deltaPercent: '100.6',
        lineItems: '2',
        effectiveCostMissing: '0',
      },
    ]);
  });

  it('sums exactly: 0.1 + 0.2 is 0.3, and amounts past 2^53 cents keep their last cent', async () => {
    await insertDaily(url, [
      { day: '2026-11-01', billed: '0.1' },
      { day: '2026-11-01', billed: '0.2' },
      { day: '2026-10-01', billed: '90071992547409.93' },
      { day: '2026-10-02', billed: '0.01' },
    ]);
    const [usd] = await getSpendSummary({ current, comparison, metric: 'billed' });
    expect(usd.current).toBe('0.3');
    expect(usd.previous).toBe('90071992547409.94');
    expect(usd.delta).toBe('-90071992547409.64');
    expect(usd.deltaPercent).toBe('-100.0');
  });

  it('uses effective cost for amortized and billed cost for billed, and counts line items without effective cost', async () => {
    await insertDaily(url, [
      { day: '2026-11-01', billed: '2500.00', effective: '0', chargeCategory: 'Purchase', service: 'Savings Plans' },
      { day: '2026-11-05', billed: '10.00', effective: '8.20' },
      { day: '2026-11-06', billed: '4.00', effective: null, lineItems: 4, currency: 'EUR' },
      { day: '2026-11-06', billed: '6.00', effective: '5.00', currency: 'EUR', lineItems: 2 },
    ]);
    const amortized = await getSpendSummary({ current, comparison, metric: 'amortized' });
    const billed = await getSpendSummary({ current, comparison, metric: 'billed' });
    const pick = (rows: typeof amortized, c: string) => rows.find((r) => r.currency === c);
    expect(pick(amortized, 'USD')?.current).toBe('8.20');
    expect(pick(billed, 'USD')?.current).toBe('2510.00');
    expect(pick(amortized, 'EUR')).toMatchObject({ current: '5.00', effectiveCostMissing: '4', lineItems: '6' });
    expect(pick(billed, 'EUR')).toMatchObject({ current: '10.00', effectiveCostMissing: '4' });
  });

  it('reports a decrease as a negative delta and percentage, and ignores rows outside both windows', async () => {
    await insertDaily(url, [
      { day: '2026-11-23', billed: '30' },
      { day: '2026-11-24', billed: '999' },
      { day: '2026-10-23', billed: '40' },
      { day: '2026-10-24', billed: '999' },
      { day: '2026-09-30', billed: '999' },
    ]);
    const [usd] = await getSpendSummary({ current, comparison, metric: 'billed' });
    expect(usd).toMatchObject({ current: '30', previous: '40', delta: '-10', deltaPercent: '-25.0' });
  });
});
