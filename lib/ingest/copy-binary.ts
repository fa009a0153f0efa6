/**
 * PostgreSQL's binary COPY format for cost_line_items rows (the FOCUS fast path uses it: PostgreSQL
 * then parses no timestamps, numerics or escapes, which is most of its per-row work).
 * https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4
 *
 * Values are encoded exactly as PostgreSQL's text input would store them: numerics keep their
 * digits and display scale, timestamps their microseconds. pipeline tests compare what the two
 * formats store for the same files.
 */

import { toScaled } from '../decimal';
import { type CostRow, FOCUS_COLUMNS } from '../focus/columns';
import { COPY_COLUMNS, tagJson } from './copy-text';

/** The 19-byte file header: signature, flags, header extension length. */
export const BINARY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
/** The file trailer: a field count of -1. */
export const BINARY_TRAILER = Buffer.from([0xff, 0xff]);

/** Tuple start and the fields before the FOCUS columns: source_id int4, ingest_run_id int8, cost_dataset null. */
export function binaryRowPrefix(sourceId: number, runId: string): Buffer {
  const b = Buffer.alloc(2 + 8 + 12 + 4);
  b.writeInt16BE(COPY_COLUMNS.length, 0);
  b.writeInt32BE(4, 2);
  b.writeInt32BE(sourceId, 6);
  b.writeInt32BE(8, 10);
  b.writeBigInt64BE(BigInt(runId), 14);
  b.writeInt32BE(-1, 22);
  return b;
}

/** A safe integer as int64, big-endian (byte writes: Buffer#writeInt32BE's checks cost more than this). */
export function writeInt64(out: Buffer, o: number, v: number): number {
  const hi = Math.floor(v / 4294967296);
  const lo = v - hi * 4294967296;
  out[o] = (hi >>> 24) & 0xff;
  out[o + 1] = (hi >>> 16) & 0xff;
  out[o + 2] = (hi >>> 8) & 0xff;
  out[o + 3] = hi & 0xff;
  out[o + 4] = lo >>> 24;
  out[o + 5] = (lo >>> 16) & 0xff;
  out[o + 6] = (lo >>> 8) & 0xff;
  out[o + 7] = lo & 0xff;
  return o + 8;
}

function put16(out: Buffer, o: number, v: number): void {
  out[o] = (v >>> 8) & 0xff;
  out[o + 1] = v & 0xff;
}

/**
 * A numeric field (length word included) for the decimal written in b[s, e) as
 * [+-]digits[.digits] (no exponent): base-10000 digits aligned on the decimal point, display scale
 * = digits after the point. PostgreSQL strips leading and trailing zero digits on receipt.
 */
export function encodeNumeric(b: Uint8Array, s: number, e: number, out: Buffer, o: number): number {
  let neg = false;
  if (b[s] === 45) {
    neg = true;
    s++;
  } else if (b[s] === 43) s++;
  let dot = e;
  for (let i = s; i < e; i++) {
    if (b[i] === 46) {
      dot = i;
      break;
    }
  }
  const intDigits = dot - s;
  const fracStart = dot < e ? dot + 1 : e;
  const fracDigits = e - fracStart;
  const gi = (intDigits + 3) >> 2;
  const gf = (fracDigits + 3) >> 2;
  const n = gi + gf;
  const len = 8 + 2 * n;
  out[o] = len >>> 24;
  out[o + 1] = (len >>> 16) & 0xff;
  out[o + 2] = (len >>> 8) & 0xff;
  out[o + 3] = len & 0xff;
  put16(out, o + 4, n);
  put16(out, o + 6, gi - 1); // two's complement: weight -1 is ff ff
  put16(out, o + 8, neg ? 0x4000 : 0);
  put16(out, o + 10, fracDigits);
  o += 12;
  let i = s;
  for (let g = 0; g < gi; g++) {
    const take = g === 0 ? intDigits - 4 * (gi - 1) : 4;
    let acc = 0;
    for (let t = 0; t < take; t++) acc = acc * 10 + ((b[i++] as number) - 48);
    out[o++] = acc >> 8;
    out[o++] = acc & 0xff;
  }
  i = fracStart;
  for (let g = 0; g < gf; g++) {
    let acc = 0;
    for (let t = 0; t < 4; t++) acc = acc * 10 + (i < e ? (b[i++] as number) - 48 : 0);
    out[o++] = acc >> 8;
    out[o++] = acc & 0xff;
  }
  return o;
}

/** Bytes encodeNumeric writes at most for a decimal of `len` characters. */
const numericBytes = (len: number) => 12 + 2 * ((len >> 2) + 2);

/** The numeric field for any decimal string decimal() accepts (exponents included), via its exact scaled form. */
export function numericField(value: string): Buffer {
  const [mant, scale] = toScaled(value);
  const neg = mant < 0n;
  let digits = (neg ? -mant : mant).toString();
  if (digits.length <= scale) digits = digits.padStart(scale + 1, '0');
  const text = `${neg ? '-' : ''}${scale ? `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}` : digits}`;
  const b = Buffer.from(text, 'latin1');
  const out = Buffer.allocUnsafe(numericBytes(b.length));
  return out.subarray(0, encodeNumeric(b, 0, b.length, out, 0));
}

const EPOCH_2000_S = 946_684_800;

/** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Microseconds since 2000-01-01 UTC (timestamptz's binary value) of a `YYYY-MM-DDTHH:MM:SSZ` at b[s]. */
export function canonicalMicros(b: Uint8Array, s: number): number {
  const dg = (i: number) => (b[s + i] as number) - 48;
  const y = dg(0) * 1000 + dg(1) * 100 + dg(2) * 10 + dg(3);
  const days = daysFromCivil(y, dg(5) * 10 + dg(6), dg(8) * 10 + dg(9));
  const secs = days * 86400 + (dg(11) * 10 + dg(12)) * 3600 + (dg(14) * 10 + dg(15)) * 60 + dg(17) * 10 + dg(18);
  return (secs - EPOCH_2000_S) * 1_000_000;
}

const ISO_OUT = /^(\d{1,4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|([+-])(\d{2}):(\d{2}))$/;

/** rint(): round half to even, as PostgreSQL rounds fractional seconds to microseconds. */
function rint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Microseconds since 2000-01-01 UTC of a timestamp() result (ISO-8601 with Z or an offset, optional fraction). */
export function isoMicros(iso: string): number {
  const m = ISO_OUT.exec(iso);
  if (!m) throw new Error(`unexpected timestamp ${JSON.stringify(iso)}`);
  let secs = daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3])) * 86400 + Number(m[4]) * 3600 + Number(m[5]) * 60 + Number(m[6]);
  if (m[9]) secs -= (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 3600 + Number(m[11]) * 60);
  const frac = m[7] ? rint(Number(`0${m[7]}`) * 1_000_000) : 0;
  return (secs - EPOCH_2000_S) * 1_000_000 + frac;
}

/** A jsonb field (length word, version 1, JSON text). */
export function jsonbField(json: string): Buffer {
  const body = Buffer.from(json, 'utf8');
  const b = Buffer.allocUnsafe(5 + body.length);
  b.writeInt32BE(body.length + 1, 0);
  b[4] = 1;
  body.copy(b, 5);
  return b;
}

const NULL_FIELD = Buffer.from([0xff, 0xff, 0xff, 0xff]);
const NO_TAGS = Buffer.concat([NULL_FIELD, NULL_FIELD]);
const tagCache = new Map<string, Buffer>();

/** The tags and tags_normalized fields of a row (with its AllocatedTags: copy-text.ts tagJson). */
export function tagFields(tags: Record<string, string> | null | undefined, allocatedTags: string | null | undefined = null): Buffer {
  if (!tags && !allocatedTags) return NO_TAGS;
  const key = allocatedTags ? `${JSON.stringify(tags ?? null)}\u0000${allocatedTags}` : JSON.stringify(tags);
  let fields = tagCache.get(key);
  if (fields === undefined) {
    const json = tagJson(tags, allocatedTags);
    fields = json
      ? Buffer.concat([json[0] === null ? NULL_FIELD : jsonbField(json[0]), json[1] === null ? NULL_FIELD : jsonbField(json[1])])
      : NO_TAGS;
    if (tagCache.size > 20_000) tagCache.clear();
    tagCache.set(key, fields);
  }
  return fields;
}

/** One whole tuple for a canonical row (the fast path's fallback for records it leaves to the generic mapper). */
export function serializeRowBinary(row: CostRow, prefix: Buffer): Buffer {
  const parts: Buffer[] = [prefix];
  if (row.cost_dataset) {
    // The prefix ends with a null cost_dataset; replace it.
    parts[0] = prefix.subarray(0, prefix.length - 4);
    const v = Buffer.from(row.cost_dataset);
    const len = Buffer.allocUnsafe(4);
    len.writeInt32BE(v.length, 0);
    parts.push(len, v);
  }
  const scratch = Buffer.allocUnsafe(64);
  for (const c of FOCUS_COLUMNS) {
    const v = row[c.column];
    if (v == null) {
      parts.push(NULL_FIELD);
    } else if (c.kind === 'numeric') {
      parts.push(numericField(v));
    } else if (c.kind === 'timestamp') {
      scratch.writeInt32BE(8, 0);
      writeInt64(scratch, 4, isoMicros(v));
      parts.push(Buffer.from(scratch.subarray(0, 12)));
    } else if (c.kind === 'json') {
      parts.push(jsonbField(v));
    } else {
      const bytes = Buffer.from(v, 'utf8');
      const len = Buffer.allocUnsafe(4);
      len.writeInt32BE(bytes.length, 0);
      parts.push(len, bytes);
    }
  }
  parts.push(tagFields(row.tags, row.allocated_tags));
  parts.push(row.extras && Object.keys(row.extras).length ? jsonbField(JSON.stringify(row.extras)) : NULL_FIELD);
  return Buffer.concat(parts);
}
