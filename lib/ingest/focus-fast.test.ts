// The FOCUS fast path must write exactly the values the generic path (CSV parser -> focus reader ->
// serializeRow) writes -- in COPY's binary format rather than text -- and fail with exactly the same errors. These tests run both over
// the FOCUS fixtures and over files built to hit every special case, read in chunks of many sizes
// so that records, quotes, CRLFs and UTF-8 characters are split across reads.
import { readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { numericText, sumDecimals, unscaledText } from '../../tests/helpers/bigint-decimal';
import { FOCUS_BAD_AMOUNTS, FOCUS_CASES, FOCUS_CASES_HEADER, focusCaseRow } from '../../tests/helpers/focus-cases';
import { removeTempDirs, tempDir } from '../../tests/helpers/temp-dir';
import { FOCUS_COLUMNS } from '../focus/columns';
import { serializeRow } from './copy-text';
import { DecimalSum } from './daily-rollup';
import { FocusCopyFeed, planFocusFastPath } from './focus-fast';
import { mapRecord } from './map-record';
import { focusReader } from './readers/focus';
import { openMultiPartSource } from './source';

afterAll(removeTempDirs);

const PREFIX = '7\t99\t';

// Both formats decoded to what PostgreSQL would store, as strings: numerics exact with their
// display scale, timestamps as microseconds since 2000 (sub-microsecond rounding is checked against
// PostgreSQL itself in focus-fast.integration.test.ts), text and JSON as they are.
type Kind = 'int' | 'text' | 'numeric' | 'timestamp' | 'json';
const KINDS: Kind[] = ['int', 'int', 'text', ...FOCUS_COLUMNS.map((c) => c.kind as Kind), 'json', 'json', 'json'];

function canonicalNumeric(text: string): string {
  return numericText(text);
}

function microsOfIso(iso: string): string {
  const m = /^(.*T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(iso);
  if (!m) throw new Error(`not ISO: ${iso}`);
  const ms = Date.parse(`${m[1]}${m[3]}`.replace(/^(\d{1,3})-/, (y) => y.padStart(5, '0')));
  // PostgreSQL rounds fractions of a microsecond half to even (rint); the integration test shows the stored values agree.
  const x = m[2] ? Number(`0${m[2]}`) * 1e6 : 0;
  const micros = x - Math.floor(x) === 0.5 ? 2 * Math.round(x / 2) : Math.round(x);
  return String(BigInt(ms - Date.UTC(2000, 0, 1)) * 1000n + BigInt(micros));
}

function unescapeCopy(v: string): string {
  return v.replace(/\\(.)/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c));
}

function decodeText(text: string): (string | null)[][] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) =>
      line.split('\t').map((raw, i) => {
        if (raw === '\\N') return null;
        const v = unescapeCopy(raw);
        const kind = KINDS[i];
        return kind === 'numeric' ? canonicalNumeric(v) : kind === 'timestamp' ? microsOfIso(v) : v;
      }),
    );
}

function decodeBinary(b: Buffer): (string | null)[][] {
  expect(b.subarray(0, 11).toString('latin1')).toBe('PGCOPY\n\xff\r\n\0');
  let p = 19;
  const rows: (string | null)[][] = [];
  for (;;) {
    const n = b.readInt16BE(p);
    p += 2;
    if (n === -1) break;
    expect(n).toBe(KINDS.length);
    const row: (string | null)[] = [];
    for (let i = 0; i < n; i++) {
      const len = b.readInt32BE(p);
      p += 4;
      if (len === -1) {
        row.push(null);
        continue;
      }
      const v = b.subarray(p, p + len);
      p += len;
      const kind = KINDS[i];
      if (kind === 'int') row.push(String(len === 4 ? v.readInt32BE(0) : v.readBigInt64BE(0)));
      else if (kind === 'timestamp') row.push(String(v.readBigInt64BE(0)));
      else if (kind === 'json') {
        expect(v[0]).toBe(1);
        row.push(v.subarray(1).toString('utf8'));
      } else if (kind === 'numeric') {
        const ndigits = v.readInt16BE(0);
        const weight = v.readInt16BE(2);
        const sign = v.readUInt16BE(4);
        const dscale = v.readInt16BE(6);
        let mant = 0n;
        for (let d = 0; d < ndigits; d++) mant = mant * 10000n + BigInt(v.readInt16BE(8 + 2 * d));
        // value = mant * 10000^(weight - ndigits + 1), shown with dscale digits after the point
        const exp = 4 * (weight - ndigits + 1);
        let scaled = exp >= -dscale ? mant * 10n ** BigInt(exp + dscale) : mant / 10n ** BigInt(-exp - dscale);
        if (sign === 0x4000) scaled = -scaled;
        row.push(unscaledText(scaled, dscale));
      } else row.push(v.toString('utf8'));
    }
    rows.push(row);
  }
  expect(p).toBe(b.length);
  return rows;
}

async function generic(files: string[], maxRecordBytes?: number): Promise<{ text: string; error: string | null }> {
  let text = '';
  let source: Awaited<ReturnType<typeof openMultiPartSource>> | null = null;
  try {
    source = await openMultiPartSource(files, { maxRecordBytes });
    const mapper = focusReader.createMapper(source.headers, { file: files[0] as string });
    for await (const batch of source.records()) {
      for (const r of batch)
        for (const row of mapRecord(mapper, r.values, r.line, source.currentFile())) text += `${PREFIX}${serializeRow(row)}\n`;
    }
    return { text, error: null };
  } catch (error) {
    return { text, error: (error as Error).message };
  } finally {
    await source?.close();
  }
}

async function fast(
  files: string[],
  readSize?: number,
  maxRecordBytes?: number,
): Promise<{ bytes: Buffer; error: string | null; feed: FocusCopyFeed | null }> {
  const chunks: Buffer[] = [];
  let feed: FocusCopyFeed | null = null;
  try {
    // As the pipeline does: the generic source reads the header (and the first rows).
    const source = await openMultiPartSource(files, { maxRecordBytes });
    const headers = source.headers;
    await source.close();
    const mapper = focusReader.createMapper(headers, { file: files[0] as string });
    const plan = planFocusFastPath(headers);
    if (!plan) throw new Error('no fast path plan');
    const sizes = await Promise.all(files.map(async (f) => (await stat(f)).size));
    feed = new FocusCopyFeed(files, sizes, plan, mapper, 7, '99', readSize, maxRecordBytes);
    for (;;) {
      const chunk: Buffer | null = await feed.next();
      if (!chunk) break;
      chunks.push(Buffer.from(chunk));
    }
    return { bytes: Buffer.concat(chunks), error: null, feed };
  } catch (error) {
    return { bytes: Buffer.concat(chunks), error: (error as Error).message, feed: null };
  } finally {
    await feed?.close();
  }
}

let dir: string;
beforeAll(async () => {
  dir = await tempDir('burnrate-fast-');
});

async function write(name: string, content: string | Buffer): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, content);
  return p;
}

const READ_SIZES = [1, 2, 3, 7, 64, 1000, 1 << 20];

async function expectSame(files: string[], sizes = READ_SIZES, maxRecordBytes?: number): Promise<{ text: string; error: string | null }> {
  const want = await generic(files, maxRecordBytes);
  for (const readSize of sizes) {
    const got = await fast(files, readSize, maxRecordBytes);
    expect({ readSize, error: got.error }).toEqual({ readSize, error: want.error });
    if (want.error === null) expect(decodeBinary(got.bytes)).toEqual(decodeText(want.text));
  }
  return want;
}

describe('FOCUS fast path = generic path', () => {
  it('writes the same values for every special case, whatever the read size', async () => {
    const lf = await write('cases.csv', `${FOCUS_CASES_HEADER.join(',')}\n${FOCUS_CASES.join('\n')}\n`);
    const want = await expectSame([lf]);
    expect(want.error).toBeNull();
    expect(want.text.split('\n').length - 1).toBe(FOCUS_CASES.length);
    // CRLF line endings, a byte order mark, blank lines, no newline at the end
    const crlf = await write(
      'cases-crlf.csv',
      `\ufeff${FOCUS_CASES_HEADER.join(',')}\r\n${FOCUS_CASES.slice(0, 30).join('\r\n')}\r\n\r\n\n${FOCUS_CASES.slice(30).join('\r\n')}`,
    );
    expect((await expectSame([crlf])).error).toBeNull();
  });

  it('reads gzipped files and multi-part deliveries the same way', async () => {
    const body = `${FOCUS_CASES_HEADER.join(',')}\n${FOCUS_CASES.join('\n')}\n`;
    const gz = await write('cases.csv.gz', gzipSync(body));
    const plain = await write('part-2.csv', body);
    expect((await expectSame([gz, plain], [5, 1 << 20])).error).toBeNull();
  });

  it('refuses invalid UTF-8, naming the line and the byte offset, whatever the read size', async () => {
    const head = Buffer.from(`${FOCUS_CASES_HEADER.join(',')}\n${FOCUS_CASES[0]}\n${FOCUS_CASES[8]}\n`);
    const row = (description: Buffer) => {
      const [before, after] = focusCaseRow({ ChargeDescription: 'HERE' }).split('HERE') as [string, string];
      return Buffer.concat([Buffer.from(before), description, Buffer.from(`${after}\n`)]);
    };
    // [name, bytes of ChargeDescription on line 4, offset of the bad byte within it]
    const bad: [string, Buffer, number][] = [
      ['latin-1 e acute', Buffer.from('caf\xe9', 'latin1'), 3],
      ['a lone continuation byte', Buffer.from([0x61, 0x80, 0x62]), 1],
      ['an overlong slash', Buffer.from([0xc0, 0xaf]), 0],
      ['a UTF-16 surrogate', Buffer.from([0x41, 0xed, 0xa0, 0x80]), 1],
      ['a character cut short', Buffer.from([0xe6, 0x9d, 0x41]), 0],
      ['above U+10FFFF', Buffer.from([0xf4, 0x90, 0x80, 0x80]), 0],
    ];
    for (const [name, description, at] of bad) {
      const bytes = Buffer.concat([head, row(description), Buffer.from(`${FOCUS_CASES[0]}\n`)]);
      const descriptionStart = bytes.indexOf(description, head.length);
      const want = await expectSame([await write(`utf8-${name.replaceAll(' ', '-')}.csv`, bytes)]);
      const hex = (description[at] as number).toString(16).padStart(2, '0');
      expect(want.error, name).toMatch(new RegExp(`, line 4: invalid UTF-8 at byte offset ${descriptionStart + at} \\(0x${hex}\\)`));
    }
    // A character cut off by the end of the file (no final newline).
    const cut = Buffer.concat([head, Buffer.from(focusCaseRow({ ChargeDescription: 'x' })), Buffer.from([0xe2, 0x82])]);
    const want = await expectSame([await write('utf8-cut-at-eof.csv', cut)]);
    expect(want.error).toMatch(new RegExp(`, line 4: invalid UTF-8 at byte offset ${cut.length - 2} \\(0xe2\\)`));
    // Valid multi-byte characters split across every read boundary still pass (the cases file has them).
  });

  it('refuses a record longer than the limit, however it is cut into reads', async () => {
    const limit = 1024;
    const header = `${FOCUS_CASES_HEADER.join(',')}\n`;
    const ok = focusCaseRow({ ChargeDescription: 'x'.repeat(limit - focusCaseRow({ ChargeDescription: '' }).length - 1) });
    expect(Buffer.byteLength(`${ok}\n`)).toBe(limit);
    const over = (description: string) => focusCaseRow({ ChargeDescription: description });
    const cases: [string, string][] = [
      ['a line one byte over', `${over('x'.repeat(limit - focusCaseRow({ ChargeDescription: '' }).length))}\n`],
      ['multi-byte characters over', `${over('€'.repeat(Math.ceil(limit / 3)))}\n`],
      ['a quoted field with line breaks', `${over(`"${'line\n'.repeat(limit / 5)}"`)}\n`],
      ['no line break at all', over('x'.repeat(limit * 4))],
      // In the last column, so that no later quote on the row closes it.
      ['an unclosed quote', `${focusCaseRow({ x_Operation: '"never closed' })}\n${'x,y\n'.repeat(limit)}`],
    ];
    // A record of exactly the limit (line break included) is accepted.
    expect((await expectSame([await write('at-limit.csv', `${header}${ok}\n${ok}\n`)], [7, 1 << 20], limit)).error).toBeNull();
    for (const [name, record] of cases) {
      const file = await write(`long-${name.replaceAll(' ', '-')}.csv`, `${header}${FOCUS_CASES[0]}\n${FOCUS_CASES[3]}\n${record}`);
      const want = await expectSame([file], [3, 64, 1 << 20], limit);
      expect(want.error, name).toMatch(
        /, line 5: the record starting here is longer than 1024 bytes, the limit \(BURNRATE_MAX_RECORD_BYTES\)/,
      );
    }
    // Line breaks and nothing else (blank lines carry no record) count against the limit too.
    for (const [name, blank] of [
      ['LF', '\n'],
      ['CRLF', '\r\n'],
    ]) {
      const file = await write(`blank-${name}.csv`, `${header}${FOCUS_CASES[0]}\n${blank.repeat(limit + 1)}${FOCUS_CASES[0]}\n`);
      const want = await expectSame([file], [3, 64, 1 << 20], limit);
      expect(want.error, name).toMatch(/, line 3: more than 1024 bytes of blank lines from here, the limit \(BURNRATE_MAX_RECORD_BYTES\)/);
    }
    const fewBlanks = await write('few-blanks.csv', `${header}${FOCUS_CASES[0]}\n${'\r\n'.repeat(limit / 2)}${FOCUS_CASES[0]}\n`);
    expect((await expectSame([fewBlanks], [3, 1 << 20], limit)).error).toBeNull();
    // A header row without an end is refused on line 1.
    const noHeaderEnd = await write('no-header-end.csv', `${FOCUS_CASES_HEADER.join(',')}${'\0'.repeat(limit * 3)}`);
    expect((await generic([noHeaderEnd], limit)).error).toMatch(/, line 1: the record starting here is longer than 1024 bytes/);
  });

  it('reads a long line in linear time when the limit allows it: 16 MB in 16 KB reads', async () => {
    // Re-scanning the carried record from its start on every read (as before) took ~8 GB of scanning here.
    const long = focusCaseRow({ ChargeDescription: 'x'.repeat(16 << 20) });
    const file = await write('long-line.csv', `${FOCUS_CASES_HEADER.join(',')}\n${FOCUS_CASES[0]}\n${long}\n${FOCUS_CASES[0]}\n`);
    const started = Date.now();
    const got = await fast([file], 1 << 14, 64 << 20);
    expect(Date.now() - started).toBeLessThan(4000); // linear: well under a second
    expect(got.error).toBeNull();
    expect(got.feed?.rows).toBe(3);
  });

  it('fails with the same message as the generic path', async () => {
    const bad: [string, string][] = [
      ['thousands separator', focusCaseRow({ BilledCost: '"1,000.00"' })],
      ['bad decimal', focusCaseRow({ EffectiveCost: '12abc' })],
      ['impossible date', focusCaseRow({ ChargePeriodStart: '2024-02-30T00:00:00Z' })],
      ['not a date', focusCaseRow({ ChargePeriodStart: 'yesterday' })],
      ['lower-case t and z', focusCaseRow({ ChargePeriodStart: '2024-01-31t00:00:00z' })],
      ['missing currency', focusCaseRow({ BillingCurrency: '' })],
      ['null provider', focusCaseRow({ ProviderName: 'null', ServiceProviderName: '' })],
      ['bad currency', focusCaseRow({ BillingCurrency: 'US' })],
      ['bad tags', focusCaseRow({ Tags: '"{not json"' })],
      ['short row', focusCaseRow().split(',').slice(0, 5).join(',')],
      ['long row', `${focusCaseRow()},extra`],
      ['unterminated quote', `${focusCaseRow()}\n${focusCaseRow({ ChargeDescription: '"never closed' })}`],
      ['junk after a quote', focusCaseRow({ ChargeDescription: '"closed"junk' })],
      ['invalid JSON', focusCaseRow({ SkuPriceDetails: '"{""CoreCount"":}"' })],
      ['truncated JSON', focusCaseRow({ AllocatedTags: '"{""env"": ""prod"""' })],
      ['text in a JSON column', focusCaseRow({ SkuPriceDetails: 'm5.xlarge' })],
      ['NUL escape in JSON', focusCaseRow({ SkuPriceDetails: '"{""a"": ""\\u0000""}"' })],
      ['lone surrogate in JSON', focusCaseRow({ AllocatedTags: '"{""a"": ""\\ud800""}"' })],
      ['JSON between no-break spaces', focusCaseRow({ AllocatedTags: '\u00a0{"a":1}\u00a0' })],
      ['bad decimal in a 1.1 column', focusCaseRow({ CommitmentDiscountQuantity: 'two' })],
      ['amount without PricingCurrency', focusCaseRow({ PricingCurrency: '' })],
      ['amount with a null PricingCurrency', focusCaseRow({ PricingCurrency: ' NULL ' })],
      ...FOCUS_BAD_AMOUNTS.map(([column, value]): [string, string] => [`${column} ${value}`, focusCaseRow({ [column]: value })]),
    ];
    for (const [name, line] of bad) {
      const file = await write(
        `bad-${name.replaceAll(' ', '-')}.csv`,
        `${FOCUS_CASES_HEADER.join(',')}\n${FOCUS_CASES[0]}\n${FOCUS_CASES[3]}\n${line}\n${FOCUS_CASES[0]}\n`,
      );
      const want = await expectSame([file], [3, 1 << 20]);
      // The unterminated quote swallows the rest of the file; the parser notices on the next line.
      expect(want.error, name).toMatch(name === 'unterminated quote' ? /line 6: malformed CSV/ : /line 5:/);
    }
    // A JSON column's error names the file, line, column and value.
    const invalid = await write(
      'bad-json-message.csv',
      `${FOCUS_CASES_HEADER.join(',')}\n${focusCaseRow({ SkuPriceDetails: '"{""CoreCount"":}"' })}\n`,
    );
    const { error } = await expectSame([invalid], [1 << 20]);
    expect(error).toMatch(/bad-json-message\.csv, line 2: SkuPriceDetails: not valid JSON \(.*\): "\{\\"CoreCount\\":\}"$/);
    // An amount in PricingCurrency without PricingCurrency names the amount's column and value.
    const noCurrency = await write(
      'bad-no-pricing-currency.csv',
      `${FOCUS_CASES_HEADER.join(',')}\n${focusCaseRow({ PricingCurrency: '' })}\n`,
    );
    expect((await expectSame([noCurrency], [1 << 20])).error).toMatch(
      /bad-no-pricing-currency\.csv, line 2: PricingCurrencyEffectiveCost: 1\.2 has no PricingCurrency \(an amount needs its currency\)$/,
    );
    for (const [column, value, message] of FOCUS_BAD_AMOUNTS) {
      const file = await write(
        `bad-${column} ${value}.csv`.replaceAll(' ', '-'),
        `${FOCUS_CASES_HEADER.join(',')}\n${FOCUS_CASES[0]}\n${focusCaseRow({ [column]: value })}\n`,
      );
      const suffix = message.startsWith('amount') ? ' (at most 38 digits before and 38 after the decimal point)' : '';
      expect((await generic([file])).error).toContain(`, line 3: ${column}: ${message}${suffix}`);
    }
  });

  it('writes the same values for the FOCUS fixtures and the demo data', async () => {
    const fixtures = path.resolve('tests/fixtures/focus');
    const csvs = (await readdir(fixtures)).filter((f) => f.endsWith('.csv'));
    expect(csvs.length).toBeGreaterThanOrEqual(5);
    for (const f of csvs) await expectSame([path.join(fixtures, f)], [13, 1 << 20]);
    const { withCsvFile, writeBenchCsv } = await import('../demo/generate');
    const demo = path.join(dir, 'demo.csv');
    await withCsvFile(demo, (out) => writeBenchCsv(out, { rows: 5000 }));
    expect((await expectSame([demo], [4096, 1 << 20])).error).toBeNull();
  });
});

describe('DecimalSum', () => {
  it('adds exactly, with the largest scale of its inputs, as PostgreSQL sum(numeric) does', () => {
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let trial = 0; trial < 200; trial++) {
      const values: string[] = [];
      const n = 1 + Math.floor(rand() * 50);
      for (let i = 0; i < n; i++) {
        const digits = 1 + Math.floor(rand() * (trial % 3 === 0 ? 24 : 12));
        let v = '';
        for (let d = 0; d < digits; d++) v += String(Math.floor(rand() * 10));
        const point = Math.floor(rand() * (digits + 1));
        v = point === digits ? v : `${v.slice(0, point) || '0'}.${v.slice(point)}`;
        if (rand() < 0.3) v = `-${v}`;
        if (rand() < 0.05) v = `${v}e${Math.floor(rand() * 10) - 5}`;
        values.push(v);
      }
      const sum = new DecimalSum();
      for (const v of values) {
        const b = Buffer.from(v);
        sum.addBytes(b, 0, b.length);
      }
      const want = sumDecimals(values);
      expect(sum.value(), values.join(' + ')).toBe(want);
    }
    expect(new DecimalSum().value()).toBeNull();
  });
});
