/**
 * What the audit trail keeps of a value: everything but secrets. Every before/after/detail object
 * goes through `redact()` on its way into `audit_log` (lib/audit/record.ts), so a caller that
 * passes a whole config or form by mistake still stores no credential.
 *
 * What counts as secret is decided by the key, at any depth, compared without case and without
 * separators (`client_secret`, `clientSecret` and `Client-Secret` are one key). A key is secret when
 * it contains one of SECRET_KEY_PARTS or equals one of SECRET_KEY_NAMES. The list comes from what
 * Burnrate stores: the connectors' secret fields (lib/connectors/registry.ts: accessKeyId,
 * secretAccessKey, sessionToken, sasToken, accountKey, connectionString, serviceAccountKey),
 * lib/secrets.ts's ciphertext, the sign-in tables (password, token hashes, API tokens, one-time
 * links) and the OpenID Connect client secret. The AWS access key id is redacted too: it is not a
 * secret on its own, but it names the key and only ever travels inside the encrypted credentials.
 * A new secret-bearing field whose name matches none of these must be added here (with a test in
 * redact.test.ts).
 *
 * A secret key's value becomes "[redacted]" whatever it is (a string, an object), except null, which
 * stays null: "cleared" tells nothing about the old value and is worth reading.
 */

export const REDACTED = '[redacted]';

/** Substrings of a normalized key (lower-case, letters and digits only) that make it secret. */
export const SECRET_KEY_PARTS = [
  'secret',
  'password',
  'passwd',
  'passphrase',
  'token',
  'credential',
  'privatekey',
  'apikey',
  'accesskey',
  'accountkey',
  'connectionstring',
  'signature',
  'authorization',
  'cookie',
  'ciphertext',
] as const;

/** Whole normalized keys that are secret but too short to match as a part ('sas' in 'sasToken' is caught by 'token'). */
export const SECRET_KEY_NAMES = ['sas', 'sig', 'key', 'pwd'] as const;

const NAMES: ReadonlySet<string> = new Set(SECRET_KEY_NAMES);

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export function isSecretKey(key: string): boolean {
  const k = normalizeKey(key);
  return NAMES.has(k) || SECRET_KEY_PARTS.some((part) => k.includes(part));
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A JSON copy of `value` with every secret key's value replaced by "[redacted]", at any depth.
 * JSON's own conversions apply (Dates become ISO strings, undefined properties are left out,
 * non-finite numbers become null); bigints become decimal strings instead of throwing.
 */
export function redact(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map((v) => redact(v));
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (isPlainObject(value)) {
    const out: { [key: string]: JsonValue } = {};
    for (const [key, v] of Object.entries(value)) {
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
      out[key] = isSecretKey(key) && v !== null ? REDACTED : redact(v);
    }
    return out;
  }
  // Anything else (a Prisma.Decimal, a URL): what JSON.stringify would write for it.
  const json = (value as { toJSON?: () => unknown }).toJSON?.();
  return json === undefined ? String(value) : redact(json);
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) if (!sameJson(a[key], b[key])) return false;
    return true;
  }
  return false;
}

/**
 * The fields that differ between two versions of an object, as dotted paths into nested objects
 * ('config.prefix', 'name'), in key order. A field present on one side only counts as changed
 * (undefined and null are the same: both leave the JSON field empty); arrays are compared whole;
 * a Date equals its ISO string. Only names are returned, never values, so a changed secret field
 * can be listed without what it was or became. Compare the raw values (before `redact()`): two
 * different secrets both redact to "[redacted]".
 */
export function changedFields(before: unknown, after: unknown, prefix = ''): string[] {
  const out: string[] = [];
  const a = isPlainObject(before) ? before : {};
  const b = isPlainObject(after) ? after : {};
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const key of keys) {
    const path = prefix ? `${prefix}.${key}` : key;
    const va = a[key] instanceof Date ? (a[key] as Date).toISOString() : a[key];
    const vb = b[key] instanceof Date ? (b[key] as Date).toISOString() : b[key];
    if (isPlainObject(va) && isPlainObject(vb)) out.push(...changedFields(va, vb, path));
    else if (!sameJson(va ?? null, vb ?? null)) out.push(path);
  }
  return out;
}
