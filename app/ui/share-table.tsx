import type { ReactNode } from 'react';
import { formatCount, formatMoney } from '@/lib/format';
import { ShareBar } from './share-bar';

export interface ShareRow {
  key: string;
  cells: ReactNode[];
  amount: string;
  share: string | null;
}

/** A ranked table: leading columns, the amount, and a share-of-total bar; "other" and total rows at the foot. */
export function ShareTable({
  caption,
  headers,
  rows,
  currency,
  total,
  otherCount,
  otherAmount,
  otherNoun,
  testId,
}: {
  caption: string;
  headers: string[];
  rows: ShareRow[];
  currency: string;
  total: string;
  otherCount: number;
  otherAmount: string;
  otherNoun: string;
  testId: string;
}) {
  const span = headers.length;
  return (
    <div className="table-scroll">
      <table className="table" data-testid={testId} data-currency={currency}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col" style={{ width: 28 }}>
              #
            </th>
            {headers.map((h) => (
              <th key={h} scope="col">
                {h}
              </th>
            ))}
            <th scope="col" className="right">
              Cost
            </th>
            <th scope="col">Share</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => {
            return (
              <tr key={r.key} data-testid={`${testId}-row-${i}`}>
                <td className="cell-sub num">{i + 1}</td>
                {r.cells.map((c, j) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: columns are positional
                  <td key={j}>{c}</td>
                ))}
                <td className="right num" data-testid={`${testId}-amount-${i}`} data-amount={r.amount}>
                  {formatMoney(r.amount, currency)}
                </td>
                <td>
                  <ShareBar share={r.share} />
                </td>
              </tr>
            );
          })}
        </tbody>
        <tfoot>
          {otherCount > 0 ? (
            <tr>
              <td />
              <td colSpan={span}>
                {formatCount(otherCount)} other {otherNoun}
              </td>
              <td className="right num" data-testid={`${testId}-other`} data-amount={otherAmount}>
                {formatMoney(otherAmount, currency)}
              </td>
              <td />
            </tr>
          ) : null}
          <tr className="total">
            <td />
            <td colSpan={span}>Total</td>
            <td className="right num" data-testid={`${testId}-total`} data-amount={total}>
              {formatMoney(total, currency)}
            </td>
            <td />
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
