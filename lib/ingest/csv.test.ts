import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CsvParser, type CsvRecord } from './csv';

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
});
