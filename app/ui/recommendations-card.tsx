import Link from 'next/link';
import { formatMoney } from '@/lib/format';
import { getRecommendationsSummary } from '@/lib/queries/recommendations';

/** The Overview's card: open estimated savings per currency (never added across currencies) and the three largest. */
export async function RecommendationsCard() {
  const { open, top } = await getRecommendationsSummary();
  return (
    <section className="card" aria-labelledby="card-recommendations" data-testid="recommendations-card">
      <h2 className="card-title" id="card-recommendations">
        Open savings
        <Link href="/recommendations" className="card-range">
          all recommendations →
        </Link>
      </h2>
      {open.length ? (
        <ul className={`figure-list${open.length > 1 ? ' multi' : ''}`}>
          {open.map((t) => (
            <li key={t.currency}>
              <div className="figure num" data-testid={`card-open-savings-${t.currency}`} data-amount={t.amount}>
                {formatMoney(t.amount, t.currency)}
              </div>
              <div className="figure-sub">
                a month, {t.count} open {t.count === 1 ? 'recommendation' : 'recommendations'}
              </div>
            </li>
          ))}
        </ul>
      ) : (
        <p className="figure-sub">No open recommendation with an estimate.</p>
      )}
      {top.length ? (
        <ol className="top-recommendations" data-testid="top-recommendations">
          {top.map((r) => (
            <li key={r.id}>
              <Link href={`/recommendations/${r.id}`} data-testid="top-recommendation">
                {r.action}
              </Link>{' '}
              <span className="cell-sub">
                {r.resourceId}
                {r.monthlySavings ? ` · ${formatMoney(r.monthlySavings.amount, r.monthlySavings.currency)}/mo` : ''}
              </span>
            </li>
          ))}
        </ol>
      ) : null}
    </section>
  );
}
