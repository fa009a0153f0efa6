/**
 * A shared-cost rule's preview, before it is saved: one month's spend by team with the saved rules,
 * and with the candidate in its place (or last, for a new rule), both through the explorer's own
 * allocated query; the pool the candidate takes; and the check that the totals did not move.
 */
import type pg from 'pg';
import { monthEnd } from '../calendar';
import { compareDecimals, subtractDecimals } from '../decimal';
import {
  answerExplorerQuery,
  type ExplorerQuery,
  ExplorerQuerySchema,
  type ExplorerResult,
  FACT_SOURCES,
  type FactSource,
} from '../explorer/query';
import { loadTagRules, type TagRules } from '../tags/rules';
import { loadSharedCostRules, type SharedCostRuleInput } from './rules';

export interface PreviewTeam {
  key: string;
  label: string;
  /** Per currency: with the saved rules, with the candidate, and the change (after − before). */
  amounts: { unit: string; before: string; after: string; change: string }[];
}

export interface SharedCostPreview {
  month: string;
  teams: PreviewTeam[];
  /** Per currency: the totals with and without the candidate, which must be equal. */
  totals: { unit: string; before: string; after: string }[];
  /** What the candidate takes from the month: its pool per currency (rows earlier rules do not take). */
  pool: { unit: string; amount: string }[];
  /** The part of the pool that stays where it was (no team to split it to in that currency). */
  unallocated: { unit: string; amount: string }[];
  balanced: boolean;
}

function byUnit(r: ExplorerResult['rows'][number] | undefined, unit: string): string {
  return r?.amounts.find((a) => a.unit === unit)?.amount ?? '0';
}

/** The preview of `candidate` over `month` ('YYYY-MM'), replacing rule `id` or added last when `id` is null. */
export async function previewSharedCostRule(
  db: pg.Pool | pg.PoolClient,
  candidate: SharedCostRuleInput,
  id: number | null,
  month: string,
): Promise<SharedCostPreview> {
  const saved = await loadSharedCostRules(db);
  const before = saved;
  const after: SharedCostRuleInput[] = id === null ? [...saved, candidate] : saved.map((r) => (r.id === id ? candidate : r));
  const q = ExplorerQuerySchema.parse({
    range: { from: `${month}-01`, to: monthEnd(month) },
    granularity: 'total',
    groupBy: 'team',
    metric: 'billed',
    allocated: true,
  });
  const source = FACT_SOURCES.find((s) => s.table === 'cost_monthly');
  if (!source) throw new Error('no monthly rollup');
  const tagRules = await loadTagRules(db);
  const [b, a] = await Promise.all([
    answerExplorerQuery(db, q, source, tagRules, before),
    answerExplorerQuery(db, q, source, tagRules, after),
  ]);
  const units = [...new Set([...b.totals, ...a.totals].map((t) => t.unit))].sort();
  const keys = [...new Set([...a.rows.map((r) => r.key), ...b.rows.map((r) => r.key)])];
  const teams: PreviewTeam[] = keys.map((key) => {
    const rb = b.rows.find((r) => r.key === key);
    const ra = a.rows.find((r) => r.key === key);
    return {
      key,
      label: (ra ?? rb)?.label ?? key,
      amounts: units
        .filter((u) => (ra ?? rb)?.amounts.some((x) => x.unit === u) || rb?.amounts.some((x) => x.unit === u))
        .map((unit) => {
          const x = byUnit(rb, unit);
          const y = byUnit(ra, unit);
          return { unit, before: x, after: y, change: subtractDecimals(y, x) };
        }),
    };
  });
  teams.sort((x, y) => x.label.localeCompare(y.label));
  const totals = units.map((unit) => ({
    unit,
    before: b.totals.find((t) => t.unit === unit)?.amount ?? '0',
    after: a.totals.find((t) => t.unit === unit)?.amount ?? '0',
  }));
  // The candidate's pool: what the rules up to it take, less what those before it take.
  const position = id === null ? after.length : after.indexOf(candidate) + 1;
  const upTo = after.slice(0, position);
  const [withIt, without] = await Promise.all([
    pooledTotals(db, q, source, tagRules, upTo),
    pooledTotals(db, q, source, tagRules, upTo.slice(0, -1)),
  ]);
  const difference = (key: 'pooled' | 'unallocated') =>
    units
      .map((unit) => ({ unit, amount: subtractDecimals(withIt[key].get(unit) ?? '0', without[key].get(unit) ?? '0') }))
      .filter((p) => compareDecimals(p.amount, '0') !== 0);
  return {
    month,
    teams,
    totals,
    pool: difference('pooled'),
    unallocated: difference('unallocated'),
    balanced: totals.every((t) => compareDecimals(t.before, t.after) === 0),
  };
}

/** Per currency: what `rules` take from the month (split or not), and the part no team took. */
async function pooledTotals(
  db: pg.Pool | pg.PoolClient,
  q: ExplorerQuery,
  source: FactSource,
  tagRules: TagRules,
  rules: readonly SharedCostRuleInput[],
): Promise<{ pooled: Map<string, string>; unallocated: Map<string, string> }> {
  const pooled = new Map<string, string>();
  const unallocated = new Map<string, string>();
  if (!rules.length) return { pooled, unallocated };
  const res = await answerExplorerQuery(db, { ...q, groupBy: null }, source, tagRules, rules);
  const shared = new Map((res.allocation?.shared ?? []).map((a) => [a.unit, a.amount]));
  for (const a of res.allocation?.pooled ?? []) {
    pooled.set(a.unit, a.amount);
    unallocated.set(a.unit, subtractDecimals(a.amount, shared.get(a.unit) ?? '0'));
  }
  return { pooled, unallocated };
}
