// Hostile and broken files through the real pipeline and PostgreSQL: each one fails with the file,
// line and reason, leaves a failed run, changes no billing data, and (for the ones built to exhaust
// memory) stops after a bounded amount of work. The files are generated here, in a temporary
// directory; the caps are small where a small cap makes the same point, the defaults where the
// point is the default.
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runIngest } from '../../scripts/ingest-command';
import { writeParquet } from '../../tests/fixtures/focus/parquet-writer';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { FOCUS_CASES_HEADER, focusCaseRow } from '../../tests/helpers/focus-cases';
import { removeTempDirs, tempDir } from '../../tests/helpers/temp-dir';
import { ingestFile } from './pipeline';
import { IngestError } from './types';

afterAll(removeTempDirs);

const SOURCE = 'hostile';
const HEADER = `${FOCUS_CASES_HEADER.join(',')}\n`;
const ROW = `${focusCaseRow()}\n`;
const MiB = 1 << 20;

let url: string;
let dir: string;

beforeAll(async () => {
  url = await useTestDatabase();
  dir = await tempDir('burnrate-hostile-');
  // The billing data every failure below must leave alone.
  await ingestFile({ file: await write('good.csv', `${HEADER}${ROW}${focusCaseRow({ BilledCost: '2.50' })}\n`), sourceName: SOURCE });
});

async function write(name: string, content: string | Buffer | Uint8Array): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, content);
  return p;
}

/** A gzip file of `head` followed by `zeros` NUL (or `fill`) bytes, streamed (the uncompressed content never sits in memory). */
async function gzipOfZeros(name: string, head: string, zeros: number, fill = 0): Promise<string> {
  const p = path.join(dir, name);
  const zero = Buffer.alloc(MiB, fill);
  async function* content() {
    if (head) yield Buffer.from(head);
    for (let left = zeros; left > 0; left -= zero.length) yield left >= zero.length ? zero : zero.subarray(0, left);
  }
  await pipeline(Readable.from(content()), createGzip({ level: 1 }), createWriteStream(p));
  return p;
}

/** All billing data, and the rollup, as one fingerprint. */
async function billingData(): Promise<string> {
  const [row] = await sql<{ items: string; daily: string }>(
    url,
    `SELECT (SELECT count(*) || ':' || coalesce(md5(string_agg(c::text, '|' ORDER BY c::text)), '') FROM cost_line_items c) AS items,
            (SELECT count(*) || ':' || coalesce(md5(string_agg(d::text, '|' ORDER BY d::text)), '') FROM cost_daily d) AS daily`,
  );
  return `${row?.items} / ${row?.daily}`;
}

/** Ingests `file` expecting an IngestError matching `reason`; checks the run and the billing data. */
async function expectRefused(
  file: string,
  reason: RegExp,
  options: { fastPath?: boolean; maxRecordBytes?: number; maxRowGroupBytes?: number } = {},
) {
  const before = await billingData();
  const error = await ingestFile({ file, sourceName: SOURCE, ...options }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(IngestError);
  const message = (error as Error).message;
  expect(message.startsWith(`${file}, `), message).toBe(true);
  expect(message).toMatch(reason);
  const [run] = await sql<{ status: string; error: string; file_name: string }>(
    url,
    `SELECT r.status, r.error, r.file_name FROM ingest_runs r JOIN billing_sources s ON s.id = r.source_id
      WHERE s.name = $1 ORDER BY r.id DESC LIMIT 1`,
    [SOURCE],
  );
  expect(run).toEqual({ status: 'failed', error: message, file_name: file });
  expect(await billingData()).toBe(before);
  const [running] = await sql<{ n: string }>(url, `SELECT count(*)::text AS n FROM ingest_runs WHERE status = 'running'`);
  expect(running?.n).toBe('0');
  return message;
}

const PATHS = [
  ['fast path', true],
  ['generic path', false],
] as const;

describe('memory stays bounded whatever the file', () => {
  it('a gzip of a header and 64 MB of zeros without a line break fails on line 2 at the default 1 MiB limit', async () => {
    const file = await gzipOfZeros('zeros-after-header.csv.gz', HEADER, 64 * MiB);
    await expectRefused(file, /, line 2: the record starting here is longer than 1048576 bytes, the limit \(BURNRATE_MAX_RECORD_BYTES\)/);
  });

  it('a gzip of nothing but zeros fails on line 1 (no header row), and still records a failed run', async () => {
    const file = await gzipOfZeros('pure-zeros.csv.gz', '', 64 * MiB);
    await expectRefused(file, /, line 1: the record starting here is longer than 1048576 bytes/);
  });

  it.each(PATHS)('a gzip of 64 MB of line breaks after a good row fails where they start (%s)', async (_name, fastPath) => {
    const file = await gzipOfZeros(`newlines-${fastPath}.csv.gz`, `${HEADER}${ROW}`, 64 * MiB, 10);
    await expectRefused(file, /, line 3: more than 1048576 bytes of blank lines from here, the limit \(BURNRATE_MAX_RECORD_BYTES\)/, {
      fastPath,
    });
  });

  it.each(PATHS)('zeros after a good row fail on the next line (%s)', async (_name, fastPath) => {
    const file = await gzipOfZeros(`zeros-after-row-${fastPath}.csv.gz`, `${HEADER}${ROW}`, 16 * MiB);
    await expectRefused(file, /, line 3: the record starting here is longer than 65536 bytes/, { fastPath, maxRecordBytes: 65536 });
  });

  it.each(PATHS)('a line one byte over the limit fails, naming it (%s)', async (_name, fastPath) => {
    const limit = 4096;
    const padding = 'x'.repeat(limit - focusCaseRow({ ChargeDescription: '' }).length); // + the newline: limit + 1 bytes
    const long = `${focusCaseRow({ ChargeDescription: padding })}\n`;
    expect(Buffer.byteLength(long)).toBe(limit + 1);
    const file = await write(`line-over-${fastPath}.csv`, `${HEADER}${ROW}${long}${ROW}`);
    await expectRefused(file, /, line 3: the record starting here is longer than 4096 bytes/, { fastPath, maxRecordBytes: limit });
  });

  it.each(PATHS)('a quoted field with line breaks over the limit fails on the line it starts (%s)', async (_name, fastPath) => {
    const field = `"${'a, b\n'.repeat(1000)}"`;
    const file = await write(`quoted-over-${fastPath}.csv`, `${HEADER}${ROW}${ROW}${focusCaseRow({ ChargeDescription: field })}\n${ROW}`);
    await expectRefused(file, /, line 4: the record starting here is longer than 4096 bytes/, { fastPath, maxRecordBytes: 4096 });
  });

  it('without an ingest option, the limit is BURNRATE_MAX_RECORD_BYTES', async () => {
    const file = await write('env-limit.csv', `${HEADER}${ROW}${focusCaseRow({ ChargeDescription: 'x'.repeat(3000) })}\n`);
    process.env.BURNRATE_MAX_RECORD_BYTES = '2048';
    try {
      await expectRefused(file, /, line 3: the record starting here is longer than 2048 bytes/);
    } finally {
      delete process.env.BURNRATE_MAX_RECORD_BYTES;
    }
  });

  it('a Parquet page over the limit is refused before it is decompressed', async () => {
    const file = await write('big-page.parquet', focusParquet(Array.from({ length: 200 }, (_, i) => ({ BilledCost: i + 0.5 }))));
    await expectRefused(
      file,
      /, row 1: Parquet row group 1, column BillingCurrency: a page of \d+ bytes, more than the limit of 1024 \(BURNRATE_MAX_ROW_GROUP_BYTES\); write the file with smaller pages or row groups$/,
      { maxRowGroupBytes: 1024 },
    );
  });
});

describe('a Parquet row group larger than the limit is read in slices', () => {
  it('every row lands, with exact totals', async () => {
    const n = 3_000;
    // One row group of 3,000 rows x 11 columns (~300 kB) in pages of 100 rows, against a 16 kB limit (1,000 values a page).
    const file = await write(
      'one-group.parquet',
      focusParquet(
        Array.from({ length: n }, (_, i) => ({ BilledCost: i + 0.5 })),
        undefined,
        100,
      ),
    );
    const summary = await ingestFile({ file, sourceName: 'sliced', maxRowGroupBytes: 16_000 });
    expect(summary.rows).toBe(n);
    const [stored] = await sql<{ n: string; total: string }>(
      url,
      `SELECT count(*)::text AS n, sum(c.billed_cost)::text AS total
         FROM cost_line_items c JOIN billing_sources s ON s.id = c.source_id WHERE s.name = 'sliced'`,
    );
    // 0.5 + 1.5 + ... + 2999.5 = 3000² / 2
    expect(stored).toEqual({ n: '3000', total: '4500000.0' });
  });
});

describe('values that are not amounts are refused', () => {
  const cases: [string, string, RegExp][] = [
    [
      'BilledCost',
      '1e400',
      /, line 3: BilledCost: amount out of range: "1e400" \(at most 38 digits before and 38 after the decimal point\)/,
    ],
    ['BilledCost', '1e-400', /, line 3: BilledCost: amount out of range: "1e-400"/],
    ['EffectiveCost', '1e200000', /, line 3: EffectiveCost: amount out of range: "1e200000"/],
    ['EffectiveCost', 'NaN', /, line 3: EffectiveCost: not a decimal number: "NaN"/],
    ['BilledCost', 'NaN', /, line 3: BilledCost: not a decimal number: "NaN"/],
    ['ConsumedQuantity', '123456789012345678901234567890123456789', /, line 3: ConsumedQuantity: amount out of range/],
  ];
  for (const [name, fastPath] of PATHS) {
    it.each(cases)(`%s %s (${name})`, async (column, value, reason) => {
      const file = await write(`amount-${column}-${value}-${fastPath}.csv`, `${HEADER}${ROW}${focusCaseRow({ [column]: value })}\n`);
      await expectRefused(file, reason, { fastPath });
    });
  }

  // The other readers read amounts through the same decimal(): a fixture with its first row's cost replaced.
  const FIXTURES = path.resolve(import.meta.dirname, '../../tests/fixtures');
  const readers: [string, string, string][] = [
    ['aws-cur', 'aws-cur/koku/test_cur.csv', 'lineItem/UnblendedCost'],
    ['azure', 'azure/synthetic-actual.csv', 'CostInBillingCurrency'],
    ['gcp', 'gcp/detailed-usage-multi-currency.csv', 'cost'],
  ];
  for (const value of ['1e400', 'NaN']) {
    it.each(readers)(`%s: a cost of ${value} is refused naming line and column`, async (format, fixture, column) => {
      const records = parse(await readFile(path.join(FIXTURES, fixture), 'utf8'), { relax_column_count: true }) as string[][];
      const header = records[0] as string[];
      const at = header.indexOf(column);
      expect(at, column).toBeGreaterThanOrEqual(0);
      (records[1] as string[])[at] = value;
      const quote = (v: string) => `"${v.replaceAll('"', '""')}"`;
      const file = await write(`${format}-${value}.csv`, `${records.map((r) => r.map(quote).join(',')).join('\n')}\n`);
      const message =
        value === 'NaN' ? `${column}: not a decimal number: "NaN"` : `${column}: amount out of range: "1e400" (at most 38 digits before`;
      const error = await expectRefused(file, /, line 2: /);
      expect(error).toContain(`, line 2: ${message}`);
    });
  }

  it('a Parquet DOUBLE NaN or Infinity in BilledCost is refused, naming the row', async () => {
    const nan = await write('nan.parquet', focusParquet([{ BilledCost: 1.5 }, { BilledCost: Number.NaN }]));
    await expectRefused(nan, /, line 2: BilledCost: not a decimal number: "NaN"/);
    const inf = await write('inf.parquet', focusParquet([{ BilledCost: Number.POSITIVE_INFINITY }]));
    await expectRefused(inf, /, line 1: BilledCost: not a decimal number: "Infinity"/);
    const huge = await write('huge.parquet', focusParquet([{ BilledCost: 1e300 }]));
    await expectRefused(huge, /, line 1: BilledCost: amount out of range: "1e\+300"/);
  });
});

describe('invalid UTF-8 is refused', () => {
  it('in a Parquet string, naming the row, the column and the byte', async () => {
    const bytes = Buffer.from(focusParquet([{ BilledCost: 1.5 }, { BilledCost: 2.5 }], 'Marker-\u00e9-2'));
    const at = bytes.indexOf('Marker-\u00e9-2');
    expect(at).toBeGreaterThan(0);
    bytes[at + 7] = 0xff; // the first byte of é: a byte that is never UTF-8
    const file = await write('latin1.parquet', bytes);
    await expectRefused(file, /, row 2, column ChargeDescription: invalid UTF-8 at byte 7 of the value \(0xff\)/);
  });

  it.each(PATHS)('naming the line and the byte offset (%s)', async (_name, fastPath) => {
    const head = Buffer.from(`${HEADER}${ROW}`);
    const bad = Buffer.concat([head, Buffer.from(focusCaseRow({ ChargeDescription: 'caf\xe9' }), 'latin1'), Buffer.from(`\n${ROW}`)]);
    const offset = bad.indexOf(0xe9);
    expect(offset).toBeGreaterThan(head.length);
    const file = await write(`latin1-${fastPath}.csv`, bad);
    await expectRefused(file, new RegExp(`, line 3: invalid UTF-8 at byte offset ${offset} \\(0xe9\\)`), { fastPath });
  });
});

/** The FOCUS columns of the Parquet files below (strings; BilledCost is a DOUBLE). */
const PARQUET_TEXT: Record<string, string> = {
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
};

/**
 * A FOCUS Parquet file of one row group, one row per BilledCost, in pages of `pageRows` rows; the
 * last row's ChargeDescription is `lastDescription` when given.
 */
function focusParquet(rows: { BilledCost: number }[], lastDescription?: string, pageRows?: number): Uint8Array {
  return writeParquet(
    [
      ...Object.entries(PARQUET_TEXT).map(([name, value]) => ({
        name,
        type: { kind: 'string' as const },
        values: rows.map((_, i) =>
          name === 'ChargeDescription' && lastDescription !== undefined && i === rows.length - 1 ? lastDescription : value,
        ),
      })),
      { name: 'BilledCost', type: { kind: 'double' as const }, values: rows.map((r) => r.BilledCost) },
    ],
    rows.length,
    pageRows,
  );
}

describe('npm run ingest stops early on a decompression bomb', () => {
  it('256 MB of zeros after a header and a row: exit 1 with file and line, peak RSS far below the content', async () => {
    const file = await gzipOfZeros('bomb.csv.gz', `${HEADER}${ROW}`, 256 * MiB);
    const before = await billingData();
    const res = await runIngest(['--json', '--source', SOURCE, file], { DATABASE_URL: url });
    expect(res.code, res.stderr).toBe(1);
    const out = JSON.parse(res.stdout) as { ok: boolean; failures: { file: string; error: string }[]; peakRssBytes: number };
    expect(out.failures).toEqual([
      { file, error: expect.stringMatching(/, line 3: the record starting here is longer than 1048576 bytes/) },
    ]);
    // Holding the content would take 256 MB (and crash the 256 MB heap); the ingester stops after about 1 MiB of it.
    expect(out.peakRssBytes).toBeLessThan(160 * MiB); // measured: 95 MiB
    expect(await billingData()).toBe(before);
  });
});

describe('npm run ingest reads a large Parquet row group in bounded memory', () => {
  it('150,000 rows in one 40 MB row group (over the 28 MiB default limit): every row, exact total, peak RSS under 400 MB', async () => {
    const n = 150_000;
    const file = await write('large-group.parquet', largeFocusParquet(n));
    const res = await runIngest(['--json', '--source', 'large-group', file], { DATABASE_URL: url });
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout) as { files: { rows: number }[]; peakRssBytes: number };
    expect(out.files[0]?.rows).toBe(n);
    const [stored] = await sql<{ n: string; total: string }>(
      url,
      `SELECT count(*)::text AS n, sum(c.billed_cost)::text AS total
         FROM cost_line_items c JOIN billing_sources s ON s.id = c.source_id WHERE s.name = 'large-group'`,
    );
    // 0.5 + 1.5 + ... + 149999.5 = 150000² / 2
    expect(stored).toEqual({ n: '150000', total: '11250000000.0' });
    // README Limits: peak RSS under 400 MB whatever the input. Measured on 300,000 rows: 259-262 MiB (read whole, as before: 456-471 MiB).
    expect(out.peakRssBytes).toBeLessThan(400e6);
  });
});

/** A FOCUS Parquet file of `n` distinct rows (~270 bytes each) in one row group, in pages of 10,000 rows as pyarrow's writer makes them. */
function largeFocusParquet(n: number): Uint8Array {
  const same = (value: string) => Array.from({ length: n }, () => value);
  return writeParquet(
    [
      ...Object.entries(PARQUET_TEXT)
        .filter(([name]) => name !== 'ChargeDescription')
        .map(([name, value]) => ({ name, type: { kind: 'string' as const }, values: same(value) })),
      {
        name: 'ChargeDescription',
        type: { kind: 'string' as const },
        values: Array.from({ length: n }, (_, i) => `usage of resource ${i} in us-east-1, on-demand`),
      },
      {
        name: 'ResourceId',
        type: { kind: 'string' as const },
        values: Array.from({ length: n }, (_, i) => `arn:aws:ec2:us-east-1:123456789012:instance/i-${i.toString(16).padStart(17, '0')}`),
      },
      { name: 'BilledCost', type: { kind: 'double' as const }, values: Array.from({ length: n }, (_, i) => i + 0.5) },
    ],
    n,
    10_000,
  );
}
