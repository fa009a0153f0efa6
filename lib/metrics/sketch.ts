/**
 * The percentile sketch of metric_hourly (migration 0011): a DDSketch (Masson, Rim and Lee, VLDB
 * 2019) with relative accuracy ALPHA. A value v ≥ MIN_INDEXABLE falls in bucket
 * key = ceil(log_γ v), γ = (1 + α) / (1 − α); smaller values (zeros, idle GPUs) in ZERO_KEY. A
 * quantile read from the buckets is within α of the true sample quantile's value (relative), or
 * below MIN_INDEXABLE: for a 0–100 percent metric, at 5 % that is ±0.05 points. Sketches merge by
 * adding counts per key, so a 14-day window is the sum of its hours' sketches.
 *
 * SQL computes the same keys (SKETCH_KEY_SQL) when the store aggregates hours; this module is the
 * one definition of the constants and of reading a quantile back.
 */
export const ALPHA = 0.01;
export const GAMMA = (1 + ALPHA) / (1 - ALPHA);
export const MIN_INDEXABLE = 1e-3;
/** smallint's minimum; no real key comes near it (log_γ(1e-3) ≈ −346, log_γ(1e12) ≈ 1382). */
export const ZERO_KEY = -32768;

export function sketchKey(v: number): number {
  if (!(v >= MIN_INDEXABLE)) return ZERO_KEY;
  return Math.ceil(Math.log(v) / Math.log(GAMMA));
}

/** The value a bucket stands for: the midpoint (in relative terms) of (γ^(k−1), γ^k]. */
export function keyValue(key: number): number {
  if (key === ZERO_KEY) return 0;
  return (2 * GAMMA ** key) / (GAMMA + 1);
}

/** SQL for a sample's key; `$v` is replaced by the value expression. */
export function sketchKeySql(valueExpr: string): string {
  return `CASE WHEN ${valueExpr} >= ${MIN_INDEXABLE} THEN ceil(ln(${valueExpr}) / ln(${GAMMA}))::smallint ELSE (${ZERO_KEY})::smallint END`;
}

export interface Sketch {
  keys: readonly number[];
  counts: readonly number[];
}

/** Adds sketches (hours into a window). */
export function mergeSketches(sketches: Iterable<Sketch>): Sketch {
  const m = new Map<number, number>();
  for (const s of sketches)
    for (let i = 0; i < s.keys.length; i++) m.set(s.keys[i] as number, (m.get(s.keys[i] as number) ?? 0) + (s.counts[i] as number));
  const keys = [...m.keys()].sort((a, b) => a - b);
  return { keys, counts: keys.map((k) => m.get(k) as number) };
}

/**
 * The q-quantile (0 ≤ q ≤ 1) with the nearest-rank definition: the value of the ⌈q·n⌉-th smallest
 * sample (the first for q = 0). null for an empty sketch.
 */
export function sketchQuantile(s: Sketch, q: number): number | null {
  let n = 0;
  for (const c of s.counts) n += c;
  if (n === 0) return null;
  const rank = Math.max(1, Math.ceil(q * n));
  let seen = 0;
  for (let i = 0; i < s.keys.length; i++) {
    seen += s.counts[i] as number;
    if (seen >= rank) return keyValue(s.keys[i] as number);
  }
  return keyValue(s.keys[s.keys.length - 1] as number);
}
