import Link from 'next/link';
import { Suspense } from 'react';
import { monthEnd, monthOf, monthStart } from '@/lib/calendar';
import { formatDay, formatDayRange, formatMonthLong } from '@/lib/format';
import { getCurrencies } from '@/lib/queries/currencies';
import { getDataStatus } from '@/lib/queries/data-status';
import { type OverviewPeriod, resolveOverviewPeriod } from '@/lib/queries/period';
import type { OverviewParams } from '@/lib/schema';
import { EmptyState } from './empty-state';
import { ForecastCard } from './forecast-card';
import { Notice } from './notice';
import { type OverviewUrlState, overviewHref } from './overview-url';
import { PanelErrorBoundary } from './panel-error';
import { RecommendationsCard } from './recommendations-card';
import { CardSkeleton, CardsSkeleton, ChartSkeleton, TableSkeleton } from './skeletons';
import { SpendCards } from './spend-cards';
import { TopRegionsPanel } from './top-regions-panel';
import { TopServicesPanel } from './top-services-panel';
import { TrendPanel } from './trend-panel';

function periodSentence(p: OverviewPeriod): string {
  if (p.selection.kind === 'range') {
    return `${formatDayRange(p.current)} compared with the ${p.current.from === p.current.to ? 'day' : 'same number of days'} before (${formatDayRange(p.comparison)}).`;
  }
  if (p.isCurrentMonth) {
    const through = p.latestDataDay ? `data through ${formatDay(p.latestDataDay)}` : 'no data yet this month';
    return `Month to date (${through}, UTC days) compared with the same days of ${formatMonthLong(monthOf(p.comparison.from))} (${formatDayRange(p.comparison)}).`;
  }
  return `${formatMonthLong(p.selection.month)} compared with ${formatMonthLong(monthOf(p.comparison.from))}.`;
}

/**
 * Everything below the toolbar. Resolves the period and the currencies once, then streams each
 * panel in its own Suspense boundary (and error boundary).
 */
export async function OverviewBody({ params, today }: { params: OverviewParams; today: string }) {
  const [status, period] = await Promise.all([getDataStatus(), resolveOverviewPeriod(params.selection, today)]);
  if (!status.hasData) return <EmptyState />;

  const chartRange = { from: monthStart(period.chartMonths[0]), to: monthEnd(period.chartMonths[period.chartMonths.length - 1]) };
  const currencies = (await getCurrencies({ window: period.current, chart: chartRange })).map((c) => c.currency);
  const requested = params.currency;
  const currency = requested && currencies.includes(requested) ? requested : (currencies[0] ?? null);
  const state: OverviewUrlState = { selection: params.selection, metric: params.metric, currency: requested };
  const highlightMonth = period.selection.kind === 'month' ? period.selection.month : null;
  const { metric } = params;

  return (
    <>
      <p className="figure-sub" data-testid="period-sentence">
        {periodSentence(period)}
      </p>
      {requested && currency !== requested ? (
        <Notice tone="warn">
          <p>
            There is no {requested} spend in this view; showing {currency ?? 'nothing'} instead.
          </p>
        </Notice>
      ) : null}
      {period.isFuture ? (
        <Notice testId="no-data-note">
          <p>This period has not started yet.</p>
        </Notice>
      ) : period.latestDataDay === null && status.lastDay ? (
        <Notice testId="no-data-note">
          <p>
            No costs recorded for{' '}
            {period.selection.kind === 'month' ? formatMonthLong(period.selection.month) : formatDayRange(period.current)}
            {period.isCurrentMonth ? ' yet (billing exports usually arrive a day or two late)' : ''}. The latest data is from{' '}
            <Link
              href={overviewHref(state, { selection: { kind: 'month', month: monthOf(status.lastDay) } })}
              data-testid="latest-data-link"
            >
              {formatDay(status.lastDay)}
            </Link>
            .
          </p>
        </Notice>
      ) : null}

      <div className="cards">
        <PanelErrorBoundary title="Spend">
          <Suspense fallback={<CardsSkeleton />}>
            <SpendCards period={period} metric={metric} currencies={currencies} />
          </Suspense>
        </PanelErrorBoundary>
        {period.isCurrentMonth && period.selection.kind === 'month' ? (
          <PanelErrorBoundary title="Forecast">
            <Suspense fallback={<CardSkeleton title="Forecast" />}>
              <ForecastCard month={period.selection.month} today={today} metric={metric} currencies={currencies} />
            </Suspense>
          </PanelErrorBoundary>
        ) : null}
        <PanelErrorBoundary title="Recommendations">
          <Suspense fallback={<CardSkeleton title="Open savings" />}>
            <RecommendationsCard />
          </Suspense>
        </PanelErrorBoundary>
      </div>

      {currencies.length > 1 ? (
        <div className="currency-bar" data-testid="currency-bar">
          <span>Currency</span>
          <nav className="segmented" aria-label="Currency">
            {currencies.map((c) => (
              <Link
                key={c}
                href={overviewHref(state, { currency: c })}
                aria-current={c === currency ? 'true' : undefined}
                data-testid={`currency-${c}`}
              >
                {c}
              </Link>
            ))}
          </nav>
          <span>
            Costs are billed in {currencies.length} currencies. Each is shown on its own: amounts are never converted or added together.
          </span>
        </div>
      ) : null}

      {currency ? (
        <>
          <PanelErrorBoundary title="Last 13 months by provider">
            <Suspense fallback={<ChartSkeleton title="Last 13 months by provider" />}>
              <TrendPanel months={period.chartMonths} metric={metric} currency={currency} highlightMonth={highlightMonth} today={today} />
            </Suspense>
          </PanelErrorBoundary>
          <div className="grid-2">
            <PanelErrorBoundary title="Top services">
              <Suspense fallback={<TableSkeleton title="Top services" />}>
                <TopServicesPanel range={period.current} metric={metric} currency={currency} />
              </Suspense>
            </PanelErrorBoundary>
            <PanelErrorBoundary title="Top regions">
              <Suspense fallback={<TableSkeleton title="Top regions" />}>
                <TopRegionsPanel range={period.current} metric={metric} currency={currency} />
              </Suspense>
            </PanelErrorBoundary>
          </div>
        </>
      ) : null}
    </>
  );
}
