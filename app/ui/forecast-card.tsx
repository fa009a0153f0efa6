import { addMonths } from '@/lib/calendar';
import { formatDay, formatDayRange, formatMoney, formatMonthLong, formatPercentChange } from '@/lib/format';
import { getMonthForecast, RUN_RATE_DAYS } from '@/lib/queries/forecast';
import type { CostMetric } from '@/lib/schema';

/** End-of-month forecast for the current month, with its method spelled out. */
export async function ForecastCard({
  month,
  today,
  metric,
  currencies,
}: {
  month: string;
  today: string;
  metric: CostMetric;
  currencies: string[];
}) {
  const forecast = await getMonthForecast({ month, today, metric });
  const title = `Forecast · end of ${formatMonthLong(month).split(' ')[0]}`;
  if (!forecast || forecast.byCurrency.length === 0) {
    return (
      <section className="card" data-testid="forecast-card">
        <h2 className="card-title">{title}</h2>
        <p className="figure-sub">Not enough recent data to forecast: the run rate needs the last {RUN_RATE_DAYS} complete days.</p>
      </section>
    );
  }
  const rows = [...forecast.byCurrency].sort((a, b) => {
    const ia = currencies.indexOf(a.currency);
    const ib = currencies.indexOf(b.currency);
    return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib);
  });
  const previousMonth = formatMonthLong(addMonths(month, -1)).split(' ')[0];
  const method =
    `Forecast = spend through ${formatDay(forecast.lastCompleteDay)} + average daily spend of the last ${RUN_RATE_DAYS} complete days ` +
    `(${formatDayRange(forecast.runRateWindow)}) × ${forecast.remainingDays} remaining day${forecast.remainingDays === 1 ? '' : 's'}. ` +
    'Today is left out because its data is still partial. A straight-line run rate: one-off charges in the last 7 days ' +
    '(purchases, credits) move it.';
  return (
    <section className="card" aria-labelledby="card-forecast" data-testid="forecast-card">
      <h2 className="card-title" id="card-forecast">
        {title}
        <span className="help" title={method} role="img" aria-label="How the forecast is computed">
          ?
        </span>
      </h2>
      <ul className={`figure-list${rows.length > 1 ? ' multi' : ''}`}>
        {rows.map((r) => (
          <li key={r.currency}>
            <div className="figure num" data-testid={`forecast-${r.currency}`} data-amount={r.forecast}>
              {formatMoney(r.forecast, r.currency)}
            </div>
            <div className="figure-sub num">
              {formatMoney(r.dailyAverage, r.currency)}/day · {previousMonth}: {formatMoney(r.previousMonthTotal, r.currency)}
              {r.forecastVsPreviousPercent !== null ? ` (${formatPercentChange(r.forecastVsPreviousPercent)})` : ''}
            </div>
          </li>
        ))}
      </ul>
      <p className="caption" data-testid="forecast-method">
        Spend to {formatDay(forecast.lastCompleteDay)} + {RUN_RATE_DAYS}-day average × {forecast.remainingDays} days left
        {metric === 'amortized' ? ' (amortized)' : ' (billed)'}
      </p>
    </section>
  );
}
