// The FOCUS fast path must write exactly the COPY text the generic path (CSV parser -> focus
// reader -> serializeRow) writes, and fail with exactly the same errors. These tests run both over
// the FOCUS fixtures and over files built to hit every special case, read in chunks of many sizes
// so that records, quotes, CRLFs and UTF-8 characters are split across reads.
import { mkdtemp, readdir, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { addDecimals } from '../focus/normalize';
import { serializeRow } from './copy-text';
import { DecimalSum } from './daily-rollup';
import { FocusCopyFeed, planFocusFastPath } from './focus-fast';
import { mapRecord } from './map-record';
import { focusReader } from './readers/focus';
import { openMultiPartSource } from './source';

const PREFIX = '7\t99\t';

async function generic(files: string[]): Promise<{ text: string; error: string | null }> {
  let text = '';
  let source: Awaited<ReturnType<typeof openMultiPartSource>> | null = null;
  try {
    source = await openMultiPartSource(files);
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

async function fast(files: string[], readSize?: number): Promise<{ text: string; error: string | null; feed: FocusCopyFeed | null }> {
  const chunks: Buffer[] = [];
  let feed: FocusCopyFeed | null = null;
  try {
    // As the pipeline does: the generic source reads the header (and the first rows).
    const source = await openMultiPartSource(files);
    const headers = source.headers;
    await source.close();
    const mapper = focusReader.createMapper(headers, { file: files[0] as string });
    const plan = planFocusFastPath(headers);
    if (!plan) throw new Error('no fast path plan');
    const sizes = await Promise.all(files.map(async (f) => (await stat(f)).size));
    feed = new FocusCopyFeed(files, sizes, plan, mapper, 7, '99', readSize);
    for (;;) {
      const chunk: Buffer | null = await feed.next();
      if (!chunk) break;
      chunks.push(Buffer.from(chunk));
    }
    return { text: Buffer.concat(chunks).toString('utf8'), error: null, feed };
  } catch (error) {
    return { text: Buffer.concat(chunks).toString('utf8'), error: (error as Error).message, feed: null };
  } finally {
    await feed?.close();
  }
}

const HEADER = [
  'BillingCurrency',
  'ProviderName',
  'BillingAccountId',
  'BillingPeriodStart',
  'BillingPeriodEnd',
  'ChargePeriodStart',
  'ChargePeriodEnd',
  'ChargeCategory',
  'ChargeDescription',
  'ServiceName',
  'RegionId',
  'Region',
  'RegionName',
  'BilledCost',
  'EffectiveCost',
  'ListCost',
  'ConsumedQuantity',
  'Tags',
  'x_Note',
  'x_Operation',
];

/** One value per HEADER column; the defaults are plain, each case overrides some. */
function row(overrides: Partial<Record<(typeof HEADER)[number], string>> = {}): string {
  const base: Record<string, string> = {
    BillingCurrency: 'USD',
    ProviderName: 'AWS',
    BillingAccountId: '123456789012',
    BillingPeriodStart: '2024-01-01T00:00:00Z',
    BillingPeriodEnd: '2024-02-01T00:00:00Z',
    ChargePeriodStart: '2024-01-31T00:00:00Z',
    ChargePeriodEnd: '2024-02-01T00:00:00Z',
    ChargeCategory: 'Usage',
    ChargeDescription: 'plain',
    ServiceName: 'Amazon EC2',
    RegionId: 'us-east-1',
    Region: 'us-east-1',
    RegionName: 'US East (N. Virginia)',
    BilledCost: '1.25',
    EffectiveCost: '1.2',
    ListCost: '2',
    ConsumedQuantity: '3',
    Tags: '"{""team"":""core""}"',
    x_Note: 'n',
    x_Operation: 'RunInstances',
  };
  return HEADER.map((h) => overrides[h] ?? base[h]).join(',');
}

/** Every special case the fast path checks byte by byte, one row each. */
const CASES: string[] = [
  row(),
  row({ ChargeDescription: '"a, b"' }),
  row({ ChargeDescription: '"say ""hi"" twice"' }),
  row({ ChargeDescription: '"two\nlines"' }),
  row({ ChargeDescription: '"crlf\r\ninside"' }),
  row({ ChargeDescription: '  padded  ' }),
  row({ ChargeDescription: '\u00a0nbsp\u00a0' }),
  row({ ChargeDescription: '\u3000ideographic space' }),
  row({ ChargeDescription: 'ends in kanji 東京' }),
  row({ ChargeDescription: 'é' }),
  row({ ChargeDescription: 'emoji 💸' }),
  row({ ChargeDescription: 'back\\slash and \ttab' }),
  row({ ChargeDescription: 'null' }),
  row({ ChargeDescription: 'NULL' }),
  row({ ChargeDescription: 'Null' }),
  row({ ChargeDescription: 'None' }),
  row({ ChargeDescription: 'nan' }),
  row({ ChargeDescription: 'NaN' }),
  row({ ChargeDescription: 'NAN' }),
  row({ ChargeDescription: '\\N' }),
  row({ ChargeDescription: 'Nope' }),
  row({ ChargeDescription: '' }),
  row({ ChargeDescription: '""' }),
  row({ ChargeDescription: 'un"quoted"quotes' }),
  row({ BilledCost: '+1.5' }),
  row({ BilledCost: '1e-7', EffectiveCost: '1.5E+3', ListCost: '.5' }),
  row({ BilledCost: '5.', EffectiveCost: '-0.000001', ListCost: '-12' }),
  row({ BilledCost: '123456789012345678.123456789', EffectiveCost: '0.0000000000000000001' }),
  row({ BilledCost: ' 7.5 ', EffectiveCost: '' }),
  row({ EffectiveCost: 'null', ListCost: 'NaN' }),
  row({ ChargePeriodStart: '2024-01-31', ChargePeriodEnd: '2024-01-31 23:00:00' }),
  row({ ChargePeriodStart: '2024-01-31T00:00:00.000Z', ChargePeriodEnd: '2024-01-31T00:00:00.250Z' }),
  row({ ChargePeriodStart: '2024-01-31T00:00:00+00:00', ChargePeriodEnd: '2024-01-31T05:00:00+05:00' }),
  row({ ChargePeriodStart: '01/31/2024', ChargePeriodEnd: '2/1/2024 12:00:00 AM' }),
  row({ ChargePeriodStart: '2024-01-30T23:00:00-02:00' }),
  row({ ChargePeriodStart: '2024-01-31T24:00:00Z' }),
  row({ ChargePeriodStart: '2024-02-29T00:00:00Z', BillingPeriodStart: '2024-02-01T00:00:00Z', BillingPeriodEnd: '2024-03-01T00:00:00Z' }),
  row({ RegionId: 'EastUS', Region: 'East US' }),
  row({ RegionId: 'East US 2' }),
  row({ RegionId: 'global' }),
  row({ RegionId: 'unassigned', Region: 'all' }),
  row({ RegionId: 'all' }),
  row({ RegionId: 'n/a' }),
  row({ RegionId: 'US-EAST-1' }),
  row({ RegionId: 'us_east_1' }),
  row({ RegionId: 'asia-northeast3' }),
  row({ BillingCurrency: 'usd' }),
  row({ BillingCurrency: ' EUR ' }),
  row({ Tags: '' }),
  row({ Tags: '{}' }),
  row({ Tags: '[]' }),
  row({ Tags: '"""env"": ""prod"",""Team "": ""A """' }),
  row({ Tags: `"[{'key': 'env', 'value': 'prod'}]"` }),
  row({ Tags: '"[{""key"":""Env"",""value"":""Prod""}]"' }),
  row({ Tags: '"{""Cost Center"":""ü-42"",""n"":1}"' }),
  row({ Tags: '"{""a"":""tab\\there""}"' }),
  row({ x_Note: '"quote "" inside"' }),
  row({ x_Note: 'back\\slash' }),
  row({ x_Note: '"tab\there"' }),
  row({ x_Note: '"line\nbreak"' }),
  row({ x_Note: ' spaced ' }),
  row({ x_Note: 'null', x_Operation: '' }),
  row({ x_Note: '', x_Operation: '' }),
  row({ x_Note: 'ünïcode' }),
  row({ x_Note: '\u00a0' }),
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'burnrate-fast-'));
});

async function write(name: string, content: string | Buffer): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, content);
  return p;
}

const READ_SIZES = [1, 2, 3, 7, 64, 1000, 1 << 20];

async function expectSame(files: string[], sizes = READ_SIZES): Promise<{ text: string; error: string | null }> {
  const want = await generic(files);
  for (const readSize of sizes) {
    const got = await fast(files, readSize);
    expect({ readSize, error: got.error }).toEqual({ readSize, error: want.error });
    if (want.error === null) expect(got.text).toBe(want.text);
  }
  return want;
}

describe('FOCUS fast path = generic path', () => {
  it('writes the same COPY text for every special case, whatever the read size', async () => {
    const lf = await write('cases.csv', `${HEADER.join(',')}\n${CASES.join('\n')}\n`);
    const want = await expectSame([lf]);
    expect(want.error).toBeNull();
    expect(want.text.split('\n').length - 1).toBe(CASES.length);
    // CRLF line endings, a byte order mark, blank lines, no newline at the end
    const crlf = await write(
      'cases-crlf.csv',
      `\ufeff${HEADER.join(',')}\r\n${CASES.slice(0, 30).join('\r\n')}\r\n\r\n\n${CASES.slice(30).join('\r\n')}`,
    );
    expect((await expectSame([crlf])).error).toBeNull();
  });

  it('reads gzipped files and multi-part deliveries the same way', async () => {
    const body = `${HEADER.join(',')}\n${CASES.join('\n')}\n`;
    const gz = await write('cases.csv.gz', gzipSync(body));
    const plain = await write('part-2.csv', body);
    expect((await expectSame([gz, plain], [5, 1 << 20])).error).toBeNull();
  });

  it('hands a file with invalid UTF-8 to the generic parser (replacement characters, as before)', async () => {
    const bytes = Buffer.concat([
      Buffer.from(`${HEADER.join(',')}\n${CASES[0]}\n`),
      Buffer.from(row({ ChargeDescription: 'bad' }).replace('bad', '\u0000')),
      Buffer.from('\n'),
    ]);
    bytes[bytes.indexOf(0, 10)] = 0xff;
    const want = await expectSame([await write('latin1.csv', bytes)]);
    expect(want.text).toContain('\ufffd');
  });

  it('fails with the same message as the generic path', async () => {
    const bad: [string, string][] = [
      ['thousands separator', row({ BilledCost: '"1,000.00"' })],
      ['bad decimal', row({ EffectiveCost: '12abc' })],
      ['impossible date', row({ ChargePeriodStart: '2024-02-30T00:00:00Z' })],
      ['not a date', row({ ChargePeriodStart: 'yesterday' })],
      ['lower-case t and z', row({ ChargePeriodStart: '2024-01-31t00:00:00z' })],
      ['missing currency', row({ BillingCurrency: '' })],
      ['null provider', row({ ProviderName: 'null' })],
      ['bad currency', row({ BillingCurrency: 'US' })],
      ['bad tags', row({ Tags: '"{not json"' })],
      ['short row', row().split(',').slice(0, 5).join(',')],
      ['long row', `${row()},extra`],
      ['unterminated quote', `${row()}\n${row({ ChargeDescription: '"never closed' })}`],
      ['junk after a quote', row({ ChargeDescription: '"closed"junk' })],
    ];
    for (const [name, line] of bad) {
      const file = await write(
        `bad-${name.replaceAll(' ', '-')}.csv`,
        `${HEADER.join(',')}\n${CASES[0]}\n${CASES[3]}\n${line}\n${CASES[0]}\n`,
      );
      const want = await expectSame([file], [3, 1 << 20]);
      // The unterminated quote swallows the rest of the file; the parser notices on the next line.
      expect(want.error, name).toMatch(name === 'unterminated quote' ? /line 6: malformed CSV/ : /line 5:/);
    }
  });

  it('writes the same COPY text for the FOCUS fixtures and the demo data', async () => {
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
      const want = addDecimals(values);
      expect(sum.value(), values.join(' + ')).toBe(want);
    }
    expect(new DecimalSum().value()).toBeNull();
  });
});
