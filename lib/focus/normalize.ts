/**
 * Value normalizers shared by every reader. They are on the hot path (millions of calls per file),
 * so they work on strings, cache repeated timestamps and never build floats out of money.
 */

export class ValueError extends Error {}

const NULL_TOKENS = new Set(['', 'null', 'NULL', 'Null', 'None', 'nan', 'NaN', '\\N']);

/** Trimmed string or null for the empty and literal-null spellings exports use. */
export function text(value: string | null | undefined): string | null {
  if (value == null) return null;
  const n = value.length;
  if (n === 0) return null;
  // Hot path: most values have no surrounding blanks and are longer than any null spelling.
  const t = value.charCodeAt(0) <= 32 || value.charCodeAt(n - 1) <= 32 ? value.trim() : value;
  if (t.length > 4) return t;
  return NULL_TOKENS.has(t) ? null : t;
}

const DECIMAL_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * The most digits an amount or quantity may have before the decimal point, and the most after it
 * (README, Limits). Billing amounts need a handful of each; beyond this a value is a corrupt or
 * hostile cell, and it could not be shown exactly (Intl.NumberFormat prints 1e400 as ∞).
 */
export const AMOUNT_DIGITS = 38;
/** The largest exponent accepted in scientific notation, as PostgreSQL's numeric input allows. */
const MAX_EXPONENT = 1000;

/**
 * An exact decimal string (scientific notation allowed; PostgreSQL numeric reads it exactly)
 * or null. Anything else, thousands separators and NaN included, is an error naming the value, and
 * so is a number outside what an amount holds: at most AMOUNT_DIGITS digits before the point
 * (|x| < 10^38) and AMOUNT_DIGITS after it, exponent within ±1000.
 */
export function decimal(value: string | null | undefined): string | null {
  const t = text(value);
  if (t === null) {
    // text() reads NaN as a missing value; in an amount column it is a wrong value, not a missing one.
    if (value != null && value.length >= 3 && /^\s*nan\s*$/i.test(value))
      throw new ValueError(`not a decimal number: ${JSON.stringify(value)}`);
    return null;
  }
  if (!DECIMAL_RE.test(t)) throw new ValueError(`not a decimal number: ${JSON.stringify(value)}`);
  // Up to AMOUNT_DIGITS characters without an exponent cannot be out of range.
  if ((t.length > AMOUNT_DIGITS || t.indexOf('e') !== -1 || t.indexOf('E') !== -1) && !amountInRange(t)) {
    throw new ValueError(
      `amount out of range: ${JSON.stringify(value)} (at most ${AMOUNT_DIGITS} digits before and ${AMOUNT_DIGITS} after the decimal point)`,
    );
  }
  return t.charCodeAt(0) === 43 /* + */ ? t.slice(1) : t;
}

/** For a string DECIMAL_RE accepts: whether its value fits the range decimal() documents. */
function amountInRange(t: string): boolean {
  const n = t.length;
  let i = t.charCodeAt(0) === 43 || t.charCodeAt(0) === 45 ? 1 : 0;
  let intDigits = 0; // from the first non-zero digit
  let fracDigits = 0;
  let fracZeros = 0; // zeros after the point before the first non-zero digit, when the integer part is zero
  let nonZero = false;
  for (; i < n; i++) {
    const c = t.charCodeAt(i);
    if (c < 48 || c > 57) break;
    if (nonZero || c !== 48) {
      nonZero = true;
      intDigits++;
    }
  }
  if (t.charCodeAt(i) === 46) {
    for (i++; i < n; i++) {
      const c = t.charCodeAt(i);
      if (c < 48 || c > 57) break;
      if (!nonZero) {
        if (c === 48) fracZeros++;
        else nonZero = true;
      }
      fracDigits++;
    }
  }
  const exponent = i < n ? Number(t.slice(i + 1)) : 0;
  if (!(Math.abs(exponent) <= MAX_EXPONENT)) return false;
  if (fracDigits - exponent > AMOUNT_DIGITS) return false;
  if (!nonZero) return true;
  return (intDigits > 0 ? intDigits : -fracZeros) + exponent <= AMOUNT_DIGITS;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$/;
const US_RE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM)?)?$/i;

const timestampCache = new Map<string, string>();

/**
 * Parses the timestamp spellings billing exports use into an ISO-8601 UTC string
 * (`2024-01-31T00:00:00Z`, or with an explicit offset when the export gave one):
 * `2024-01-31`, `2024-01-31T00:00:00Z`, `2024-01-31 00:00:00.000+00:00`, `2024-01-31 00:00:00 UTC`,
 * and the US `01/31/2024` that Azure EA exports use. Times without a zone are UTC, as in all of them.
 */
export function timestamp(value: string | null | undefined): string | null {
  const t = text(value);
  if (t === null) return null;
  const cached = timestampCache.get(t);
  if (cached) return cached;
  const parsed = parseTimestamp(t);
  if (timestampCache.size > 50_000) timestampCache.clear();
  timestampCache.set(t, parsed);
  return parsed;
}

function parseTimestamp(t: string): string {
  let y: number;
  let mo: number;
  let d: number;
  let h = 0;
  let mi = 0;
  let s = 0;
  let frac = '';
  let zone = 'Z';
  const iso = ISO_RE.exec(t);
  if (iso) {
    y = Number(iso[1]);
    mo = Number(iso[2]);
    d = Number(iso[3]);
    h = Number(iso[4] ?? 0);
    mi = Number(iso[5] ?? 0);
    s = Number(iso[6] ?? 0);
    frac = iso[7] ?? '';
    const z = iso[8];
    if (z && z !== 'Z' && z !== 'z' && z !== 'UTC') {
      zone = z.length === 3 ? `${z}:00` : z.includes(':') ? z : `${z.slice(0, 3)}:${z.slice(3)}`;
      if (zone === '+00:00' || zone === '-00:00') zone = 'Z';
    }
  } else {
    const us = US_RE.exec(t);
    if (!us) throw new ValueError(`not a date/time: ${JSON.stringify(t)}`);
    mo = Number(us[1]);
    d = Number(us[2]);
    y = Number(us[3]);
    h = Number(us[4] ?? 0);
    mi = Number(us[5] ?? 0);
    s = Number(us[6] ?? 0);
    const ampm = us[7]?.toUpperCase();
    if (ampm === 'PM' && h < 12) h += 12;
    if (ampm === 'AM' && h === 12) h = 0;
  }
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const maxDay = mo === 2 && !leap ? 28 : DAYS_IN_MONTH[mo - 1];
  if (mo < 1 || mo > 12 || d < 1 || maxDay === undefined || d > maxDay || h > 24 || mi > 59 || s > 60) {
    throw new ValueError(`not a valid date/time: ${JSON.stringify(t)}`);
  }
  const p2 = (n: number) => (n < 10 ? `0${n}` : String(n));
  const fracPart = frac && /[1-9]/.test(frac) ? frac : '';
  if (h === 24) {
    // 24:00:00 ends a day in some exports; it is the next day's midnight.
    const next = new Date(Date.UTC(y, mo - 1, d + 1));
    return `${next.toISOString().slice(0, 10)}T00:00:00${zone}`;
  }
  return `${y}-${p2(mo)}-${p2(d)}T${p2(h)}:${p2(mi)}:${p2(s)}${fracPart}${zone}`;
}

/** UTC calendar day (YYYY-MM-DD) of a timestamp produced by `timestamp()`. */
export function utcDay(ts: string): string {
  if (ts.endsWith('Z')) return ts.slice(0, 10);
  return new Date(ts).toISOString().slice(0, 10);
}

/**
 * Region code as the provider spells it in APIs, folded so that the same region always groups
 * together: Azure's `EastUS`, `eastus` and `East US` all become `eastus`; AWS `us-east-1` and
 * GCP `us-central1` are unchanged. Null for global/unassigned charges.
 */
export function regionId(value: string | null | undefined): string | null {
  const t = text(value);
  if (t === null) return null;
  const folded = t.toLowerCase().replace(/\s+/g, '');
  if (folded === 'global' || folded === 'unassigned' || folded === 'all' || folded === 'n/a') return folded === 'global' ? 'global' : null;
  return folded;
}

/** ISO 4217 currency code, upper-cased; anything else is an error naming the value. */
export function currency(value: string | null | undefined): string | null {
  const t = text(value);
  if (t === null) return null;
  const up = t.toUpperCase();
  if (!/^[A-Z]{3}$/.test(up)) throw new ValueError(`not an ISO 4217 currency code: ${JSON.stringify(value)}`);
  return up;
}

/**
 * A FOCUS JSON column that must hold an object (KeyValueFormat / JsonObjectFormat, as the
 * supporting datasets define theirs): the text as written, or null for an empty value or JSON
 * null. Checked like `jsonText`; anything but an object is an error naming the value.
 */
export function jsonObject(value: string | null | undefined): string | null {
  const t = text(value);
  if (t === null) return null;
  const parsed = parseStorableJson(t);
  if (parsed === null) return null;
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ValueError(`not a JSON object: ${JSON.stringify(t.slice(0, 200))}`);
  }
  return t;
}

/**
 * Tag keys trimmed and case-folded, values trimmed: the form used for grouping and filtering. Keys
 * come out sorted, so equal tag sets have one JSON spelling (the streamed rollups group by it).
 */
export function normalizeTags(tags: Record<string, string> | null | undefined): Record<string, string> | null {
  if (!tags) return null;
  const folded = new Map<string, string>();
  for (const [k, v] of Object.entries(tags)) {
    const key = k.trim().toLowerCase();
    if (!key) continue;
    folded.set(key, typeof v === 'string' ? v.trim() : String(v));
  }
  if (!folded.size) return null;
  const out: Record<string, string> = {};
  for (const key of [...folded.keys()].sort()) out[key] = folded.get(key) as string;
  return out;
}

/**
 * Parses the tag spellings exports use: a JSON object (`{"env":"prod"}`), Azure's brace-less
 * `"env": "prod","team": "a"`, GCP's `[{'key': 'env', 'value': 'prod'}]` (Python repr or JSON)
 * and `[{"key":..,"value":..}]`. Empty values give null; unparseable text is an error.
 */
export function parseTags(value: string | null | undefined): Record<string, string> | null {
  const t = text(value);
  if (t === null || t === '{}' || t === '[]') return null;
  let parsed: unknown;
  const candidates = t.startsWith('{') || t.startsWith('[') ? [t] : [`{${t}}`];
  if (t.startsWith('[') && t.includes("'")) candidates.push(pythonReprToJson(t));
  for (const c of candidates) {
    try {
      parsed = JSON.parse(c);
      break;
    } catch {}
  }
  if (parsed === undefined) throw new ValueError(`tags are neither JSON nor key/value pairs: ${JSON.stringify(t.slice(0, 200))}`);
  const out: Record<string, string> = {};
  if (Array.isArray(parsed)) {
    for (const item of parsed) {
      if (item && typeof item === 'object' && 'key' in item) {
        const { key, value: v } = item as { key: unknown; value: unknown };
        out[String(key)] = v == null ? '' : String(v);
      }
    }
  } else if (parsed && typeof parsed === 'object') {
    for (const [k, v] of Object.entries(parsed)) out[k] = v == null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  }
  return Object.keys(out).length ? out : null;
}

/** Turns a Python repr of lists/dicts of strings and numbers (as BigQuery CSV exports hold) into JSON. */
export function pythonReprToJson(repr: string): string {
  let out = '';
  let i = 0;
  while (i < repr.length) {
    const ch = repr[i];
    if (ch === "'" || ch === '"') {
      const quote = ch;
      let s = '';
      i++;
      while (i < repr.length && repr[i] !== quote) {
        if (repr[i] === '\\' && i + 1 < repr.length) {
          s += repr[i + 1];
          i += 2;
          continue;
        }
        s += repr[i++];
      }
      i++;
      out += JSON.stringify(s);
      continue;
    }
    if (repr.startsWith('None', i)) {
      out += 'null';
      i += 4;
      continue;
    }
    if (repr.startsWith('True', i)) {
      out += 'true';
      i += 4;
      continue;
    }
    if (repr.startsWith('False', i)) {
      out += 'false';
      i += 5;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

// What PostgreSQL's jsonb refuses in strings (keys or values) although JSON.parse accepts it.
const UNSTORABLE_IN_JSONB = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function hasUnstorableString(v: unknown): boolean {
  if (typeof v === 'string') return UNSTORABLE_IN_JSONB.test(v);
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.some(hasUnstorableString);
  return Object.entries(v).some(([k, x]) => UNSTORABLE_IN_JSONB.test(k) || hasUnstorableString(x));
}

/**
 * A FOCUS JSON column (SkuPriceDetails, AllocatedTags, ContractApplied, ...): the trimmed text,
 * checked to be JSON that PostgreSQL's jsonb accepts, or null. The text is kept as written, not
 * re-serialized: JavaScript would round numbers with more than 17 digits that jsonb keeps exactly.
 */
export function jsonText(value: string | null | undefined): string | null {
  const t = text(value);
  if (t === null) return null;
  parseStorableJson(t);
  return t;
}

/** JSON.parse, with errors that name the value, refusing what jsonb cannot store. */
function parseStorableJson(t: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(t);
  } catch (error) {
    throw new ValueError(`not valid JSON (${(error as Error).message}): ${JSON.stringify(t.length > 200 ? `${t.slice(0, 200)}…` : t)}`);
  }
  // Only an escape can put a NUL or a lone surrogate into a string of valid UTF-8 text.
  if (t.includes('\\u') && hasUnstorableString(parsed)) {
    throw new ValueError(`JSON with \\u0000 or an unpaired surrogate, which PostgreSQL cannot store: ${JSON.stringify(t.slice(0, 200))}`);
  }
  return parsed;
}
