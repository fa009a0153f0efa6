/**
 * One daily FX rate: `rate` units of `quote` per 1 unit of `base` on `day` (the ECB's lines are
 * base EUR: 2024-03-28 EUR→USD 1.0811). `rate` is an exact decimal string, never a float.
 */
export interface FxRate {
  /** UTC calendar day, 'YYYY-MM-DD'. */
  day: string;
  base: string;
  quote: string;
  rate: string;
}

/** The file formats a rates file may have: the ECB's reference-rate CSV, or `date,from,to,rate`. */
export const FX_FILE_FORMATS = ['ecb', 'simple'] as const;
export type FxFileFormat = (typeof FX_FILE_FORMATS)[number];
