import { formatShare } from '@/lib/format';

/** A share of a total (already × 100, a decimal string, or null): a bar and the percentage. */
export function ShareBar({ share }: { share: string | null }) {
  // The bar's width is a position on screen, not an amount: a float is fine here.
  const width = share === null ? 0 : Math.max(0, Math.min(100, Number(share)));
  return (
    <div className="share">
      <div className="share-track" aria-hidden="true">
        <div className="share-fill" style={{ width: `${width}%` }} />
      </div>
      <span className="share-pct num">{share === null ? '–' : formatShare(share)}</span>
    </div>
  );
}
