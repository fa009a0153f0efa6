import type { CostRow } from '../focus/columns';

export const FORMAT_IDS = ['focus', 'aws-cur', 'azure', 'gcp'] as const;
export type FormatId = (typeof FORMAT_IDS)[number];

/** An input problem, reported with the file, the 1-based line (or record) and the offending value. */
export class IngestError extends Error {
  constructor(
    message: string,
    readonly detail: { file?: string; line?: number; column?: string; code: IngestErrorCode },
  ) {
    super(message);
    this.name = 'IngestError';
  }
}
export type IngestErrorCode = 'UNKNOWN_FORMAT' | 'BAD_VALUE' | 'MISSING_VALUE' | 'BAD_FILE' | 'EMPTY_FILE' | 'DATABASE';

export interface MapperContext {
  file: string;
  /** Azure only: which Cost Management dataset this file is (actual or amortized cost). */
  dataset?: 'actual' | 'amortized';
}

/**
 * Maps one record (values in header order; null where a Parquet value is null) to zero or more
 * canonical rows. Throws ValueError (from lib/focus/normalize) for bad values; the pipeline adds
 * file, line and column to the message.
 */
export type RecordMapper = (values: readonly (string | null)[]) => CostRow | CostRow[] | null;

export interface FormatReader {
  id: FormatId;
  label: string;
  /**
   * How well the header row matches this format: 0 when it does not; 50 when the columns the
   * format cannot do without are present, plus one per further column only this format has.
   * All readers use this one scale; auto-detection picks the highest score.
   */
  detect(headers: readonly string[]): number;
  /** Columns a file of this format must have; listed in the "unknown format" error. */
  signature: readonly string[];
  createMapper(headers: readonly string[], ctx: MapperContext): RecordMapper;
}
