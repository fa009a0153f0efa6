import { describe, expect, it } from 'vitest';
import { DateRangeSchema, parseOverviewSearchParams } from './schema';

const today = '2026-11-24';

describe('parseOverviewSearchParams', () => {
  it('defaults to the current month and amortized cost', () => {
    expect(parseOverviewSearchParams({}, today)).toEqual({
      selection: { kind: 'month', month: '2026-11' },
      metric: 'amortized',
      currency: null,
      problems: [],
    });
  });

  it('reads month, metric and currency', () => {
    const p = parseOverviewSearchParams({ month: '2026-10', metric: 'billed', currency: 'eur' }, today);
    expect(p).toEqual({ selection: { kind: 'month', month: '2026-10' }, metric: 'billed', currency: 'EUR', problems: [] });
  });

  it('prefers a valid from/to range over month', () => {
    const p = parseOverviewSearchParams({ month: '2026-10', from: '2026-09-01', to: '2026-09-15' }, today);
    expect(p.selection).toEqual({ kind: 'range', from: '2026-09-01', to: '2026-09-15' });
    expect(p.problems).toEqual([]);
  });

  it('explains bad values and falls back instead of failing', () => {
    const p = parseOverviewSearchParams({ month: '2026-13', metric: 'net', currency: 'dollars' }, today);
    expect(p.selection).toEqual({ kind: 'month', month: '2026-11' });
    expect(p.metric).toBe('amortized');
    expect(p.currency).toBeNull();
    expect(p.problems).toHaveLength(3);
    expect(p.problems[0]).toMatch(/metric=net is not a cost metric/);
    expect(p.problems[1]).toMatch(/currency=dollars must be an ISO 4217 code/);
    expect(p.problems[2]).toMatch(/month=2026-13 must be a month written YYYY-MM/);
  });

  it('rejects impossible and reversed ranges, and half a range', () => {
    expect(parseOverviewSearchParams({ from: '2026-02-30', to: '2026-03-05' }, today).problems[0]).toMatch(/calendar date/);
    expect(parseOverviewSearchParams({ from: '2026-03-05', to: '2026-03-01' }, today).problems[0]).toMatch(/on or before/);
    expect(parseOverviewSearchParams({ from: '2026-03-05' }, today).problems[0]).toMatch(/needs both from and to/);
    expect(DateRangeSchema.safeParse({ from: '2020-01-01', to: '2026-01-01' }).success).toBe(false);
  });

  it('takes the first of repeated params and ignores empty ones (an empty range form)', () => {
    const p = parseOverviewSearchParams({ month: ['2026-09', '2026-08'], from: '', to: '' }, today);
    expect(p.selection).toEqual({ kind: 'month', month: '2026-09' });
    expect(p.problems).toEqual([]);
  });
});
