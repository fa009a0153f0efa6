import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import { IngestError } from './types';

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
export async function openRecordSource(file: string): Promise<RecordSource> {
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
    return openParquetSource(file, size);
  }
  if (ZIP_MAGIC.every((b, i) => head[i] === b)) {
    throw new IngestError(`${file}: zip archives are not read directly; unzip it and ingest the CSV inside`, { file, code: 'BAD_FILE' });
  }
  const gz = GZIP_MAGIC.every((b, i) => head[i] === b);
  return openCsvSource(file, size, gz);
}

async function openCsvSource(file: string, size: number, gz: boolean): Promise<RecordSource> {
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
  const decoded = gz ? raw.pipe(createGunzip()) : raw;
  raw.on('error', (e) => decoded.destroy(e));
  const parser = decoded.pipe(
    parse({
      bom: true,
      relax_quotes: false,
      skip_empty_lines: true,
      info: true,
    }),
  );
  decoded.on('error', (e) => parser.destroy(new IngestError(`${file}: cannot decompress (${e.message})`, { file, code: 'BAD_FILE' })));
  const iterator = parser[Symbol.asyncIterator]() as AsyncIterator<{ record: string[]; info: { lines: number } }>;
  let first: IteratorResult<{ record: string[]; info: { lines: number } }>;
  try {
    first = await iterator.next();
  } catch (error) {
    throw csvError(file, error);
  }
  if (first.done) throw new IngestError(`${file}: the file is empty (no header row)`, { file, code: 'EMPTY_FILE' });
  const headers = first.value.record.map((h) => h.trim());
  return {
    file,
    kind: gz ? 'csv.gz' : 'csv',
    headers,
    totalBytes: size,
    bytesRead: () => consumed,
    sha256: () => digest,
    async *records() {
      let batch: SourceRecord[] = [];
      try {
        while (true) {
          const next = await iterator.next();
          if (next.done) break;
          const { record, info } = next.value;
          if (record.length !== headers.length) {
            throw new IngestError(
              `${file}, line ${info.lines}: expected ${headers.length} columns as in the header, found ${record.length}`,
              { file, line: info.lines, code: 'BAD_FILE' },
            );
          }
          batch.push({ values: record, line: info.lines });
          if (batch.length >= 512) {
            yield batch;
            batch = [];
          }
        }
      } catch (error) {
        throw csvError(file, error);
      }
      if (batch.length) yield batch;
    },
    close: async () => {
      raw.destroy();
      parser.destroy();
    },
  };
}

function csvError(file: string, error: unknown): Error {
  if (error instanceof IngestError) return error;
  const e = error as Error & { lines?: number; code?: string };
  const where = e.lines ? `, line ${e.lines}` : '';
  return new IngestError(`${file}${where}: malformed CSV (${e.message})`, { file, line: e.lines, code: 'BAD_FILE' });
}
