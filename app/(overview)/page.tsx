import { Suspense } from 'react';
import { requirePage } from '@/lib/auth/session';
import { monthOf, utcToday } from '@/lib/calendar';
import { formatDayRange, formatMonthLong } from '@/lib/format';
import { parseOverviewSearchParams } from '@/lib/schema';
import { IngestBannerPanel } from '../ui/ingest-banner-panel';
import { Notice } from '../ui/notice';
import { OverviewBody } from '../ui/overview-body';
import { PanelErrorBoundary } from '../ui/panel-error';
import { PeriodToolbar } from '../ui/period-toolbar';
import { OverviewSkeleton } from '../ui/skeletons';

export const metadata = { title: 'Overview' };

export default async function OverviewPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePage('/');
  const today = utcToday();
  const params = parseOverviewSearchParams(await searchParams, today);
  const sel = params.selection;
  const heading =
    sel.kind === 'range'
      ? formatDayRange(sel)
      : sel.month === monthOf(today)
        ? `${formatMonthLong(sel.month)} · month to date`
        : formatMonthLong(sel.month);
  const state = { selection: sel, metric: params.metric, currency: params.currency };
  // The body's key makes a new selection show skeletons instead of the previous period's figures.
  const bodyKey = JSON.stringify(state);
  return (
    <>
      <Suspense fallback={null}>
        <IngestBannerPanel />
      </Suspense>
      <div className="page-head">
        <div>
          <h1>Overview</h1>
          <p className="sub" data-testid="period-heading">
            {heading} · {params.metric === 'amortized' ? 'amortized cost' : 'billed cost'}
          </p>
        </div>
        <PeriodToolbar state={state} today={today} />
      </div>
      {params.problems.length > 0 ? (
        <Notice tone="error" testId="param-problems">
          <p>Some of the link's settings could not be used:</p>
          <ul>
            {params.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </Notice>
      ) : null}
      <PanelErrorBoundary title="Overview">
        <Suspense key={bodyKey} fallback={<OverviewSkeleton />}>
          <OverviewBody params={params} today={today} />
        </Suspense>
      </PanelErrorBoundary>
    </>
  );
}
