import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { compressors } from 'hyparquet-compressors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ColumnSpec, writeParquet } from '../../tests/fixtures/focus/parquet-writer';
import { unscaledText } from '../../tests/helpers/bigint-decimal';
import { removeTempDirs, tempDir } from '../../tests/helpers/temp-dir';
import { bounded, float32ToString, openParquetSource } from './parquet';
import { openRecordSource, type RecordSource, type SourceRecord } from './source';
import { IngestError } from './types';

afterAll(removeTempDirs);

const FIXTURES = path.join(import.meta.dirname, '../../tests/fixtures/focus');
let dir: string;

beforeAll(async () => {
  dir = await tempDir('burnrate-parquet-');
});

async function write(name: string, columns: ColumnSpec[], rowGroupSize?: number, pageRows?: number): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, writeParquet(columns, rowGroupSize, pageRows));
  return file;
}

async function readAll(source: RecordSource): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  try {
    for await (const batch of source.records()) out.push(...batch);
  } finally {
    await source.close();
  }
  return out;
}

const DEC38 = { kind: 'decimal', precision: 38, scale: 10, physical: 'FIXED_LEN_BYTE_ARRAY' } as const;

describe('openParquetSource', () => {
  it('reads the FOCUS validator sample through openRecordSource (sniffed by content)', async () => {
    const source = await openRecordSource(path.join(FIXTURES, 'validator-sample.parquet'));
    expect(source.kind).toBe('parquet');
    expect(source.headers).toEqual(['InvoiceIssuer', 'ResourceID', 'ChargeType']);
    expect(source.sha256()).toBeNull();
    const records = await readAll(source);
    expect(records).toEqual([
      { values: ['test-entity-1', 'r1', 'Purchase'], line: 1 },
      { values: ['test-entity-2', 'r2', 'Adjustment'], line: 2 },
    ]);
    expect(source.bytesRead()).toBe(source.totalBytes);
  });

  it('turns DECIMAL(38,10) bytes into exact decimal strings', async () => {
    const file = await write('dec38.parquet', [
      {
        name: 'BilledCost',
        type: DEC38,
        values: [
          123450000000001n, // 12345.0000000001
          -1n,
          99999999999999999999999999999999999999n, // the largest DECIMAL(38,10)
          -99999999999999999999999999999999999999n,
          0n,
          null,
          10000000000n, // 1.0000000000
        ],
      },
    ]);
    const values = (await readAll(await openParquetSource(file, (await stat(file)).size))).map((r) => r.values[0]);
    expect(values).toEqual([
      '12345.0000000001',
      '-0.0000000001',
      '9999999999999999999999999999.9999999999',
      '-9999999999999999999999999999.9999999999',
      '0.0000000000',
      null,
      '1.0000000000',
    ]);
  });

  it('reads DECIMAL stored as INT32, INT64 and variable-length BYTE_ARRAY exactly', async () => {
    const file = await write('decimals.parquet', [
      { name: 'i32', type: { kind: 'decimal', precision: 9, scale: 2, physical: 'INT32' }, values: [150n, -5n, null] },
      { name: 'i64', type: { kind: 'decimal', precision: 18, scale: 6, physical: 'INT64' }, values: [9007199254740993n, -1n, 0n] },
      {
        name: 'bytes',
        type: { kind: 'decimal', precision: 40, scale: 3, physical: 'BYTE_ARRAY' },
        values: [-123456789012345678901234567890n, 1n, null],
      },
    ]);
    const rows = (await readAll(await openParquetSource(file, (await stat(file)).size))).map((r) => r.values);
    expect(rows).toEqual([
      ['1.50', '9007199254.740993', '-123456789012345678901234567.890'],
      ['-0.05', '-0.000001', '0.001'],
      [null, '0.000000', null],
    ]);
  });

  it('converts floats, integers, timestamps, dates, maps and structs to strings', async () => {
    const file = await write('types.parquet', [
      { name: 'd', type: { kind: 'double' }, values: [0.1, 1e-7, null] },
      { name: 'f', type: { kind: 'float' }, values: [0.1, 1.5, 16777217] },
      { name: 'n', type: { kind: 'int64' }, values: [9007199254740993n, -1n, null] },
      { name: 'ms', type: { kind: 'timestamp', unit: 'MILLIS' }, values: [1700000000000n, 1n, null] },
      { name: 'us', type: { kind: 'timestamp', unit: 'MICROS' }, values: [1700000000123456n, null, -1n] },
      { name: 'ns', type: { kind: 'timestamp', unit: 'NANOS' }, values: [1700000000123456789n, 1n, null] },
      { name: 'day', type: { kind: 'date' }, values: [19723, 0, null] },
      { name: 's', type: { kind: 'string' }, values: ['Grüße', '', null] },
      { name: 'Tags', type: { kind: 'map' }, values: [{ env: 'prod', 'team "a"': null }, {}, null] },
      {
        name: 'x_Credit',
        type: {
          kind: 'struct',
          fields: [
            { name: 'amount', type: DEC38 },
            { name: 'type', type: { kind: 'string' } },
          ],
        },
        values: [{ amount: -123450000000001n, type: 'PROMOTION' }, { amount: null, type: null }, null],
      },
    ]);
    const source = await openParquetSource(file, (await stat(file)).size);
    expect(source.headers).toEqual(['d', 'f', 'n', 'ms', 'us', 'ns', 'day', 's', 'Tags', 'x_Credit']);
    const rows = (await readAll(source)).map((r) => r.values);
    expect(rows[0]).toEqual([
      '0.1',
      '0.1',
      '9007199254740993',
      '2023-11-14T22:13:20Z',
      '2023-11-14T22:13:20.123456Z',
      '2023-11-14T22:13:20.123456789Z',
      '2024-01-01',
      'Grüße',
      '{"env":"prod","team \\"a\\"":null}',
      '{"amount":-12345.0000000001,"type":"PROMOTION"}',
    ]);
    expect(rows[1]).toEqual([
      '1e-7',
      '1.5',
      '-1',
      '1970-01-01T00:00:00.001Z',
      null,
      '1970-01-01T00:00:00.000000001Z',
      '1970-01-01',
      '',
      '{}',
      '{"amount":null,"type":null}',
    ]);
    expect(rows[2]).toEqual([null, '16777216', null, null, '1969-12-31T23:59:59.999999Z', null, null, null, null, null]);
  });

  it('streams one row group at a time: 1-based row numbers, bounded batches, growing bytesRead', async () => {
    const n = 10_000;
    const file = await write(
      'groups.parquet',
      [
        { name: 'id', type: { kind: 'string' }, values: Array.from({ length: n }, (_, i) => `resource-${i}-${'x'.repeat(40)}`) },
        { name: 'cost', type: DEC38, values: Array.from({ length: n }, (_, i) => BigInt(i)) },
      ],
      2_500,
    );
    const { size } = await stat(file);
    const source = await openParquetSource(file, size);
    const progress: number[] = [source.bytesRead()];
    let expectedLine = 1;
    let batches = 0;
    for await (const batch of source.records()) {
      batches++;
      expect(batch.length).toBeLessThanOrEqual(512);
      for (const record of batch) {
        expect(record.line).toBe(expectedLine);
        expect(record.values[1]).toBe(unscaledText(BigInt(expectedLine - 1), 10));
        expectedLine++;
      }
      progress.push(source.bytesRead());
    }
    await source.close();
    expect(expectedLine - 1).toBe(n);
    expect(batches).toBeGreaterThanOrEqual(4 * Math.ceil(2_500 / 512));
    expect(progress[0]).toBeLessThan(size / 2); // only the footer before the first row group
    expect(new Set(progress).size).toBeGreaterThanOrEqual(4); // grew once per row group
    expect(progress.every((p, i) => i === 0 || p >= (progress[i - 1] as number))).toBe(true);
    expect(progress.at(-1)).toBeLessThanOrEqual(size);
  });

  it('reads a row group larger than the limit in slices, page by page: every row, exact decimals, maps across slices', async () => {
    const n = 5_000;
    // Rows with 0 to 3 tags, so that map rows straddle slices and pages.
    const tags = (i: number): Record<string, string | null> =>
      Object.fromEntries(Array.from({ length: i % 4 }, (_, k) => [`k${k}`, k === 2 ? null : `v${i}-${k}`]));
    const file = await write(
      'one-big-group.parquet',
      [
        { name: 'id', type: { kind: 'string' }, values: Array.from({ length: n }, (_, i) => `resource-${i}`) },
        { name: 'cost', type: DEC38, values: Array.from({ length: n }, (_, i) => BigInt(i) * 10_000_000_001n) },
        { name: 'tags', type: { kind: 'map' }, values: Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : tags(i))) },
      ],
      n, // one row group
      97, // pages of 97 rows: slices and pages never line up
    );
    const { size } = await stat(file);
    const limit = 8_000; // 500 values a page at most; the group holds 5,000 rows x 4 leaves in ~150 kB
    expect(size).toBeGreaterThan(10 * limit);
    const source = await openParquetSource(file, size, limit);
    const progress: number[] = [];
    let line = 0;
    let total = 0n;
    for await (const batch of source.records()) {
      for (const record of batch) {
        const i = line;
        line++;
        expect(record.line).toBe(line);
        expect(record.values[0]).toBe(`resource-${i}`);
        expect(record.values[1]).toBe(unscaledText(BigInt(i) * 10_000_000_001n, 10));
        const expected = i % 7 === 0 ? null : JSON.stringify(tags(i));
        expect(record.values[2]).toBe(expected);
        total += BigInt((record.values[1] as string).replace('.', ''));
      }
      progress.push(source.bytesRead());
    }
    await source.close();
    expect(line).toBe(n);
    // Sum of i x 10000000001 for i < 5000, at scale 10: 12497500 x 1.0000000001.
    expect(unscaledText(total, 10)).toBe('12497500.0012497500');
    expect(new Set(progress).size).toBeGreaterThan(4); // the group's pages were read as it went, not at once
  });

  it('refuses a page of more values than a sixteenth of the byte limit (few bytes, many values), naming its first row', async () => {
    const n = 1000;
    const file = await write(
      'many-values.parquet',
      [
        { name: 'a', type: { kind: 'double' }, values: Array.from({ length: n }, (_, i) => i) },
        { name: 'b', type: { kind: 'double' }, values: Array.from({ length: n }, (_, i) => -i) },
      ],
      500,
    );
    // Each group: one page of 500 values (4,000 bytes) per column. A 7,000-byte limit allows 437 values a page.
    const { size } = await stat(file);
    const error = await readAll(await openParquetSource(file, size, 7_000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IngestError);
    expect((error as Error).message).toBe(
      `${file}, row 1: Parquet row group 1, column a: a page of 500 values, more than the limit of 437 (BURNRATE_MAX_ROW_GROUP_BYTES); write the file with smaller pages or row groups`,
    );
    // A 12,000-byte limit allows 750 values a page: the groups (1,000 values each) are read in slices.
    expect(await readAll(await openParquetSource(file, size, 12_000))).toHaveLength(n);
  });

  it('refuses a page larger than the byte limit, naming the row group, the column and the row its slice starts at', async () => {
    const n = 300;
    const file = await write(
      'big-page.parquet',
      [
        { name: 'a', type: { kind: 'string' }, values: Array.from({ length: n }, (_, i) => `value ${i}`) },
        { name: 'b', type: { kind: 'string' }, values: Array.from({ length: n }, (_, i) => (i < 200 ? 'short' : 'x'.repeat(100))) },
      ],
      n,
      100,
    );
    // Column b's third page (rows 201-300) takes 100 x 104 bytes; its first two and all of a's are small.
    const { size } = await stat(file);
    const source = await openParquetSource(file, size, 8_000);
    const read: number[] = [];
    const error = await (async () => {
      for await (const batch of source.records()) for (const r of batch) read.push(r.line);
    })().catch((e: unknown) => e);
    await source.close();
    expect(error).toBeInstanceOf(IngestError);
    const message = (error as Error).message;
    const row = Number(/, row (\d+):/.exec(message)?.[1]);
    expect(row).toBe((read.at(-1) ?? 0) + 1); // the first row not read: the rows before it were read
    expect(row).toBeGreaterThan(100);
    expect(row).toBeLessThanOrEqual(201);
    expect(message.startsWith(`${file}, row ${row}: Parquet row group 1, column b: a page of `), message).toBe(true);
    expect(message).toMatch(
      /a page of 104\d\d bytes, more than the limit of 8000 \(BURNRATE_MAX_ROW_GROUP_BYTES\); write the file with smaller pages or row groups$/,
    );
  });

  it('decompresses no page beyond its announced size, nor beyond the limit (a zstd bomb)', () => {
    const codecs = bounded(compressors, 1 << 20);
    const zstd = codecs.ZSTD as (input: Uint8Array, length: number) => Uint8Array;
    const bomb = zstdCompressSync(Buffer.alloc(64 << 20)); // 64 MiB of zeros in a few kilobytes
    expect(bomb.length).toBeLessThan(1 << 16);
    expect(() => zstd(bomb, 1000)).toThrow('a ZSTD page decompresses to more than the 1000 bytes its header announces');
    expect(() => zstd(bomb, 64 << 20)).toThrow(`a ZSTD page announces ${64 << 20} bytes uncompressed, more than the limit of 1048576`);
    expect(Buffer.from(zstd(zstdCompressSync(Buffer.from('exact')), 5)).toString()).toBe('exact');
    const gzip = codecs.GZIP as (input: Uint8Array, length: number) => Uint8Array;
    expect(() => gzip(gzipSync(Buffer.alloc(100)), 2 << 20)).toThrow(/GZIP page announces 2097152 bytes/);
  });

  it('rejects a file that only looks like Parquet, naming the file', async () => {
    const file = path.join(dir, 'broken.parquet');
    await writeFile(file, Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(100, 7), Buffer.from('PAR1')]));
    const error = await openParquetSource(file, 108).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IngestError);
    expect((error as IngestError).detail.code).toBe('BAD_FILE');
    expect((error as Error).message).toContain('broken.parquet: not a readable Parquet file');
  });
});

describe('float32ToString', () => {
  it('prints the shortest string that reads back as the same float32', () => {
    expect(float32ToString(Math.fround(0.1))).toBe('0.1');
    expect(float32ToString(Math.fround(2.71))).toBe('2.71');
    expect(float32ToString(Math.fround(1e-10))).toBe('1e-10');
    expect(float32ToString(0)).toBe('0');
  });
});
