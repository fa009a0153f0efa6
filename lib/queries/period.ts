import { cachedAnswer } from '../cache/data-version';
import {
  addDays,
  addMonths,
  clampedDayOfMonth,
  type DayRange,
  dayOfMonth,
  minDay,
  monthEnd,
  monthOf,
  monthStart,
  rangeLength,
} from '../calendar';
import { getPool } from '../db/pool';
import type { PeriodSelection } from '../schema';

export type ComparisonKind = 'same-days-previous-month' | 'previous-month' | 'previous-period';

/** The windows every Overview panel works on, resolved once per request from the URL selection. */
export interface OverviewPeriod {
  selection: PeriodSelection;
  /** Today's UTC day, the day the figures were computed on. */
  today: string;
  /** The window the headline figures, the tables and the missing-cost note cover. */
  current: DayRange;
  /** The window the headline figure is compared with. */
  comparison: DayRange;
  comparisonKind: ComparisonKind;
  /** The selection is the current UTC month: figures are month-to-date and a forecast applies. */
  isCurrentMonth: boolean;
  /** The selection starts after today: there is nothing to show yet. */
  isFuture: boolean;
  /** Latest day with cost data inside the selection and not after today; null when there is none. */
  latestDataDay: string | null;
  /** The trend chart's months, oldest first: 13 months ending with the selection's last month. */
  chartMonths: string[];
}

export const CHART_MONTHS = 13;

interface LatestRow {
  latest: string | null;
}

/**
 * Resolves the URL selection into windows.
 * - Current month: month-to-date through the latest day that has data (billing exports lag a day
 *   or two, so "to date" means "to the last delivered day"), compared with the same days of the
 *   previous month; day 31 compares with the 30th of a 30-day month (clamped, never spilling over).
 * - Past month: the whole month against the whole previous month.
 * - Custom range: the range against the equally long range right before it.
 */
export async function resolveOverviewPeriod(selection: PeriodSelection, today: string): Promise<OverviewPeriod> {
  return cachedAnswer('overview-period', { selection, today }, () => uncachedResolveOverviewPeriod(selection, today));
}

async function uncachedResolveOverviewPeriod(selection: PeriodSelection, today: string): Promise<OverviewPeriod> {
  const pool = getPool();
  const latestIn = async (from: string, to: string): Promise<string | null> => {
    const { rows } = await pool.query<LatestRow>('SELECT max(day) AS latest FROM cost_daily WHERE day >= $1 AND day <= $2', [from, to]);
    return rows[0]?.latest ?? null;
  };

  if (selection.kind === 'range') {
    const current: DayRange = { from: selection.from, to: selection.to };
    const n = rangeLength(current);
    const comparison: DayRange = { from: addDays(current.from, -n), to: addDays(current.from, -1) };
    const isFuture = current.from > today;
    const latestDataDay = isFuture ? null : await latestIn(current.from, minDay(current.to, today));
    return {
      selection,
      today,
      current,
      comparison,
      comparisonKind: 'previous-period',
      isCurrentMonth: false,
      isFuture,
      latestDataDay,
      chartMonths: chartMonthsEndingWith(monthOf(current.to)),
    };
  }

  const { month } = selection;
  const start = monthStart(month);
  const end = monthEnd(month);
  const previous = addMonths(month, -1);
  const chartMonths = chartMonthsEndingWith(month);
  const currentMonth = monthOf(today);

  if (month > currentMonth) {
    return {
      selection,
      today,
      current: { from: start, to: end },
      comparison: { from: monthStart(previous), to: monthEnd(previous) },
      comparisonKind: 'previous-month',
      isCurrentMonth: false,
      isFuture: true,
      latestDataDay: null,
      chartMonths,
    };
  }

  if (month < currentMonth) {
    return {
      selection,
      today,
      current: { from: start, to: end },
      comparison: { from: monthStart(previous), to: monthEnd(previous) },
      comparisonKind: 'previous-month',
      isCurrentMonth: false,
      isFuture: false,
      latestDataDay: await latestIn(start, end),
      chartMonths,
    };
  }

  const latestDataDay = await latestIn(start, today);
  const asOf = latestDataDay ?? today;
  return {
    selection,
    today,
    current: { from: start, to: asOf },
    comparison: { from: monthStart(previous), to: clampedDayOfMonth(previous, dayOfMonth(asOf)) },
    comparisonKind: 'same-days-previous-month',
    isCurrentMonth: true,
    isFuture: false,
    latestDataDay,
    chartMonths,
  };
}

export function chartMonthsEndingWith(month: string, count = CHART_MONTHS): string[] {
  return Array.from({ length: count }, (_, i) => addMonths(month, i - count + 1));
}
