import { isAscii, isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { DEFAULT_MAX_RECORD_BYTES } from '../env';
import { CsvBlankLinesError, CsvParser, type CsvRecord, CsvRecordTooLongError, CsvSyntaxError } from './csv';
import { IngestError } from './types';

/** Bounds on what one input may make the ingester hold (README, Limits). Unset: the defaults. */
export interface SourceLimitOptions {
  maxRecordBytes?: number;
  maxRowGroupBytes?: number;
}

/** One input record: values in header order, and the 1-based line (CSV) or row number (Parquet) it came from. */
export interface SourceRecord {
  values: (string | null)[];
  line: number;
}

/** A file opened for streaming: its header row and an async stream of records. */
export interface RecordSource {
  file: string;
  kind: 'csv' | 'csv.gz' | 'parquet';
  headers: string[];
  totalBytes: number;
  /** Bytes of the file consumed so far (compressed bytes for .gz), for progress. */
  bytesRead(): number;
  /** SHA-256 of the file's bytes once fully read (null before, or when the source does not hash). */
  sha256(): string | null;
  records(): AsyncIterable<SourceRecord[]>;
  close(): Promise<void>;
}

const GZIP_MAGIC = [0x1f, 0x8b];
const PARQUET_MAGIC = 'PAR1';
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

async function sniff(file: string): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await fh.read(buf, 0, 4, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Opens a CSV, gzipped CSV or Parquet file, chosen by content (magic bytes), not by name. */
export async function openRecordSource(file: string, limits: SourceLimitOptions = {}): Promise<RecordSource> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    throw new IngestError(`${file}: cannot read file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, {
      file,
      code: 'BAD_FILE',
    });
  }
  if (size === 0) throw new IngestError(`${file}: the file is empty (no header row)`, { file, code: 'EMPTY_FILE' });
  const head = await sniff(file);
  if (head.toString('latin1') === PARQUET_MAGIC) {
    const { openParquetSource } = await import('./parquet');
    return openParquetSource(file, size, limits.maxRowGroupBytes);
  }
  if (ZIP_MAGIC.every((b, i) => head[i] === b)) {
    throw new IngestError(`${file}: zip archives are not read directly; unzip it and ingest the CSV inside`, { file, code: 'BAD_FILE' });
  }
  const gz = GZIP_MAGIC.every((b, i) => head[i] === b);
  return openCsvSource(file, size, gz, limits.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES);
}

/** A file's bytes (gunzipped when `gz`), with the SHA-256 and count of the bytes on disk. */
export interface ByteStream {
  chunks: AsyncIterator<Buffer>;
  /** Bytes of the file consumed so far (compressed bytes for .gz). */
  bytesRead(): number;
  /** SHA-256 of the file's bytes once fully read, else null. */
  sha256(): string | null;
  close(): void;
}

/**
 * An uncompressed file read straight into the caller's buffer (no buffer allocated per read),
 * with the SHA-256 of what was read.
 */
export interface FileReader {
  /** Reads up to `length` bytes into `target` at `offset`; 0 at the end of the file. */
  readInto(target: Buffer, offset: number, length: number): Promise<number>;
  bytesRead(): number;
  sha256(): string | null;
  close(): Promise<void>;
}

export async function openFileReader(file: string): Promise<FileReader> {
  const fh = await open(file, 'r');
  const hash = createHash('sha256');
  let position = 0;
  let digest: string | null = null;
  return {
    async readInto(target, offset, length) {
      const { bytesRead } = await fh.read(target, offset, length, position);
      if (bytesRead === 0) digest ??= hash.digest('hex');
      else hash.update(target.subarray(offset, offset + bytesRead));
      position += bytesRead;
      return bytesRead;
    },
    bytesRead: () => position,
    sha256: () => digest,
    close: () => fh.close(),
  };
}

export function openByteStream(file: string, gz: boolean): ByteStream {
  let consumed = 0;
  let digest: string | null = null;
  const hash = createHash('sha256');
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  raw.on('data', (chunk) => {
    consumed += chunk.length;
    hash.update(chunk);
  });
  raw.on('end', () => {
    digest = hash.digest('hex');
  });
  const decoded: Readable = gz ? raw.pipe(createGunzip({ chunkSize: 1 << 20 })) : raw;
  raw.on('error', (e) => decoded.destroy(e));
  return {
    chunks: decoded[Symbol.asyncIterator]() as AsyncIterator<Buffer>,
    bytesRead: () => consumed,
    sha256: () => digest,
    close: () => {
      raw.destroy();
      decoded.destroy();
    },
  };
}

/** Whether a file is plain CSV, gzipped CSV (by magic bytes) or something else. */
export async function csvKind(file: string): Promise<'csv' | 'csv.gz' | null> {
  const head = await sniff(file);
  if (head.toString('latin1') === PARQUET_MAGIC || ZIP_MAGIC.every((b, i) => head[i] === b)) return null;
  return GZIP_MAGIC.every((b, i) => head[i] === b) ? 'csv.gz' : 'csv';
}

async function openCsvSource(file: string, size: number, gz: boolean, maxRecordBytes: number): Promise<RecordSource> {
  const bytes = openByteStream(file, gz);
  const chunks = bytes.chunks;
  const decoder = new StringDecoder('utf8');
  const parser = new CsvParser({ maxRecordBytes });
  const utf8 = new Utf8Check(file);
  let pending: CsvRecord[] = [];
  let ended = false;

  /** Reads until at least one record is parsed or the input ends. */
  const fill = async (): Promise<void> => {
    while (!pending.length && !ended) {
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch (error) {
        const e = error as Error;
        throw new IngestError(`${file}: cannot ${gz ? 'decompress' : 'read'} (${e.message})`, { file, code: 'BAD_FILE' });
      }
      try {
        if (next.done) {
          ended = true;
          utf8.end(parser.nextLine());
          parser.push(decoder.end(), pending);
          parser.end(pending);
        } else {
          utf8.check(next.value, parser);
          parser.push(decode(decoder, next.value), pending);
        }
      } catch (error) {
        throw csvError(file, error);
      }
    }
  };

  await fill();
  const header = pending.shift();
  if (!header) throw new IngestError(`${file}: the file is empty (no header row)`, { file, code: 'EMPTY_FILE' });
  const headers = header.fields.map((h) => h.trim());
  return {
    file,
    kind: gz ? 'csv.gz' : 'csv',
    headers,
    totalBytes: size,
    bytesRead: bytes.bytesRead,
    sha256: bytes.sha256,
    async *records() {
      for (;;) {
        await fill();
        if (!pending.length) return;
        const batch = pending;
        pending = [];
        const records: SourceRecord[] = new Array(batch.length);
        for (let i = 0; i < batch.length; i++) {
          const r = batch[i] as CsvRecord;
          if (r.fields.length !== headers.length) throw columnCountError(file, r.line, headers.length, r.fields.length);
          records[i] = { values: r.fields, line: r.line };
        }
        yield records;
      }
    },
    close: async () => bytes.close(),
  };
}

/**
 * Billing exports are mostly ASCII. A chunk that is pure ASCII (checked with SIMD by isAscii) is
 * decoded as latin1, which is the same text and several times cheaper than UTF-8 decoding; other
 * chunks go through the UTF-8 decoder, which also carries characters split across chunks.
 */
export function decode(decoder: StringDecoder, chunk: Buffer): string {
  if (isAscii(chunk)) {
    const pending = decoder.end();
    return pending ? pending + chunk.toString('latin1') : chunk.toString('latin1');
  }
  return decoder.write(chunk);
}

export function columnCountError(file: string, line: number, expected: number, found: number): IngestError {
  return new IngestError(`${file}, line ${line}: expected ${expected} columns as in the header, found ${found}`, {
    file,
    line,
    code: 'BAD_FILE',
  });
}

/** The error for a record longer than the limit; the fast path raises the same one. */
export function recordTooLongError(file: string, line: number, limit: number): IngestError {
  return new IngestError(
    `${file}, line ${line}: the record starting here is longer than ${limit} bytes, the limit (BURNRATE_MAX_RECORD_BYTES); ` +
      'is a line break or a closing quote missing?',
    { file, line, code: 'BAD_FILE' },
  );
}

/** The error for a run of blank lines longer than the record limit (a file of nothing but line breaks); both CSV paths raise it. */
export function blankLinesError(file: string, line: number, limit: number): IngestError {
  return new IngestError(
    `${file}, line ${line}: more than ${limit} bytes of blank lines from here, the limit (BURNRATE_MAX_RECORD_BYTES)`,
    { file, line, code: 'BAD_FILE' },
  );
}

export function csvError(file: string, error: unknown): Error {
  if (error instanceof IngestError) return error;
  if (error instanceof CsvRecordTooLongError) return recordTooLongError(file, error.line, error.limit);
  if (error instanceof CsvBlankLinesError) return blankLinesError(file, error.line, error.limit);
  if (error instanceof CsvSyntaxError) {
    return new IngestError(`${file}, line ${error.line}: malformed CSV (${error.message})`, { file, line: error.line, code: 'BAD_FILE' });
  }
  return new IngestError(`${file}: malformed CSV (${(error as Error).message})`, { file, code: 'BAD_FILE' });
}

// ---- UTF-8 ------------------------------------------------------------------------------------

/**
 * Where the first invalid UTF-8 sequence in b[from, to) starts (a character cut off at `to`
 * counts as invalid), or -1. A plain scan, run only on bytes that isUtf8 already refused.
 */
export function firstInvalidUtf8(b: Uint8Array, from: number, to: number): number {
  let i = from;
  while (i < to) {
    const c = b[i] as number;
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (n === 0 || i + n >= to) return i;
    const c1 = b[i + 1] as number;
    // Overlong forms, UTF-16 surrogates and code points above U+10FFFF (RFC 3629, section 4).
    if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 > 0x9f) || (c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 > 0x8f)) return i;
    for (let k = 1; k <= n; k++) if (((b[i + k] as number) & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return -1;
}

/** Bytes at the end of b[0, len) that begin a character the next chunk completes (0 to 3). */
function incompleteTail(b: Uint8Array, len: number): number {
  for (let k = 1; k <= 3 && k <= len; k++) {
    const c = b[len - k] as number;
    if (c < 0x80) return 0;
    if (c >= 0xc0) {
      const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
      return need > k ? k : 0;
    }
  }
  return 0;
}

/** The error for invalid UTF-8; both CSV paths raise this one. `offset` counts bytes of the (uncompressed) CSV from 0. */
export function invalidUtf8Error(file: string, line: number, offset: number, byte: number): IngestError {
  return new IngestError(
    `${file}, line ${line}: invalid UTF-8 at byte offset ${offset} (0x${byte.toString(16).padStart(2, '0')}); ` +
      'billing exports must be UTF-8 (convert the file, e.g. with iconv)',
    { file, line, code: 'BAD_FILE' },
  );
}

/** Counts the line breaks in b[from, to). */
function countLf(b: Uint8Array, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (b[i] === 10) n++;
  return n;
}

/**
 * Refuses invalid UTF-8 in a byte stream read chunk by chunk, naming the line and byte offset of
 * the first bad byte. Invalid bytes would otherwise become U+FFFD without a word.
 */
class Utf8Check {
  /** Stream offset of the next chunk's first byte. */
  private offset = 0;
  /** The start of a character cut at the end of the last chunk. */
  private held: Buffer | null = null;

  constructor(private readonly file: string) {}

  /** `lines.nextLine()`: the physical line the chunk starts on (asked only on failure). */
  check(chunk: Buffer, lines: { nextLine(): number }): void {
    const start = this.offset;
    this.offset += chunk.length;
    if (!this.held && isAscii(chunk)) return;
    const data = this.held ? Buffer.concat([this.held, chunk]) : chunk;
    const base = start - (this.held?.length ?? 0);
    const cut = data.length - incompleteTail(data, data.length);
    if (isUtf8(data.subarray(0, cut))) {
      this.held = cut < data.length ? Buffer.from(data.subarray(cut)) : null;
      return;
    }
    const bad = firstInvalidUtf8(data, 0, cut);
    throw invalidUtf8Error(this.file, lines.nextLine() + countLf(data, 0, bad), base + bad, data[bad] as number);
  }

  /** At the end of the input: a character left incomplete is invalid. */
  end(line: number): void {
    if (this.held) throw invalidUtf8Error(this.file, line, this.offset - this.held.length, this.held[0] as number);
  }
}

/**
 * Several files of one delivery (the gzipped parts a CUR manifest lists, say) read as one source,
 * so they are ingested in one transaction: parts of a billing period never replace each other.
 * Every part must have the first part's header row.
 */
export async function openMultiPartSource(
  files: readonly string[],
  limits: SourceLimitOptions = {},
): Promise<RecordSource & { currentFile(): string }> {
  if (!files.length) throw new IngestError('no files to ingest', { code: 'BAD_FILE' });
  const first = await openRecordSource(files[0] as string, limits);
  const sizes = await Promise.all(files.map(async (f) => (await stat(f)).size));
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  let current = first;
  let index = 0;
  let doneBytes = 0;
  const hashes: (string | null)[] = [];
  return {
    file: files[0] as string,
    kind: first.kind,
    headers: first.headers,
    totalBytes,
    bytesRead: () => doneBytes + current.bytesRead(),
    currentFile: () => files[index] as string,
    sha256: () => {
      if (files.length === 1) return first.sha256();
      if (hashes.length !== files.length || hashes.some((h) => h === null)) return null;
      return createHash('sha256').update(hashes.join('\n')).digest('hex');
    },
    async *records() {
      for (;;) {
        yield* current.records();
        hashes.push(current.sha256());
        doneBytes += sizes[index] ?? 0;
        await current.close();
        index++;
        if (index >= files.length) return;
        const file = files[index] as string;
        current = await openRecordSource(file, limits);
        if (current.headers.join('\u0000') !== first.headers.join('\u0000')) {
          throw new IngestError(`${file}: its header row differs from ${files[0]}; all parts of one delivery must have the same columns`, {
            file,
            line: 1,
            code: 'BAD_FILE',
          });
        }
      }
    },
    close: async () => {
      await current.close();
    },
  };
}
