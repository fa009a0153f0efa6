import { isUtf8 } from 'node:buffer';
import { open } from 'node:fs/promises';
import { getHeapStatistics } from 'node:v8';
import { zstdDecompressSync } from 'node:zlib';
import {
  type AsyncBuffer,
  type Compressors,
  type FileMetaData,
  type ParquetParsers,
  parquetMetadataAsync,
  parquetSchema,
  type SchemaElement,
  type SchemaTree,
} from 'hyparquet';
import { isListLike, isMapLike } from 'hyparquet/src/schema.js';
import { compressors } from 'hyparquet-compressors';
import { fromScaled } from '../decimal';
import { type PageFile, PageLimitError, type PageLimits, type RowSlice, rowGroupSlices } from './parquet-pages';
import { firstInvalidUtf8, type RecordSource, type SourceRecord } from './source';
import { IngestError } from './types';

/**
 * Parquet as a record source: one row group at a time (never the whole file's rows in memory),
 * every value turned into the string a CSV export of the same data would hold:
 *
 * - DECIMAL (INT32, INT64, FIXED_LEN_BYTE_ARRAY or BYTE_ARRAY): exact, from the unscaled integer and
 *   the scale, e.g. DECIMAL(38,10) 123450000000001 -> "12345.0000000001". hyparquet would turn these
 *   into floats, so the reader hands it a copy of the schema without the DECIMAL annotation and
 *   converts the raw values itself.
 * - DOUBLE / FLOAT: the shortest string that reads back as the same binary value (String(n), or the
 *   float32 equivalent). A float column cannot be more exact than the file: 0.1 stored as a DOUBLE is
 *   kept as "0.1", but digits the writer already rounded away are not coming back.
 * - timestamps: ISO-8601 UTC with the file's precision (`2024-01-01T00:00:00.123456Z`); DATE: `YYYY-MM-DD`.
 * - strings as they are; maps, structs and lists (e.g. FOCUS Tags) as JSON text, with decimals inside
 *   them written as exact JSON numbers; null stays null.
 *
 * Row groups of any size are read in slices of rows, page by page (./parquet-pages.ts); hyparquet's
 * parquetRead would decode a whole column chunk at once. A page must be decompressed whole, so one
 * larger than `maxRowGroupBytes`, or of more than a sixteenth as many values, is refused before it
 * is read (README, Limits).
 */
export async function openParquetSource(file: string, size: number, maxRowGroupBytes = defaultMaxRowGroupBytes()): Promise<RecordSource> {
  const handle = await open(file, 'r');
  let consumed = 0;
  const readAt = async (start: number, length: number): Promise<Uint8Array<ArrayBuffer>> => {
    const out = new Uint8Array(Math.max(0, length));
    let offset = 0;
    while (offset < out.length) {
      const { bytesRead } = await handle.read(out, offset, out.length - offset, start + offset);
      if (bytesRead === 0) throw new Error(`unexpected end of file at byte ${start + offset}`);
      offset += bytesRead;
    }
    return out;
  };
  // The footer's reads; the pages' are counted as they are consumed.
  const buffer: AsyncBuffer = {
    byteLength: size,
    slice: async (start, end = size) => {
      const out = await readAt(start, end - start);
      consumed = Math.min(size, consumed + out.length);
      return out.buffer;
    },
  };

  let metadata: FileMetaData;
  let schema: SchemaTree;
  try {
    // A small first read of the footer, so that progress reflects the row groups actually read.
    metadata = await parquetMetadataAsync(buffer, { initialFetchSize: 1 << 16 });
    schema = parquetSchema(metadata);
  } catch (error) {
    await handle.close();
    throw new IngestError(`${file}: not a readable Parquet file (${(error as Error).message})`, { file, code: 'BAD_FILE' });
  }
  const columns = schema.children;
  const headers = columns.map((c) => c.element.name);
  let converters: ((value: unknown) => string | null)[];
  try {
    converters = columns.map(topLevelConverter);
  } catch (error) {
    await handle.close();
    throw new IngestError(`${file}: ${(error as Error).message}`, { file, code: 'BAD_FILE' });
  }
  const readMetadata = withoutDecimalAnnotations(metadata);
  const readSchema = parquetSchema(readMetadata);
  const limits: PageLimits = { maxBytes: maxRowGroupBytes, maxValues: Math.floor(maxRowGroupBytes / 16) };
  const boundedCompressors = bounded(compressors, maxRowGroupBytes);
  const pages: PageFile = {
    read: (start, length) => readAt(start, length),
    advance: (bytes) => {
      consumed = Math.min(size, consumed + bytes);
    },
  };

  let closed = false;
  return {
    file,
    kind: 'parquet',
    headers,
    totalBytes: size,
    bytesRead: () => consumed,
    sha256: () => null,
    async *records(): AsyncGenerator<SourceRecord[]> {
      let groupStart = 0;
      for (const [index, group] of metadata.row_groups.entries()) {
        const groupRows = Number(group.num_rows);
        const rowStart = groupStart;
        groupStart += groupRows;
        if (groupRows === 0) continue;
        const slices = rowGroupSlices(index, {
          metadata: readMetadata,
          schema: readSchema,
          file: pages,
          limits,
          compressors: boundedCompressors,
          parsers: PARSERS,
          // Un-annotated BYTE_ARRAY values (and the decimals stripped of their annotation) arrive
          // as bytes; the converters decode what is text.
          utf8: false,
          sliceRows: Math.max(1, Math.floor(limits.maxValues / SLICES_PER_LIMIT / Math.max(1, group.columns.length))),
        });
        let sliceStart = 0;
        for (;;) {
          let next: IteratorResult<RowSlice>;
          try {
            next = await slices.next();
          } catch (error) {
            const line = rowStart + sliceStart + 1;
            const message = (error as Error).message;
            throw new IngestError(
              error instanceof PageLimitError
                ? `${file}, row ${line}: Parquet row group ${index + 1}, ${message} (BURNRATE_MAX_ROW_GROUP_BYTES); write the file with smaller pages or row groups`
                : `${file}: cannot read Parquet row group ${index + 1} (${message})`,
              { file, line, code: 'BAD_FILE' },
            );
          }
          if (next.done) break;
          const { start, count, columns: values } = next.value;
          sliceStart = start + count;
          let batch: SourceRecord[] = [];
          for (let i = 0; i < count; i++) {
            const line = rowStart + start + i + 1;
            const row: (string | null)[] = new Array(converters.length);
            for (let c = 0; c < converters.length; c++) {
              try {
                row[c] = (converters[c] as (value: unknown) => string | null)((values[c] as unknown[])[i]);
              } catch (error) {
                throw new IngestError(`${file}, row ${line}, column ${headers[c]}: ${(error as Error).message}`, {
                  file,
                  line,
                  column: headers[c],
                  code: 'BAD_VALUE',
                });
              }
            }
            batch.push({ values: row, line });
            if (batch.length >= 512) {
              yield batch;
              batch = [];
            }
          }
          if (batch.length) yield batch;
        }
      }
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await handle.close();
    },
  };
}

/**
 * A row group is read in slices of a sixteenth of the values limit (rows × columns): ~115,000
 * values under `npm run ingest`, e.g. 2,300 rows of 50 columns. Measured with `npm run ingest` on
 * one 165 MB row group (600,000 rows): slices of a quarter peaked at 341 MiB RSS, of a sixteenth
 * 269 MiB, of a 64th 289 MiB.
 */
const SLICES_PER_LIMIT = 16;

/**
 * The page limit when BURNRATE_MAX_ROW_GROUP_BYTES is unset: a sixteenth of the V8 heap limit
 * (28 MiB under `npm run ingest`'s 256 MB heap, ~268 MiB under Node's default); it also sizes the
 * slices a row group is read in. Decoded values take several times their size in JavaScript: when
 * row groups were read whole, a 16 MB group peaked at 297 MB RSS under `npm run ingest`, a 69 MB
 * one at 508 MB.
 */
export function defaultMaxRowGroupBytes(): number {
  return Math.floor(getHeapStatistics().heap_size_limit / 16);
}

/**
 * The decompressors, refusing a page whose header announces more than `max` bytes (a lying row
 * group total). Each decompresses into a buffer of the announced size, except hyparquet-compressors'
 * ZSTD (fzstd), which allocates what the zstd frames themselves declare, frame after frame: Node's
 * zstd (22.15+) is used instead, stopped at the announced size.
 */
export function bounded(all: Compressors, max: number): Compressors {
  const out: Compressors = {};
  for (const [codec, library] of Object.entries(all) as [keyof Compressors, NonNullable<Compressors[keyof Compressors]>][]) {
    const decompress = codec === 'ZSTD' && typeof zstdDecompressSync === 'function' ? zstd : library;
    out[codec] = (input: Uint8Array, length: number) => {
      if (length > max) throw new Error(`a ${codec} page announces ${length} bytes uncompressed, more than the limit of ${max}`);
      return decompress(input, length);
    };
  }
  return out;
}

/** A zstd page into at most `length` bytes (more is an error, not an allocation). */
function zstd(input: Uint8Array, length: number): Uint8Array {
  try {
    return zstdDecompressSync(input, { maxOutputLength: Math.max(1, length) });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new Error(`a ZSTD page decompresses to more than the ${length} bytes its header announces`);
    }
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Type conversion

const utf8 = new TextDecoder('utf-8');

/** Text from UTF-8 bytes; invalid UTF-8 is an error naming the byte (a non-fatal decoder would store U+FFFD without a word). */
function decodeUtf8(bytes: Uint8Array): string {
  if (isUtf8(bytes)) return utf8.decode(bytes);
  const at = firstInvalidUtf8(bytes, 0, bytes.length);
  throw new Error(`invalid UTF-8 at byte ${at} of the value (0x${(bytes[at] as number).toString(16).padStart(2, '0')})`);
}

/** Parsers that keep full precision and return strings (hyparquet's defaults build Dates and parse JSON). */
const PARSERS: Partial<ParquetParsers> = {
  timestampFromMilliseconds: (millis: bigint) => isoFromNanos(BigInt(millis) * 1_000_000n),
  timestampFromMicroseconds: (micros: bigint) => isoFromNanos(BigInt(micros) * 1_000n),
  timestampFromNanoseconds: (nanos: bigint) => isoFromNanos(BigInt(nanos)),
  dateFromDays: (days: number) => new Date(Number(days) * 86_400_000).toISOString().slice(0, 10),
  // Invalid UTF-8 stays bytes, so that the column's converter refuses it naming the row and the
  // column (decodeUtf8); hyparquet's own decoder would turn it into U+FFFD.
  stringFromBytes: (bytes: Uint8Array) => (bytes && isUtf8(bytes) ? utf8.decode(bytes) : (bytes as unknown as string)),
  // JSON columns stay JSON text: parsing would turn their numbers into floats.
  jsonFromBytes: (bytes: Uint8Array) => bytes && decodeUtf8(bytes),
};

function isoFromNanos(nanos: bigint): string {
  let seconds = nanos / 1_000_000_000n;
  let frac = nanos % 1_000_000_000n;
  if (frac < 0n) {
    frac += 1_000_000_000n;
    seconds -= 1n;
  }
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  if (frac === 0n) return `${base}Z`;
  return `${base}.${frac.toString().padStart(9, '0').replace(/0+$/, '')}Z`;
}

function isDecimal(element: SchemaElement): boolean {
  return element.converted_type === 'DECIMAL' || element.logical_type?.type === 'DECIMAL';
}

function decimalScale(element: SchemaElement): number {
  const lt = element.logical_type;
  return element.scale ?? (lt?.type === 'DECIMAL' ? lt.scale : 0);
}

/** A copy of the metadata whose DECIMAL columns are plain integers/bytes, so hyparquet hands over raw values. */
function withoutDecimalAnnotations(metadata: FileMetaData): FileMetaData {
  if (!metadata.schema.some(isDecimal)) return metadata;
  return {
    ...metadata,
    schema: metadata.schema.map((element) => {
      if (!isDecimal(element)) return element;
      const { converted_type: _c, logical_type: _l, ...plain } = element;
      return plain;
    }),
  };
}

/** Two's-complement big-endian bytes to a bigint (the DECIMAL byte-array encoding). */
function bigintFromBytes(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  if (bytes.length && (bytes[0] as number) & 0x80) value -= 1n << BigInt(bytes.length * 8);
  return value;
}

function unscaledOf(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (value instanceof Uint8Array) return bigintFromBytes(value);
  throw new Error(`unexpected DECIMAL value ${String(value)}`);
}

/**
 * The shortest decimal string that reads back as the same float32. String() on the widened double
 * would print float32 noise (0.1f -> "0.10000000149011612").
 */
export function float32ToString(value: number): string {
  if (!Number.isFinite(value) || value === 0) return String(value);
  for (let precision = 1; precision <= 9; precision++) {
    // Number() here only re-reads a candidate string to compare binary values, not money text.
    const candidate = Number(value.toPrecision(precision));
    if (Math.fround(candidate) === value) return String(candidate);
  }
  return String(value);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Converts one leaf value (never null) to its string form. */
function leafToString(element: SchemaElement): (value: unknown) => string {
  if (isDecimal(element)) {
    const scale = decimalScale(element);
    return (v) => fromScaled(unscaledOf(v), scale);
  }
  if (element.type === 'FLOAT' && element.logical_type?.type !== 'FLOAT16') {
    return (v) => float32ToString(v as number);
  }
  if (element.type === 'FIXED_LEN_BYTE_ARRAY') {
    return (v) => (v instanceof Uint8Array ? hex(v) : anyToString(v));
  }
  return anyToString;
}

function anyToString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v instanceof Uint8Array) return decodeUtf8(v);
  if (v instanceof Date) return v.toISOString();
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}

/** JSON text for a leaf inside a nested value: numbers (decimals included) unquoted and exact. */
function leafToJson(element: SchemaElement): (value: unknown) => string {
  const asString = leafToString(element);
  const numeric =
    isDecimal(element) || element.type === 'INT32' || element.type === 'INT64' || element.type === 'DOUBLE' || element.type === 'FLOAT';
  return (v) => {
    if (v == null) return 'null';
    if (typeof v === 'boolean') return String(v);
    const s = asString(v);
    if (numeric) return /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(s) ? s : 'null'; // NaN/Infinity have no JSON form
    return JSON.stringify(s);
  };
}

function listElement(node: SchemaTree): SchemaTree {
  const repeated = node.children[0] as SchemaTree;
  return repeated.children.length === 1 ? (repeated.children[0] as SchemaTree) : repeated;
}

/** JSON text for a value of any schema node, following the shapes hyparquet assembles. */
function nodeToJson(node: SchemaTree): (value: unknown) => string {
  let single: (value: unknown) => string;
  if (isListLike(node)) {
    const element = nodeToJson(listElement(node));
    single = (v) => (Array.isArray(v) ? `[${v.map(element).join(',')}]` : 'null');
  } else if (isMapLike(node)) {
    const entry = node.children[0] as SchemaTree;
    const valueNode = entry.children.find((c) => c.element.name === 'value') ?? (entry.children[1] as SchemaTree);
    const value = nodeToJson(valueNode);
    single = (v) => {
      if (v == null || typeof v !== 'object') return 'null';
      const parts: string[] = [];
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) parts.push(`${JSON.stringify(k)}:${value(x)}`);
      return `{${parts.join(',')}}`;
    };
  } else if (node.children.length) {
    const fields = node.children.map((child) => [child.element.name, nodeToJson(child)] as const);
    single = (v) => {
      if (v == null || typeof v !== 'object') return 'null';
      const record = v as Record<string, unknown>;
      return `{${fields.map(([name, conv]) => `${JSON.stringify(name)}:${conv(record[name])}`).join(',')}}`;
    };
  } else {
    single = leafToJson(node.element);
  }
  // A bare REPEATED field (not wrapped in a LIST group) is assembled as an array of its values.
  if (node.element.repetition_type === 'REPEATED') {
    return (v) => (Array.isArray(v) ? `[${v.map((x) => (x == null ? 'null' : single(x))).join(',')}]` : 'null');
  }
  return (v) => (v == null ? 'null' : single(v));
}

function topLevelConverter(node: SchemaTree): (value: unknown) => string | null {
  if (node.element.logical_type?.type === 'VARIANT') throw new Error(`column ${node.element.name}: VARIANT columns are not supported`);
  if (!node.children.length && node.element.repetition_type !== 'REPEATED') {
    const leaf = leafToString(node.element);
    return (v) => (v == null ? null : leaf(v));
  }
  const json = nodeToJson(node);
  return (v) => (v == null ? null : json(v));
}
