import type { DayRange } from '@/lib/calendar';
import { lookupRegion } from '@/lib/focus/regions';
import { formatDayRange } from '@/lib/format';
import { getTopRegions } from '@/lib/queries/top-regions';
import type { CostMetric } from '@/lib/schema';
import { ShareTable } from './share-table';

export async function TopRegionsPanel({ range, metric, currency }: { range: DayRange; metric: CostMetric; currency: string }) {
  const all = await getTopRegions({ range, metric, limit: 10 });
  const data = all.find((t) => t.currency === currency);
  return (
    <section className="panel" aria-labelledby="regions-title">
      <div className="panel-head">
        <h2 id="regions-title">Top regions · {currency}</h2>
        <span className="meta">{formatDayRange(range)}</span>
      </div>
      {!data ? (
        <p className="figure-sub">No {currency} spend in this period.</p>
      ) : (
        <ShareTable
          caption={`Top regions by ${metric} cost in ${currency}`}
          testId="top-regions"
          headers={['Region', 'Country']}
          currency={currency}
          total={data.total}
          otherCount={data.otherCount}
          otherAmount={data.otherAmount}
          otherNoun={data.otherCount === 1 ? 'region' : 'regions'}
          rows={data.rows.map((r) => {
            const info = lookupRegion(r.regionId);
            const name = info?.name ?? (r.regionName || (r.regionId ? r.regionId : 'No region'));
            return {
              key: r.regionId || '(none)',
              amount: r.amount,
              share: r.share,
              cells: [
                <div key="r" data-testid="region-name" data-region-id={r.regionId}>
                  <div className="cell-main">{name}</div>
                  <div className="cell-sub">
                    {r.regionId ? <span className="mono">{r.regionId}</span> : 'charges without a region (purchases, tax, support)'}
                    {r.providers.length ? ` · ${r.providers.join(', ')}` : ''}
                  </div>
                </div>,
                info?.country ? (
                  <span key="c" className="nowrap" data-testid="region-country" data-country={info.country.code}>
                    <span className="country-code">{info.country.code}</span>
                    {info.country.name}
                  </span>
                ) : (
                  <span key="c" className="cell-sub" data-testid="region-country">
                    {info ? info.continent : '—'}
                  </span>
                ),
              ],
            };
          })}
        />
      )}
    </section>
  );
}
