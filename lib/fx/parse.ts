/**
 * The FX rate files finance loads, read into exact daily rates. A file is all or nothing: any
 * problem refuses the whole file, and the error lists every problem found (up to
 * MAX_REPORTED_PROBLEMS) with its line, so one upload shows what to fix.
 *
 * Formats:
 * - `ecb`: the European Central Bank's euro reference rates as published. The history file
 *   (eurofxref-hist.csv) has the header `Date,USD,JPY,BGN,…,ZAR,` (a trailing empty column) and one
 *   line per TARGET business day, `2024-03-28,1.0811,163.45,…`; the single-day file (eurofxref.csv)
 *   has `Date, USD, JPY, …` with blanks after the commas and the day written `26 September 2024`.
 *   Each value is units of the currency per 1 EUR; `N/A` means no rate that day (a currency the
 *   ECB no longer quotes). Each value becomes a rate base EUR, quote the column's currency.
 * - `simple`: a header `date,from,to,rate`, then lines `2024-03-28,EUR,USD,1.0811`: 1 `from` is
 *   `rate` units of `to`. Cells may be double-quoted (spreadsheets export them so).
 *
 * The ECB's .zip must be unzipped first (the error says so). Values stay decimal strings: leading
 * and trailing zeros are dropped (`4.2710` is `4.271`), nothing else changes.
 */
import { isCalendarDay } from '../calendar';
import { compareDecimals, trimDecimal } from '../decimal';
import { currencyProblem } from './currencies';
import type { FxFileFormat, FxRate } from './types';

/** A rates file larger than this is refused unread (the ECB's whole history since 1999 is under 2 MB). */
export const MAX_FX_FILE_BYTES = 16 * 1024 * 1024;
/** How many problems a refused file's error lists; the rest are counted. */
export const MAX_REPORTED_PROBLEMS = 20;
/** Digits a rate may have before and after the point (the ECB writes at most 5 significant digits). */
const RATE_DIGITS = 12;

export interface FxProblem {
  /** 1-based line of the file; null for the file as a whole (too large, empty). */
  line: number | null;
  message: string;
}

/** A refused file: nothing of it may be stored. `problems` are the first MAX_REPORTED_PROBLEMS. */
export class FxFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly FxProblem[],
    /** Problems found beyond those listed. */
    readonly more: number = 0,
  ) {
    const total = problems.length + more;
    super(
      `${file}: ${total === 1 ? 'a problem' : `${total} problems`}, nothing was loaded:\n${problems
        .map((p) => `  ${p.line === null ? '' : `line ${p.line}: `}${p.message}`)
        .join('\n')}${more ? `\n  …and ${more} more` : ''}`,
    );
    this.name = 'FxFileError';
  }
}

export interface ParsedFxFile {
  format: FxFileFormat;
  /** Sorted by day, base, quote; one per day and pair. */
  rates: FxRate[];
  /** ECB cells marked N/A (no rate that day), left out. */
  notAvailable: number;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

class Problems {
  readonly list: FxProblem[] = [];
  more = 0;
  add(line: number | null, message: string): void {
    if (this.list.length < MAX_REPORTED_PROBLEMS) this.list.push({ line, message });
    else this.more++;
  }
  get count(): number {
    return this.list.length + this.more;
  }
}

/** The cells of a line: split at commas, blanks around each trimmed, one pair of double quotes removed. */
function cells(line: string): string[] {
  return line.split(',').map((c) => {
    const t = c.trim();
    return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
  });
}

/** The rate as a trimmed decimal string, or why it is not one. */
export function parseRate(raw: string): { rate: string } | { problem: string } {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(raw);
  if (!m) {
    if (/^-\d+(\.\d+)?$/.test(raw)) return { problem: `rate ${raw} is negative; a rate must be greater than 0` };
    return { problem: `rate ${JSON.stringify(raw)} is not a decimal number such as 1.0811` };
  }
  const intDigits = (m[1] ?? '').replace(/^0+(?=\d)/, '').length;
  if (intDigits > RATE_DIGITS || (m[2] ?? '').length > RATE_DIGITS)
    return { problem: `rate ${raw} has more than ${RATE_DIGITS} digits before or after the point` };
  if (compareDecimals(raw, '0') <= 0) return { problem: `rate ${raw} is zero; a rate must be greater than 0` };
  return { rate: trimDecimal(raw.replace(/^0+(?=\d)/, '')) };
}

/** 'YYYY-MM-DD', or the single-day file's '26 September 2024', as 'YYYY-MM-DD'; null if neither. */
function ecbDay(raw: string): string | null {
  if (isCalendarDay(raw)) return raw;
  const m = /^(\d{1,2}) ([A-Z][a-z]+) (\d{4})$/.exec(raw);
  const month = m ? MONTHS.indexOf(m[2] ?? '') : -1;
  if (!m || month < 0) return null;
  const day = `${m[3]}-${String(month + 1).padStart(2, '0')}-${(m[1] ?? '').padStart(2, '0')}`;
  return isCalendarDay(day) ? day : null;
}

function splitLines(text: string): string[] {
  return (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r?\n/);
}

function firstLine(lines: readonly string[]): { index: number; cells: string[] } | null {
  const index = lines.findIndex((l) => l.trim() !== '');
  return index < 0 ? null : { index, cells: cells(lines[index] ?? '') };
}

const SIMPLE_HEADER = ['date', 'from', 'to', 'rate'];
const ZIP_MESSAGE = 'this is a .zip archive: unzip it and load the .csv inside (the ECB publishes eurofxref-hist.zip)';

/** The format a file's first line says, or null when it is neither. */
export function detectFxFormat(text: string): FxFileFormat | null {
  const first = firstLine(splitLines(text.slice(0, 64 * 1024)));
  if (!first) return null;
  if (first.cells.map((c) => c.toLowerCase()).join(',') === SIMPLE_HEADER.join(',')) return 'simple';
  if (first.cells[0] === 'Date' && first.cells.length > 1 && /^[A-Z]{3}$/.test(first.cells[1] ?? '')) return 'ecb';
  return null;
}

/** Keeps one rate per day and pair; the same pair twice with different rates is a problem naming both lines. */
class RateSet {
  private readonly seen = new Map<string, { rate: string; line: number }>();
  constructor(private readonly problems: Problems) {}
  add(r: FxRate, line: number): void {
    const key = `${r.day} ${r.base} ${r.quote}`;
    const prev = this.seen.get(key);
    if (!prev) this.seen.set(key, { rate: r.rate, line });
    else if (compareDecimals(prev.rate, r.rate) !== 0)
      this.problems.add(line, `${r.day} ${r.base}→${r.quote} is ${r.rate} here but ${prev.rate} on line ${prev.line}`);
  }
  rates(): FxRate[] {
    const out: FxRate[] = [];
    for (const [key, { rate }] of this.seen) {
      const [day = '', base = '', quote = ''] = key.split(' ');
      out.push({ day, base, quote, rate });
    }
    return out.sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : `${a.base}${a.quote}` < `${b.base}${b.quote}` ? -1 : 1));
  }
}

function parseEcb(lines: readonly string[], problems: Problems, set: RateSet): number {
  const first = firstLine(lines);
  if (!first) return 0;
  const header = first.cells;
  if (header[0] !== 'Date') problems.add(first.index + 1, `the ECB header starts with Date, not ${JSON.stringify(header[0])}`);
  // The ECB ends every line with a comma: an empty last column.
  const trailingEmpty = header.length > 1 && header[header.length - 1] === '';
  const codes = header.slice(1, trailingEmpty ? -1 : undefined);
  const seenCodes = new Set<string>();
  for (const code of codes) {
    const problem = code === 'EUR' ? 'EUR is the base of the ECB rates, not a column' : currencyProblem(code);
    if (problem) problems.add(first.index + 1, `header: ${problem}`);
    else if (seenCodes.has(code)) problems.add(first.index + 1, `header: ${code} appears twice`);
    seenCodes.add(code);
  }
  if (problems.count) return 0;
  let notAvailable = 0;
  for (let i = first.index + 1; i < lines.length; i++) {
    const text = lines[i] ?? '';
    if (text.trim() === '') continue;
    const line = i + 1;
    const row = cells(text);
    // The trailing empty column may be missing on a line, nothing else.
    if (!(row.length === header.length || (trailingEmpty && row.length === header.length - 1))) {
      problems.add(line, `expected ${codes.length + 1} values (Date and ${codes.length} currencies) like the header, found ${row.length}`);
      continue;
    }
    if (trailingEmpty && row.length === header.length && row[row.length - 1] !== '') {
      problems.add(line, `a value ${JSON.stringify(row[row.length - 1])} under no currency (the header's last column is empty)`);
      continue;
    }
    const day = ecbDay(row[0] ?? '');
    if (!day) {
      problems.add(line, `date ${JSON.stringify(row[0])} is not a calendar date (YYYY-MM-DD, or 26 September 2024)`);
      continue;
    }
    codes.forEach((code, c) => {
      const value = row[c + 1] ?? '';
      if (value === 'N/A' || value === '') {
        if (value === 'N/A') notAvailable++;
        return;
      }
      const parsed = parseRate(value);
      if ('problem' in parsed) problems.add(line, `${code}: ${parsed.problem}`);
      else set.add({ day, base: 'EUR', quote: code, rate: parsed.rate }, line);
    });
  }
  return notAvailable;
}

function parseSimple(lines: readonly string[], problems: Problems, set: RateSet): void {
  const first = firstLine(lines);
  if (!first) return;
  if (first.cells.map((c) => c.toLowerCase()).join(',') !== SIMPLE_HEADER.join(',')) {
    problems.add(first.index + 1, `the header must be date,from,to,rate, not ${JSON.stringify(lines[first.index]?.trim())}`);
    return;
  }
  for (let i = first.index + 1; i < lines.length; i++) {
    const text = lines[i] ?? '';
    if (text.trim() === '') continue;
    const line = i + 1;
    const row = cells(text);
    if (row.length !== 4) {
      problems.add(line, `expected 4 values (date,from,to,rate), found ${row.length}`);
      continue;
    }
    const [day = '', from = '', to = '', raw = ''] = row;
    const before = problems.count;
    if (!isCalendarDay(day)) problems.add(line, `date ${JSON.stringify(day)} is not a calendar date written YYYY-MM-DD`);
    for (const [name, code] of [
      ['from', from],
      ['to', to],
    ] as const) {
      const problem = currencyProblem(code);
      if (problem) problems.add(line, `${name}: ${problem}`);
    }
    if (from === to && from !== '') problems.add(line, `from and to are both ${from}`);
    const parsed = parseRate(raw);
    if ('problem' in parsed) problems.add(line, parsed.problem);
    if (problems.count === before && 'rate' in parsed) set.add({ day, base: from, quote: to, rate: parsed.rate }, line);
  }
}

/**
 * A file's bytes as text: refused (FxFileError) when larger than MAX_FX_FILE_BYTES, or not UTF-8
 * (the ECB's files are ASCII), rather than read with replacement characters.
 */
export function decodeFxFile(bytes: Uint8Array, file: string): string {
  if (bytes.byteLength > MAX_FX_FILE_BYTES)
    throw new FxFileError(file, [{ line: null, message: `the file is larger than ${MAX_FX_FILE_BYTES / 1024 / 1024} MB` }]);
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 3 && bytes[3] === 4)
    throw new FxFileError(file, [{ line: null, message: ZIP_MESSAGE }]);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new FxFileError(file, [{ line: null, message: 'the file is not UTF-8 text (a CSV file is expected)' }]);
  }
}

/**
 * Reads a rates file (its text) into daily rates, or throws FxFileError listing its problems.
 * `file` names it in the error; `format` 'auto' (default) goes by the first line.
 */
export function parseFxFile(text: string, opts: { file: string; format?: FxFileFormat | 'auto' }): ParsedFxFile {
  const problems = new Problems();
  if (text.length > MAX_FX_FILE_BYTES) {
    problems.add(null, `the file is larger than ${MAX_FX_FILE_BYTES / 1024 / 1024} MB`);
    throw new FxFileError(opts.file, problems.list);
  }
  if (text.startsWith('PK\u0003\u0004')) {
    problems.add(null, ZIP_MESSAGE);
    throw new FxFileError(opts.file, problems.list);
  }
  const format = !opts.format || opts.format === 'auto' ? detectFxFormat(text) : opts.format;
  if (!format) {
    const first = firstLine(splitLines(text.slice(0, 64 * 1024)));
    problems.add(
      first ? first.index + 1 : null,
      first
        ? 'not an FX rates file: expected the ECB header (Date,USD,JPY,…) or date,from,to,rate'
        : 'the file is empty: expected the ECB header (Date,USD,JPY,…) or date,from,to,rate, then rates',
    );
    throw new FxFileError(opts.file, problems.list);
  }
  const lines = splitLines(text);
  const set = new RateSet(problems);
  let notAvailable = 0;
  if (format === 'ecb') notAvailable = parseEcb(lines, problems, set);
  else parseSimple(lines, problems, set);
  const rates = set.rates();
  if (problems.count === 0 && rates.length === 0) problems.add(null, 'no rates in the file (only a header, or every value N/A)');
  if (problems.count) throw new FxFileError(opts.file, problems.list, problems.more);
  return { format, rates, notAvailable };
}
