import { can } from '@/lib/auth/permissions';
import { requirePage } from '@/lib/auth/session';
import { closedTeamDifference } from '@/lib/close/close';
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
  const closed = months.filter((m) => m.status === 'closed');
  const teams = await Promise.all(closed.map(async (m) => ({ month: m.month, diff: await closedTeamDifference(m.month) })));
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
            trail. Each close also keeps billed cost per team, under the team tag rule of the close (kept with it, so a later rule change is
            not mistaken for a restatement).
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
      {teams.map(({ month, diff }) => (
        <section key={month} className="panel" data-testid="close-teams" data-month={month}>
          <div className="panel-head">
            <h2>{formatMonthLong(month)} by team</h2>
            <span className="meta">
              {diff ? `team rule of the close: ${diff.rule.keys.join(', ')}${diff.rule.caseFold ? ', case-folded' : ''}` : ''}
            </span>
          </div>
          {!diff ? (
            <p className="sub">This close kept no team figures (it was closed before they were kept); close it again to keep them.</p>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th>Team</th>
                  <th>Currency</th>
                  <th className="num">Closed</th>
                  <th className="num">Now</th>
                  <th className="num">Difference</th>
                </tr>
              </thead>
              <tbody>
                {diff.rows.map((r) => (
                  <tr key={`${r.currency}|${r.team}`} data-testid="close-team-row" data-team={r.team} data-currency={r.currency}>
                    <td>{r.team === '' ? '(untagged)' : r.team}</td>
                    <td>{r.currency}</td>
                    <td className="num">{formatMoney(r.closedBilled, r.currency)}</td>
                    <td className="num">{formatMoney(r.currentBilled, r.currency)}</td>
                    <td className="num" data-amount={r.billedDifference}>
                      {formatMoney(r.billedDifference, r.currency, { sign: 'always' })}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      ))}
    </>
  );
}
