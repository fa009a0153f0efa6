/**
 * The current explorer view as a file (CSV, XLSX): one row per period, group and currency (or unit),
 * read through a server-side cursor in batches, so a view of millions of cells streams in bounded
 * memory. The figures are the explorer's own query (explorerSql), so a download equals the page.
 */
import type pg from 'pg';
import { loadSharedCostRules } from '../allocation/rules';
import { getPool } from '../db/pool';
import type { ExportColumn, ExportFilter, ExportRow, ExportTable } from '../exports/table';
import { CURRENCY_NOTE } from '../exports/table';
import { dimensionLabel, emptyValueLabel, METRICS } from './dimensions';
import { chooseSource, type ExplorerQuery, explorerSql, tagRulesFor } from './query';

const BATCH = 5000;

export function explorerExportColumns(q: ExplorerQuery): ExportColumn[] {
  const group = q.groupBy ? dimensionLabel(q.groupBy) : 'Group';
  const money = q.metric !== 'usage';
  return [
    { key: 'period', label: q.granularity === 'total' ? 'From' : 'Period start', kind: 'date' },
    { key: 'group', label: group, kind: 'text' },
    { key: 'key', label: `${group} (id)`, kind: 'text' },
    money ? { key: 'currency', label: 'Currency', kind: 'text' } : { key: 'unit', label: 'Unit', kind: 'text' },
    money
      ? { key: 'amount', label: METRICS[q.metric].label, kind: 'money', currencyKey: 'currency' }
      : { key: 'amount', label: METRICS[q.metric].label, kind: 'quantity' },
  ];
}

export function explorerExportFilters(q: ExplorerQuery): ExportFilter[] {
  return [
    { label: 'Date range', value: `${q.range.from} to ${q.range.to} (UTC days, inclusive)` },
    { label: 'Granularity', value: q.granularity === 'total' ? 'whole range' : q.granularity },
    { label: 'Group by', value: q.groupBy ? dimensionLabel(q.groupBy) : 'nothing (total)' },
    { label: 'Measure', value: METRICS[q.metric].label },
    ...(q.allocated
      ? [{ label: 'View', value: 'allocated: shared costs split across teams by the shared-cost rules (Settings, Shared costs)' }]
      : []),
    ...(q.filters.length
      ? q.filters.map((f) => ({
          label: `${dimensionLabel(f.dimension)} ${f.exclude ? 'is not' : 'is'}`,
          value: f.values.map((v) => (v === '' ? emptyValueLabel(f.dimension) : v)).join(', '),
        }))
      : [{ label: 'Filters', value: 'none: everything in the range' }]),
  ];
}

/** The view's cells through a cursor on a client of its own, released when the consumer stops. */
export async function* explorerCells(q: ExplorerQuery, db: pg.Pool = getPool()): AsyncGenerator<ExportRow> {
  const client = await db.connect();
  let done = false;
  try {
    await client.query('BEGIN READ ONLY');
    const sharedRules = q.allocated ? await loadSharedCostRules(client) : undefined;
    const { text, values } = explorerSql(q, chooseSource(q), await tagRulesFor(client, q), sharedRules);
    await client.query(`DECLARE explorer_export NO SCROLL CURSOR FOR ${text}`, values);
    const money = q.metric !== 'usage';
    for (;;) {
      const { rows } = await client.query<{ period: string; grp: string | null; unit: string; amount: string | null }>(
        `FETCH ${BATCH} FROM explorer_export`,
      );
      if (!rows.length) break;
      for (const r of rows) {
        if (r.amount === null) continue;
        const key = r.grp ?? '';
        yield {
          period: r.period,
          group: q.groupBy ? (key === '' ? emptyValueLabel(q.groupBy) : key) : 'Total',
          key,
          [money ? 'currency' : 'unit']: r.unit,
          amount: r.amount,
        };
      }
    }
    await client.query('COMMIT');
    done = true;
  } finally {
    if (!done) await client.query('ROLLBACK').catch(() => {});
    client.release();
  }
}

/** The export table of a view (rows pulled as the writer writes). */
export function explorerExportTable(q: ExplorerQuery, now = new Date(), rows: AsyncIterable<ExportRow> = explorerCells(q)): ExportTable {
  return {
    title: `${METRICS[q.metric].label}${q.groupBy ? ` by ${dimensionLabel(q.groupBy)}` : ''}, ${q.range.from} to ${q.range.to}`,
    dateRange: q.range,
    filters: explorerExportFilters(q),
    notes: [
      q.metric === 'usage' ? 'Quantities are per unit; quantities of different units are never added together.' : CURRENCY_NOTE,
      `Answered from ${chooseSource(q).table} (Burnrate's rollups of the billing line items).`,
    ],
    generatedAt: now,
    columns: explorerExportColumns(q),
    rows,
  };
}
