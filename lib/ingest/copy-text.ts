/**
 * PostgreSQL COPY text format for cost_line_items rows: one line per row, tab-separated, \N for
 * null, backslash escapes for backslash, tab, newline and carriage return. Shared by the generic
 * path (one CostRow at a time) and the FOCUS fast path (bytes), so both write identical lines.
 */
import { type CostRow, FOCUS_COLUMNS } from '../focus/columns';
import { normalizeTags } from '../focus/normalize';

/** The columns of each COPY line, in order. */
export const COPY_COLUMNS = [
  'source_id',
  'ingest_run_id',
  'cost_dataset',
  ...FOCUS_COLUMNS.map((c) => c.column),
  'tags',
  'tags_normalized',
  'extras',
] as const;

const NEEDS_ESCAPE = /[\\\t\n\r]/;
export function esc(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

const FOCUS_KEYS = FOCUS_COLUMNS.map((c) => c.column);

// Rows share a handful of tag sets; the COPY text of each set is built once.
const tagCache = new Map<string, string>();

/**
 * AllocatedTags as tags: the stored column is already checked JSON; only an object holds tags (its
 * values as text, a valueless tag's `true` as "true"); any other JSON value adds none.
 */
function tagsOfJson(json: string): Record<string, string> | null {
  const v: unknown = JSON.parse(json);
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) out[k] = x == null ? '' : typeof x === 'string' ? x : JSON.stringify(x);
  return Object.keys(out).length ? out : null;
}

/**
 * The JSON of the tags column and of tags_normalized, or null when both are null. tags_normalized
 * is what showback groups by: a row of a provider's split cost allocation (FOCUS 1.3) adds its
 * AllocatedTags (the workload's tags, which the spec says never repeat a key of Tags; Tags win if
 * they do), so its cost follows the workload's team; the tags column stays the provider's Tags.
 */
export function tagJson(
  tags: Record<string, string> | null | undefined,
  allocatedTags: string | null | undefined = null,
): [string | null, string] | null {
  const extra = allocatedTags ? tagsOfJson(allocatedTags) : null;
  if (!extra) {
    if (!tags) return null;
    const json = JSON.stringify(tags);
    const normalized = normalizeTags(tags);
    return json === '{}' || !normalized ? null : [json, JSON.stringify(normalized)];
  }
  const json = tags && Object.keys(tags).length ? JSON.stringify(tags) : null;
  const normalized = normalizeTags({ ...extra, ...tags });
  return normalized ? [json, JSON.stringify(normalized)] : null;
}

/** The tags and tags_normalized fields, each preceded by a tab. */
export function tagColumns(tags: Record<string, string> | null | undefined, allocatedTags: string | null | undefined = null): string {
  if (!tags && !allocatedTags) return '\t\\N\t\\N';
  const key = allocatedTags ? `${JSON.stringify(tags ?? null)}\u0000${allocatedTags}` : JSON.stringify(tags);
  let cols = tagCache.get(key);
  if (cols === undefined) {
    const json = tagJson(tags, allocatedTags);
    cols = json ? `\t${json[0] === null ? '\\N' : esc(json[0])}\t${json[1] === null ? '\\N' : esc(json[1])}` : '\t\\N\t\\N';
    if (tagCache.size > 20_000) tagCache.clear();
    tagCache.set(key, cols);
  }
  return cols;
}

/** One row as COPY text, from cost_dataset to extras (without the source and run prefix, without the newline). */
export function serializeRow(row: CostRow): string {
  let out = row.cost_dataset ? row.cost_dataset : '\\N';
  for (let i = 0; i < FOCUS_KEYS.length; i++) {
    const v = row[FOCUS_KEYS[i] as keyof CostRow] as string | null | undefined;
    out += v == null ? '\t\\N' : `\t${esc(v)}`;
  }
  out += tagColumns(row.tags, row.allocated_tags);
  out += row.extras && Object.keys(row.extras).length ? `\t${esc(JSON.stringify(row.extras))}` : '\t\\N';
  return out;
}
