import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { DEFAULT_MAX_RECORD_BYTES } from '../../env';
import { metricFileError, type ReadProgress } from './types';

export interface FileLine {
  text: string;
  /** 1-based. */
  line: number;
}

/**
 * The file's lines (LF or CRLF), streamed, with the bytes read so far. A line longer than the
 * record limit (README, Limits) is an error rather than a buffer that grows with the file.
 */
export async function* readLines(
  file: string,
  onProgress?: (p: ReadProgress) => void,
  maxLineBytes = DEFAULT_MAX_RECORD_BYTES,
): AsyncGenerator<FileLine> {
  const totalBytes = (await stat(file)).size;
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let line = 0;
  let bytesRead = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>) {
    bytesRead += chunk.length;
    const text = carry + decoder.write(chunk);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      yield { text: text.slice(start, end), line: ++line };
      start = nl + 1;
    }
    carry = text.slice(start);
    if (carry.length > maxLineBytes) throw metricFileError(file, line + 1, undefined, `the line is longer than ${maxLineBytes} bytes`);
    onProgress?.({ bytesRead, totalBytes });
  }
  carry += decoder.end();
  if (carry.endsWith('\r')) carry = carry.slice(0, -1);
  if (carry.length) yield { text: carry, line: ++line };
}
