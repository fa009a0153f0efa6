import { addMonths, dayOfMonth, daysInMonth, monthOf } from '@/lib/calendar';
import { formatCount, formatDay, formatDayRange, formatMoney, formatMonthLong } from '@/lib/format';
import type { OverviewPeriod } from '@/lib/queries/period';
import { getSpendSummary } from '@/lib/queries/spend-summary';
import type { CostMetric } from '@/lib/schema';
import { Delta } from './delta';

function sameDaysCaption(period: OverviewPeriod): string {
  const n = dayOfMonth(period.current.to);
  const previous = monthOf(period.comparison.from);
  const name = formatMonthLong(previous).split(' ')[0];
  if (n > daysInMonth(previous)) return `All of ${name}: it has no day ${n}.`;
  return `The first ${n} day${n === 1 ? '' : 's'} of ${name}, matching this month's data${period.latestDataDay ? ` through ${formatDay(period.latestDataDay)}` : ''}.`;
}

function titles(period: OverviewPeriod): { current: string; comparison: string } {
  if (period.selection.kind === 'range') return { current: 'Spend in range', comparison: 'Previous period' };
  if (period.isCurrentMonth) return { current: 'Month-to-date spend', comparison: 'Same days last month' };
  const month = period.selection.month;
  return { current: `${formatMonthLong(month)} spend`, comparison: `${formatMonthLong(addMonths(month, -1))}` };
}

/** Headline spend for the window and its comparison window, one figure per currency. */
export async function SpendCards({ period, metric, currencies }: { period: OverviewPeriod; metric: CostMetric; currencies: string[] }) {
  const summary = await getSpendSummary({ current: period.current, comparison: period.comparison, metric });
  const order = (c: string) => {
    const i = currencies.indexOf(c);
    return i === -1 ? Number.MAX_SAFE_INTEGER : i;
  };
  // A copy: the summary is a cached answer shared with other requests (lib/cache).
  const rows = [...summary].sort((a, b) => order(a.currency) - order(b.currency));
  const t = titles(period);
  const multi = rows.length > 1;
  const missing = rows.reduce((n, r) => n + BigInt(r.effectiveCostMissing), 0n);
  const lineItems = rows.reduce((n, r) => n + BigInt(r.lineItems), 0n);
  const comparisonWords =
    period.comparisonKind === 'same-days-previous-month'
      ? 'the same days of last month'
      : period.comparisonKind === 'previous-month'
        ? 'the previous month'
        : 'the previous period of equal length';

  return (
    <>
      <section
        className="card"
        aria-labelledby="card-current"
        data-testid="spend-card"
        data-from={period.current.from}
        data-to={period.current.to}
      >
        <h2 className="card-title" id="card-current">
          {t.current}
          <span className="card-range">{formatDayRange(period.current)}</span>
        </h2>
        {rows.length === 0 ? (
          <p className="figure num" data-testid="mtd-total-none">
            No spend
          </p>
        ) : (
          <ul className={`figure-list${multi ? ' multi' : ''}`}>
            {rows.map((r) => (
              <li key={r.currency}>
                <div className="figure num" data-testid={`mtd-total-${r.currency}`} data-amount={r.current} data-currency={r.currency}>
                  {formatMoney(r.current, r.currency)}
                </div>
                <div className="figure-sub">
                  {period.latestDataDay === null ? (
                    // No data in the window at all: a "-100%" would be an alarm about a late export, not spend.
                    'No data yet for this period'
                  ) : (
                    <>
                      <Delta amount={r.delta} percent={r.deltaPercent} currency={r.currency} testId={`mtd-delta-${r.currency}`} /> vs{' '}
                      {formatMoney(r.previous, r.currency)}
                    </>
                  )}
                </div>
              </li>
            ))}
          </ul>
        )}
        <p className="caption">
          {formatCount(lineItems.toString())} line items · {metric === 'amortized' ? 'amortized (effective) cost' : 'billed cost'} ·
          compared with {comparisonWords}
        </p>
      </section>
      <section
        className="card"
        aria-labelledby="card-comparison"
        data-testid="comparison-card"
        data-from={period.comparison.from}
        data-to={period.comparison.to}
      >
        <h2 className="card-title" id="card-comparison">
          {t.comparison}
          <span className="card-range">{formatDayRange(period.comparison)}</span>
        </h2>
        {rows.length === 0 ? (
          <p className="figure num">No spend</p>
        ) : (
          <ul className={`figure-list${multi ? ' multi' : ''}`}>
            {rows.map((r) => (
              <li key={r.currency}>
                <div className="figure num" data-testid={`comparison-total-${r.currency}`} data-amount={r.previous}>
                  {formatMoney(r.previous, r.currency)}
                </div>
              </li>
            ))}
          </ul>
        )}
        <p className="caption">
          {period.comparisonKind === 'same-days-previous-month'
            ? sameDaysCaption(period)
            : period.comparisonKind === 'previous-month'
              ? 'The whole previous calendar month'
              : 'The same number of days right before the range'}
        </p>
      </section>
      {metric === 'amortized' && missing > 0n ? (
        <div className="notice warn cards-note" data-testid="effective-missing-note" data-count={missing.toString()}>
          <p>
            {formatCount(missing.toString())} line item{missing === 1n ? '' : 's'} in {formatDayRange(period.current)} had no amortized
            (effective) cost in the export and {missing === 1n ? 'is' : 'are'} left out of the amortized figures on this page. Switch to
            billed cost to include {missing === 1n ? 'it' : 'them'}.
          </p>
        </div>
      ) : null}
    </>
  );
}
