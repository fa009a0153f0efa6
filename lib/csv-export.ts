/**
 * CSV for downloads (the audit trail, the recommendations list): RFC 4180 (comma-separated, CRLF
 * line ends, a field holding a comma, a double quote, CR or LF is enclosed in double quotes with
 * its quotes doubled; a header line), safe to open in a spreadsheet.
 *
 * Formula injection: spreadsheets run a cell that starts with =, +, -, @, TAB or CR as a formula,
 * and these files carry text other people typed (source names, emails, tags, dismissal reasons).
 * Such a cell gets a single quote in front (OWASP's advice), which spreadsheets show as text and
 * which a reader of the raw file can strip. A cell that is exactly a decimal number ('-12.50') is
 * left alone: a spreadsheet reads it as that number, nothing runs, and an amount stays an amount.
 */

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * Whether a spreadsheet would run this text as a formula: it starts with =, +, -, @, TAB or CR and
 * is not exactly a decimal number. The one rule for every export (CSV here, XLSX in lib/exports).
 */
export function isFormulaLike(value: string): boolean {
  return FORMULA_START.test(value) && !PLAIN_NUMBER.test(value);
}

/** `value` as text no spreadsheet runs: a single quote in front when isFormulaLike. */
export function neutralizeFormula(value: string): string {
  return isFormulaLike(value) ? `'${value}` : value;
}

/** One field: neutralized if a spreadsheet would run it, quoted if RFC 4180 requires it. Null is an empty field. */
export function csvCell(value: string | null): string {
  if (value === null) return '';
  const safe = neutralizeFormula(value);
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function csvLine(cells: readonly (string | null)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** The header and one line per row, encoded as UTF-8, pulled from `rows` as the client reads. */
export function csvStream<T>(
  header: readonly string[],
  rows: AsyncIterable<T>,
  cells: (row: T) => readonly (string | null)[],
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = rows[Symbol.asyncIterator]();
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(csvLine(header)));
        return;
      }
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(csvLine(cells(next.value))));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

/** The response headers of a CSV download named `<name>-<UTC stamp>.csv`. */
export function csvDownloadHeaders(name: string, now = new Date()): Record<string, string> {
  const stamp = now.toISOString().slice(0, 19).replaceAll(':', '').replace('T', '-');
  return {
    'content-type': 'text/csv; charset=utf-8; header=present',
    'content-disposition': `attachment; filename="${name}-${stamp}.csv"`,
    'cache-control': 'no-store',
  };
}
