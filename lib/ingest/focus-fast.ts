/**
 * The FOCUS CSV fast path: CSV bytes in, cost_line_items rows in COPY's binary format out, without
 * building a string per field or an object per row. FOCUS columns map one to one onto
 * cost_line_items, so most values only need checking and re-framing; this is what lets Node keep
 * up with PostgreSQL's COPY on a two-core machine (see README, Benchmarks).
 *
 * It stores exactly what the generic path (CSV parser -> focus reader -> serializeRow) stores:
 * - a value that is not plainly valid (surrounding blanks, a date that is not `YYYY-MM-DDTHH:MM:SSZ`,
 *   an Azure-style region, a lower-case currency) goes through the generic converter for that field;
 * - a JSON column's value (SkuPriceDetails, AllocatedTags, ...) goes through the generic converter
 *   too, unless it repeats the previous row's value of that column byte for byte;
 * - a record with a bad or missing value is mapped by the generic mapper, which raises the same error
 *   naming the file, line and column;
 * - anything unusual in the CSV structure (a wrong column count, a stray quote, no newline at the
 *   end) hands the rest of the file to the generic parser;
 * - invalid UTF-8, a record longer than the limit and a run of blank lines longer than it fail here
 *   with the generic parser's messages (source.ts builds both), before the bytes are transcoded.
 * focus-fast.test.ts and focus-fast.integration.test.ts run the same files both ways and compare
 * every value, as written and as PostgreSQL stores it.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import { DEFAULT_MAX_RECORD_BYTES } from '../env';
import { type CostRow, FOCUS_COLUMNS } from '../focus/columns';
import { AMOUNT_DIGITS, parseTags, text, utcDay, ValueError } from '../focus/normalize';
import {
  BINARY_HEADER,
  BINARY_TRAILER,
  binaryRowPrefix,
  canonicalMicros,
  encodeNumeric,
  isoMicros,
  jsonbField,
  numericField,
  serializeRowBinary,
  tagFields,
  writeInt64,
} from './copy-binary';
import { CopyLines } from './copy-stream';
import { COPY_COLUMNS, tagJson } from './copy-text';
import { CsvParser, type CsvRecord } from './csv';
import { ALL_MEASURES, DailyRollup, KEY_COLUMNS, Measures, MONTHLY_DETAIL_SPEC, StreamRollup } from './daily-rollup';
import { mapRecord } from './map-record';
import { converterFor, PRICING_CURRENCY_AMOUNTS, resolveFocusColumns } from './readers/focus';
import {
  type ByteStream,
  blankLinesError,
  columnCountError,
  csvError,
  csvKind,
  decode,
  type FileReader,
  firstInvalidUtf8,
  invalidUtf8Error,
  openByteStream,
  openFileReader,
  recordTooLongError,
} from './source';
import { IngestError, type RecordMapper } from './types';

const K_TEXT = 0;
const K_DECIMAL = 1;
const K_TIMESTAMP = 2;
const K_REGION = 3;
const K_CURRENCY = 4;
const K_JSON = 5;

const NF = FOCUS_COLUMNS.length;
const focusIndex = (column: string) => FOCUS_COLUMNS.findIndex((c) => c.column === column);
const F_BILLING_PERIOD = focusIndex('billing_period_start');
const F_PRICING_CURRENCY = focusIndex('pricing_currency');
const F_CHARGE_PERIOD = focusIndex('charge_period_start');
/** FOCUS 1.3's AllocatedTags: a row a provider split carries its workload's tags there (the generic path merges them). */
const F_ALLOCATED_TAGS = focusIndex('allocated_tags');
/** FOCUS column indexes of the rollup's group values and costs. */
const F_KEYS = Int32Array.from(KEY_COLUMNS.map(focusIndex));
/** The same for the monthly detail rollup; its last key value, the normalized tags, is not a FOCUS column (-1). */
const DETAIL_KEY_COLUMNS = MONTHLY_DETAIL_SPEC.key.map((k) => k.column);
const F_DETAIL_KEYS = Int32Array.from(DETAIL_KEY_COLUMNS.map(focusIndex));
if (DETAIL_KEY_COLUMNS.at(-1) !== 'tags_normalized' || F_DETAIL_KEYS.subarray(0, -1).some((j) => j < 0))
  throw new Error('the monthly detail key must be FOCUS columns followed by tags_normalized');
const DETAIL_KEYS = F_DETAIL_KEYS.length - 1;
const MEASURE_OF = new Int8Array(NF).fill(-1);
ALL_MEASURES.forEach((c, m) => {
  MEASURE_OF[focusIndex(c)] = m;
});
const NO_TAGS: Buffer<ArrayBufferLike> = tagFields(null);
const OUT_CHUNK = 1 << 21;
const READ_SIZE = 1 << 20;

/** How the columns of one FOCUS header feed cost_line_items. */
export interface FocusFastPlan {
  headers: readonly string[];
  /** Per FOCUS column (FOCUS_COLUMNS order): the CSV column it comes from, or -1. */
  input: Int32Array;
  kind: Uint8Array;
  required: Uint8Array;
  convert: ((value: string) => string | null)[];
  tags: number;
  extras: Int32Array;
  /** Per extras column: `"name":"` as JSON. */
  extraKeys: Buffer[];
  /** Bytes a row can take beyond three times its CSV length. */
  slack: number;
  /** FOCUS columns from `span` on are all absent from the file: one null run for all of them. */
  span: number;
  tailNulls: Buffer;
  /** The rollup measures among the absent tail columns (null in every row). */
  tailMeasures: Int8Array;
  /** Fields of the PricingCurrency amounts the file has: a row with one of them and no PricingCurrency goes to the generic mapper, which refuses it. */
  priced: Int32Array;
}

/** The plan for a FOCUS header, or null when the fast path does not handle it (duplicate extra column names). */
export function planFocusFastPath(headers: readonly string[]): FocusFastPlan | null {
  const { fields, tags, extras } = resolveFocusColumns(headers);
  const names = extras.map((i) => headers[i] as string);
  if (new Set(names).size !== names.length) return null;
  const byColumn = new Map(fields.map((f) => [f.column, f]));
  const input = new Int32Array(NF).fill(-1);
  const kind = new Uint8Array(NF);
  const required = new Uint8Array(NF);
  const convert: ((value: string) => string | null)[] = [];
  FOCUS_COLUMNS.forEach((c, j) => {
    const f = byColumn.get(c.column);
    convert.push(converterFor(c));
    kind[j] =
      c.column === 'region_id'
        ? K_REGION
        : c.column === 'billing_currency'
          ? K_CURRENCY
          : c.kind === 'numeric'
            ? K_DECIMAL
            : c.kind === 'timestamp'
              ? K_TIMESTAMP
              : c.kind === 'json'
                ? K_JSON
                : K_TEXT;
    if (!f) return;
    input[j] = f.index;
    required[j] = f.required ? 1 : 0;
  });
  const extraKeys = names.map((n) => Buffer.from(`${JSON.stringify(n)}:"`));
  const slack = 1024 + COPY_COLUMNS.length * 64 + extraKeys.reduce((a, k) => a + k.length + 4, 0);
  // Most files carry only some of the FOCUS columns (a 1.2 file none of the 1.3/1.4 ones, which come
  // last): the absent tail costs one copy per row, not a pass per column.
  let span = NF;
  while (span > 0 && (input[span - 1] as number) < 0) span--;
  const tailNulls = Buffer.alloc(4 * (NF - span), 0xff);
  const tailMeasures = Int8Array.from(MEASURE_OF.subarray(span).filter((m) => m >= 0));
  const priced = Int32Array.from(fields.filter((f) => PRICING_CURRENCY_AMOUNTS.has(f.column)).map((f) => f.index));
  return {
    headers,
    input,
    kind,
    required,
    convert,
    tags,
    extras: Int32Array.from(extras),
    extraKeys,
    slack,
    span,
    tailNulls,
    tailMeasures,
    priced,
  };
}

/**
 * Streams the parts of one FOCUS CSV delivery as cost_line_items rows in COPY's binary format,
 * collecting the billing periods and days it saw and the cost_daily rollup of its rows.
 */
export class FocusCopyFeed {
  readonly format = 'binary';
  private readonly periods = new Set<string>();
  private readonly days = new Set<string>();
  private readonly rollup = new DailyRollup();
  /**
   * The same cap as cost_daily's. A detail group (its key with resource and tags, five sums) costs
   * ~1.2–1.9 KB of heap: the 2M-row bench's ~66,000 groups took the ingester's peak RSS from ~250 to
   * 376 MB. With a cap of 50,000 that file spilled to the SQL rollup, which cost more time than the
   * memory was worth (rollup 5 s -> 50 s under load).
   */
  private readonly detail = new StreamRollup(MONTHLY_DETAIL_SPEC, 100_000);
  rows = 0;

  private readonly ncols: number;
  private readonly fs: Int32Array;
  private readonly fe: Int32Array;
  private readonly fq: Uint8Array;
  private readonly prefix: Buffer;
  private readonly tagCache = new Map<string, Buffer<ArrayBufferLike> | null>();
  /** Where each FOCUS column's text value of the current row lies in `out` (start -1: null). */
  private readonly valS = new Int32Array(NF).fill(-1);
  private readonly valE = new Int32Array(NF);
  private readonly measures = new Measures();
  /** Per timestamp column: the last spelling's bytes and quoting, and its microseconds, ISO string and UTC day. */
  private readonly tsBytes: Buffer[] = FOCUS_COLUMNS.map(() => Buffer.alloc(0));
  private readonly tsQuoted = new Uint8Array(NF);
  private readonly tsValid = new Uint8Array(NF);
  private readonly tsMicros = new Float64Array(NF);
  private readonly tsText: string[] = FOCUS_COLUMNS.map(() => '');
  private readonly tsDay: string[] = FOCUS_COLUMNS.map(() => '');
  /** Per JSON column: the last raw value (bytes and quoting) that jsonText() accepted, and its jsonb field. */
  private readonly jsonRaw: Buffer[] = FOCUS_COLUMNS.map(() => Buffer.alloc(0));
  private readonly jsonQuoted = new Uint8Array(NF);
  private readonly jsonField: (Buffer | null)[] = FOCUS_COLUMNS.map(() => null);
  /** The current row's billing period (as stored), its day, and the charge day. */
  private rowPeriod = '';
  private rowPeriodDay = '';
  private rowChargeDay = '';
  private lastPeriod = '';
  private lastDay = '';
  private readonly lines = new CopyLines();

  private out = Buffer.allocUnsafe(OUT_CHUNK);
  private o = 0;
  private readonly ready: Buffer[] = [];

  private part = -1;
  private file = '';
  private reader: FileReader | null = null;
  private stream: ByteStream | null = null;
  private gz = false;
  private work = Buffer.allocUnsafe(READ_SIZE * 2);
  /** Bytes at the start of `work` that belong to a record not yet complete. */
  private carryLen = 0;
  /** Offset in the (uncompressed) part of `work[0]`, for error messages. */
  private base = 0;
  /** The carry's length when the last process() kept it: the next one waits until it has doubled. */
  private stuck = 0;
  private headerDone = false;
  private line = 1;
  /** Bytes of blank lines since the last record, and the line they start on (limited like a record). */
  private blank = 0;
  private blankLine = 0;
  private bail = false;
  private generic: { parser: CsvParser; decoder: StringDecoder; pending: CsvRecord[] } | null = null;
  private done = false;
  private doneBytes = 0;
  private readonly hashes: (string | null)[] = [];

  constructor(
    private readonly files: readonly string[],
    private readonly sizes: readonly number[],
    private readonly plan: FocusFastPlan,
    private readonly mapper: RecordMapper,
    sourceId: number,
    runId: string,
    /** Bytes per read of an uncompressed file (tests use tiny reads to hit every chunk boundary). */
    private readonly readSize = READ_SIZE,
    /** The longest record accepted (BURNRATE_MAX_RECORD_BYTES), as the generic parser applies it. */
    private readonly maxRecordBytes = DEFAULT_MAX_RECORD_BYTES,
  ) {
    this.ncols = plan.headers.length;
    this.fs = new Int32Array(this.ncols);
    this.fe = new Int32Array(this.ncols);
    this.fq = new Uint8Array(this.ncols);
    this.prefix = binaryRowPrefix(sourceId, runId);
    this.o = BINARY_HEADER.copy(this.out, 0);
  }

  /** Reads ahead until at least `rows` rows are transcoded (held for `next`) or the input ends. */
  async readAhead(rows: number): Promise<void> {
    while (this.rows < rows && !this.done) await this.pump();
  }

  /** The next chunk of COPY data, or null at the end. */
  async next(): Promise<Buffer | null> {
    while (!this.ready.length && !this.done) await this.pump();
    return this.ready.shift() ?? null;
  }

  seen(): { periods: ReadonlySet<string>; days: ReadonlySet<string> } {
    return { periods: this.periods, days: this.days };
  }

  /** The cost_daily rows of everything transcoded, or null when there were too many groups to keep. */
  dailyRollup(): DailyRollup | null {
    return this.rollup.overflowed ? null : this.rollup;
  }

  /** The cost_monthly_detail rows of everything transcoded, or null when there were too many groups to keep. */
  detailRollup(): StreamRollup | null {
    return this.detail.overflowed ? null : this.detail;
  }

  /** The CSV line a COPY line (1-based) came from. */
  fileLine(copyLine: number): number | undefined {
    return this.lines.fileLine(copyLine);
  }

  bytesRead(): number {
    return this.doneBytes + (this.reader?.bytesRead() ?? this.stream?.bytesRead() ?? 0);
  }

  /** SHA-256 of the file, or for several parts of their hashes (as openMultiPartSource computes it); null before the end. */
  sha256(): string | null {
    if (this.hashes.length !== this.files.length || this.hashes.some((h) => h === null)) return null;
    return this.files.length === 1 ? (this.hashes[0] as string) : createHash('sha256').update(this.hashes.join('\n')).digest('hex');
  }

  async close(): Promise<void> {
    this.stream?.close();
    this.stream = null;
    await this.reader?.close();
    this.reader = null;
  }

  // ---- reading -------------------------------------------------------------------------------

  private async pump(): Promise<void> {
    if (!this.reader && !this.stream) {
      this.part++;
      this.file = this.files[this.part] as string;
      const kind = await csvKind(this.file);
      if (kind === null) {
        throw new IngestError(`${this.file}: not a CSV file like ${this.files[0]}; all parts of one delivery must have the same format`, {
          file: this.file,
          code: 'BAD_FILE',
        });
      }
      this.gz = kind === 'csv.gz';
      if (this.gz) this.stream = openByteStream(this.file, true);
      else this.reader = await openFileReader(this.file);
      this.headerDone = false;
      this.carryLen = 0;
      this.stuck = 0;
      this.base = 0;
      this.generic = null;
      this.bail = false;
      this.line = 1;
      this.blank = 0;
    }
    // New bytes go after the carried partial record at the start of `work`.
    let got = 0;
    try {
      if (this.reader) {
        this.reserve(this.readSize);
        got = await this.reader.readInto(this.work, this.carryLen, this.readSize);
      } else if (this.stream) {
        const next = await this.stream.chunks.next();
        if (!next.done) {
          got = next.value.length;
          this.reserve(got);
          next.value.copy(this.work, this.carryLen);
        }
      }
    } catch (error) {
      throw new IngestError(`${this.file}: cannot ${this.gz ? 'decompress' : 'read'} (${(error as Error).message})`, {
        file: this.file,
        code: 'BAD_FILE',
      });
    }
    const buf = this.work.subarray(0, this.carryLen + got);
    if (got === 0) {
      this.process(buf, true);
      const input = this.reader ?? this.stream;
      this.hashes.push(input?.sha256() ?? null);
      this.doneBytes += this.sizes[this.part] ?? 0;
      await this.reader?.close();
      this.stream?.close();
      this.reader = null;
      this.stream = null;
      if (this.part === this.files.length - 1) {
        this.ensure(BINARY_TRAILER.length);
        this.o += BINARY_TRAILER.copy(this.out, this.o);
        this.done = true;
      }
    } else if (buf.length < 2 * this.stuck && buf.length <= this.maxRecordBytes) {
      // The carry is a record too long for the last read; scanning it again before it has doubled
      // would make a long line cost quadratic time (as in the generic parser).
      this.carryLen = buf.length;
    } else {
      this.process(buf, false);
    }
    this.flush();
  }

  /** Room for `bytes` more after the carry. */
  private reserve(bytes: number): void {
    if (this.carryLen + bytes <= this.work.length) return;
    const grown = Buffer.allocUnsafe((this.carryLen + bytes) * 2);
    this.work.copy(grown, 0, 0, this.carryLen);
    this.work = grown;
  }

  private flush(): void {
    if (this.o === 0) return;
    this.ready.push(this.out.subarray(0, this.o));
    this.out = Buffer.allocUnsafe(OUT_CHUNK);
    this.o = 0;
  }

  /**
   * Transcodes what `buf` (= work[0, n)) holds up to its last line break (all of it when `final`);
   * keeps the rest, an incomplete record, as the carry. Invalid UTF-8 and records longer than the
   * limit fail here with the generic parser's errors.
   */
  private process(buf: Buffer, final: boolean): void {
    this.carryLen = 0;
    const end = final ? buf.length : buf.lastIndexOf(10) + 1;
    if (end > 0 && !isAscii(buf) && !isUtf8(buf.subarray(0, end))) {
      const bad = firstInvalidUtf8(buf, 0, end);
      let line = this.generic ? this.generic.parser.nextLine() : this.line;
      for (let i = 0; i < bad; i++) if (buf[i] === 10) line++;
      throw invalidUtf8Error(this.file, line, this.base + bad, buf[bad] as number);
    }
    let p = 0;
    if (this.generic) {
      this.genericPush(buf.subarray(0, end), final);
      p = end;
    } else {
      if (!this.headerDone) {
        p = this.skipHeader(buf, final);
        if (p < 0) p = 0;
      }
      if (this.headerDone) {
        p = this.transcode(buf, p, final);
        if (this.bail) {
          this.genericPush(buf.subarray(p, end), final);
          p = end;
        }
      }
    }
    if (p < buf.length) {
      const carry = buf.length - p;
      if (carry > this.maxRecordBytes) {
        const line = this.generic ? this.generic.parser.recordLine() : this.line;
        throw recordTooLongError(this.file, line, this.maxRecordBytes);
      }
      buf.copyWithin(0, p);
      this.carryLen = carry;
    }
    this.stuck = this.carryLen;
    this.base += p;
  }

  /** Checks the header row and returns where the records start, or -1 when more bytes are needed. */
  private skipHeader(buf: Buffer, final: boolean): number {
    let i = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
    const from = i;
    let quoted = false;
    let newlines = 0;
    for (; i < buf.length; i++) {
      const c = buf[i];
      if (c === 34) quoted = !quoted;
      else if (c === 10) {
        if (!quoted) break;
        newlines++;
      }
    }
    if (i >= buf.length && !final) return -1;
    if (Math.min(i + 1, buf.length) - from > this.maxRecordBytes) throw recordTooLongError(this.file, 1, this.maxRecordBytes);
    const parsed: CsvRecord[] = [];
    const parser = new CsvParser({ bom: false });
    parser.push(buf.toString('utf8', from, Math.min(i + 1, buf.length)), parsed);
    parser.end(parsed);
    const headers = (parsed[0]?.fields ?? []).map((h) => h.trim());
    if (headers.join('\u0000') !== this.plan.headers.join('\u0000')) {
      throw new IngestError(
        `${this.file}: its header row differs from ${this.files[0]}; all parts of one delivery must have the same columns`,
        { file: this.file, line: 1, code: 'BAD_FILE' },
      );
    }
    this.headerDone = true;
    this.line = 2 + newlines;
    return Math.min(i + 1, buf.length);
  }

  /**
   * Transcodes the complete records of `buf` from `start`; returns where the first record it did
   * not take starts. Sets `bail` when the rest needs the generic parser.
   */
  private transcode(buf: Buffer, start: number, final: boolean): number {
    const n = buf.length;
    const ncols = this.ncols;
    const last = ncols - 1;
    const fs = this.fs;
    const fe = this.fe;
    const fq = this.fq;
    let p = start;
    while (p < n) {
      let c = buf[p] as number;
      if (c === 10 || (c === 13 && p + 1 < n && buf[p + 1] === 10)) {
        if (this.blank === 0) this.blankLine = this.line;
        this.blank += c === 10 ? 1 : 2;
        if (this.blank > this.maxRecordBytes) throw blankLinesError(this.file, this.blankLine, this.maxRecordBytes);
        p += c === 10 ? 1 : 2;
        this.line++;
        continue;
      }
      let q = p;
      let newlines = 0;
      let incomplete = false;
      let ok = true;
      for (let k = 0; k < ncols; k++) {
        if (q >= n) {
          incomplete = true;
          break;
        }
        c = buf[q] as number;
        if (c === 34) {
          let r = q + 1;
          let doubled = 0;
          for (;;) {
            r = buf.indexOf(34, r);
            if (r === -1 || r + 1 >= n) {
              incomplete = true;
              break;
            }
            if (buf[r + 1] === 34) {
              doubled = 1;
              r += 2;
              continue;
            }
            break;
          }
          if (incomplete) break;
          fs[k] = q + 1;
          fe[k] = r;
          fq[k] = 1 + doubled;
          for (let i = q + 1; i < r; i++) if (buf[i] === 10) newlines++;
          q = r + 1;
          c = buf[q] as number;
          if (k < last) {
            if (c === 44) {
              q++;
              continue;
            }
          } else if (c === 10) {
            q++;
            break;
          } else if (c === 13) {
            if (q + 1 >= n) {
              incomplete = true;
              break;
            }
            if (buf[q + 1] === 10) {
              q += 2;
              break;
            }
          }
          ok = false;
          break;
        }
        let i = q;
        while (i < n) {
          c = buf[i] as number;
          if (c === 44 || c === 10) break;
          i++;
        }
        if (i >= n) {
          incomplete = true;
          break;
        }
        fs[k] = q;
        fq[k] = 0;
        if (c === 44) {
          if (k === last) {
            ok = false;
            break;
          }
          fe[k] = i;
          q = i + 1;
          continue;
        }
        if (k !== last) {
          ok = false;
          break;
        }
        fe[k] = i > q && buf[i - 1] === 13 ? i - 1 : i;
        q = i + 1;
      }
      if (incomplete) {
        if (final) this.bail = true;
        return p;
      }
      if (!ok) {
        this.bail = true;
        return p;
      }
      const line = this.line;
      if (q - p > this.maxRecordBytes) throw recordTooLongError(this.file, line, this.maxRecordBytes);
      this.blank = 0;
      this.line += 1 + newlines;
      this.emitRecord(buf, q - p, line);
      p = q;
    }
    return p;
  }

  // ---- writing -------------------------------------------------------------------------------

  private ensure(bytes: number): void {
    if (this.o + bytes <= this.out.length) return;
    this.flush();
    if (bytes > this.out.length) this.out = Buffer.allocUnsafe(bytes);
  }

  /** Writes one record whose fields are at fs/fe/fq in `buf`. */
  private emitRecord(buf: Buffer, recordBytes: number, line: number): void {
    const plan = this.plan;
    const fs = this.fs;
    const fe = this.fe;
    const fq = this.fq;
    // A row of a provider's split cost allocation: its showback tags are Tags with AllocatedTags
    // (copy-text.ts tagJson), which the generic mapper and serializer build.
    const allocated = plan.input[F_ALLOCATED_TAGS] as number;
    if (allocated >= 0 && (fe[allocated] as number) > (fs[allocated] as number)) {
      this.emitGeneric(buf, line);
      return;
    }
    let tags = NO_TAGS;
    if (plan.tags >= 0) {
      const t = this.tagsFor(buf, fs[plan.tags] as number, fe[plan.tags] as number, fq[plan.tags] as number);
      if (t === null) {
        this.emitGeneric(buf, line);
        return;
      }
      tags = t;
    }
    this.ensure(recordBytes * 3 + plan.slack + tags.length);
    const out = this.out;
    const input = plan.input;
    const kind = plan.kind;
    const required = plan.required;
    const valS = this.valS;
    const valE = this.valE;
    const measures = this.measures;
    let o = copyBytes(this.prefix, 0, this.prefix.length, out, this.o);
    const span = plan.span;
    for (let j = 0; j < span; j++) {
      const k = input[j] as number;
      const m = MEASURE_OF[j] as number;
      valS[j] = -1;
      if (k < 0) {
        o = writeNull(out, o);
        if (m >= 0) measures.setNull(m);
        continue;
      }
      const s = fs[k] as number;
      const e = fe[k] as number;
      const len = e - s;
      const b0 = len ? (buf[s] as number) : 0;
      const b1 = len ? (buf[e - 1] as number) : 0;
      let slow =
        len > 0 && (b0 <= 32 || b1 <= 32 || (b0 >= 0x80 && startsWithSpace(buf, s, e)) || (b1 >= 0x80 && endsWithSpace(buf, s, e)));
      // '' and the null spellings text() knows (values with blanks around them take the slow path)
      if (len === 0 || (!slow && len <= 4 && isNullToken(buf, s, len))) {
        // The 3-byte null spellings are NaN and nan: in an amount, an error (decimal() raises it).
        if (required[j] || (len === 3 && kind[j] === K_DECIMAL)) {
          this.emitGeneric(buf, line);
          return;
        }
        o = writeNull(out, o);
        if (m >= 0) measures.setNull(m);
        continue;
      }
      if (!slow) {
        const kd = kind[j];
        if (kd === K_TEXT) {
          valS[j] = o + 4;
          o = fq[k] === 2 ? writeUndoubled(buf, s, e, out, o) : writeBytes(buf, s, e, out, o);
          valE[j] = o;
          continue;
        }
        if (kd === K_DECIMAL) {
          const plain = plainDecimal(buf, s, e);
          if (plain === 0) {
            this.emitGeneric(buf, line);
            return;
          }
          if (plain === 1) {
            o = encodeNumeric(buf, s, e, out, o);
            if (m >= 0) measures.setBytes(m, buf, b0 === 43 ? s + 1 : s, e);
            continue;
          }
          // an exponent: through the generic converter below
        } else if (kd === K_TIMESTAMP) {
          // Most rows repeat the previous row's spelling, which was converted then.
          if (this.tsValid[j] && this.tsQuoted[j] === fq[k] && sameBytes(buf, s, e, this.tsBytes[j] as Buffer)) {
            o = this.writeTimestamp(j, out, o);
            continue;
          }
          if (len === 20 && isCanonicalTimestamp(buf, s)) {
            this.cacheTimestamp(j, buf, s, e, fq[k] as number, null);
            o = this.writeTimestamp(j, out, o);
            continue;
          }
        } else if (kd === K_JSON) {
          // Rows of one SKU or allocation repeat the previous row's JSON, which was checked then.
          const field = this.jsonField[j];
          if (field && this.jsonQuoted[j] === fq[k] && sameBytes(buf, s, e, this.jsonRaw[j] as Buffer)) {
            o = copyBytes(field, 0, field.length, out, o);
            continue;
          }
        } else if (kd === K_REGION) {
          if (isPlainRegion(buf, s, e)) {
            valS[j] = o + 4;
            o = writeBytes(buf, s, e, out, o);
            valE[j] = o;
            continue;
          }
        } else if (len === 3 && isUpper(b0) && isUpper(buf[s + 1] as number) && isUpper(b1)) {
          valS[j] = o + 4;
          o = writeBytes(buf, s, e, out, o);
          valE[j] = o;
          continue;
        }
        slow = true;
      }
      // Through the generic converter (a string), exactly as the focus reader would.
      let v: string | null;
      try {
        v = (plan.convert[j] as (value: string) => string | null)(fieldString(buf, s, e, fq[k] as number));
      } catch (error) {
        if (error instanceof ValueError) {
          this.emitGeneric(buf, line);
          return;
        }
        throw error;
      }
      if (v === null) {
        if (required[j]) {
          this.emitGeneric(buf, line);
          return;
        }
        o = writeNull(out, o);
        if (m >= 0) measures.setNull(m);
        continue;
      }
      const kd = kind[j];
      if (kd === K_DECIMAL) {
        const field = numericField(v);
        if (field.length > 12 + 2 * len + 16) {
          // A large exponent: more digits than this row has room for. Rare; the generic serializer sizes its own buffer.
          this.emitGeneric(buf, line);
          return;
        }
        o = copyBytes(field, 0, field.length, out, o);
        if (m >= 0) measures.setString(m, v);
      } else if (kd === K_TIMESTAMP) {
        this.cacheTimestamp(j, buf, s, e, fq[k] as number, v);
        o = this.writeTimestamp(j, out, o);
      } else if (kd === K_JSON) {
        const field = jsonbField(v);
        let raw = this.jsonRaw[j] as Buffer;
        if (raw.length !== e - s) raw = this.jsonRaw[j] = Buffer.allocUnsafe(e - s);
        buf.copy(raw, 0, s, e);
        this.jsonQuoted[j] = fq[k] as number;
        this.jsonField[j] = field;
        o = copyBytes(field, 0, field.length, out, o);
      } else {
        const at = o;
        o += 4;
        o += out.write(v, o, 'utf8');
        out.writeInt32BE(o - at - 4, at);
        valS[j] = at + 4;
        valE[j] = o;
      }
    }
    // An amount in PricingCurrency needs PricingCurrency (written above: valS is -1 when null).
    const priced = plan.priced;
    if (priced.length && (valS[F_PRICING_CURRENCY] as number) < 0) {
      for (let x = 0; x < priced.length; x++) {
        const k = priced[x] as number;
        if ((fe[k] as number) > (fs[k] as number)) {
          this.emitGeneric(buf, line);
          return;
        }
      }
    }
    if (span < NF) {
      o = copyBytes(plan.tailNulls, 0, plan.tailNulls.length, out, o);
      const tm = plan.tailMeasures;
      for (let i = 0; i < tm.length; i++) measures.setNull(tm[i] as number);
    }
    o = copyBytes(tags, 0, tags.length, out, o);
    // extras: jsonb, version 1, then the JSON object
    const extrasAt = o;
    o += 4;
    out[o++] = 1;
    let any = false;
    const extras = plan.extras;
    for (let x = 0; x < extras.length; x++) {
      const k = extras[x] as number;
      const s = fs[k] as number;
      const e = fe[k] as number;
      const len = e - s;
      if (len === 0) continue;
      const b0 = buf[s] as number;
      const b1 = buf[e - 1] as number;
      if (b0 <= 32 || b1 <= 32 || b0 >= 0x80 || b1 >= 0x80) {
        // Rare: let JavaScript decide blankness and JSON escaping, as the focus reader does.
        const raw = fieldString(buf, s, e, fq[k] as number);
        if (text(raw) === null) continue;
        out[o++] = any ? 44 : 123;
        any = true;
        o += out.write(`${JSON.stringify(plan.headers[k])}:${JSON.stringify(raw)}`, o, 'utf8');
        continue;
      }
      if (len <= 4 && isNullToken(buf, s, len)) continue;
      out[o++] = any ? 44 : 123;
      any = true;
      const key = plan.extraKeys[x] as Buffer;
      o = copyBytes(key, 0, key.length, out, o);
      o = copyJsonEscaped(buf, s, e, fq[k] === 2, out, o);
      if (o < 0) {
        this.emitGeneric(buf, line);
        return;
      }
      out[o++] = 34;
    }
    if (any) {
      out[o++] = 125;
      out.writeInt32BE(o - extrasAt - 4, extrasAt);
    } else o = writeNull(out, extrasAt);
    this.o = o;
    this.rowDone(line);
    const rollup = this.rollup;
    if (!rollup.overflowed) {
      rollup.begin(this.rowChargeDay, this.rowPeriodDay);
      for (let i = 0; i < F_KEYS.length; i++) {
        const j = F_KEYS[i] as number;
        const vs = valS[j] as number;
        if (vs < 0) rollup.partNull();
        else rollup.part(out, vs, valE[j] as number);
      }
      rollup.finish(measures);
    }
    const detail = this.detail;
    if (detail.overflowed) return;
    detail.begin(this.rowChargeDay, this.rowPeriodDay);
    for (let i = 0; i < DETAIL_KEYS; i++) {
      const j = F_DETAIL_KEYS[i] as number;
      const vs = valS[j] as number;
      if (vs < 0) detail.partNull();
      else detail.part(out, vs, valE[j] as number);
    }
    // tags holds two jsonb fields (tags, tags_normalized): [length][version 1][JSON] or [-1] each.
    const rawLength = tags.readInt32BE(0);
    const normalizedAt = rawLength < 0 ? 4 : 4 + rawLength;
    const normalizedLength = tags.readInt32BE(normalizedAt);
    if (normalizedLength < 0) detail.partNull();
    else detail.part(tags, normalizedAt + 5, normalizedAt + 4 + normalizedLength);
    detail.finish(measures);
  }

  /**
   * Remembers a timestamp spelling of FOCUS column j (raw bytes and quoting) with what it converts
   * to: `iso` from timestamp(), or null for a canonical `YYYY-MM-DDTHH:MM:SSZ`, which is its own ISO form.
   */
  private cacheTimestamp(j: number, buf: Buffer, s: number, e: number, quoted: number, iso: string | null): void {
    let raw = this.tsBytes[j] as Buffer;
    if (raw.length !== e - s) raw = this.tsBytes[j] = Buffer.allocUnsafe(e - s);
    buf.copy(raw, 0, s, e);
    this.tsQuoted[j] = quoted;
    this.tsValid[j] = 1;
    const text = iso ?? buf.toString('latin1', s, e);
    this.tsMicros[j] = iso === null ? canonicalMicros(buf, s) : isoMicros(iso);
    this.tsText[j] = text;
    this.tsDay[j] = iso === null ? text.slice(0, 10) : utcDay(iso);
  }

  /** The cached timestamp of FOCUS column j as timestamptz, noting the row's billing period and charge day. */
  private writeTimestamp(j: number, out: Buffer, o: number): number {
    if (j === F_BILLING_PERIOD) {
      this.rowPeriod = this.tsText[j] as string;
      this.rowPeriodDay = this.tsDay[j] as string;
    } else if (j === F_CHARGE_PERIOD) this.rowChargeDay = this.tsDay[j] as string;
    writeLength(out, o, 8);
    return writeInt64(out, o + 4, this.tsMicros[j] as number);
  }

  /** The record through the generic mapper and serializer (which also raise its errors). */
  private emitGeneric(buf: Buffer, line: number): void {
    const values: string[] = new Array(this.ncols);
    for (let k = 0; k < this.ncols; k++) values[k] = fieldString(buf, this.fs[k] as number, this.fe[k] as number, this.fq[k] as number);
    this.emitValues(values, line);
  }

  private emitValues(values: readonly (string | null)[], line: number): void {
    for (const row of mapRecord(this.mapper, values, line, this.file)) {
      const tuple = serializeRowBinary(row, this.prefix);
      this.ensure(tuple.length);
      this.o += tuple.copy(this.out, this.o);
      const period = row.billing_period_start as string;
      this.rowPeriod = period;
      this.rowPeriodDay = utcDay(period);
      this.rowChargeDay = utcDay(row.charge_period_start as string);
      this.rowDone(line);
      const m = this.measures;
      ALL_MEASURES.forEach((c, i) => {
        m.setString(i, row[c] ?? null);
      });
      const rollup = this.rollup;
      if (!rollup.overflowed) {
        rollup.begin(this.rowChargeDay, this.rowPeriodDay);
        for (const c of KEY_COLUMNS) rollup.partString(row[c]);
        rollup.finish(m);
      }
      const detail = this.detail;
      if (detail.overflowed) continue;
      detail.begin(this.rowChargeDay, this.rowPeriodDay);
      for (let i = 0; i < DETAIL_KEYS; i++) detail.partString(row[DETAIL_KEY_COLUMNS[i] as keyof CostRow] as string | null | undefined);
      detail.partString(tagJson(row.tags, row.allocated_tags)?.[1] ?? null);
      detail.finish(m);
    }
  }

  /** Bookkeeping after a row is written: its CSV line, its billing period and charge day. */
  private rowDone(line: number): void {
    this.lines.add(line);
    this.rows++;
    if (this.rowPeriod !== this.lastPeriod) {
      this.periods.add(this.rowPeriod);
      this.lastPeriod = this.rowPeriod;
    }
    if (this.rowChargeDay !== this.lastDay) {
      this.days.add(this.rowChargeDay);
      this.lastDay = this.rowChargeDay;
    }
  }

  /** The tags and tags_normalized fields for a raw Tags value, or null when it does not parse (the generic path reports it). */
  private tagsFor(buf: Buffer, s: number, e: number, quoted: number): Buffer<ArrayBufferLike> | null {
    const key = `${quoted}${buf.toString('latin1', s, e)}`;
    let fields = this.tagCache.get(key);
    if (fields === undefined) {
      try {
        fields = tagFields(parseTags(fieldString(buf, s, e, quoted)));
      } catch (error) {
        if (error instanceof ValueError) return null;
        throw error;
      }
      if (this.tagCache.size > 20_000) this.tagCache.clear();
      this.tagCache.set(key, fields);
    }
    return fields;
  }

  // ---- the generic parser, for the rest of a part the fast scanner hands over -------------------

  private genericPush(buf: Buffer, final: boolean): void {
    if (!this.generic) {
      this.generic = {
        parser: new CsvParser({ line: this.line, bom: false, maxRecordBytes: this.maxRecordBytes }),
        decoder: new StringDecoder('utf8'),
        pending: [],
      };
    }
    const g = this.generic;
    try {
      g.parser.push(decode(g.decoder, buf), g.pending);
      if (final) {
        g.parser.push(g.decoder.end(), g.pending);
        g.parser.end(g.pending);
      }
    } catch (error) {
      throw csvError(this.file, error);
    }
    const records = g.pending;
    g.pending = [];
    for (const r of records) {
      if (r.fields.length !== this.ncols) throw columnCountError(this.file, r.line, this.ncols, r.fields.length);
      this.emitValues(r.fields, r.line);
    }
  }
}

// ---- byte-level checks (each mirrors a normalizer in lib/focus/normalize.ts) ---------------------

/** The field as the CSV parser gives it: UTF-8 text, doubled quotes undoubled. */
function fieldString(buf: Buffer, s: number, e: number, quoted: number): string {
  const v = buf.toString('utf8', s, e);
  return quoted === 2 ? v.replaceAll('""', '"') : v;
}

/** text(): '' and these spellings are null. `len` <= 4. */
function isNullToken(b: Buffer, s: number, len: number): boolean {
  const c0 = b[s] as number;
  if (len === 2) return c0 === 92 && b[s + 1] === 78; // \N
  if (len === 3) return b[s + 1] === 97 && ((c0 === 110 && b[s + 2] === 110) || (c0 === 78 && b[s + 2] === 78)); // nan NaN
  if (len !== 4) return false;
  const c1 = b[s + 1];
  const c2 = b[s + 2];
  const c3 = b[s + 3];
  if (c0 === 110) return c1 === 117 && c2 === 108 && c3 === 108; // null
  if (c0 !== 78) return false;
  if (c1 === 85) return c2 === 76 && c3 === 76; // NULL
  if (c1 === 117) return c2 === 108 && c3 === 108; // Null
  return c1 === 111 && c2 === 110 && c3 === 101; // None
}

// JavaScript's trim() also removes these non-ASCII spaces (UTF-8): U+00A0, U+1680, U+2000-200A,
// U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF.
function isSpaceSeq(a: number, b: number, c: number, len: number): boolean {
  if (len === 2) return a === 0xc2 && b === 0xa0;
  if (a === 0xe1) return b === 0x9a && c === 0x80;
  if (a === 0xe2) return (b === 0x80 && ((c >= 0x80 && c <= 0x8a) || c === 0xa8 || c === 0xa9 || c === 0xaf)) || (b === 0x81 && c === 0x9f);
  if (a === 0xe3) return b === 0x80 && c === 0x80;
  return a === 0xef && b === 0xbb && c === 0xbf;
}
function startsWithSpace(b: Buffer, s: number, e: number): boolean {
  return (
    (e - s >= 2 && isSpaceSeq(b[s] as number, b[s + 1] as number, 0, 2)) ||
    (e - s >= 3 && isSpaceSeq(b[s] as number, b[s + 1] as number, b[s + 2] as number, 3))
  );
}
function endsWithSpace(b: Buffer, s: number, e: number): boolean {
  return (
    (e - s >= 2 && isSpaceSeq(b[e - 2] as number, b[e - 1] as number, 0, 2)) ||
    (e - s >= 3 && isSpaceSeq(b[e - 3] as number, b[e - 2] as number, b[e - 1] as number, 3))
  );
}

/**
 * decimal(): [+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)? -- 0: not a decimal or out of decimal()'s
 * range, 1: valid without an exponent, 2: valid with one (checked and encoded from its exact
 * scaled form instead).
 */
function plainDecimal(b: Buffer, s: number, e: number): 0 | 1 | 2 {
  let i = s;
  if (b[i] === 43 || b[i] === 45) i++;
  const intStart = i;
  while (i < e && isDigit(b, i)) i++;
  const intEnd = i;
  let digits = i - intStart;
  let fracDigits = 0;
  if (i < e && b[i] === 46) {
    i++;
    const fracStart = i;
    while (i < e && isDigit(b, i)) i++;
    fracDigits = i - fracStart;
    digits += fracDigits;
  }
  if (digits === 0) return 0;
  if (i === e) {
    // decimal()'s range: up to AMOUNT_DIGITS digits before the point (leading zeros aside) and after it.
    if (e - s <= AMOUNT_DIGITS) return 1;
    let lead = intStart;
    while (lead < intEnd && b[lead] === 48) lead++;
    return intEnd - lead <= AMOUNT_DIGITS && fracDigits <= AMOUNT_DIGITS ? 1 : 0;
  }
  if (b[i] !== 101 && b[i] !== 69) return 0;
  i++;
  if (i < e && (b[i] === 43 || b[i] === 45)) i++;
  const expStart = i;
  while (i < e && isDigit(b, i)) i++;
  return i > expStart && i === e ? 2 : 0;
}

const DAYS_IN_MONTH = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const digit = (b: Buffer, i: number) => (b[i] as number) - 48;
const isDigit = (b: Buffer, i: number) => (b[i] as number) >= 48 && (b[i] as number) <= 57;

const TS_DIGITS = Int32Array.from([0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]);

/** `YYYY-MM-DDTHH:MM:SSZ` with a valid date and time: timestamp() returns it unchanged. */
function isCanonicalTimestamp(b: Buffer, s: number): boolean {
  if (b[s + 4] !== 45 || b[s + 7] !== 45 || b[s + 10] !== 84 || b[s + 13] !== 58 || b[s + 16] !== 58 || b[s + 19] !== 90) return false;
  for (let i = 0; i < TS_DIGITS.length; i++) if (!isDigit(b, s + (TS_DIGITS[i] as number))) return false;
  const y = digit(b, s) * 1000 + digit(b, s + 1) * 100 + digit(b, s + 2) * 10 + digit(b, s + 3);
  const mo = digit(b, s + 5) * 10 + digit(b, s + 6);
  const d = digit(b, s + 8) * 10 + digit(b, s + 9);
  if (y < 1000 || mo < 1 || mo > 12 || d < 1) return false; // timestamp() writes years below 1000 without leading zeros
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  if (d > (mo === 2 && !leap ? 28 : (DAYS_IN_MONTH[mo] as number))) return false;
  return digit(b, s + 11) * 10 + digit(b, s + 12) <= 23 && digit(b, s + 14) <= 5 && digit(b, s + 17) <= 5;
}

/** regionId() leaves lower-case letters, digits, '-' and '_' unchanged, except 'unassigned' and 'all' (null). */
function isPlainRegion(b: Buffer, s: number, e: number): boolean {
  for (let i = s; i < e; i++) {
    const c = b[i] as number;
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 95)) return false;
  }
  const len = e - s;
  if (len === 3) return !(b[s] === 97 && b[s + 1] === 108 && b[s + 2] === 108);
  if (len === 10) return b.toString('latin1', s, e) !== 'unassigned';
  return true;
}

const isUpper = (c: number) => c >= 65 && c <= 90;

function writeNull(out: Buffer, o: number): number {
  out[o] = 0xff;
  out[o + 1] = 0xff;
  out[o + 2] = 0xff;
  out[o + 3] = 0xff;
  return o + 4;
}

function writeLength(out: Buffer, at: number, len: number): void {
  out[at] = len >>> 24;
  out[at + 1] = (len >>> 16) & 0xff;
  out[at + 2] = (len >>> 8) & 0xff;
  out[at + 3] = len & 0xff;
}

/** A text field: length word, then the bytes as they are. */
function writeBytes(b: Buffer, s: number, e: number, out: Buffer, o: number): number {
  writeLength(out, o, e - s);
  o += 4;
  if (e - s > 48) return o + b.copy(out, o, s, e);
  for (let i = s; i < e; i++) out[o++] = b[i] as number;
  return o;
}

/** A text field from a quoted CSV field with doubled quotes, undoubled. */
function writeUndoubled(b: Buffer, s: number, e: number, out: Buffer, o: number): number {
  const at = o;
  o += 4;
  for (let i = s; i < e; i++) {
    const c = b[i] as number;
    out[o++] = c;
    if (c === 34) i++;
  }
  writeLength(out, at, o - at - 4);
  return o;
}

/** A JSON string's content as JSON.stringify writes it; -1 for control characters (left to the generic path). */
function copyJsonEscaped(b: Buffer, s: number, e: number, doubled: boolean, out: Buffer, o: number): number {
  for (let i = s; i < e; i++) {
    const c = b[i] as number;
    if (c > 92) out[o++] = c;
    else if (c === 92) {
      out[o++] = 92;
      out[o++] = 92;
    } else if (c === 34) {
      out[o++] = 92;
      out[o++] = 34;
      if (doubled) i++;
    } else if (c < 32) return -1;
    else out[o++] = c;
  }
  return o;
}

/** Copies b[s, e) to out[o...]; for the short ranges of one field a loop beats Buffer#copy's call overhead. */
function copyBytes(b: Uint8Array, s: number, e: number, out: Uint8Array, o: number): number {
  for (let i = s; i < e; i++) out[o++] = b[i] as number;
  return o;
}

function sameBytes(a: Buffer, s: number, e: number, b: Buffer): boolean {
  if (e - s !== b.length) return false;
  for (let i = 0; i < b.length; i++) if (a[s + i] !== b[i]) return false;
  return true;
}
