/**
 * What the explorer's pickers offer: the tag keys seen in a range, and the values of a dimension
 * (largest first), both read from the monthly rollup of the months the range touches.
 */
import type pg from 'pg';
import { cachedAnswer, isSharedPool } from '../cache/data-version';
import { monthOf } from '../calendar';

/** Normalized tag keys present in the months of the range, by how many rows carry them. */
export async function listTagKeys(db: pg.Pool | pg.PoolClient, range: { from: string; to: string }, limit = 100): Promise<string[]> {
  if (isSharedPool(db)) return cachedAnswer('tag-keys', { from: range.from, to: range.to, limit }, () => queryTagKeys(db, range, limit));
  return queryTagKeys(db, range, limit);
}

async function queryTagKeys(db: pg.Pool | pg.PoolClient, range: { from: string; to: string }, limit: number): Promise<string[]> {
  const { rows } = await db.query<{ key: string }>(
    `SELECT k AS key FROM cost_monthly, jsonb_object_keys(tags_normalized) AS k
      WHERE month BETWEEN $1::date AND $2::date AND tags_normalized IS NOT NULL
      GROUP BY k ORDER BY count(*) DESC, k LIMIT $3`,
    [`${monthOf(range.from)}-01`, `${monthOf(range.to)}-01`, limit],
  );
  return rows.map((r) => r.key);
}
