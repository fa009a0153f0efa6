import Form from 'next/form';
import Link from 'next/link';
import { addMonths, monthOf } from '@/lib/calendar';
import { formatMonthLong } from '@/lib/format';
import { COST_METRICS } from '@/lib/schema';
import { type OverviewUrlState, overviewHref } from './overview-url';

function HiddenState({ state, keep }: { state: OverviewUrlState; keep: ('metric' | 'currency')[] }) {
  return (
    <>
      {keep.includes('metric') ? <input type="hidden" name="metric" value={state.metric} /> : null}
      {keep.includes('currency') && state.currency ? <input type="hidden" name="currency" value={state.currency} /> : null}
    </>
  );
}

/** Month stepper, month picker, custom range and cost metric: every control writes the URL. */
export function PeriodToolbar({ state, today }: { state: OverviewUrlState; today: string }) {
  const sel = state.selection;
  const month = sel.kind === 'month' ? sel.month : monthOf(sel.to);
  const currentMonth = monthOf(today);
  const prev = addMonths(month, -1);
  const next = addMonths(month, 1);
  const nextDisabled = next > currentMonth;
  const formKey = sel.kind === 'month' ? sel.month : `${sel.from}_${sel.to}`;
  return (
    <div className="toolbar">
      <Link
        className="btn"
        href={overviewHref(state, { selection: { kind: 'month', month: prev } })}
        data-testid="month-prev"
        aria-label={`Previous month, ${formatMonthLong(prev)}`}
      >
        ‹
      </Link>
      <Form action="/" key={`m-${formKey}`} aria-label="Choose month">
        <label htmlFor="month-input" className="visually-hidden">
          Month
        </label>
        <input id="month-input" type="month" name="month" defaultValue={month} max={currentMonth} required />
        <HiddenState state={state} keep={['metric', 'currency']} />
        <button type="submit" className="btn">
          Show
        </button>
      </Form>
      {nextDisabled ? (
        <span className="btn" aria-disabled="true" data-testid="month-next" title="No later month yet">
          ›
        </span>
      ) : (
        <Link
          className="btn"
          href={overviewHref(state, { selection: { kind: 'month', month: next } })}
          data-testid="month-next"
          aria-label={`Next month, ${formatMonthLong(next)}`}
        >
          ›
        </Link>
      )}
      {sel.kind === 'month' && sel.month !== currentMonth ? (
        <Link className="btn" href={overviewHref(state, { selection: { kind: 'month', month: currentMonth } })}>
          This month
        </Link>
      ) : null}
      <span className="sep" aria-hidden="true" />
      <Form action="/" key={`r-${formKey}`} aria-label="Custom date range">
        <label htmlFor="from-input">From</label>
        <input id="from-input" type="date" name="from" defaultValue={sel.kind === 'range' ? sel.from : ''} required />
        <label htmlFor="to-input">to</label>
        <input id="to-input" type="date" name="to" defaultValue={sel.kind === 'range' ? sel.to : ''} required />
        <HiddenState state={state} keep={['metric', 'currency']} />
        <button type="submit" className="btn">
          Apply
        </button>
      </Form>
      <span className="sep" aria-hidden="true" />
      <nav className="segmented" aria-label="Cost metric">
        {COST_METRICS.map((m) => (
          <Link
            key={m}
            href={overviewHref(state, { metric: m })}
            aria-current={state.metric === m ? 'true' : undefined}
            data-testid={`metric-${m}`}
            title={
              m === 'amortized'
                ? 'Amortized: effective cost, with upfront commitment fees spread over the usage they cover (FOCUS EffectiveCost)'
                : 'Billed: what the invoice charges, when it charges it (FOCUS BilledCost)'
            }
          >
            {m === 'amortized' ? 'Amortized' : 'Billed'}
          </Link>
        ))}
      </nav>
    </div>
  );
}
