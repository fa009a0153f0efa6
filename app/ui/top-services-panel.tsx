import type { DayRange } from '@/lib/calendar';
import { formatDayRange } from '@/lib/format';
import { getTopServices } from '@/lib/queries/top-services';
import type { CostMetric } from '@/lib/schema';
import { ShareTable } from './share-table';

export async function TopServicesPanel({ range, metric, currency }: { range: DayRange; metric: CostMetric; currency: string }) {
  const all = await getTopServices({ range, metric, limit: 10 });
  const data = all.find((t) => t.currency === currency);
  return (
    <section className="panel" aria-labelledby="services-title">
      <div className="panel-head">
        <h2 id="services-title">Top services · {currency}</h2>
        <span className="meta">{formatDayRange(range)}</span>
      </div>
      {!data ? (
        <p className="figure-sub">No {currency} spend in this period.</p>
      ) : (
        <ShareTable
          caption={`Top services by ${metric} cost in ${currency}`}
          testId="top-services"
          headers={['Service', 'Provider']}
          currency={currency}
          total={data.total}
          otherCount={data.otherCount}
          otherAmount={data.otherAmount}
          otherNoun={data.otherCount === 1 ? 'service' : 'services'}
          rows={data.rows.map((r) => ({
            key: `${r.provider}|${r.serviceName}`,
            amount: r.amount,
            share: r.share,
            cells: [
              <div key="s" data-testid="service-name">
                <div className="cell-main">{r.serviceName || 'No service (e.g. tax, support)'}</div>
                {r.serviceCategory ? <div className="cell-sub">{r.serviceCategory}</div> : null}
              </div>,
              <span key="p" className="cell-sub nowrap">
                {r.provider}
              </span>,
            ],
          }))}
        />
      )}
    </section>
  );
}
