import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clearCosts, everyDay, insertDaily } from '../../tests/helpers/cost-daily';
import { useTestDatabase } from '../../tests/helpers/db';
import { getMonthForecast } from './forecast';

let url: string;
beforeAll(async () => {
  url = await useTestDatabase();
});
beforeEach(async () => {
  await clearCosts(url);
});

describe('getMonthForecast: actual to date + 7-day average x remaining days', () => {
  it('projects a flat 10.00/day month to 300.00 and leaves today (partial) out', async () => {
    await insertDaily(
      url,
      everyDay('2026-10-01', '2026-11-23', () => ({ billed: '10.00' })),
    );
    await insertDaily(url, [{ day: '2026-11-24', billed: '3.00' }]); // today, partial
    const f = await getMonthForecast({ month: '2026-11', today: '2026-11-24', metric: 'billed' });
    expect(f).not.toBeNull();
    expect(f?.lastCompleteDay).toBe('2026-11-23');
    expect(f?.runRateWindow).toEqual({ from: '2026-11-17', to: '2026-11-23' });
    expect(f?.remainingDays).toBe(7);
    expect(f?.byCurrency).toEqual([
      {
        currency: 'USD',
        actualToDate: '230.00',
        runRateTotal: '70.00',
        dailyAverage: '10.0000',
        forecast: '300.0000',
        previousMonthTotal: '310.00',
        forecastVsPreviousPercent: '-3.2',
      },
    ]);
  });

  it('uses the recent run rate, not the month average, and keeps currencies apart', async () => {
    await insertDaily(
      url,
      everyDay('2026-11-01', '2026-11-13', () => ({ billed: '1.00' })),
    );
    await insertDaily(
      url,
      everyDay('2026-11-14', '2026-11-20', () => ({ billed: '3.00' })),
    );
    await insertDaily(
      url,
      everyDay('2026-11-14', '2026-11-20', () => ({ billed: '0.70', currency: 'EUR' })),
    );
    const f = await getMonthForecast({ month: '2026-11', today: '2026-11-21', metric: 'billed' });
    // USD: 13 x 1 + 7 x 3 = 34 to date; average 3/day; 10 days left -> 64
    // EUR: 4.90 to date; average 0.70/day -> 4.90 + 7.00
    expect(f?.remainingDays).toBe(10);
    expect(f?.byCurrency.map((c) => [c.currency, c.actualToDate, c.forecast, c.previousMonthTotal, c.forecastVsPreviousPercent])).toEqual([
      ['EUR', '4.90', '11.9000', '0', null],
      ['USD', '34.00', '64.0000', '0', null],
    ]);
  });

  it('stops at the last delivered day when the export lags', async () => {
    await insertDaily(
      url,
      everyDay('2026-11-01', '2026-11-20', () => ({ billed: '2' })),
    );
    const f = await getMonthForecast({ month: '2026-11', today: '2026-11-24', metric: 'billed' });
    expect(f?.lastCompleteDay).toBe('2026-11-20');
    expect(f?.remainingDays).toBe(10);
    expect(f?.byCurrency[0]?.forecast).toBe('60.0000');
  });

  it('on the 1st, projects the whole month from the last 7 days of the previous month', async () => {
    await insertDaily(
      url,
      everyDay('2026-10-01', '2026-10-31', () => ({ billed: '1.5' })),
    );
    const f = await getMonthForecast({ month: '2026-11', today: '2026-11-01', metric: 'billed' });
    expect(f?.lastCompleteDay).toBe('2026-10-31');
    expect(f?.runRateWindow).toEqual({ from: '2026-10-25', to: '2026-10-31' });
    expect(f?.remainingDays).toBe(30);
    expect(f?.byCurrency[0]).toMatchObject({ actualToDate: '0', forecast: '45.0000', previousMonthTotal: '46.5' });
  });

  it('uses effective cost for the amortized forecast', async () => {
    await insertDaily(
      url,
      everyDay('2026-11-01', '2026-11-23', () => ({ billed: '10', effective: '7' })),
    );
    const f = await getMonthForecast({ month: '2026-11', today: '2026-11-24', metric: 'amortized' });
    expect(f?.byCurrency[0]?.forecast).toBe('210.0000');
  });

  it('gives no forecast without recent data', async () => {
    expect(await getMonthForecast({ month: '2026-11', today: '2026-11-24', metric: 'billed' })).toBeNull();
    await insertDaily(url, [{ day: '2026-09-15', billed: '1' }]);
    expect(await getMonthForecast({ month: '2026-11', today: '2026-11-24', metric: 'billed' })).toBeNull();
  });
});
