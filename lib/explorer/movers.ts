/**
 * Month over month: which groups of one dimension moved most between a month and the one before,
 * with the absolute and relative change, per currency (a change is never computed across
 * currencies). One explorer query over the two months (so it reads the same rollups), then the
 * difference here, exactly.
 */
import type pg from 'pg';
import { addMonths, monthEnd } from '../calendar';
import { compareDecimals, divideDecimals, subtractDecimals } from '../decimal';
import type { Dimension, Metric } from './dimensions';
import { type ExplorerFilter, runExplorerQuery } from './query';

export interface Mover {
  key: string;
  label: string;
  unit: string;
  previous: string;
  current: string;
  change: string;
  /** change ÷ previous as a fraction rounded to 4 places ('0.125' is +12.5 %); null when the previous month had nothing. */
  relative: string | null;
}

export interface MoversResult {
  month: string;
  previous: string;
  answeredFrom: string;
  movers: Mover[];
}

function abs(v: string): string {
  return v.startsWith('-') ? v.slice(1) : v;
}

/** The `limit` largest changes (either way) of `dimension` from the month before `month` (YYYY-MM) to it. */
export async function topMovers(
  db: pg.Pool | pg.PoolClient,
  args: { month: string; dimension: Dimension; metric?: Metric; filters?: ExplorerFilter[]; limit?: number },
): Promise<MoversResult> {
  const previous = addMonths(args.month, -1);
  const result = await runExplorerQuery(db, {
    range: { from: `${previous}-01`, to: monthEnd(args.month) },
    granularity: 'month',
    groupBy: args.dimension,
    metric: args.metric ?? 'effective',
    filters: args.filters ?? [],
  });
  const labels = new Map(result.rows.map((r) => [r.key, r.label]));
  const cells = new Map<string, { key: string; unit: string; previous: string; current: string }>();
  for (const s of result.series) {
    const id = `${s.key}\u0000${s.unit}`;
    const cell = cells.get(id) ?? { key: s.key, unit: s.unit, previous: '0', current: '0' };
    if (s.period === `${previous}-01`) cell.previous = s.amount;
    else cell.current = s.amount;
    cells.set(id, cell);
  }
  const units = result.totals.map((t) => t.unit); // main currency first
  const movers: Mover[] = [...cells.values()].map((c) => {
    const change = subtractDecimals(c.current, c.previous);
    return {
      key: c.key,
      label: labels.get(c.key) ?? c.key,
      unit: c.unit,
      previous: c.previous,
      current: c.current,
      change,
      relative: compareDecimals(c.previous, '0') === 0 ? null : divideDecimals(change, c.previous, 4),
    };
  });
  movers.sort(
    (a, b) =>
      units.indexOf(a.unit) - units.indexOf(b.unit) || compareDecimals(abs(b.change), abs(a.change)) || a.label.localeCompare(b.label),
  );
  const limit = args.limit ?? 10;
  const perUnit = new Map<string, number>();
  return {
    month: args.month,
    previous,
    answeredFrom: result.answeredFrom,
    movers: movers.filter((m) => {
      const n = perUnit.get(m.unit) ?? 0;
      perUnit.set(m.unit, n + 1);
      return n < limit;
    }),
  };
}
