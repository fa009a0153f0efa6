import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CsvParser, type CsvRecord, CsvRecordTooLongError } from './csv';

function parseAll(text: string, chunkSize = text.length): CsvRecord[] {
  const p = new CsvParser();
  const out: CsvRecord[] = [];
  for (let i = 0; i < text.length; i += chunkSize) p.push(text.slice(i, i + chunkSize), out);
  p.end(out);
  return out;
}

const TRICKY = ['a,b,c', '1,"two, with comma","three ""quoted"""', '"multi', 'line",,"x"', '', 'last,row,"end"', ''].join('\r\n');

describe('CsvParser', () => {
  it('agrees with csv-parse on quotes, commas, CRLF, embedded newlines and empty fields at every chunk size', () => {
    const expected = parse(TRICKY, { skip_empty_lines: true, relax_column_count: true }) as string[][];
    for (const size of [1, 2, 3, 5, 7, 16, 1000]) {
      expect(
        parseAll(TRICKY, size).map((r) => r.fields),
        `chunk size ${size}`,
      ).toEqual(expected);
    }
  });

  it('reports the physical line each record starts on', () => {
    expect(parseAll(TRICKY).map((r) => r.line)).toEqual([1, 2, 3, 6]);
  });

  it('strips a UTF-8 byte order mark and handles a last line without newline', () => {
    expect(parseAll('\ufeffx,y\n1,\n2,3').map((r) => r.fields)).toEqual([
      ['x', 'y'],
      ['1', ''],
      ['2', '3'],
    ]);
  });

  it('keeps multi-byte characters intact', () => {
    expect(parseAll('name\n"Zürich, Schweiz"\n東京\n', 3).map((r) => r.fields)).toEqual([['name'], ['Zürich, Schweiz'], ['東京']]);
  });

  it('rejects an unterminated quote with its line', () => {
    expect(() => parseAll('a,b\n1,"open\n2,3\n')).toThrow(/unterminated quoted field starting on line 2/);
  });

  it('rejects text after a closing quote', () => {
    expect(() => parseAll('a\n"x"y\n')).toThrow(/after a closing quote on line 2/);
  });

  it('refuses a record longer than the limit in UTF-8 bytes, line break included, naming its first line', () => {
    const parse = (text: string, chunk: number) => {
      const p = new CsvParser({ maxRecordBytes: 16 });
      const out: CsvRecord[] = [];
      for (let i = 0; i < text.length; i += chunk) p.push(text.slice(i, i + chunk), out);
      p.end(out);
      return out;
    };
    for (const chunk of [1, 5, 1000]) {
      // 15 characters + LF = 16 bytes: accepted; 16 + LF: refused.
      expect(parse('h\n123456789012345\n', chunk).map((r) => r.fields)).toEqual([['h'], ['123456789012345']]);
      expect(() => parse('h\n1234567890123456\nok\n', chunk)).toThrow(new CsvRecordTooLongError(2, 16));
      // Six euro signs are 6 characters but 18 bytes.
      expect(() => parse('h\nok\n€€€€€€\n', chunk)).toThrow(/the record starting on line 3 is longer than 16 bytes/);
      // No line break, an unclosed quote: refused once the limit is passed, not at the end of the input.
      expect(() => parse(`h\n${'\0'.repeat(1000)}`, chunk)).toThrow(/starting on line 2/);
      expect(() => parse(`h\n"open\n${'x\n'.repeat(100)}`, chunk)).toThrow(/starting on line 2/);
    }
  });

  it('parses a long line in linear time: a 64 MB line fed in 64 KB chunks', () => {
    // Re-scanning the line from its start on every chunk (as before) reads ~32 GB of text here: minutes.
    const p = new CsvParser({ maxRecordBytes: 1 << 30 });
    const out: CsvRecord[] = [];
    const chunk = 'x'.repeat(1 << 16);
    const started = Date.now();
    p.push('h\n', out);
    for (let i = 0; i < 1024; i++) p.push(chunk, out);
    p.push('\n', out);
    p.end(out);
    expect(Date.now() - started).toBeLessThan(5000); // linear: well under a second
    expect(out.map((r) => r.fields[0]?.length)).toEqual([1, 1 << 26]);
  });

  it('parses lines without commas in linear time: 300,000 one-column lines in one chunk', () => {
    // Searching for the next comma from each record to the end of the chunk (as before) read ~45 G characters here.
    const p = new CsvParser();
    const out: CsvRecord[] = [];
    const started = Date.now();
    p.push(`h\n${'value\n'.repeat(300_000)}`, out);
    p.end(out);
    expect(Date.now() - started).toBeLessThan(5000); // linear: a few tens of milliseconds
    expect(out.length).toBe(300_001);
    expect(out[300_000]).toEqual({ fields: ['value'], line: 300_001 });
  });
});
