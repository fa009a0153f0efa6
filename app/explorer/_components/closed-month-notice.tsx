import type { ClosedMonthDifference } from '@/lib/close/close';
import { addDecimals } from '@/lib/decimal';
import { formatMoney, formatMonthShort } from '@/lib/format';
import { Notice } from '../../ui/notice';

/**
 * Shown when the explorer's range is whole closed months: billed at the close and the restatement
 * since (now − closed) per currency, for the months' billing periods. The explorer's own figures
 * stay the current data, by charge day.
 */
export function ClosedMonthNotice({ months }: { months: ClosedMonthDifference[] }) {
  const byCurrency = new Map<string, { closed: string[]; difference: string[] }>();
  for (const m of months) {
    for (const t of m.totals) {
      const e = byCurrency.get(t.currency) ?? { closed: [], difference: [] };
      e.closed.push(t.closedBilled);
      e.difference.push(t.billedDifference);
      byCurrency.set(t.currency, e);
    }
  }
  const label = months.length === 1 ? formatMonthShort(months[0]?.month ?? '') : `${months.length} months`;
  return (
    <Notice testId="closed-month-notice">
      <p>
        {label} {months.length === 1 ? 'is' : 'are'} closed. Billed at the close, by billing period, and the restatement since (now −
        closed):
      </p>
      <ul>
        {[...byCurrency].map(([currency, e]) => (
          <li key={currency} data-testid="closed-month-currency" data-currency={currency}>
            {formatMoney(addDecimals(e.closed), currency)} closed ·{' '}
            <span data-testid="closed-month-restatement">{formatMoney(addDecimals(e.difference), currency, { sign: 'always' })}</span>{' '}
            restated
          </li>
        ))}
      </ul>
    </Notice>
  );
}
