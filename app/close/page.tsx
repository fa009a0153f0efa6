import { can } from '@/lib/auth/permissions';
import { requirePage } from '@/lib/auth/session';
import { listMonthCloses } from '@/lib/close/status';
import { formatDateTimeUtc, formatMoney, formatMonthLong } from '@/lib/format';
import { CloseMonthForm, ReopenMonthForm } from './close-forms';

export const metadata = { title: 'Month close' };
export const dynamic = 'force-dynamic';

/** The last 12 billing months: closed or not, billed at the close and now per currency, the restatement; finance closes and reopens. */
export default async function MonthClosePage() {
  const actor = await requirePage('/close');
  if (!actor) return null;
  const months = await listMonthCloses();
  const mayClose = can(actor.role, 'action', 'closeMonth');
  const mayReopen = can(actor.role, 'action', 'reopenMonth');
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Month close</h1>
          <p className="sub">
            A month is a billing period. Closing it keeps its billed figures as they are; a later ingest that restates the month changes the
            current data only, and the difference (now − closed) is shown per currency. Reopening needs a reason; both are in the audit
            trail. Team figures are not kept at the close yet.
          </p>
        </div>
      </div>
      <section className="panel" data-testid="close-months">
        <div className="panel-head">
          <h2>Last 12 months</h2>
          <span className="meta">billed cost, per billing currency</span>
        </div>
        <table className="table">
          <thead>
            <tr>
              <th>Month</th>
              <th>Status</th>
              <th>Currency</th>
              <th className="num">Closed</th>
              <th className="num">Now</th>
              <th className="num">Restatement</th>
              {mayClose || mayReopen ? <th>Action</th> : null}
            </tr>
          </thead>
          <tbody>
            {months.map((m) => {
              const lines = m.totals.length > 0 ? m.totals : [null];
              return lines.map((t, i) => (
                <tr key={`${m.month}-${t?.currency ?? ''}`} data-testid="close-row" data-month={m.month} data-currency={t?.currency ?? ''}>
                  {i === 0 ? (
                    <>
                      <td className="cell-main" rowSpan={lines.length}>
                        {formatMonthLong(m.month)}
                      </td>
                      <td rowSpan={lines.length} data-testid="close-status" data-status={m.status}>
                        {m.status}
                        {m.closedAt && m.status === 'closed' ? (
                          <div className="cell-sub">
                            by {m.closedBy}, {formatDateTimeUtc(m.closedAt)}
                          </div>
                        ) : null}
                        {m.status === 'reopened' && m.reopenedAt ? (
                          <div className="cell-sub">
                            by {m.reopenedBy}, {formatDateTimeUtc(m.reopenedAt)}: {m.reason}
                          </div>
                        ) : null}
                      </td>
                    </>
                  ) : null}
                  <td>{t?.currency ?? '—'}</td>
                  <td className="num" data-testid="close-closed">
                    {t?.closedBilled != null ? formatMoney(t.closedBilled, t.currency) : '—'}
                  </td>
                  <td className="num" data-testid="close-current">
                    {t ? formatMoney(t.currentBilled, t.currency) : 'no data'}
                  </td>
                  <td className="num" data-testid="close-difference" data-amount={t?.billedDifference ?? ''}>
                    {t?.billedDifference != null ? formatMoney(t.billedDifference, t.currency, { sign: 'always' }) : '—'}
                  </td>
                  {(mayClose || mayReopen) && i === 0 ? (
                    <td rowSpan={lines.length}>
                      {m.status === 'closed' ? (
                        mayReopen ? (
                          <ReopenMonthForm month={m.month} />
                        ) : null
                      ) : mayClose ? (
                        <CloseMonthForm month={m.month} />
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              ));
            })}
          </tbody>
        </table>
      </section>
    </>
  );
}
