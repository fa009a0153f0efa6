import type { CostMetric, PeriodSelection } from '@/lib/schema';

/** Everything the Overview keeps in its URL; a link built from it reproduces the view. */
export interface OverviewUrlState {
  selection: PeriodSelection;
  metric: CostMetric;
  currency: string | null;
}

/** `/?month=2026-11&metric=amortized` (or from/to), with `change` applied. */
export function overviewHref(state: OverviewUrlState, change: Partial<OverviewUrlState> = {}): string {
  const s = { ...state, ...change };
  const q = new URLSearchParams();
  if (s.selection.kind === 'month') q.set('month', s.selection.month);
  else {
    q.set('from', s.selection.from);
    q.set('to', s.selection.to);
  }
  q.set('metric', s.metric);
  if (s.currency) q.set('currency', s.currency);
  return `/?${q.toString()}`;
}
