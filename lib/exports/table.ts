/**
 * The "report table" every tabular export writer takes (xlsx.ts now; the explorer's CSV can take
 * the same): what the file says about itself, its columns, and its rows as an async iterable, so a
 * writer pulls rows as it writes and never holds the whole table.
 *
 * Values are strings as the queries return them: money and quantities as exact decimal strings
 * ('1234.50', as PostgreSQL numeric prints them), dates as UTC days 'YYYY-MM-DD', percentages
 * already multiplied by 100 ('12.5' is 12.5 %), null for no value. Every money column names the
 * text column holding its row's currency (`currencyKey`); a money value without a currency is an
 * error, never a bare number. Totals are computed by the writer, exactly, per money column and
 * currency (tableTotals below): a table never claims totals its rows do not add up to.
 */
import { fromScaled, toScaled } from '../decimal';

export type ColumnKind = 'text' | 'money' | 'quantity' | 'date' | 'percent';

export interface ExportColumn {
  /** The row's property holding this column's value. */
  key: string;
  /** The header cell. */
  label: string;
  kind: ColumnKind;
  /** Money only: the key of the text column with the row's ISO 4217 currency code. Default 'currency'. */
  currencyKey?: string;
}

export type ExportRow = Readonly<Record<string, string | null>>;

export interface ExportFilter {
  /** 'Provider', 'Tag team', 'Granularity'… */
  label: string;
  /** As a person reads it: 'AWS, Microsoft', 'untagged', 'all'. */
  value: string;
}

export interface ExportTable {
  /** The sheet's title line and the file's title: 'Spend by service, November 2026'. */
  title: string;
  /** Inclusive UTC days the figures cover. */
  dateRange: { from: string; to: string };
  /** Every filter and setting that shaped the rows, including the ones left at "all". */
  filters: readonly ExportFilter[];
  /** Further lines for a reader who never opens the app: the cost metric, the currency note… */
  notes: readonly string[];
  generatedAt: Date;
  columns: readonly ExportColumn[];
  rows: AsyncIterable<ExportRow>;
}

/** One money column's total in one currency. */
export interface ExportTotal {
  column: string;
  currency: string;
  amount: string;
}

/** The currency note every export carries: figures are per currency, never converted or added across currencies. */
export const CURRENCY_NOTE =
  'Amounts are in each row’s billing currency. Totals are per currency; amounts in different currencies are never added together.';

export class ExportTableError extends Error {}

export function currencyKeyOf(column: ExportColumn): string {
  return column.currencyKey ?? 'currency';
}

/** Checks the columns once: unique keys, and every money column's currency column present and of kind text. */
export function checkColumns(columns: readonly ExportColumn[]): void {
  const byKey = new Map<string, ExportColumn>();
  for (const c of columns) {
    if (byKey.has(c.key)) throw new ExportTableError(`two columns have the key ${JSON.stringify(c.key)}`);
    byKey.set(c.key, c);
  }
  for (const c of columns) {
    if (c.kind !== 'money') continue;
    const cur = byKey.get(currencyKeyOf(c));
    if (cur?.kind !== 'text') {
      throw new ExportTableError(
        `money column ${JSON.stringify(c.key)} needs a text column ${JSON.stringify(currencyKeyOf(c))} with its currency`,
      );
    }
  }
}

/** Running exact totals per money column and currency, fed row by row (BigInt units, a few bytes per total). */
export class TotalsAccumulator {
  private readonly sums = new Map<string, { column: string; currency: string; units: bigint; scale: number }>();
  private readonly money: readonly ExportColumn[];

  constructor(columns: readonly ExportColumn[]) {
    this.money = columns.filter((c) => c.kind === 'money');
  }

  /** Adds a row's money values; `rowNumber` (1-based, data rows) names the row in an error. */
  add(row: ExportRow, rowNumber: number): void {
    for (const c of this.money) {
      const amount = row[c.key];
      if (amount === null || amount === undefined || amount === '') continue;
      const currency = row[currencyKeyOf(c)];
      if (!currency) {
        throw new ExportTableError(`row ${rowNumber}: ${c.label} is ${amount} with no currency in ${JSON.stringify(currencyKeyOf(c))}`);
      }
      let units: bigint;
      let scale: number;
      try {
        [units, scale] = toScaled(amount);
      } catch {
        throw new ExportTableError(`row ${rowNumber}: ${c.label} is not a decimal number: ${JSON.stringify(amount)}`);
      }
      const key = `${c.key}\u0000${currency}`;
      const s = this.sums.get(key);
      if (!s) {
        this.sums.set(key, { column: c.key, currency, units, scale });
      } else if (scale > s.scale) {
        s.units = s.units * 10n ** BigInt(scale - s.scale) + units;
        s.scale = scale;
      } else {
        s.units += units * 10n ** BigInt(s.scale - scale);
      }
    }
  }

  /** Totals ordered by column (as in the table), then currency. */
  totals(): ExportTotal[] {
    const order = new Map(this.money.map((c, i) => [c.key, i]));
    return [...this.sums.values()]
      .map((s) => ({ column: s.column, currency: s.currency, amount: fromScaled(s.units, s.scale) }))
      .sort(
        (a, b) =>
          (order.get(a.column) ?? 0) - (order.get(b.column) ?? 0) || (a.currency < b.currency ? -1 : a.currency > b.currency ? 1 : 0),
      );
  }
}

/** An array as the rows' async iterable (tests, small reports). */
export async function* rowsOf(rows: Iterable<ExportRow>): AsyncIterable<ExportRow> {
  yield* rows;
}
