/**
 * The explorer's state in the URL, so a view can be shared and bookmarked:
 *   /explorer?from=2026-10-01&to=2026-11-30&g=month&by=tag:team&m=effective&f.region=ap-northeast-2&x.charge_category=Tax
 * `f.<dimension>` includes its values (repeat the parameter for several), `x.<dimension>` excludes
 * them; an empty value stands for a missing one (untagged). A value that cannot be used is
 * dropped and named in `problems`, never silently replaced.
 */
import { addDays, utcToday } from '../calendar';
import { CurrencyCodeSchema, type RawSearchParams } from '../schema';
import { DimensionSchema, GRANULARITIES, type Granularity, METRICS, type Metric } from './dimensions';
import { allocationProblem, type ExplorerFilter, type ExplorerQuery, ExplorerQuerySchema } from './query';

export interface ExplorerUrlState {
  query: ExplorerQuery;
  /** The currency (or unit) the chart shows when the answer has several. */
  currency: string | null;
  /** The reporting currency totals are converted into (FX rates), or null. */
  reporting: string | null;
  problems: string[];
}

function values(raw: string | string[] | undefined): string[] {
  if (raw === undefined) return [];
  return Array.isArray(raw) ? raw : [raw];
}

function one(raw: string | string[] | undefined): string | undefined {
  return values(raw)[0];
}

/** The default view: the last 30 complete days, daily, by service, effective cost. */
export function defaultExplorerQuery(today = utcToday()): ExplorerQuery {
  return ExplorerQuerySchema.parse({
    range: { from: addDays(today, -30), to: addDays(today, -1) },
    granularity: 'day',
    groupBy: 'service',
  });
}

export function parseExplorerSearchParams(raw: RawSearchParams, today = utcToday()): ExplorerUrlState {
  const problems: string[] = [];
  const base = defaultExplorerQuery(today);
  let range = base.range;
  const from = one(raw.from);
  const to = one(raw.to);
  if (from !== undefined || to !== undefined) {
    const parsed = ExplorerQuerySchema.shape.range.safeParse({ from: from ?? base.range.from, to: to ?? base.range.to });
    if (parsed.success) range = parsed.data;
    else problems.push(`Dates ${from ?? ''} to ${to ?? ''}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  }
  let granularity: Granularity = base.granularity;
  const g = one(raw.g);
  if (g !== undefined) {
    if ((GRANULARITIES as readonly string[]).includes(g)) granularity = g as Granularity;
    else problems.push(`Granularity ${JSON.stringify(g)}: one of ${GRANULARITIES.join(', ')}`);
  }
  let metric: Metric = base.metric;
  const m = one(raw.m);
  if (m !== undefined) {
    if (m in METRICS) metric = m as Metric;
    else problems.push(`Metric ${JSON.stringify(m)}: one of ${Object.keys(METRICS).join(', ')}`);
  }
  let groupBy = base.groupBy;
  const by = one(raw.by);
  if (by !== undefined) {
    if (by === '' || by === 'none') groupBy = null;
    else {
      const parsed = DimensionSchema.safeParse(by);
      if (parsed.success) groupBy = parsed.data;
      else problems.push(`Group by: ${parsed.error.issues[0]?.message}`);
    }
  }
  const filters: ExplorerFilter[] = [];
  for (const [key, value] of Object.entries(raw)) {
    const match = /^([fx])\.(.+)$/.exec(key);
    if (!match) continue;
    const parsed = DimensionSchema.safeParse(match[2]);
    if (!parsed.success) {
      problems.push(`Filter ${key}: ${parsed.error.issues[0]?.message}`);
      continue;
    }
    const vals = [...new Set(values(value))].slice(0, 500);
    if (vals.length) filters.push({ dimension: parsed.data, exclude: match[1] === 'x', values: vals });
  }
  const currency = one(raw.cur) ?? null;
  let reporting: string | null = null;
  const rc = one(raw.rc)?.trim().toUpperCase();
  if (rc) {
    const parsed = CurrencyCodeSchema.safeParse(rc);
    if (parsed.success) reporting = parsed.data;
    else problems.push(`Reporting currency ${JSON.stringify(rc)}: ${parsed.error.issues[0]?.message}`);
  }
  let allocated = false;
  const al = one(raw.al);
  if (al !== undefined && al !== '0' && al !== '') {
    if (al !== '1') problems.push(`Allocated view ${JSON.stringify(al)}: al=1 shows it, al=0 or nothing does not`);
    else {
      const problem = allocationProblem({ range, granularity, groupBy, metric, filters });
      if (problem) problems.push(`Allocated view not shown: ${problem}`);
      else allocated = true;
    }
  }
  return {
    query: ExplorerQuerySchema.parse({ range, granularity, groupBy, metric, filters: filters.slice(0, 20), allocated }),
    currency,
    reporting,
    problems,
  };
}

/** A view to link to: `allocated` may be left out (the unallocated view). */
export type ExplorerLinkQuery = Omit<ExplorerQuery, 'allocated'> & { allocated?: boolean };

/** The query string (without '?') of a view; the defaults are written too, so a shared link stays what it was. */
export function explorerSearch(q: ExplorerLinkQuery, extra: { currency?: string | null; reporting?: string | null } = {}): string {
  const p = new URLSearchParams();
  p.set('from', q.range.from);
  p.set('to', q.range.to);
  p.set('g', q.granularity);
  p.set('by', q.groupBy ?? 'none');
  p.set('m', q.metric);
  for (const f of q.filters) for (const v of f.values) p.append(`${f.exclude ? 'x' : 'f'}.${f.dimension}`, v);
  if (q.allocated) p.set('al', '1');
  if (extra.currency) p.set('cur', extra.currency);
  if (extra.reporting) p.set('rc', extra.reporting);
  return p.toString();
}

export function explorerHref(q: ExplorerLinkQuery, extra: { currency?: string | null; reporting?: string | null } = {}): string {
  return `/explorer?${explorerSearch(q, extra)}`;
}
