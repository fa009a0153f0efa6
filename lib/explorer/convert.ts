/**
 * The explorer's totals in one reporting currency. Each charge day's amount is converted at that
 * day's rate (lib/fx/convert.ts: the day's rate or the latest within the lookback, direct, inverse
 * or cross), so the view is re-asked at day granularity; the figures per currency stay what they
 * are, and this is shown beside them, labelled with the rates it used. A day and currency without a
 * rate is left out and listed, never converted at 1.
 */
import type pg from 'pg';
import { cachedAnswer, isSharedPool } from '../cache/data-version';
import { type Conversion, convertAmounts, type DayAmount, indexRates, type MissingRate } from '../fx/convert';
import { ratesFor } from '../fx/store';
import { type ExplorerQuery, runExplorerQuery } from './query';

export interface RateSummary {
  from: string;
  to: string;
  method: string;
  /** Charge days converted with this pair. */
  days: number;
  /** Of those, days that used an earlier day's rate (the source published none that day). */
  earlierDays: number;
  firstRateDay: string;
  lastRateDay: string;
}

export interface ExplorerConversion {
  reporting: string;
  /** Exact (12 decimal places), rounded for display only. */
  total: string;
  byGroup: Map<string, { total: string; complete: boolean }>;
  rates: RateSummary[];
  missing: MissingRate[];
  /** Amounts in the reporting currency already, added unchanged. */
  native: boolean;
}

function summarize(conv: Conversion): RateSummary[] {
  const by = new Map<string, RateSummary>();
  for (const r of conv.rates) {
    const key = `${r.from}>${r.to}>${r.method}${r.via ? `>${r.via}` : ''}`;
    const s = by.get(key) ?? {
      from: r.from,
      to: r.to,
      method: r.via ? `${r.method} via ${r.via}` : r.method,
      days: 0,
      earlierDays: 0,
      firstRateDay: r.rateDay,
      lastRateDay: r.rateDay,
    };
    s.days++;
    if (r.rateDay !== r.day) s.earlierDays++;
    if (r.rateDay < s.firstRateDay) s.firstRateDay = r.rateDay;
    if (r.rateDay > s.lastRateDay) s.lastRateDay = r.rateDay;
    by.set(key, s);
  }
  return [...by.values()].sort((a, b) => a.from.localeCompare(b.from));
}

/** Converts the view's amounts (costs only) into `reporting`, per group and in total. */
export async function convertExplorerView(db: pg.Pool | pg.PoolClient, q: ExplorerQuery, reporting: string): Promise<ExplorerConversion> {
  if (q.metric === 'usage') throw new Error('usage quantities have no currency to convert');
  if (isSharedPool(db)) return cachedAnswer('explorer-conversion', { q, reporting }, () => convertView(db, q, reporting));
  return convertView(db, q, reporting);
}

async function convertView(db: pg.Pool | pg.PoolClient, q: ExplorerQuery, reporting: string): Promise<ExplorerConversion> {
  const daily = await runExplorerQuery(db, { ...q, granularity: 'day' });
  const currencies = [...new Set(daily.series.map((s) => s.unit))];
  const rates = indexRates(await ratesFor(db, { from: q.range.from, to: q.range.to, currencies: [...currencies, reporting] }));
  const perGroup = new Map<string, DayAmount[]>();
  const all: DayAmount[] = [];
  for (const s of daily.series) {
    const a = { day: s.period, currency: s.unit, amount: s.amount };
    all.push(a);
    const list = perGroup.get(s.key) ?? [];
    list.push(a);
    perGroup.set(s.key, list);
  }
  const overall = convertAmounts(all, reporting, rates);
  const byGroup = new Map<string, { total: string; complete: boolean }>();
  for (const [key, amounts] of perGroup) {
    const c = convertAmounts(amounts, reporting, rates);
    byGroup.set(key, { total: c.total, complete: c.missing.length === 0 });
  }
  return {
    reporting,
    total: overall.total,
    byGroup,
    rates: summarize(overall),
    missing: overall.missing,
    native: currencies.every((c) => c === reporting),
  };
}
