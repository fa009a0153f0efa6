import { can } from '@/lib/auth/permissions';
import { requirePage } from '@/lib/auth/session';
import { formatDateTimeUtc, formatDay } from '@/lib/format';
import { DEFAULT_LOOKBACK_DAYS } from '@/lib/fx/convert';
import { listRateRanges } from '@/lib/fx/store';
import { FxUploadForm } from './fx-form';

export const metadata = { title: 'FX rates' };
export const dynamic = 'force-dynamic';

/** The daily FX rates totals are converted with: what is loaded per pair, and (finance, admins) loading a file. */
export default async function FxRatesPage() {
  const actor = await requirePage('/settings/fx');
  if (!actor) return null;
  const ranges = await listRateRanges();
  return (
    <>
      <div className="page-head">
        <div>
          <h1>FX rates</h1>
          <p className="sub">
            Daily rates that convert costs into a reporting currency for totals; costs themselves stay in their billing currency. A charge
            is converted at its day&apos;s rate, or on days without one (weekends, holidays) the latest rate of the {DEFAULT_LOOKBACK_DAYS}{' '}
            days before; a currency with no rate in that window is reported as missing, never counted at 1.
          </p>
        </div>
      </div>
      {can(actor.role, 'action', 'loadFxRates') ? (
        <section className="panel" data-testid="fx-upload">
          <div className="panel-head">
            <h2>Load a rates file</h2>
            <span className="meta">a reload replaces the rates of the same days and pairs</span>
          </div>
          <FxUploadForm />
        </section>
      ) : null}
      <section className="panel" data-testid="fx-ranges">
        <div className="panel-head">
          <h2>Loaded rates</h2>
          <span className="meta">{ranges.length === 1 ? '1 pair' : `${ranges.length} pairs`}</span>
        </div>
        {ranges.length === 0 ? (
          <p className="sub" data-testid="fx-none">
            No rates loaded yet.
          </p>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>Pair</th>
                <th>First day</th>
                <th>Last day</th>
                <th className="num">Days</th>
                <th>Last loaded</th>
              </tr>
            </thead>
            <tbody>
              {ranges.map((r) => (
                <tr key={`${r.base}-${r.quote}`} data-testid="fx-range" data-pair={`${r.base}-${r.quote}`}>
                  <td className="cell-main">
                    1 {r.base} → {r.quote}
                  </td>
                  <td className="nowrap" data-testid="fx-first">
                    {formatDay(r.firstDay)}
                  </td>
                  <td className="nowrap" data-testid="fx-last">
                    {formatDay(r.lastDay)}
                  </td>
                  <td className="num" data-testid="fx-days">
                    {r.days}
                  </td>
                  <td className="cell-sub">
                    {r.lastFile}, {formatDateTimeUtc(r.lastLoadedAt)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
