import { formatMoney, formatPercentChange } from '@/lib/format';

function direction(amount: string): 'up' | 'down' | 'flat' {
  if (/^[+-]?0*\.?0*$/.test(amount)) return 'flat';
  return amount.startsWith('-') ? 'down' : 'up';
}

/** A cost change: up is red (spend grew), down is green. Text carries the direction for screen readers. */
export function Delta({
  amount,
  percent,
  currency,
  testId,
}: {
  amount: string;
  percent: string | null;
  currency: string;
  testId?: string;
}) {
  const dir = direction(amount);
  const arrow = dir === 'up' ? '▲' : dir === 'down' ? '▼' : '■';
  const words = dir === 'up' ? 'up' : dir === 'down' ? 'down' : 'unchanged';
  return (
    <span className={`delta ${dir} num`} data-testid={testId} data-amount={amount} data-percent={percent ?? ''}>
      <span aria-hidden="true">{arrow}</span>
      <span className="visually-hidden">{words} </span>
      {formatMoney(amount, currency, { sign: 'always' })}
      {percent !== null ? ` · ${formatPercentChange(percent)}` : dir === 'flat' ? '' : ' · new'}
    </span>
  );
}
