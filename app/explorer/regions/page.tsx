import Link from 'next/link';
import { requirePage } from '@/lib/auth/session';
import { getPool } from '@/lib/db/pool';
import { METRICS } from '@/lib/explorer/dimensions';
import { runExplorerQuery } from '@/lib/explorer/query';
import { explorerHref, parseExplorerSearchParams } from '@/lib/explorer/url';
import { geographyOf, lookupRegion } from '@/lib/focus/regions';
import { formatDayRange, formatMoney } from '@/lib/format';
import { DecimalSum } from '@/lib/ingest/daily-rollup';
import type { RawSearchParams } from '@/lib/schema';
import { Notice } from '../../ui/notice';
import { RegionChart } from './region-chart';

export const metadata = { title: 'Spend by region' };
export const dynamic = 'force-dynamic';

interface Node {
  key: string;
  label: string;
  sums: Map<string, DecimalSum>;
}

function add(node: Node, unit: string, amount: string): void {
  let s = node.sums.get(unit);
  if (!s) {
    s = new DecimalSum();
    node.sums.set(unit, s);
  }
  s.addString(amount);
}

const amount = (n: Node, unit: string) => n.sums.get(unit)?.value() ?? null;

/**
 * Spend per geography, country and region, for every provider's region codes (lib/focus/regions.ts):
 * where a global team's money goes. Amounts per currency, never added across.
 */
export default async function RegionsPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  await requirePage('/explorer/regions');
  const state = parseExplorerSearchParams(await searchParams);
  const q = { ...state.query, groupBy: 'region' as const, granularity: 'total' as const };
  const result = await runExplorerQuery(getPool(), q);
  const units = result.totals.map((t) => t.unit);
  const unit = state.currency && units.includes(state.currency) ? state.currency : units[0];
  const geos = new Map<string, Node & { countries: Map<string, Node & { regions: Node[] }> }>();
  for (const row of result.rows) {
    const region = lookupRegion(row.key);
    const geo = geographyOf(region) ?? '';
    const countryCode = region?.country?.code ?? '';
    let g = geos.get(geo);
    if (!g) {
      g = { key: geo, label: geo || '(unknown location)', sums: new Map(), countries: new Map() };
      geos.set(geo, g);
    }
    let c = g.countries.get(countryCode);
    if (!c) {
      c = { key: countryCode, label: region?.country?.name ?? (region ? region.name : '(no region)'), sums: new Map(), regions: [] };
      g.countries.set(countryCode, c);
    }
    const r: Node = { key: row.key, label: region ? `${region.name} (${row.key})` : row.key || '(no region)', sums: new Map() };
    for (const a of row.amounts) {
      add(g, a.unit, a.amount);
      add(c, a.unit, a.amount);
      add(r, a.unit, a.amount);
    }
    c.regions.push(r);
  }
  const byAmount = <T extends Node>(list: T[]) =>
    list.sort(
      (a, b) =>
        Number(unit ? (amount(b, unit) ?? '-1') : 0) - Number(unit ? (amount(a, unit) ?? '-1') : 0) || a.label.localeCompare(b.label),
    );
  const ordered = byAmount([...geos.values()]);
  const show = (n: Node) =>
    units
      .map((u) => [u, amount(n, u)] as const)
      .filter(([, v]) => v !== null)
      .map(([u, v]) => formatMoney(v as string, u))
      .join(' · ');
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Spend by region</h1>
          <p className="sub">
            {METRICS[q.metric].label} · {formatDayRange(q.range)} · geography, country and region, every provider
          </p>
        </div>
        <nav className="toolbar">
          <Link className="btn" href={explorerHref({ ...state.query, groupBy: 'geography' })}>
            Open in the explorer
          </Link>
        </nav>
      </div>
      {state.problems.length ? (
        <Notice tone="error" testId="param-problems">
          <ul>
            {state.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </Notice>
      ) : null}
      <form action="/explorer/regions" className="toolbar" aria-label="Range">
        <label htmlFor="rg-from">From</label>
        <input id="rg-from" type="date" name="from" defaultValue={q.range.from} />
        <label htmlFor="rg-to">to</label>
        <input id="rg-to" type="date" name="to" defaultValue={q.range.to} />
        <input type="hidden" name="m" value={q.metric} />
        <button type="submit" className="btn">
          Apply
        </button>
      </form>
      {unit ? (
        <section className="panel" aria-labelledby="geo-chart">
          <div className="panel-head">
            <h2 id="geo-chart">By geography and country · {unit}</h2>
          </div>
          <RegionChart
            unit={unit}
            geographies={ordered
              .filter((g) => amount(g, unit) !== null)
              .map((g) => ({
                label: g.label,
                countries: byAmount([...g.countries.values()])
                  .filter((c) => amount(c, unit) !== null)
                  .map((c) => ({ label: c.label, amount: amount(c, unit) as string })),
              }))}
          />
        </section>
      ) : (
        <p className="figure-sub">No spend in this range.</p>
      )}
      <section className="panel" aria-labelledby="geo-table">
        <div className="panel-head">
          <h2 id="geo-table">Geographies, countries and regions</h2>
        </div>
        <table className="table" data-testid="region-table">
          <thead>
            <tr>
              <th scope="col">Where</th>
              <th scope="col" className="right">
                {units.length > 1 ? 'Spend (per currency)' : 'Spend'}
              </th>
            </tr>
          </thead>
          <tbody>
            {ordered.flatMap((g) => [
              <tr key={`g-${g.key}`} data-testid="geography-row" data-geography={g.key}>
                <th scope="row">
                  <Link
                    href={explorerHref({
                      ...state.query,
                      groupBy: 'country',
                      filters: [{ dimension: 'geography', exclude: false, values: [g.key] }],
                    })}
                  >
                    {g.label}
                  </Link>
                </th>
                <td className="right num">{show(g)}</td>
              </tr>,
              ...byAmount([...g.countries.values()]).flatMap((c) => [
                <tr key={`c-${g.key}-${c.key}`} data-testid="country-row" data-country={c.key}>
                  <td style={{ paddingLeft: 24 }}>{c.label}</td>
                  <td className="right num">{show(c)}</td>
                </tr>,
                ...byAmount(c.regions).map((r) => (
                  <tr key={`r-${r.key}`} data-testid="region-row" data-region={r.key}>
                    <td className="cell-sub" style={{ paddingLeft: 48 }}>
                      {r.label}
                    </td>
                    <td className="right num cell-sub">{show(r)}</td>
                  </tr>
                )),
              ]),
            ])}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">Total</th>
              <td className="right num" data-testid="region-total">
                {result.totals.map((t) => formatMoney(t.amount, t.unit)).join(' · ')}
              </td>
            </tr>
          </tfoot>
        </table>
      </section>
    </>
  );
}
