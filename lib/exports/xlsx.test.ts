// The XLSX writer's files read back with exceljs's reader (the non-streaming Workbook, a separate
// code path from the streaming writer): cell types, number formats, totals against sums computed
// here from the input rows (tests/helpers/bigint-decimal.ts, not lib/decimal.ts), the Filters
// sheet, and formula-like text neutralised.
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { sumDecimals } from '../../tests/helpers/bigint-decimal';
import { removeTempDirs, tempDir } from '../../tests/helpers/temp-dir';
import { type ExportColumn, type ExportRow, type ExportTable, ExportTableError, rowsOf } from './table';
import { DATA_SHEET, FILTERS_SHEET, HEADER_ROW, sheetBacklog, writeXlsx, xlsxBuffer } from './xlsx';

afterAll(removeTempDirs);

const COLUMNS: ExportColumn[] = [
  { key: 'day', label: 'Day', kind: 'date' },
  { key: 'team', label: 'Team', kind: 'text' },
  { key: 'service', label: 'Service', kind: 'text' },
  { key: 'usage', label: 'Usage quantity', kind: 'quantity' },
  { key: 'share', label: 'Share', kind: 'percent' },
  { key: 'billed', label: 'Billed cost', kind: 'money' },
  { key: 'effective', label: 'Effective cost', kind: 'money' },
  { key: 'currency', label: 'Currency', kind: 'text' },
];

const ROWS: ExportRow[] = [
  {
    day: '2026-11-01',
    team: 'ml',
    service: 'Amazon EC2',
    usage: '24',
    share: '12.5',
    billed: '100.10',
    effective: '90.05',
    currency: 'USD',
  },
  {
    day: '2026-11-01',
    team: '=HYPERLINK("http://evil.test","x")',
    service: 'S3',
    usage: '0.5',
    share: '0',
    billed: '0.20',
    effective: null,
    currency: 'USD',
  },
  {
    day: '2026-11-02',
    team: '+1+1',
    service: 'Virtual Machines',
    usage: '3',
    share: '50',
    billed: '78.90',
    effective: '78.90',
    currency: 'EUR',
  },
  { day: '2026-11-02', team: '@SUM(A1)', service: '-2+3', usage: null, share: null, billed: '-1.25', effective: '-1.25', currency: 'EUR' },
  { day: '2026-11-03', team: '\t=1', service: '-12.50', usage: '1', share: '100', billed: '1500', effective: '1500', currency: 'JPY' },
  {
    day: '2026-11-03',
    team: null,
    service: 'Compute Engine',
    usage: '2',
    share: '7.25',
    billed: '90071992547409.93',
    effective: '0.1',
    currency: 'USD',
  },
];

function table(rows: ExportRow[] = ROWS, columns: ExportColumn[] = COLUMNS): ExportTable {
  return {
    title: 'Spend by team, November 2026',
    dateRange: { from: '2026-11-01', to: '2026-11-30' },
    filters: [
      { label: 'Provider', value: 'AWS, Microsoft, Google Cloud' },
      { label: 'Tag team', value: '=cmd|"/c calc"!A1' },
      { label: 'Cost metric', value: 'billed' },
    ],
    notes: ['Untagged spend is shown with an empty team.'],
    generatedAt: new Date('2026-12-01T06:30:00Z'),
    columns,
    rows: rowsOf(rows),
  };
}

async function readBack(bytes: Buffer | string): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  if (typeof bytes === 'string') await wb.xlsx.readFile(bytes);
  else await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  return wb;
}

describe('writeXlsx', () => {
  it('writes typed cells: money as numbers with its currency format, quantities, dates, percentages', async () => {
    const dir = await tempDir('burnrate-xlsx-');
    const file = path.join(dir, 'spend.xlsx');
    const out = createWriteStream(file);
    const result = await writeXlsx(table(), out);
    await finished(out);
    expect(result.rows).toBe(6);
    expect((await stat(file)).size).toBeGreaterThan(0);
    const sheet = (await readBack(file)).getWorksheet(DATA_SHEET) as ExcelJS.Worksheet;
    expect(sheet.getCell('A1').value).toBe('Spend by team, November 2026');
    expect(String(sheet.getCell('A2').value)).toContain('2026-11-01 to 2026-11-30');
    expect(sheet.getRow(HEADER_ROW).values).toEqual([
      undefined,
      'Day',
      'Team',
      'Service',
      'Usage quantity',
      'Share',
      'Billed cost',
      'Effective cost',
      'Currency',
    ]);
    const first = sheet.getRow(HEADER_ROW + 1);
    expect(first.getCell(1).type).toBe(ExcelJS.ValueType.Date);
    expect((first.getCell(1).value as Date).toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(first.getCell(1).numFmt).toBe('yyyy-mm-dd');
    expect(first.getCell(4)).toMatchObject({ type: ExcelJS.ValueType.Number, value: 24 });
    expect(first.getCell(5)).toMatchObject({ type: ExcelJS.ValueType.Number, value: 0.125, numFmt: '0.0%' });
    expect(first.getCell(6)).toMatchObject({ type: ExcelJS.ValueType.Number, value: 100.1, numFmt: '"USD" #,##0.00' });
    expect(first.getCell(7)).toMatchObject({ type: ExcelJS.ValueType.Number, value: 90.05, numFmt: '"USD" #,##0.00' });
    expect(first.getCell(8)).toMatchObject({ type: ExcelJS.ValueType.String, value: 'USD' });
    // No effective cost: an empty cell, not 0.
    expect(sheet.getRow(HEADER_ROW + 2).getCell(7).type).toBe(ExcelJS.ValueType.Null);
    expect(sheet.getRow(HEADER_ROW + 3).getCell(6)).toMatchObject({ value: 78.9, numFmt: '"EUR" #,##0.00' });
    expect(sheet.getRow(HEADER_ROW + 4).getCell(6)).toMatchObject({ value: -1.25, numFmt: '"EUR" #,##0.00' });
    // The yen has no minor unit.
    expect(sheet.getRow(HEADER_ROW + 5).getCell(6)).toMatchObject({ value: 1500, numFmt: '"JPY" #,##0' });
  });

  it('adds one totals row per currency, equal to the exact sums of the input rows, and never mixes currencies', async () => {
    const { bytes, totals } = await xlsxBuffer(table());
    const sheet = (await readBack(bytes)).getWorksheet(DATA_SHEET) as ExcelJS.Worksheet;
    const expected = (currency: string, key: 'billed' | 'effective') =>
      sumDecimals(ROWS.filter((r) => r.currency === currency && r[key] !== null).map((r) => r[key] as string));
    // Totals rows follow the data after one blank row, currencies in code order.
    const first = HEADER_ROW + ROWS.length + 2;
    const byCurrency = new Map<string, ExcelJS.Row>();
    for (let i = 0; i < 3; i++) {
      const r = sheet.getRow(first + i);
      byCurrency.set(String(r.getCell(8).value), r);
      expect(r.getCell(1).value).toBe(`Total ${r.getCell(8).value}`);
    }
    expect([...byCurrency.keys()]).toEqual(['EUR', 'JPY', 'USD']);
    expect(sheet.getRow(first + 3).getCell(1).type).toBe(ExcelJS.ValueType.Null);
    for (const [currency, r] of byCurrency) {
      expect(r.getCell(6).value).toBe(Number(expected(currency, 'billed')));
      expect(r.getCell(6).numFmt).toBe(currency === 'JPY' ? '"JPY" #,##0' : `"${currency}" #,##0.00`);
      expect(r.getCell(7).value).toBe(Number(expected(currency, 'effective')));
    }
    // The returned totals are exact strings: the last cent past 2^53 is kept there.
    expect(totals).toEqual([
      { column: 'billed', currency: 'EUR', amount: expected('EUR', 'billed') },
      { column: 'billed', currency: 'JPY', amount: expected('JPY', 'billed') },
      { column: 'billed', currency: 'USD', amount: expected('USD', 'billed') },
      { column: 'effective', currency: 'EUR', amount: expected('EUR', 'effective') },
      { column: 'effective', currency: 'JPY', amount: expected('JPY', 'effective') },
      { column: 'effective', currency: 'USD', amount: expected('USD', 'effective') },
    ]);
    expect(expected('USD', 'billed')).toBe('90071992547510.23');
  });

  it('describes the filters, period, notes, row count and totals on the Filters sheet', async () => {
    const { bytes } = await xlsxBuffer(table());
    const sheet = (await readBack(bytes)).getWorksheet(FILTERS_SHEET) as ExcelJS.Worksheet;
    const lines = new Map<string, ExcelJS.CellValue>();
    const notes: string[] = [];
    sheet.eachRow((r) => {
      const label = String(r.getCell(1).value);
      if (label === 'Note') notes.push(String(r.getCell(2).value));
      else lines.set(label, r.getCell(2).value);
    });
    expect(sheet.getCell('A1').value).toBe('Spend by team, November 2026');
    expect(lines.get('Period from')).toBe('2026-11-01');
    expect(lines.get('Period to')).toBe('2026-11-30');
    expect(lines.get('Provider')).toBe('AWS, Microsoft, Google Cloud');
    expect(lines.get('Tag team')).toBe(`'=cmd|"/c calc"!A1`);
    expect(lines.get('Cost metric')).toBe('billed');
    expect(lines.get('Generated at')).toBe('2026-12-01 06:30:00 UTC');
    expect(lines.get('Rows')).toBe(6);
    expect(lines.get('Total Billed cost (EUR)')).toBe(77.65);
    expect(lines.get('Total Effective cost (JPY)')).toBe(1500);
    expect(notes).toContain('Untagged spend is shown with an empty team.');
    expect(notes.some((n) => n.includes('never added together'))).toBe(true);
  });

  it('neutralises text a spreadsheet would run as a formula, and leaves plain numbers and other text alone', async () => {
    const { bytes } = await xlsxBuffer(table());
    const sheet = (await readBack(bytes)).getWorksheet(DATA_SHEET) as ExcelJS.Worksheet;
    const cell = (row: number, col: number) => sheet.getRow(HEADER_ROW + row).getCell(col);
    expect(cell(2, 2)).toMatchObject({ type: ExcelJS.ValueType.String, value: `'=HYPERLINK("http://evil.test","x")` });
    expect(cell(3, 2).value).toBe("'+1+1");
    expect(cell(4, 2).value).toBe("'@SUM(A1)");
    expect(cell(4, 3).value).toBe("'-2+3");
    expect(cell(5, 2).value).toBe("'\t=1");
    // A text cell that is exactly a decimal number stays as typed (a string cell: nothing runs).
    expect(cell(5, 3)).toMatchObject({ type: ExcelJS.ValueType.String, value: '-12.50' });
    expect(cell(1, 2).value).toBe('ml');
    // No cell anywhere is a formula.
    const wb = await readBack(bytes);
    wb.eachSheet((s) => s.eachRow((r) => r.eachCell((c) => expect(c.type).not.toBe(ExcelJS.ValueType.Formula))));
  });

  it('refuses a money value without its currency, naming the row', async () => {
    const rows = [ROWS[0] as ExportRow, { ...ROWS[1], currency: null }];
    await expect(xlsxBuffer(table(rows))).rejects.toThrow(
      new ExportTableError('row 2: Billed cost is 0.20 with no currency in "currency"'),
    );
  });

  it('refuses a money column without a currency column, and a value that is not a decimal', async () => {
    await expect(
      xlsxBuffer(
        table(
          ROWS,
          COLUMNS.filter((c) => c.key !== 'currency'),
        ),
      ),
    ).rejects.toThrow(/needs a text column "currency"/);
    await expect(xlsxBuffer(table([{ ...ROWS[0], billed: '1e3' }])).then(() => 'written')).rejects.toThrow(
      'row 1: Billed cost is not a decimal number: "1e3"',
    );
  });

  it('says so when no rows match', async () => {
    const { bytes, rows } = await xlsxBuffer(table([]));
    expect(rows).toBe(0);
    const sheet = (await readBack(bytes)).getWorksheet(DATA_SHEET) as ExcelJS.Worksheet;
    expect(sheet.getRow(HEADER_ROW + 2).getCell(1).value).toBe('No rows match these filters.');
  });

  it('finds the sheet entry it waits on (the back-pressure reads exceljs internals: an upgrade that moves them fails here)', async () => {
    const sink = new PassThrough();
    sink.resume();
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useStyles: true });
    const sheet = workbook.addWorksheet('probe');
    sheet.getRow(1).getCell(1).value = 'x';
    sheet.getRow(1).commit();
    expect(sheetBacklog(sheet)).toEqual(expect.any(Number));
    sheet.commit();
    await workbook.commit();
  });
});
