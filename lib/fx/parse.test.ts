import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeFxFile, detectFxFormat, FxFileError, MAX_FX_FILE_BYTES, MAX_REPORTED_PROBLEMS, parseFxFile, parseRate } from './parse';

const fixture = (name: string) => readFileSync(`tests/fixtures/fx/${name}`, 'utf8');
const HIST = fixture('ecb-hist-2024-03-25-to-04-05.csv');
const HIST_0926 = fixture('ecb-hist-2024-09-26.csv');
const DAILY_0926 = fixture('ecb-daily-2024-09-26.csv');
const ECB_HEADER = HIST.split('\n')[0] as string;

/** The problems of a refused file, as "line N: message". */
function problems(text: string, format: 'auto' | 'ecb' | 'simple' = 'auto'): string[] {
  try {
    parseFxFile(text, { file: 'rates.csv', format });
  } catch (error) {
    if (!(error instanceof FxFileError)) throw error;
    return error.problems.map((p) => `${p.line === null ? 'file' : `line ${p.line}`}: ${p.message}`);
  }
  throw new Error('the file was accepted');
}

describe('the ECB history file (eurofxref-hist.csv, real lines)', () => {
  const parsed = parseFxFile(HIST, { file: 'eurofxref-hist.csv' });

  it('is detected, and every quoted currency of every line is a rate base EUR', () => {
    expect(parsed.format).toBe('ecb');
    // 8 lines × 30 quoted currencies; 11 columns are N/A on each (CYP EEK LTL LVL MTL ROL SIT SKK HRK RUB TRL).
    expect(parsed.rates).toHaveLength(8 * 30);
    expect(parsed.notAvailable).toBe(8 * 11);
    expect(new Set(parsed.rates.map((r) => r.base))).toEqual(new Set(['EUR']));
    expect(parsed.rates.some((r) => ['HRK', 'RUB', 'CYP'].includes(r.quote))).toBe(false);
  });

  it('keeps the values exactly as the ECB wrote them (the line 2024-03-28)', () => {
    const day = Object.fromEntries(parsed.rates.filter((r) => r.day === '2024-03-28').map((r) => [r.quote, r.rate]));
    expect(day).toMatchObject({ USD: '1.0811', JPY: '163.45', GBP: '0.8551', IDR: '17157.87', CHF: '0.9766', ZAR: '20.5226' });
  });

  it('has no line for Good Friday, the weekend and Easter Monday 2024 (TARGET holidays)', () => {
    expect([...new Set(parsed.rates.map((r) => r.day))]).toEqual([
      '2024-03-25',
      '2024-03-26',
      '2024-03-27',
      '2024-03-28',
      '2024-04-02',
      '2024-04-03',
      '2024-04-04',
      '2024-04-05',
    ]);
  });

  it('the single-day file (eurofxref.csv) gives the same rates as the history line of that day', () => {
    const daily = parseFxFile(DAILY_0926, { file: 'eurofxref.csv' });
    const hist = parseFxFile(HIST_0926, { file: 'eurofxref-hist.csv' });
    expect(daily.format).toBe('ecb');
    expect(daily.rates).toHaveLength(30);
    expect(daily.rates.every((r) => r.day === '2024-09-26')).toBe(true);
    // The daily file writes 4.2710 and 11.3000; the history 4.271 and 11.3: the same rates.
    expect(daily.rates).toEqual(hist.rates);
    expect(daily.rates.find((r) => r.quote === 'PLN')?.rate).toBe('4.271');
  });

  it('accepts CRLF line ends, a BOM, and lines without the trailing comma', () => {
    const lines = HIST.split('\n').filter(Boolean);
    const altered = `\ufeff${lines.map((l, i) => (i === 2 ? l.replace(/,$/, '') : l)).join('\r\n')}\r\n`;
    expect(parseFxFile(altered, { file: 'x.csv' }).rates).toEqual(parsed.rates);
  });
});

describe('the simple file (date,from,to,rate)', () => {
  it('reads each line as 1 from = rate to; quoted cells and any header case', () => {
    const parsed = parseFxFile(
      'Date,From,To,Rate\n2024-03-28,EUR,USD,1.0811\n"2024-03-28","USD","JPY","151.19"\n\n2024-04-02,GBP,USD,1.2570\n',
      {
        file: 'rates.csv',
      },
    );
    expect(parsed.format).toBe('simple');
    expect(parsed.rates).toEqual([
      { day: '2024-03-28', base: 'EUR', quote: 'USD', rate: '1.0811' },
      { day: '2024-03-28', base: 'USD', quote: 'JPY', rate: '151.19' },
      { day: '2024-04-02', base: 'GBP', quote: 'USD', rate: '1.257' },
    ]);
  });

  it('the same day and pair twice with the same rate is kept once', () => {
    const parsed = parseFxFile('date,from,to,rate\n2024-03-28,EUR,USD,1.0811\n2024-03-28,EUR,USD,1.08110\n', { file: 'r.csv' });
    expect(parsed.rates).toHaveLength(1);
  });
});

describe('refused files: every problem with its line, nothing kept', () => {
  it('bad dates, rates and currency codes in a simple file', () => {
    const text = [
      'date,from,to,rate',
      '2024-02-30,EUR,USD,1.08', // 2
      '28/03/2024,EUR,USD,1.08', // 3
      '2024-03-28,EUR,USD,0', // 4
      '2024-03-28,EUR,USD,-1.08', // 5
      '2024-03-28,EUR,USD,abc', // 6
      '2024-03-28,EUR,USD,1e3', // 7
      '2024-03-28,usd,EUR,1.08', // 8
      '2024-03-28,EUR,UDS,1.08', // 9
      '2024-03-28,EUR,EUR,1', // 10
      '2024-03-28,EUR,USD', // 11
      '2024-03-28,EUR,GBP,0.8551', // 12: fine
      '2024-03-28,EUR,GBP,0.86', // 13: contradicts line 12
      '2024-03-28,EUR,JPY,1234567890123.5', // 14
    ].join('\n');
    expect(problems(text)).toEqual([
      'line 2: date "2024-02-30" is not a calendar date written YYYY-MM-DD',
      'line 3: date "28/03/2024" is not a calendar date written YYYY-MM-DD',
      'line 4: rate 0 is zero; a rate must be greater than 0',
      'line 5: rate -1.08 is negative; a rate must be greater than 0',
      'line 6: rate "abc" is not a decimal number such as 1.0811',
      'line 7: rate "1e3" is not a decimal number such as 1.0811',
      'line 8: from: "usd" is not a currency code (three upper-case letters, ISO 4217)',
      'line 9: to: UDS is not an ISO 4217 currency code',
      'line 10: from and to are both EUR',
      'line 11: expected 4 values (date,from,to,rate), found 3',
      'line 13: 2024-03-28 EUR→GBP is 0.86 here but 0.8551 on line 12',
      'line 14: rate 1234567890123.5 has more than 12 digits before or after the point',
    ]);
  });

  it('an ECB file with a bad date, an unreadable value, a contradicting duplicate line and a short line', () => {
    const [header, l28, l27] = HIST.split('\n') as [string, string, string];
    const text = [
      header,
      l28,
      l27.replace(/^2024-04-04/, '2024-04-31'), // 3
      l28.replace(',1.0841,', ',1.08 41,'), // 4: USD unreadable
      l28.replace(',1.0841,', ',1.0842,'), // 5: 2024-04-05 again, another USD rate
      '2024-04-06,1.08,163.1,', // 6
    ].join('\n');
    expect(problems(text)).toEqual([
      'line 3: date "2024-04-31" is not a calendar date (YYYY-MM-DD, or 26 September 2024)',
      'line 4: USD: rate "1.08 41" is not a decimal number such as 1.0811',
      'line 5: 2024-04-05 EUR→USD is 1.0842 here but 1.0841 on line 2',
      'line 6: expected 42 values (Date and 41 currencies) like the header, found 4',
    ]);
  });

  it('an ECB header with an unknown code, a repeated one or EUR is refused before any line is read', () => {
    expect(problems('Date,USD,XYZ,USD,EUR,\n2024-03-28,1,2,3,4,\n')).toEqual([
      'line 1: header: XYZ is not an ISO 4217 currency code',
      'line 1: header: USD appears twice',
      'line 1: header: EUR is the base of the ECB rates, not a column',
    ]);
  });

  it('a value under no currency (past the trailing empty column) is refused', () => {
    expect(problems('Date,USD,\n2024-03-28,1.0811,1.2\n')).toEqual([
      'line 2: a value "1.2" under no currency (the header\'s last column is empty)',
    ]);
    expect(problems('Date,USD,JPY,\n2024-03-28,1.0811,163.45,9,\n')).toEqual([
      'line 2: expected 3 values (Date and 2 currencies) like the header, found 5',
    ]);
  });

  it('neither format, an empty file, a header alone, a zip, a forced wrong format', () => {
    expect(problems('day;currency;rate\n2024-03-28;USD;1.08\n')).toEqual([
      'line 1: not an FX rates file: expected the ECB header (Date,USD,JPY,…) or date,from,to,rate',
    ]);
    expect(problems('\n\n')).toEqual([
      'file: the file is empty: expected the ECB header (Date,USD,JPY,…) or date,from,to,rate, then rates',
    ]);
    expect(problems('date,from,to,rate\n')).toEqual(['file: no rates in the file (only a header, or every value N/A)']);
    expect(problems(`${ECB_HEADER}\n`)).toEqual(['file: no rates in the file (only a header, or every value N/A)']);
    expect(problems('PK\u0003\u0004\u0014\u0000binary')).toEqual([
      'file: this is a .zip archive: unzip it and load the .csv inside (the ECB publishes eurofxref-hist.zip)',
    ]);
    expect(problems(HIST, 'simple')[0]).toMatch(/^line 1: the header must be date,from,to,rate, not "Date,USD,JPY/);
    expect(problems('date,from,to,rate\n2024-03-28,EUR,USD,1.08\n', 'ecb')[0]).toBe('line 1: the ECB header starts with Date, not "date"');
  });

  it(`lists the first ${MAX_REPORTED_PROBLEMS} problems and counts the rest`, () => {
    const text = `date,from,to,rate\n${Array.from({ length: 25 }, () => '2024-03-28,EUR,USD,x').join('\n')}`;
    try {
      parseFxFile(text, { file: 'many.csv' });
      throw new Error('accepted');
    } catch (error) {
      if (!(error instanceof FxFileError)) throw error;
      expect(error.problems).toHaveLength(MAX_REPORTED_PROBLEMS);
      expect(error.more).toBe(5);
      expect(error.message).toMatch(/^many\.csv: 25 problems, nothing was loaded:\n {2}line 2: rate "x" is not a decimal/);
      expect(error.message).toMatch(/…and 5 more$/);
    }
  });
});

describe('decodeFxFile: the bytes before the text', () => {
  const refusal = (bytes: Uint8Array) => {
    try {
      decodeFxFile(bytes, 'f.csv');
    } catch (error) {
      if (error instanceof FxFileError) return error.problems[0]?.message;
      throw error;
    }
    return 'accepted';
  };

  it('reads UTF-8; refuses other encodings, zip archives and files over the limit', () => {
    expect(decodeFxFile(new TextEncoder().encode(HIST), 'f.csv')).toBe(HIST);
    expect(refusal(Uint8Array.from([0x64, 0x61, 0x74, 0x65, 0xe9, 0x0a]))).toBe('the file is not UTF-8 text (a CSV file is expected)');
    expect(refusal(Uint8Array.from([0x50, 0x4b, 3, 4, 20, 0]))).toMatch(/^this is a \.zip archive/);
    expect(refusal(new Uint8Array(MAX_FX_FILE_BYTES + 1))).toBe('the file is larger than 16 MB');
  });
});

describe('parseRate and detectFxFormat', () => {
  it.each([
    ['1.0811', '1.0811'],
    ['4.2710', '4.271'],
    ['150.50', '150.5'],
    ['0017157.87', '17157.87'],
    ['0.000001', '0.000001'],
  ])('%s is the rate %s', (raw, rate) => {
    expect(parseRate(raw)).toEqual({ rate });
  });

  it('detects by the first line only', () => {
    expect(detectFxFormat(HIST)).toBe('ecb');
    expect(detectFxFormat(DAILY_0926)).toBe('ecb');
    expect(detectFxFormat('\ufeffdate,from,to,rate\r\n')).toBe('simple');
    expect(detectFxFormat('Date,Amount\n')).toBeNull();
  });
});
