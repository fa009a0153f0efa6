import { monthOf } from '@/lib/calendar';
import { formatMoney, formatMonthLong, formatMonthShort } from '@/lib/format';
import { getMonthlySpendByProvider } from '@/lib/queries/monthly-by-provider';
import type { CostMetric } from '@/lib/schema';
import { MonthlyProviderChart } from './monthly-chart';
import { providerColor } from './provider-colors';

/** Last 13 months by provider (stacked), for the selected currency, plus the same numbers as a table. */
export async function TrendPanel({
  months,
  metric,
  currency,
  highlightMonth,
  today,
}: {
  months: string[];
  metric: CostMetric;
  currency: string;
  highlightMonth: string | null;
  today: string;
}) {
  const all = await getMonthlySpendByProvider({ months, metric });
  const series = all.find((s) => s.currency === currency);
  const span = `${formatMonthLong(months[0])} – ${formatMonthLong(months[months.length - 1])}`;
  return (
    <section className="panel" aria-labelledby="trend-title" data-testid="trend-panel">
      <div className="panel-head">
        <h2 id="trend-title">Last 13 months by provider · {currency}</h2>
        <span className="meta">
          {span} · {metric === 'amortized' ? 'amortized' : 'billed'} cost, UTC months
        </span>
      </div>
      {!series ? (
        <p className="figure-sub">No {currency} spend in these 13 months.</p>
      ) : (
        <>
          <MonthlyProviderChart
            currency={currency}
            highlightMonth={highlightMonth}
            partialMonth={monthOf(today)}
            providers={series.providers.map((name, i) => ({ name, color: providerColor(name, i) }))}
            points={series.points.map((p) => ({ ...p, label: formatMonthShort(p.month) }))}
          />
          <details>
            <summary className="figure-sub">Show as table</summary>
            <div className="table-scroll">
              <table className="table" data-testid="trend-table">
                <thead>
                  <tr>
                    <th>Month</th>
                    {series.providers.map((p) => (
                      <th key={p} className="right">
                        {p}
                      </th>
                    ))}
                    <th className="right">Total</th>
                  </tr>
                </thead>
                <tbody>
                  {series.points.map((pt) => (
                    <tr key={pt.month}>
                      <td>
                        {formatMonthLong(pt.month)}
                        {pt.month === monthOf(today) ? ' (to date)' : ''}
                      </td>
                      {series.providers.map((p) => (
                        <td key={p} className="right num">
                          {formatMoney(pt.byProvider[p] ?? '0', currency)}
                        </td>
                      ))}
                      <td className="right num" data-testid={`trend-total-${pt.month}`} data-amount={pt.total}>
                        {formatMoney(pt.total, currency)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </section>
  );
}
