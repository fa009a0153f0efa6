import { type FormatId, type FormatReader, IngestError } from '../types';
import { awsCurReader } from './aws-cur';
import { azureReader } from './azure';
import { focusReader } from './focus';
import { gcpReader } from './gcp';

export const READERS: readonly FormatReader[] = [focusReader, awsCurReader, azureReader, gcpReader];

export function readerFor(format: FormatId): FormatReader {
  const reader = READERS.find((r) => r.id === format);
  if (!reader) throw new IngestError(`unknown format "${format}"`, { code: 'UNKNOWN_FORMAT' });
  return reader;
}

/** Picks the reader whose columns best match the header row, or explains what was expected. */
export function detectReader(file: string, headers: readonly string[]): FormatReader {
  let best: FormatReader | undefined;
  let bestScore = 0;
  for (const reader of READERS) {
    const score = reader.detect(headers);
    if (score > bestScore) {
      best = reader;
      bestScore = score;
    }
  }
  if (!best) {
    const expected = READERS.map((r) => `${r.label} (${r.id}): ${r.signature.join(', ')}`).join('; ');
    const seen = headers.slice(0, 12).join(', ') + (headers.length > 12 ? `, … (${headers.length} columns)` : '');
    throw new IngestError(`${file}: unknown billing export format. Header row has: ${seen}. Expected one of: ${expected}`, {
      file,
      line: 1,
      code: 'UNKNOWN_FORMAT',
    });
  }
  return best;
}
