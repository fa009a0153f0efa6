import { changedFields, type JsonValue } from './redact';

/**
 * What an audit line changed, field by field, for reading: the /audit page shows these rows as
 * "field: before → after". Values are the stored (already redacted) JSON; formatting is the page's.
 */
export interface FieldChange {
  field: string;
  /** undefined: the field did not exist on that side (a creation, a deletion, an added field). */
  before: JsonValue | undefined;
  after: JsonValue | undefined;
}

function isObject(value: unknown): value is { [key: string]: JsonValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function at(value: JsonValue | null, path: string): JsonValue | undefined {
  let current: JsonValue | undefined = value ?? undefined;
  for (const key of path.split('.')) {
    if (!isObject(current) || !Object.hasOwn(current, key)) return undefined;
    current = current[key];
  }
  return current;
}

/** The dotted paths of every leaf of an object (arrays are leaves). */
function leaves(value: JsonValue | null, prefix = ''): string[] {
  if (!isObject(value)) return prefix ? [prefix] : [];
  const out: string[] = [];
  for (const key of Object.keys(value).sort()) {
    const path = prefix ? `${prefix}.${key}` : key;
    const v = value[key] as JsonValue;
    if (isObject(v) && Object.keys(v).length > 0) out.push(...leaves(v, path));
    else out.push(path);
  }
  return out;
}

/**
 * The fields a line changed: the ones its detail lists (`detail.changed`, which may name fields
 * whose values are never stored, such as credentials), else the difference between before and
 * after; every field of `after` for a creation, of `before` for a deletion.
 */
export function fieldChanges(line: { before: JsonValue | null; after: JsonValue | null; detail: JsonValue | null }): FieldChange[] {
  const listed = isObject(line.detail) && Array.isArray(line.detail.changed) ? line.detail.changed : null;
  const fields =
    listed !== null
      ? listed.filter((f): f is string => typeof f === 'string')
      : line.before !== null && line.after !== null
        ? changedFields(line.before, line.after)
        : leaves(line.after ?? line.before);
  return fields.map((field) => ({ field, before: at(line.before, field), after: at(line.after, field) }));
}
