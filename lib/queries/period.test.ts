import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clearCosts, everyDay, insertDaily } from '../../tests/helpers/cost-daily';
import { useTestDatabase } from '../../tests/helpers/db';
import { resolveOverviewPeriod } from './period';
import { getSpendSummary } from './spend-summary';

let url: string;
beforeAll(async () => {
  url = await useTestDatabase();
});
beforeEach(async () => {
  await clearCosts(url);
});

describe('resolveOverviewPeriod: month to date vs the same days of last month', () => {
  it('compares Nov 1–23 with Oct 1–23 when data runs through the 23rd', async () => {
    await insertDaily(
      url,
      everyDay('2026-10-01', '2026-11-23', () => ({ billed: '1.00' })),
    );
    const p = await resolveOverviewPeriod({ kind: 'month', month: '2026-11' }, '2026-11-24');
    expect(p.current).toEqual({ from: '2026-11-01', to: '2026-11-23' });
    expect(p.comparison).toEqual({ from: '2026-10-01', to: '2026-10-23' });
    expect(p.comparisonKind).toBe('same-days-previous-month');
    expect(p.isCurrentMonth).toBe(true);
    expect(p.latestDataDay).toBe('2026-11-23');
    expect(p.chartMonths).toHaveLength(13);
    expect(p.chartMonths[0]).toBe('2025-11');
    expect(p.chartMonths[12]).toBe('2026-11');
  });

  it('follows a lagging export: data through the 21st compares with days 1–21', async () => {
    await insertDaily(
      url,
      everyDay('2026-10-01', '2026-11-21', () => ({ billed: '1.00' })),
    );
    const p = await resolveOverviewPeriod({ kind: 'month', month: '2026-11' }, '2026-11-24');
    expect(p.current).toEqual({ from: '2026-11-01', to: '2026-11-21' });
    expect(p.comparison).toEqual({ from: '2026-10-01', to: '2026-10-21' });
  });

  it('compares the 31st with the last day of a 30-day month, never spilling into the next month', async () => {
    await insertDaily(
      url,
      everyDay('2026-09-01', '2026-10-31', () => ({ billed: '2.50' })),
    );
    // A row on Oct 1 must not leak into the comparison through a "Sep 31" that rolls over.
    const p = await resolveOverviewPeriod({ kind: 'month', month: '2026-10' }, '2026-10-31');
    expect(p.current).toEqual({ from: '2026-10-01', to: '2026-10-31' });
    expect(p.comparison).toEqual({ from: '2026-09-01', to: '2026-09-30' });
    const [usd] = await getSpendSummary({ current: p.current, comparison: p.comparison, metric: 'billed' });
    expect(usd).toMatchObject({ currency: 'USD', current: '77.50', previous: '75.00', delta: '2.50', deltaPercent: '3.3' });
  });

  it('compares March 30 with all of February (28 days), and 2028-03-29 with Feb 1–29 of the leap year', async () => {
    await insertDaily(
      url,
      everyDay('2026-02-01', '2026-03-30', () => ({ billed: '1' })),
    );
    const p = await resolveOverviewPeriod({ kind: 'month', month: '2026-03' }, '2026-03-31');
    expect(p.current).toEqual({ from: '2026-03-01', to: '2026-03-30' });
    expect(p.comparison).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    await insertDaily(
      url,
      everyDay('2028-02-01', '2028-03-29', () => ({ billed: '1' })),
    );
    const leap = await resolveOverviewPeriod({ kind: 'month', month: '2028-03' }, '2028-03-30');
    expect(leap.comparison).toEqual({ from: '2028-02-01', to: '2028-02-29' });
  });

  it('compares day 30 of a 31-day month with day 30 of the previous 31-day month, not its end', async () => {
    await insertDaily(
      url,
      everyDay('2026-07-01', '2026-08-30', () => ({ billed: '1' })),
    );
    const p = await resolveOverviewPeriod({ kind: 'month', month: '2026-08' }, '2026-08-31');
    expect(p.comparison).toEqual({ from: '2026-07-01', to: '2026-07-30' });
    const [usd] = await getSpendSummary({ current: p.current, comparison: p.comparison, metric: 'billed' });
    expect(usd).toMatchObject({ current: '30', previous: '30', delta: '0', deltaPercent: '0.0' });
  });

  it('on the 1st with no data yet for the month, shows the days so far and no latest day', async () => {
    await insertDaily(
      url,
      everyDay('2026-10-25', '2026-10-31', () => ({ billed: '1' })),
    );
    const p = await resolveOverviewPeriod({ kind: 'month', month: '2026-11' }, '2026-11-01');
    expect(p.latestDataDay).toBeNull();
    expect(p.current).toEqual({ from: '2026-11-01', to: '2026-11-01' });
    expect(p.comparison).toEqual({ from: '2026-10-01', to: '2026-10-01' });
  });

  it('spans January back into December of the previous year for a past month', async () => {
    await insertDaily(url, [{ day: '2026-01-31', billed: '5' }]);
    const p = await resolveOverviewPeriod({ kind: 'month', month: '2026-01' }, '2026-11-24');
    expect(p.current).toEqual({ from: '2026-01-01', to: '2026-01-31' });
    expect(p.comparison).toEqual({ from: '2025-12-01', to: '2025-12-31' });
    expect(p.comparisonKind).toBe('previous-month');
    expect(p.isCurrentMonth).toBe(false);
    expect(p.latestDataDay).toBe('2026-01-31');
  });

  it('marks a future month and compares a custom range with the equally long range before it', async () => {
    const future = await resolveOverviewPeriod({ kind: 'month', month: '2027-01' }, '2026-11-24');
    expect(future.isFuture).toBe(true);
    const r = await resolveOverviewPeriod({ kind: 'range', from: '2026-03-01', to: '2026-03-10' }, '2026-11-24');
    expect(r.comparison).toEqual({ from: '2026-02-19', to: '2026-02-28' });
    expect(r.comparisonKind).toBe('previous-period');
    expect(r.chartMonths[12]).toBe('2026-03');
  });
});
