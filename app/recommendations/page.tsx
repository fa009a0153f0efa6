import Link from 'next/link';
import { Suspense } from 'react';
import { requirePage } from '@/lib/auth/session';
import { formatMoney } from '@/lib/format';
import {
  getFilterOptions,
  getRecommendationTotals,
  listRecommendations,
  parseRecommendationSearchParams,
  type RecommendationFilters,
  type RecommendationSearch,
  recommendationSearchString,
} from '@/lib/queries/recommendations';
import { KIND_LABELS } from '@/lib/recommendations/labels';
import type { RawSearchParams } from '@/lib/schema';
import { Notice } from '../ui/notice';
import { PanelErrorBoundary } from '../ui/panel-error';
import { CardsSkeleton, TableSkeleton } from '../ui/skeletons';
import { RecommendationFilterForm } from './_components/filters';
import { StatusBadge } from './_components/status-badge';

export const metadata = { title: 'Recommendations' };
// Every visit reads the recommendations as they are now.
export const dynamic = 'force-dynamic';

async function FiltersPanel({ filters }: { filters: RecommendationFilters }) {
  return <RecommendationFilterForm filters={filters} options={await getFilterOptions()} />;
}

/** Open and realized savings, one figure per currency: amounts in different currencies are never added. */
async function TotalsPanel({ filters }: { filters: RecommendationFilters }) {
  const { status: _status, ...rest } = filters;
  const totals = await getRecommendationTotals(rest);
  return (
    <div className="cards">
      <section className="card" data-testid="open-savings">
        <h2 className="card-title">Open savings, per month</h2>
        {totals.open.length ? (
          <ul className={`figure-list${totals.open.length > 1 ? ' multi' : ''}`}>
            {totals.open.map((t) => (
              <li key={t.currency} data-testid={`open-savings-${t.currency}`}>
                <div className="figure num">{formatMoney(t.amount, t.currency)}</div>
                <div className="figure-sub">
                  {t.count} open {t.count === 1 ? 'recommendation' : 'recommendations'}
                </div>
              </li>
            ))}
          </ul>
        ) : (
          <p className="figure-sub">No open recommendation with an estimate.</p>
        )}
      </section>
      <section className="card" data-testid="realized-savings">
        <h2 className="card-title">Realized savings, per month</h2>
        {totals.realized.length ? (
          <ul className={`figure-list${totals.realized.length > 1 ? ' multi' : ''}`}>
            {totals.realized.map((t) => (
              <li key={t.currency} data-testid={`realized-savings-${t.currency}`}>
                <div className="figure num">{formatMoney(t.amount, t.currency)}</div>
                <div className="figure-sub">
                  from {t.count} accepted {t.count === 1 ? 'recommendation' : 'recommendations'}: cost per day before and after, from later
                  bills, × 30
                </div>
              </li>
            ))}
          </ul>
        ) : (
          <p className="figure-sub">None yet: realized savings appear once bills after an acceptance arrive.</p>
        )}
      </section>
    </div>
  );
}

async function ListPanel({ filters }: { filters: RecommendationFilters }) {
  const { items, total } = await listRecommendations(filters);
  return (
    <section className="panel">
      <div className="panel-head">
        <h2>By monthly savings</h2>
        <span className="meta" data-testid="recommendation-count">
          {items.length < total
            ? `the ${items.length} largest of ${total}; the CSV export has all`
            : `${total} ${total === 1 ? 'recommendation' : 'recommendations'}`}
        </span>
      </div>
      {items.length ? (
        <div className="table-scroll">
          <table className="table" data-testid="recommendations-table">
            <thead>
              <tr>
                <th>Recommendation</th>
                <th>Resource</th>
                <th>Account · region</th>
                <th>Team</th>
                <th>Status</th>
                <th className="right">Savings / month</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.id} data-testid="recommendation-row" data-id={r.id} data-kind={r.kind} data-resource-id={r.resourceId}>
                  <td>
                    <div className="cell-main">
                      <Link href={`/recommendations/${r.id}`}>{r.action}</Link>
                    </div>
                    <div className="cell-sub">{KIND_LABELS[r.kind]}</div>
                  </td>
                  <td>
                    <div className="cell-main">{r.resourceId}</div>
                    <div className="cell-sub">
                      {r.provider}
                      {r.subResourceId ? ` · GPU ${r.subResourceId}` : ''}
                      {r.currentType ? ` · ${r.currentType}` : ''}
                      {r.proposedType ? ` → ${r.proposedType}` : ''}
                    </div>
                  </td>
                  <td>
                    <div>{r.accountId || '—'}</div>
                    <div className="cell-sub">{r.regionId || '—'}</div>
                  </td>
                  <td>{r.team ?? '—'}</td>
                  <td>
                    <StatusBadge status={r.status} snoozedUntil={r.snoozedUntil} />
                  </td>
                  <td className="right num nowrap" data-testid="recommendation-savings">
                    {r.monthlySavings ? (
                      formatMoney(r.monthlySavings.amount, r.monthlySavings.currency)
                    ) : (
                      <span className="cell-sub">not priced</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p className="cell-sub" data-testid="recommendations-empty">
          No recommendation matches these filters.
        </p>
      )}
    </section>
  );
}

export default async function RecommendationsPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  await requirePage('/recommendations');
  const search: RecommendationSearch = parseRecommendationSearchParams(await searchParams);
  const key = recommendationSearchString(search.filters);
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Recommendations</h1>
          <p className="sub">
            Idle and oversized resources, GPUs above all, with the evidence for each. Savings come from each resource&apos;s own bill over
            the last 30 days, per currency.
          </p>
        </div>
        <div className="toolbar">
          <a href={`/recommendations/export${key}`} className="btn" download data-testid="recommendations-export">
            Export CSV
          </a>
        </div>
      </div>
      {search.problems.length ? (
        <Notice tone="warn" testId="recommendation-problems">
          <p>Left out of the filters below:</p>
          <ul>
            {search.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </Notice>
      ) : null}
      <PanelErrorBoundary title="Filters">
        <Suspense fallback={null}>
          <FiltersPanel filters={search.filters} />
        </Suspense>
      </PanelErrorBoundary>
      <PanelErrorBoundary title="Savings">
        <Suspense key={`t${key}`} fallback={<CardsSkeleton />}>
          <TotalsPanel filters={search.filters} />
        </Suspense>
      </PanelErrorBoundary>
      <PanelErrorBoundary title="Recommendations">
        <Suspense key={`l${key}`} fallback={<TableSkeleton title="Recommendations" rows={8} />}>
          <ListPanel filters={search.filters} />
        </Suspense>
      </PanelErrorBoundary>
    </>
  );
}
