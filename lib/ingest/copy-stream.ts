/**
 * Streaming chunks into a `COPY ... FROM STDIN`, shared by the cost line items' swap and the
 * supporting FOCUS datasets: the writer waits whenever the server's buffer is full, a failure
 * while producing chunks aborts the COPY, and a value PostgreSQL rejects is reported with the file
 * line its COPY line came from.
 */
import { once } from 'node:events';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { IngestError } from './types';

export async function copyChunks(args: {
  client: pg.PoolClient;
  /** The COPY statement. */
  sql: string;
  highWaterMark?: number;
  /** The next chunk of COPY data, or null at the end. */
  next: () => Promise<string | Buffer | null>;
  /** Called after each chunk is handed to the server (progress). */
  onChunk?: () => void;
  file: string;
  /** The file line a COPY line (1-based) came from. */
  fileLine: (copyLine: number) => number | undefined;
}): Promise<void> {
  const copy = args.client.query(copyFrom(args.sql, args.highWaterMark ? { highWaterMark: args.highWaterMark } : undefined));
  // The COPY's own failure (a value the server refused, the connection lost). Once it failed, the
  // stream has no connection left and writing into it throws a TypeError of its own: the failure
  // is what is reported, and nothing more is written.
  const copyFailure: { error?: unknown; failed: boolean } = { failed: false };
  const copyDone = new Promise<void>((resolve, reject) => {
    copy.on('finish', resolve);
    copy.on('error', (error) => {
      if (!copyFailure.failed) Object.assign(copyFailure, { failed: true, error });
      // pg-copy-streams reports a failed COPY by emitting 'error' without destroying the stream, and
      // then lets go of the connection: chunks still buffered in the Writable would reach _writev on
      // the socket's next 'drain' and be written into a null connection (an uncaught TypeError,
      // "reading 'stream'", inside a socket event); so would the chunks it holds itself, waiting
      // for that 'drain'. After the failure both are dropped instead.
      (copy as unknown as { chunks: unknown[] }).chunks = [];
      copy._write = (_chunk, _encoding, done) => done();
      copy._writev = (_chunks, done) => done();
      reject(error);
    });
  });
  // The COPY can fail while the next chunk is being prepared (the connection dropped): that
  // rejection is awaited below, and must neither go unhandled meanwhile nor leave the loop waiting
  // for a 'drain' that never comes.
  copyDone.catch(() => {});
  try {
    for (;;) {
      const chunk = await args.next();
      if (chunk === null || copyFailure.failed) break;
      if (!copy.write(chunk)) await Promise.race([once(copy, 'drain'), copyDone]);
      args.onChunk?.();
    }
  } catch (error) {
    if (copyFailure.failed) throw copyError(copyFailure.error, args.file, args.fileLine);
    copy.destroy(error as Error);
    await copyDone.catch(() => {});
    throw error;
  }
  if (!copyFailure.failed) copy.end();
  try {
    await copyDone;
  } catch (error) {
    throw copyError(error, args.file, args.fileLine);
  }
}

/**
 * Which file line each COPY line (1-based) came from, so that a value PostgreSQL rejects is
 * reported by the line of the file the user has. One entry per row written, growing as needed.
 */
export class CopyLines {
  private lines = new Int32Array(1 << 16);
  /** Rows written so far. */
  count = 0;

  add(fileLine: number): void {
    if (this.count === this.lines.length) {
      const grown = new Int32Array(this.lines.length * 2);
      grown.set(this.lines);
      this.lines = grown;
    }
    this.lines[this.count++] = fileLine;
  }

  fileLine(copyLine: number): number | undefined {
    return copyLine >= 1 && copyLine <= this.count ? this.lines[copyLine - 1] : undefined;
  }
}

/** A COPY failure as an IngestError naming the file line (and column) PostgreSQL points at. */
function copyError(error: unknown, file: string, fileLine: (copyLine: number) => number | undefined): IngestError {
  const e = error as Error & { where?: string; column?: string };
  const m = e.where ? /line (\d+)(?:, column (\w+))?/.exec(e.where) : null;
  if (m) {
    const copyLine = Number(m[1]);
    const line = fileLine(copyLine);
    const column = m[2];
    return new IngestError(`${file}${line ? `, line ${line}` : ''}${column ? `, column ${column}` : ''}: ${e.message}`, {
      file,
      line,
      column,
      code: 'BAD_VALUE',
    });
  }
  return new IngestError(`${file}: database rejected the rows: ${e.message}`, { file, code: 'DATABASE' });
}
