/**
 * An ExportTable as an .xlsx workbook, streamed: exceljs's WorkbookWriter writes each row into the
 * zip as it comes, so a million rows cost the server a few tens of MB, not the file's size
 * (README, Exports, has the measured figures: `npm run bench:export`).
 *
 * Sheet "Data": the title and period on top, then a header row (frozen), one row per table row and
 * a totals row per currency. Cells are typed: money is a number with its currency's format
 * ("USD" #,##0.00; JPY without decimals), quantities numbers, dates real dates, percentages
 * fractions shown as %. Excel keeps numbers as doubles, so an amount with more than 15 significant
 * digits is rounded in the cell; the totals are summed exactly here (BigInt), never by Excel.
 * Sheet "Filters": title, period, every filter, the notes, when it was generated, the row count
 * and the totals, so the file explains itself to someone who never opens the app.
 *
 * Text that a spreadsheet would run as a formula (=, +, -, @, TAB, CR first: a tag value typed by
 * anyone) gets the single-quote prefix of lib/csv-export.ts's rule.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { isCalendarDay } from '../calendar';
import { neutralizeFormula } from '../csv-export';
import {
  CURRENCY_NOTE,
  checkColumns,
  currencyKeyOf,
  type ExportColumn,
  type ExportRow,
  type ExportTable,
  ExportTableError,
  type ExportTotal,
  TotalsAccumulator,
} from './table';

export const DATA_SHEET = 'Data';
export const FILTERS_SHEET = 'Filters';
/** Rows above the header on the data sheet: title, period, blank. */
export const HEADER_ROW = 4;

export interface XlsxResult {
  rows: number;
  totals: ExportTotal[];
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** Digits after the point for a currency (ISO 4217 minor unit, as Intl knows it); 2 for a code Intl does not know. */
export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** The number format of a money cell: '"USD" #,##0.00', '"JPY" #,##0'. Only letters and digits of the code are kept (it sits in quotes). */
export function moneyFormat(currency: string): string {
  const code = currency.replace(/[^A-Za-z0-9]/g, '').slice(0, 12) || 'XXX';
  const digits = currencyDigits(code);
  return `"${code}" #,##0${digits > 0 ? `.${'0'.repeat(digits)}` : ''}`;
}

export const QUANTITY_FORMAT = '#,##0.############';
export const PERCENT_FORMAT = '0.0%';
export const DATE_FORMAT = 'yyyy-mm-dd';

function numberOf(value: string, column: ExportColumn, rowNumber: number): number {
  if (!DECIMAL.test(value))
    throw new ExportTableError(`row ${rowNumber}: ${column.label} is not a decimal number: ${JSON.stringify(value)}`);
  return Number(value);
}

function setCell(cell: ExcelJS.Cell, column: ExportColumn, row: ExportRow, rowNumber: number): void {
  const value = row[column.key];
  if (value === null || value === undefined || value === '') return;
  switch (column.kind) {
    case 'text':
      cell.value = neutralizeFormula(value);
      return;
    case 'money':
      cell.value = numberOf(value, column, rowNumber);
      // The totals accumulator has already refused a money value without its currency.
      cell.numFmt = moneyFormat(row[currencyKeyOf(column)] as string);
      return;
    case 'quantity':
      cell.value = numberOf(value, column, rowNumber);
      cell.numFmt = QUANTITY_FORMAT;
      return;
    case 'percent':
      // '12.5' means 12.5 %: the cell holds 0.125 and shows 12.5%.
      cell.value = numberOf(value, column, rowNumber) / 100;
      cell.numFmt = PERCENT_FORMAT;
      return;
    case 'date':
      if (!isCalendarDay(value))
        throw new ExportTableError(`row ${rowNumber}: ${column.label} is not a day (YYYY-MM-DD): ${JSON.stringify(value)}`);
      cell.value = new Date(`${value}T00:00:00Z`);
      cell.numFmt = DATE_FORMAT;
      return;
  }
}

function periodLine(table: ExportTable): string {
  return table.dateRange.from === table.dateRange.to
    ? `Period: ${table.dateRange.from} (UTC)`
    : `Period: ${table.dateRange.from} to ${table.dateRange.to} inclusive (UTC days)`;
}

function widthOf(column: ExportColumn): number {
  const base = column.kind === 'text' ? 24 : column.kind === 'date' ? 12 : 16;
  return Math.min(60, Math.max(base, column.label.length + 2));
}

/**
 * How many bytes of the sheet's XML wait for the zip's deflate. exceljs writes each committed row
 * into the sheet's zip entry without looking at back-pressure (its StreamBuf ignores write()'s
 * answer), so a fast row source fills the entry's PassThrough without bound: 1M rows held ~130 MB
 * there before this. Internal fields (exceljs 4.4: WorksheetWriter.stream is a StreamBuf whose
 * `pipes[0]` is archiver's PassThrough for the entry): xlsx.test.ts fails if they move.
 */
export function sheetBacklog(sheet: ExcelJS.Worksheet): number | null {
  const stream = (sheet as unknown as { _stream?: { pipes?: { _writableState?: { length?: number } }[] } })._stream;
  const length = stream?.pipes?.[0]?._writableState?.length;
  return typeof length === 'number' ? length : null;
}

const MAX_BACKLOG = 1 << 20;

/** Waits while the sheet's zip entry or the destination holds more than it should (back-pressure). */
async function drain(sheet: ExcelJS.Worksheet, out: Writable): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  const entry = (sheet as unknown as { _stream?: { pipes?: NodeJS.EventEmitter[] } })._stream?.pipes?.[0];
  const backlog = sheetBacklog(sheet);
  if (entry && backlog !== null && backlog > MAX_BACKLOG) await once(entry, 'drain');
  if (out.writableNeedDrain) await once(out, 'drain');
}

/**
 * Writes the table to `out` as .xlsx and resolves when the last byte is flushed. Rejects (and
 * leaves `out` unfinished: discard it) when a row is invalid: a money value without a currency or
 * not a decimal, a date that is not a day.
 */
export async function writeXlsx(table: ExportTable, out: Writable): Promise<XlsxResult> {
  checkColumns(table.columns);
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  workbook.creator = 'Burnrate';
  workbook.created = table.generatedAt;

  const sheet = workbook.addWorksheet(DATA_SHEET, { views: [{ state: 'frozen', ySplit: HEADER_ROW }] });
  sheet.columns = table.columns.map((c) => ({ key: c.key, width: widthOf(c) }));
  const title = sheet.getRow(1);
  title.getCell(1).value = neutralizeFormula(table.title);
  title.font = { bold: true, size: 14 };
  title.commit();
  const period = sheet.getRow(2);
  period.getCell(1).value = `${periodLine(table)}. Filters and notes: sheet "${FILTERS_SHEET}".`;
  period.commit();
  sheet.getRow(3).commit();
  const header = sheet.getRow(HEADER_ROW);
  table.columns.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.value = neutralizeFormula(c.label);
    cell.font = { bold: true };
    if (c.kind !== 'text') cell.alignment = { horizontal: 'right' };
  });
  header.commit();

  const totals = new TotalsAccumulator(table.columns);
  let n = 0;
  for await (const row of table.rows) {
    n++;
    totals.add(row, n);
    const r = sheet.getRow(HEADER_ROW + n);
    table.columns.forEach((c, i) => {
      setCell(r.getCell(i + 1), c, row, n);
    });
    r.commit();
    if (n % 500 === 0) await drain(sheet, out);
  }

  // One totals row per currency: each money column's total in that currency, the currency in the
  // currency columns. A row never holds two currencies.
  const result = totals.totals();
  const currencies = [...new Set(result.map((t) => t.currency))].sort();
  let at = HEADER_ROW + n + 2;
  for (const currency of currencies) {
    const r = sheet.getRow(at++);
    r.font = { bold: true };
    r.getCell(1).value = `Total ${currency}`;
    table.columns.forEach((c, i) => {
      if (c.kind === 'money') {
        const t = result.find((x) => x.column === c.key && x.currency === currency);
        if (t) {
          const cell = r.getCell(i + 1);
          cell.value = Number(t.amount);
          cell.numFmt = moneyFormat(currency);
        }
      } else if (i > 0 && table.columns.some((m) => m.kind === 'money' && currencyKeyOf(m) === c.key)) {
        r.getCell(i + 1).value = currency;
      }
    });
    r.commit();
  }
  if (currencies.length === 0) {
    const r = sheet.getRow(at);
    r.getCell(1).value = n === 0 ? 'No rows match these filters.' : 'No amounts.';
    r.commit();
  }
  sheet.commit();

  const about = workbook.addWorksheet(FILTERS_SHEET);
  about.columns = [{ width: 28 }, { width: 80 }];
  const line = (label: string, value: string | number | null, numFmt?: string, bold = false) => {
    const r = about.addRow([neutralizeFormula(label), typeof value === 'string' ? neutralizeFormula(value) : value]);
    if (numFmt) r.getCell(2).numFmt = numFmt;
    if (bold) r.font = { bold: true };
    r.commit();
  };
  line(table.title, null, undefined, true);
  line('Period from', table.dateRange.from);
  line('Period to', table.dateRange.to);
  for (const f of table.filters) line(f.label, f.value);
  line('Generated at', `${table.generatedAt.toISOString().slice(0, 19).replace('T', ' ')} UTC`);
  line('Rows', n);
  for (const t of result) {
    const column = table.columns.find((c) => c.key === t.column) as ExportColumn;
    line(`Total ${column.label} (${t.currency})`, Number(t.amount), moneyFormat(t.currency));
  }
  line('Note', CURRENCY_NOTE);
  for (const note of table.notes) line('Note', note);
  about.commit();

  // Resolves on `out`'s 'finish' (exceljs's _finalize), rejects on its error.
  await workbook.commit();
  return { rows: n, totals: result };
}

/** The workbook in memory, for small files (a month's email attachment). */
export async function xlsxBuffer(table: ExportTable): Promise<{ bytes: Buffer } & XlsxResult> {
  const { PassThrough } = await import('node:stream');
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (c: Buffer) => chunks.push(c));
  const result = await writeXlsx(table, sink);
  return { bytes: Buffer.concat(chunks), ...result };
}
