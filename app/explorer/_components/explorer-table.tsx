'use client';

import Link from 'next/link';
import { useState } from 'react';
import { formatMoney, formatQuantity } from '@/lib/format';
import { ShareBar } from '../../ui/share-bar';

export interface ExplorerTableRow {
  key: string;
  label: string;
  /** Per unit (currency, or usage unit), exact decimal strings. */
  amounts: Record<string, string>;
  /** The allocated view: the part of each amount that came from shared costs; null otherwise. */
  shared: Record<string, string> | null;
  /** Share of the main unit's total, already × 100, or null. */
  share: string | null;
  /** The explorer view explaining this group (filtered to it). */
  drill: string | null;
}

type SortKey = 'label' | string;

function compareDecimal(a: string | undefined, b: string | undefined): number {
  // Sorting only; amounts shown stay exact.
  return Number(a ?? '-Infinity') - Number(b ?? '-Infinity');
}

/** The explorer's table: one row per group, one amount column per currency or unit, totals at the foot; click a header to sort. */
export function ExplorerTable({
  dimensionLabel,
  units,
  money,
  rows,
  totals,
  shared,
  converted,
}: {
  dimensionLabel: string;
  units: string[];
  money: boolean;
  rows: ExplorerTableRow[];
  totals: Record<string, string>;
  /** The allocated view's shared part of the totals (null: not the allocated view). */
  shared: Record<string, string> | null;
  /** The groups converted into the reporting currency (incomplete when a rate was missing). */
  converted: { unit: string; total: string; byKey: Record<string, { total: string; complete: boolean }> } | null;
}) {
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: units[0] ?? 'label', desc: true });
  const sorted = [...rows].sort((a, b) => {
    const c = sort.key === 'label' ? a.label.localeCompare(b.label) : compareDecimal(a.amounts[sort.key], b.amounts[sort.key]);
    return sort.desc ? -c : c;
  });
  const show = (v: string, unit: string) => (money ? formatMoney(v, unit) : formatQuantity(v, unit));
  const header = (key: SortKey, text: string, right = false) => (
    <th
      scope="col"
      className={right ? 'right' : undefined}
      aria-sort={sort.key === key ? (sort.desc ? 'descending' : 'ascending') : 'none'}
    >
      <button
        type="button"
        className="linklike"
        onClick={() => setSort((s) => ({ key, desc: s.key === key ? !s.desc : key !== 'label' }))}
        data-testid={`sort-${key}`}
      >
        {text}
        {sort.key === key ? (sort.desc ? ' ▼' : ' ▲') : ''}
      </button>
    </th>
  );
  return (
    <div className="table-scroll">
      <table className="table" data-testid="explorer-table">
        <caption className="visually-hidden">Spend by {dimensionLabel}</caption>
        <thead>
          <tr>
            {header('label', dimensionLabel)}
            {units.map((u) => header(u, money ? u : `Quantity (${u || 'no unit'})`, true))}
            {shared ? (
              <th scope="col" className="right">
                of which shared
              </th>
            ) : null}
            {converted ? (
              <th scope="col" className="right">
                in {converted.unit}
              </th>
            ) : null}
            <th scope="col">Share</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((r) => (
            <tr key={r.key} data-testid="explorer-row" data-key={r.key}>
              <td>
                {r.drill ? (
                  <Link href={r.drill} title="Show what makes up this group">
                    {r.label}
                  </Link>
                ) : (
                  r.label
                )}
              </td>
              {units.map((u) => (
                <td key={u} className="right num" data-unit={u} data-amount={r.amounts[u] ?? ''}>
                  {r.amounts[u] ? show(r.amounts[u], u) : '–'}
                </td>
              ))}
              {shared ? <SharedCell amounts={r.shared ?? {}} units={units} testId="shared-cell" /> : null}
              {converted ? (
                <td className="right num" data-testid="converted-cell" data-amount={converted.byKey[r.key]?.total ?? ''}>
                  {converted.byKey[r.key] ? formatMoney(converted.byKey[r.key]?.total as string, converted.unit) : '–'}
                  {converted.byKey[r.key] && !converted.byKey[r.key]?.complete ? ' *' : ''}
                </td>
              ) : null}
              <td>
                <ShareBar share={r.share} />
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr className="total" data-testid="explorer-total">
            <th scope="row">Total</th>
            {units.map((u) => (
              <td key={u} className="right num" data-unit={u} data-amount={totals[u] ?? ''}>
                {totals[u] ? show(totals[u], u) : '–'}
              </td>
            ))}
            {shared ? <SharedCell amounts={shared} units={units} testId="shared-cell-total" /> : null}
            {converted ? (
              <td className="right num" data-testid="converted-cell-total" data-amount={converted.total}>
                {formatMoney(converted.total, converted.unit)}
              </td>
            ) : null}
            <td />
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

/** The shared part of a group's amounts, one line per currency. */
function SharedCell({ amounts, units, testId }: { amounts: Record<string, string>; units: string[]; testId: string }) {
  const present = units.filter((u) => amounts[u]);
  return (
    <td className="right num" data-testid={testId}>
      {present.length
        ? present.map((u) => (
            <span key={u} data-unit={u} data-amount={amounts[u]} style={{ display: 'block' }}>
              {formatMoney(amounts[u] as string, u)}
            </span>
          ))
        : '–'}
    </td>
  );
}
