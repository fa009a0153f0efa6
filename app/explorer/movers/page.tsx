import Link from 'next/link';
import { can } from '@/lib/auth/permissions';
import { requirePage } from '@/lib/auth/session';
import { addMonths, monthEnd, monthOf, utcToday } from '@/lib/calendar';
import { getPool } from '@/lib/db/pool';
import { multiplyDecimals } from '@/lib/decimal';
import { type Dimension, DimensionSchema, dimensionLabel } from '@/lib/explorer/dimensions';
import { topMovers } from '@/lib/explorer/movers';
import { explorerHref } from '@/lib/explorer/url';
import { formatMoney, formatMonthLong, formatPercentChange } from '@/lib/format';
import { MonthSchema, type RawSearchParams } from '@/lib/schema';
import { Notice } from '../../ui/notice';

export const metadata = { title: 'Month over month' };
export const dynamic = 'force-dynamic';

const DIMENSIONS: Dimension[] = ['service', 'region', 'sub_account', 'team', 'resource'];
const DRILL: Record<string, Dimension> = {
  service: 'resource',
  region: 'service',
  sub_account: 'service',
  team: 'service',
  resource: 'sku',
};

/** Top movers between a month and the one before, per dimension, each linked to the explorer view that explains it. */
export default async function MoversPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  const user = await requirePage('/explorer/movers');
  const raw = await searchParams;
  const problems: string[] = [];
  const lastComplete = addMonths(monthOf(utcToday()), -1);
  let month = lastComplete;
  if (typeof raw.month === 'string') {
    const m = MonthSchema.safeParse(raw.month);
    if (m.success) month = m.data;
    else problems.push(`Month ${JSON.stringify(raw.month)}: ${m.error.issues[0]?.message}`);
  }
  let dimension: Dimension = 'service';
  if (typeof raw.by === 'string') {
    const d = DimensionSchema.safeParse(raw.by);
    if (d.success) dimension = d.data;
    else problems.push(`Dimension: ${d.error.issues[0]?.message}`);
  }
  const result = await topMovers(getPool(), { month, dimension, metric: 'effective', limit: 15 });
  const range = { from: `${result.previous}-01`, to: monthEnd(month) };
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Month over month</h1>
          <p className="sub" data-testid="movers-heading">
            Effective cost · {formatMonthLong(month)} against {formatMonthLong(result.previous)} · by {dimensionLabel(dimension)}
          </p>
        </div>
        <nav className="toolbar" aria-label="Month">
          {user && can(user.role, 'route', 'GET /explorer/report') ? (
            <a className="btn" href={`/explorer/report?month=${month}`} download data-testid="report-pdf">
              Monthly report (PDF)
            </a>
          ) : null}
          <Link className="btn" href={`/explorer/movers?month=${addMonths(month, -1)}&by=${encodeURIComponent(dimension)}`}>
            ‹ {formatMonthLong(addMonths(month, -1))}
          </Link>
          {month < lastComplete ? (
            <Link className="btn" href={`/explorer/movers?month=${addMonths(month, 1)}&by=${encodeURIComponent(dimension)}`}>
              {formatMonthLong(addMonths(month, 1))} ›
            </Link>
          ) : null}
        </nav>
      </div>
      {problems.length ? (
        <Notice tone="error" testId="param-problems">
          <ul>
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </Notice>
      ) : null}
      <nav className="segmented" aria-label="Dimension">
        {DIMENSIONS.map((d) => (
          <Link
            key={d}
            href={`/explorer/movers?month=${month}&by=${encodeURIComponent(d)}`}
            aria-current={d === dimension ? 'true' : undefined}
          >
            {dimensionLabel(d)}
          </Link>
        ))}
      </nav>
      <section className="panel" aria-labelledby="movers-title">
        <div className="panel-head">
          <h2 id="movers-title">Largest changes</h2>
          <span className="meta">answered from {result.answeredFrom}</span>
        </div>
        {result.movers.length ? (
          <table className="table" data-testid="movers-table">
            <thead>
              <tr>
                <th scope="col">{dimensionLabel(dimension)}</th>
                <th scope="col" className="right">
                  {formatMonthLong(result.previous)}
                </th>
                <th scope="col" className="right">
                  {formatMonthLong(month)}
                </th>
                <th scope="col" className="right">
                  Change
                </th>
                <th scope="col" className="right">
                  %
                </th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {result.movers.map((m) => (
                <tr key={`${m.key}|${m.unit}`} data-testid="mover-row" data-key={m.key} data-change={m.change} data-unit={m.unit}>
                  <td>{m.label}</td>
                  <td className="right num">{formatMoney(m.previous, m.unit)}</td>
                  <td className="right num">{formatMoney(m.current, m.unit)}</td>
                  <td className="right num">{formatMoney(m.change, m.unit, { sign: 'always' })}</td>
                  <td className="right num">{m.relative === null ? 'new' : formatPercentChange(multiplyDecimals(m.relative, '100'))}</td>
                  <td>
                    <Link
                      href={explorerHref({
                        range,
                        granularity: 'day',
                        groupBy: DRILL[dimension] ?? 'service',
                        metric: 'effective',
                        filters: [{ dimension, exclude: false, values: [m.key] }],
                      })}
                      data-testid="mover-explain"
                    >
                      Explain
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="figure-sub">No spend in these two months.</p>
        )}
      </section>
    </>
  );
}
