import Link from 'next/link';
import { redirect } from 'next/navigation';
import { describeRule } from '@/lib/allocation/rules';
import { can } from '@/lib/auth/permissions';
import { requirePage } from '@/lib/auth/session';
import { closedMonthsInRange } from '@/lib/close/status';
import { getPool } from '@/lib/db/pool';
import { compareDecimals, divideDecimals, multiplyDecimals, subtractDecimals } from '@/lib/decimal';
import { convertExplorerView } from '@/lib/explorer/convert';
import {
  type Dimension,
  DimensionSchema,
  dimensionLabel,
  emptyValueLabel,
  FIXED_DIMENSIONS,
  GRANULARITIES,
  METRICS,
} from '@/lib/explorer/dimensions';
import { type ExplorerQuery, type ExplorerResult, runExplorerQuery } from '@/lib/explorer/query';
import { listSavedViews } from '@/lib/explorer/saved-views';
import { explorerHref, explorerSearch, parseExplorerSearchParams } from '@/lib/explorer/url';
import { listTagKeys } from '@/lib/explorer/values';
import { formatDateTimeUtc, formatDay, formatDayRange, formatMoney, formatMonthShort } from '@/lib/format';
import { DecimalSum } from '@/lib/ingest/daily-rollup';
import type { RawSearchParams } from '@/lib/schema';
import { Notice } from '../ui/notice';
import { providerColor } from '../ui/provider-colors';
import { ClosedMonthNotice } from './_components/closed-month-notice';
import { ExplorerChart } from './_components/explorer-chart';
import { ExplorerTable } from './_components/explorer-table';
import { SavedViews } from './_components/saved-views';

export const metadata = { title: 'Explorer' };
export const dynamic = 'force-dynamic';

const CHART_GROUPS = 8;
const OTHER = '\u0000other';

/** What a group breaks down into when you click it. */
function drillDimension(d: Dimension | null): Dimension {
  if (d === 'service' || d === 'sku') return 'resource';
  if (d === 'resource') return 'sku';
  if (d === 'geography') return 'country';
  if (d === 'country') return 'region';
  return 'service';
}

function periodLabel(q: ExplorerQuery, period: string): string {
  if (q.granularity === 'month') return formatMonthShort(period.slice(0, 7));
  if (q.granularity === 'week') return `w/c ${formatDay(period)}`;
  if (q.granularity === 'total') return formatDayRange(q.range);
  return formatDay(period);
}

function chartData(q: ExplorerQuery, result: ExplorerResult, unit: string) {
  const ranked = result.rows.filter((r) => r.amounts.some((a) => a.unit === unit));
  const top = ranked.slice(0, CHART_GROUPS);
  const topKeys = new Set(top.map((r) => r.key));
  const groups = top.map((r, i) => ({
    key: r.key || '\u0000none',
    label: r.label,
    color: providerColor(q.groupBy === 'provider' ? r.key : '', i),
  }));
  if (ranked.length > top.length) groups.push({ key: OTHER, label: `Other (${ranked.length - top.length})`, color: '#94a3b8' });
  const byPeriod = new Map<string, Map<string, DecimalSum>>();
  for (const s of result.series) {
    if (s.unit !== unit) continue;
    const gk = topKeys.has(s.key) ? s.key || '\u0000none' : OTHER;
    let p = byPeriod.get(s.period);
    if (!p) {
      p = new Map();
      byPeriod.set(s.period, p);
    }
    let sum = p.get(gk);
    if (!sum) {
      sum = new DecimalSum();
      p.set(gk, sum);
    }
    sum.addString(s.amount);
  }
  const points = result.periods.map((period) => {
    const sums = byPeriod.get(period) ?? new Map<string, DecimalSum>();
    const total = new DecimalSum();
    const values: Record<string, string> = {};
    for (const [k, sum] of sums) {
      const v = sum.value() as string;
      values[k] = v;
      total.addString(v);
    }
    return { period, label: periodLabel(q, period), values, total: total.value() ?? '0' };
  });
  return { groups, points };
}

function formatAmounts(list: readonly { unit: string; amount: string }[]): string {
  return list.map((a) => formatMoney(a.amount, a.unit)).join(' · ');
}

function withoutFilterValue(q: ExplorerQuery, dimension: Dimension, exclude: boolean, value: string): ExplorerQuery {
  return {
    ...q,
    filters: q.filters
      .map((f) => (f.dimension === dimension && f.exclude === exclude ? { ...f, values: f.values.filter((v) => v !== value) } : f))
      .filter((f) => f.values.length),
  };
}

export default async function ExplorerPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  const user = await requirePage('/explorer');
  const raw = await searchParams;
  const state = parseExplorerSearchParams(raw);
  const q = state.query;

  // The "add a filter" form submits add.* fields; the page answers with the view's canonical URL.
  const addDim = typeof raw['add.dim'] === 'string' ? raw['add.dim'] : null;
  if (addDim !== null) {
    const dim = DimensionSchema.safeParse(
      addDim === 'tag'
        ? `tag:${String(raw['add.tag'] ?? '')
            .trim()
            .toLowerCase()}`
        : addDim,
    );
    const value = typeof raw['add.val'] === 'string' ? raw['add.val'].trim() : '';
    const exclude = raw['add.op'] === 'exclude';
    if (dim.success) {
      const filters = [...q.filters];
      const same = filters.find((f) => f.dimension === dim.data && f.exclude === exclude);
      if (same) same.values = [...new Set([...same.values, value])];
      else filters.push({ dimension: dim.data, exclude, values: [value] });
      redirect(explorerHref({ ...q, filters }, { currency: state.currency, reporting: state.reporting }));
    }
    state.problems.push(`Filter: ${dim.error?.issues[0]?.message ?? 'not a dimension'}`);
  }

  const pool = getPool();
  const money = q.metric !== 'usage';
  const [result, tagKeys, views, conversion, closed] = await Promise.all([
    runExplorerQuery(pool, q),
    listTagKeys(pool, q.range),
    user ? listSavedViews(pool, user.userId) : Promise.resolve([]),
    state.reporting && money && !q.allocated ? convertExplorerView(pool, q, state.reporting) : Promise.resolve(null),
    closedMonthsInRange(q.range, pool),
  ]);
  if (state.reporting && q.allocated)
    state.problems.push(
      `Reporting currency ${state.reporting}: not in the allocated view (shared costs are split per month, rates are per day); the unallocated view converts`,
    );
  const units = result.totals.map((t) => t.unit);
  const chartUnit = state.currency && units.includes(state.currency) ? state.currency : (units[0] ?? null);
  const chart = chartUnit ? chartData(q, result, chartUnit) : null;
  const totals = Object.fromEntries(result.totals.map((t) => [t.unit, t.amount]));
  const mainTotal = units[0] ? totals[units[0]] : undefined;
  const unallocated = result.allocation
    ? result.allocation.pooled
        .map((p) => ({
          unit: p.unit,
          amount: subtractDecimals(p.amount, result.allocation?.shared.find((s) => s.unit === p.unit)?.amount ?? '0'),
        }))
        .filter((a) => compareDecimals(a.amount, '0') !== 0)
    : [];
  const groupDims: string[] = [...FIXED_DIMENSIONS, ...tagKeys.map((k) => `tag:${k}`)];
  if (q.groupBy && !groupDims.includes(q.groupBy)) groupDims.push(q.groupBy);
  const next = drillDimension(q.groupBy);
  const search = explorerSearch(q, { currency: state.currency, reporting: state.reporting });
  const hidden = (omit: string[]) =>
    [...new URLSearchParams(search)]
      .filter(([k]) => !omit.includes(k))
      .map(([k, v]) => <input key={`${k}=${v}`} type="hidden" name={k} value={v} />);

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Explorer</h1>
          <p className="sub" data-testid="explorer-heading">
            {METRICS[q.metric].label} · {formatDayRange(q.range)} · {q.groupBy ? `by ${dimensionLabel(q.groupBy)}` : 'total'}
          </p>
        </div>
        <nav className="toolbar" aria-label="Explorer views">
          {user && can(user.role, 'route', 'GET /explorer/export') ? (
            <>
              <a className="btn" href={`/explorer/export?format=csv&${explorerSearch(q)}`} download data-testid="export-csv">
                Download CSV
              </a>
              <a className="btn" href={`/explorer/export?format=xlsx&${explorerSearch(q)}`} download data-testid="export-xlsx">
                Download XLSX
              </a>
            </>
          ) : null}
          <Link className="btn" href="/explorer/regions">
            Regions
          </Link>
          <Link className="btn" href="/explorer/movers">
            Month over month
          </Link>
        </nav>
      </div>
      {state.problems.length ? (
        <Notice tone="error" testId="param-problems">
          <p>Some of the link's settings could not be used:</p>
          <ul>
            {state.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </Notice>
      ) : null}
      {closed ? <ClosedMonthNotice months={closed} /> : null}

      <form action="/explorer" className="toolbar" aria-label="View settings" data-testid="explorer-settings">
        <label htmlFor="ex-from">From</label>
        <input id="ex-from" type="date" name="from" defaultValue={q.range.from} required />
        <label htmlFor="ex-to">to</label>
        <input id="ex-to" type="date" name="to" defaultValue={q.range.to} required />
        <label htmlFor="ex-g">Granularity</label>
        <select id="ex-g" name="g" defaultValue={q.granularity}>
          {GRANULARITIES.map((g) => (
            <option key={g} value={g}>
              {g === 'total' ? 'whole range' : g}
            </option>
          ))}
        </select>
        <label htmlFor="ex-by">Group by</label>
        <select id="ex-by" name="by" defaultValue={q.groupBy ?? 'none'}>
          <option value="none">nothing (total)</option>
          {groupDims.map((d) => (
            <option key={d} value={d}>
              {dimensionLabel(d as Dimension)}
            </option>
          ))}
        </select>
        <label htmlFor="ex-m">Show</label>
        <select id="ex-m" name="m" defaultValue={q.metric}>
          {Object.entries(METRICS).map(([k, m]) => (
            <option key={k} value={k}>
              {m.label}
            </option>
          ))}
        </select>
        <label htmlFor="ex-rc">Convert totals to</label>
        <input id="ex-rc" name="rc" defaultValue={state.reporting ?? ''} placeholder="e.g. USD" size={5} pattern="[A-Za-z]{3}" />
        <label htmlFor="ex-al">
          <input id="ex-al" type="checkbox" name="al" value="1" defaultChecked={q.allocated} data-testid="explorer-allocated" /> Shared
          costs allocated
        </label>
        {hidden(['from', 'to', 'g', 'by', 'm', 'cur', 'rc', 'al'])}
        <button type="submit" className="btn btn-primary">
          Apply
        </button>
      </form>

      <section className="panel" aria-labelledby="filters-title" data-testid="explorer-filters">
        <div className="panel-head">
          <h2 id="filters-title">Filters</h2>
        </div>
        {q.filters.length ? (
          <ul className="toolbar">
            {q.filters.flatMap((f) =>
              f.values.map((v) => (
                <li key={`${f.dimension}|${f.exclude}|${v}`} data-testid="filter-chip">
                  {dimensionLabel(f.dimension)} {f.exclude ? 'is not' : 'is'} <strong>{v === '' ? emptyValueLabel(f.dimension) : v}</strong>{' '}
                  <Link
                    href={explorerHref(withoutFilterValue(q, f.dimension, f.exclude, v), { currency: state.currency })}
                    aria-label={`Remove filter ${dimensionLabel(f.dimension)} ${v}`}
                  >
                    ×
                  </Link>
                </li>
              )),
            )}
          </ul>
        ) : (
          <p className="figure-sub">No filters: everything in the range.</p>
        )}
        <form action="/explorer" className="toolbar" aria-label="Add a filter">
          {hidden([])}
          <label htmlFor="add-dim">Where</label>
          <select id="add-dim" name="add.dim" defaultValue="service">
            {FIXED_DIMENSIONS.map((d) => (
              <option key={d} value={d}>
                {dimensionLabel(d)}
              </option>
            ))}
            <option value="tag">Tag…</option>
          </select>
          <label htmlFor="add-tag">tag key</label>
          <input id="add-tag" name="add.tag" list="tag-keys" placeholder="team" size={10} />
          <datalist id="tag-keys">
            {tagKeys.map((k) => (
              <option key={k} value={k} />
            ))}
          </datalist>
          <select name="add.op" aria-label="Include or exclude" defaultValue="include">
            <option value="include">is</option>
            <option value="exclude">is not</option>
          </select>
          <label htmlFor="add-val">value</label>
          <input id="add-val" name="add.val" placeholder="empty = untagged / none" />
          <button type="submit" className="btn">
            Add filter
          </button>
        </form>
      </section>

      <section className="panel" aria-labelledby="chart-title">
        <div className="panel-head">
          <h2 id="chart-title">
            {q.groupBy ? `By ${dimensionLabel(q.groupBy)}` : 'Total'}
            {chartUnit ? ` · ${chartUnit}` : ''}
          </h2>
          {units.length > 1 ? (
            <nav className="segmented" aria-label={money ? 'Currency' : 'Unit'}>
              {units.map((u) => (
                <Link key={u} href={explorerHref(q, { currency: u })} aria-current={u === chartUnit ? 'true' : undefined}>
                  {u || 'no unit'}
                </Link>
              ))}
            </nav>
          ) : null}
        </div>
        {chart && chartUnit ? (
          <ExplorerChart unit={chartUnit} money={money} groups={chart.groups} points={chart.points} />
        ) : (
          <p className="figure-sub" data-testid="explorer-empty">
            Nothing in this range with these filters.
          </p>
        )}
        <p className="figure-sub" data-testid="explorer-source">
          {result.lineItems.toLocaleString('en-US')} line items, answered from {result.answeredFrom}
          {money && units.length > 1 ? '; amounts in different currencies are shown side by side, never added' : ''}
          {!money ? '; quantities are summed per unit, never across units' : ''}
          {result.effectiveCostMissing
            ? `; ${result.effectiveCostMissing.toLocaleString('en-US')} line items had no effective cost and are left out`
            : ''}
          .
        </p>
      </section>

      {result.allocation ? (
        <section className="panel" aria-labelledby="allocation-title" data-testid="explorer-allocation">
          <div className="panel-head">
            <h2 id="allocation-title">Allocated view</h2>
            <Link href="/settings/allocation">Shared-cost rules</Link>
          </div>
          {result.allocation.rules.length ? (
            <>
              <p className="figure-sub">
                Shared spend is split across teams by {result.allocation.rules.length}{' '}
                {result.allocation.rules.length === 1 ? 'rule' : 'rules'}, per month and currency, exactly: the totals are those of the
                unallocated view. Split across teams:{' '}
                <span data-testid="allocation-shared">{formatAmounts(result.allocation.shared) || 'nothing'}</span>.
              </p>
              <ol>
                {result.allocation.rules.map((r) => (
                  <li key={r.name}>
                    <strong>{r.name}</strong>: {describeRule(r)}
                  </li>
                ))}
              </ol>
              {unallocated.length ? (
                <Notice tone="info" testId="allocation-unallocated">
                  <p>
                    Left where it was, {formatAmounts(unallocated)}: a proportional rule found no team with direct spend in that month and
                    currency.
                  </p>
                </Notice>
              ) : null}
            </>
          ) : (
            <p className="figure-sub" data-testid="allocation-no-rules">
              No shared-cost rules yet: spend is shown as tagged. <Link href="/settings/allocation">Add one</Link>.
            </p>
          )}
        </section>
      ) : null}

      {conversion ? (
        <section className="panel" aria-labelledby="fx-title" data-testid="explorer-conversion">
          <div className="panel-head">
            <h2 id="fx-title">Converted to {conversion.reporting}</h2>
          </div>
          <p className="figure num" data-testid="converted-total" data-amount={conversion.total}>
            {formatMoney(conversion.total, conversion.reporting)}
          </p>
          <p className="figure-sub">
            {conversion.native
              ? `Every amount is already in ${conversion.reporting}: nothing was converted.`
              : `Each day's amount converted at that day's rate (or the latest earlier rate within 7 days), from the rates on the FX rates page, at ${formatDateTimeUtc(new Date())}.`}
          </p>
          {conversion.rates.length ? (
            <ul data-testid="conversion-rates">
              {conversion.rates.map((r) => (
                <li key={`${r.from}-${r.to}-${r.method}`}>
                  {r.from} → {r.to} ({r.method}): {r.days} {r.days === 1 ? 'day' : 'days'}, rates of {formatDay(r.firstRateDay)} to{' '}
                  {formatDay(r.lastRateDay)}
                  {r.earlierDays ? `; ${r.earlierDays} used an earlier day's rate (none published that day)` : ''}
                </li>
              ))}
            </ul>
          ) : null}
          {conversion.missing.length ? (
            <Notice tone="error" testId="missing-rates">
              <p>
                No rate for {conversion.missing.length} {conversion.missing.length === 1 ? 'day and currency' : 'days and currencies'}:
                those amounts are left out of the converted total (never converted at 1). Load rates on the{' '}
                <Link href="/settings/fx">FX rates</Link> page.
              </p>
              <ul>
                {conversion.missing.slice(0, 20).map((m) => (
                  <li key={`${m.day}-${m.currency}`}>
                    {formatDay(m.day)}: {formatMoney(m.amount, m.currency)}
                  </li>
                ))}
                {conversion.missing.length > 20 ? <li>and {conversion.missing.length - 20} more</li> : null}
              </ul>
            </Notice>
          ) : null}
        </section>
      ) : null}

      <section className="panel" aria-labelledby="table-title">
        <div className="panel-head">
          <h2 id="table-title">Table</h2>
          <span className="meta">{result.rows.length} groups</span>
        </div>
        <ExplorerTable
          dimensionLabel={q.groupBy ? dimensionLabel(q.groupBy) : 'Total'}
          units={units}
          money={money}
          totals={totals}
          shared={result.allocation ? Object.fromEntries(result.allocation.shared.map((a) => [a.unit, a.amount])) : null}
          converted={
            conversion
              ? {
                  unit: conversion.reporting,
                  total: conversion.total,
                  byKey: Object.fromEntries([...conversion.byGroup].map(([k, v]) => [k, v])),
                }
              : null
          }
          rows={result.rows.map((r) => {
            const main = units[0] ? r.amounts.find((a) => a.unit === units[0])?.amount : undefined;
            const share =
              main && mainTotal && compareDecimals(mainTotal, '0') !== 0
                ? divideDecimals(multiplyDecimals(main, '100'), mainTotal, 2)
                : null;
            return {
              key: r.key,
              label: r.label,
              amounts: Object.fromEntries(r.amounts.map((a) => [a.unit, a.amount])),
              shared: r.shared ? Object.fromEntries(r.shared.map((a) => [a.unit, a.amount])) : null,
              share,
              drill: q.groupBy
                ? explorerHref({ ...q, groupBy: next, filters: [...q.filters, { dimension: q.groupBy, exclude: false, values: [r.key] }] })
                : null,
            };
          })}
        />
      </section>

      <SavedViews
        search={search}
        views={views.map((v) => ({
          id: v.id,
          name: v.name,
          search: v.search,
          shared: v.shared,
          mine: v.mine,
          owner: v.ownerEmail,
          deletable: v.mine || user?.role === 'admin',
        }))}
      />
    </>
  );
}
