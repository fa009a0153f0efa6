/**
 * The cost_daily rollup computed while rows stream to PostgreSQL, so the database does not scan
 * and hash-aggregate the fresh rows again after the COPY. Groups and sums are exactly what the SQL
 * rollup in pipeline.ts produces (`refreshDailyRollup`): the same group columns, null group values
 * as '', sums of numeric with the largest scale of their inputs, as PostgreSQL's sum(numeric) has.
 * The pipeline's tests compare the two on the same files.
 */
import { fromScaled, toScaled } from '../focus/normalize';
import { copyColumnIndex } from './copy-text';

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k); // exact in doubles up to 1e22

/**
 * An exact sum of decimal strings: a safe-integer fast path (most values have < 16 digits), spilling
 * to a BigInt when the running sum would leave the exactly representable range.
 */
export class DecimalSum {
  private scale = 0;
  private small = 0;
  private big = 0n;
  private seen = false;

  /** Adds the decimal written as ASCII in `b[s, e)` (optional '-', digits, optional '.', optional exponent). */
  addBytes(b: Uint8Array, s: number, e: number): void {
    let i = s;
    const neg = b[i] === 45;
    if (neg) i++;
    let m = 0;
    let scale = 0;
    let dot = false;
    for (; i < e; i++) {
      const c = b[i] as number;
      if (c === 46) {
        dot = true;
        continue;
      }
      if (c > 57 || c < 48) {
        this.addString(Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('latin1'));
        return;
      }
      m = m * 10 + (c - 48);
      if (dot) scale++;
    }
    if (m > Number.MAX_SAFE_INTEGER) {
      this.addString(Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('latin1'));
      return;
    }
    this.addScaled(neg ? -m : m, scale);
  }

  addString(value: string): void {
    const [mant, scale] = toScaled(value);
    this.seen = true;
    if (scale > this.scale) this.rescale(scale);
    this.big += mant * 10n ** BigInt(this.scale - scale);
  }

  private addScaled(m: number, f: number): void {
    this.seen = true;
    if (f > this.scale) this.rescale(f);
    else if (f < this.scale) {
      const k = this.scale - f;
      const scaled = k < POW10.length ? m * (POW10[k] as number) : Number.POSITIVE_INFINITY;
      if (!Number.isSafeInteger(scaled)) {
        this.big += BigInt(m) * 10n ** BigInt(k);
        return;
      }
      m = scaled;
    }
    const sum = this.small + m;
    if (Number.isSafeInteger(sum)) this.small = sum;
    else {
      this.big += BigInt(this.small) + BigInt(m);
      this.small = 0;
    }
  }

  private rescale(f: number): void {
    this.big = (this.big + BigInt(this.small)) * 10n ** BigInt(f - this.scale);
    this.small = 0;
    this.scale = f;
  }

  /** The sum, or null when nothing was added (as sum() over only nulls). */
  value(): string | null {
    return this.seen ? fromScaled(this.big + BigInt(this.small), this.scale) : null;
  }
}

interface Group {
  /** The group's values as COPY text, tab-separated: day, billing period day, then KEY_COLUMNS. */
  key: Buffer;
  /** The next group with the same hash. */
  next: Group | null;
  billed: DecimalSum;
  effective: DecimalSum;
  list: DecimalSum;
  contracted: DecimalSum;
  effectiveMissing: number;
  lineItems: number;
}

// Positions, in a cost_line_items COPY line, of what the rollup reads.
const COL = {
  provider: copyColumnIndex('provider_name'),
  billingAccountId: copyColumnIndex('billing_account_id'),
  subAccountId: copyColumnIndex('sub_account_id'),
  subAccountName: copyColumnIndex('sub_account_name'),
  billingPeriodStart: copyColumnIndex('billing_period_start'),
  chargePeriodStart: copyColumnIndex('charge_period_start'),
  chargeCategory: copyColumnIndex('charge_category'),
  serviceName: copyColumnIndex('service_name'),
  serviceCategory: copyColumnIndex('service_category'),
  regionId: copyColumnIndex('region_id'),
  regionName: copyColumnIndex('region_name'),
  currency: copyColumnIndex('billing_currency'),
  list: copyColumnIndex('list_cost'),
  contracted: copyColumnIndex('contracted_cost'),
  billed: copyColumnIndex('billed_cost'),
  effective: copyColumnIndex('effective_cost'),
};
/** Group columns after day and billing period, in cost_daily order; the first and the last two are NOT NULL. */
const KEY_COLUMNS = [
  COL.provider,
  COL.billingAccountId,
  COL.subAccountId,
  COL.subAccountName,
  COL.serviceName,
  COL.serviceCategory,
  COL.regionId,
  COL.regionName,
  COL.chargeCategory,
  COL.currency,
];

/** cost_daily's columns as rollup rows are COPYed. */
export const DAILY_COPY_COLUMNS = [
  'day',
  'source_id',
  'billing_period_start',
  'provider_name',
  'billing_account_id',
  'sub_account_id',
  'sub_account_name',
  'service_name',
  'service_category',
  'region_id',
  'region_name',
  'charge_category',
  'billing_currency',
  'billed_cost',
  'effective_cost',
  'list_cost',
  'contracted_cost',
  'effective_cost_missing',
  'line_items',
] as const;

/**
 * Aggregates cost_line_items COPY lines into cost_daily groups. `maxGroups` bounds its memory: a
 * file with more groups than that stops aggregating (`overflowed`), and the pipeline falls back to
 * the SQL rollup.
 */
export class DailyRollup {
  /** Groups by a 32-bit FNV-1a hash of their key bytes, chained on collision: no string per row. */
  private readonly groups = new Map<number, Group>();
  private count = 0;
  private key = Buffer.allocUnsafe(4096);
  overflowed = false;

  constructor(private readonly maxGroups = 100_000) {}

  get size(): number {
    return this.count;
  }

  /**
   * Adds one COPY line. `col[i]` is where column i starts in `line` (`col[i + 1] - 1` is where it
   * ends: the tab before the next column or the newline). `day` and `periodDay` are the UTC days of
   * charge_period_start and billing_period_start.
   */
  add(line: Buffer, col: Int32Array, day: string, periodDay: string): void {
    if (this.overflowed) return;
    let k = this.key;
    let need = day.length + periodDay.length + KEY_COLUMNS.length + 1;
    for (const c of KEY_COLUMNS) need += (col[c + 1] as number) - (col[c] as number);
    if (need > k.length) k = this.key = Buffer.allocUnsafe(need * 2);
    let h = 0x811c9dc5;
    let n = 0;
    for (let i = 0; i < day.length; i++) {
      const c = day.charCodeAt(i);
      k[n++] = c;
      h = Math.imul(h ^ c, 0x01000193);
    }
    k[n++] = 9;
    for (let i = 0; i < periodDay.length; i++) {
      const c = periodDay.charCodeAt(i);
      k[n++] = c;
      h = Math.imul(h ^ c, 0x01000193);
    }
    for (let x = 0; x < KEY_COLUMNS.length; x++) {
      const column = KEY_COLUMNS[x] as number;
      k[n++] = 9;
      h = Math.imul(h ^ 9, 0x01000193);
      const e = (col[column + 1] as number) - 1;
      for (let i = col[column] as number; i < e; i++) {
        const c = line[i] as number;
        k[n++] = c;
        h = Math.imul(h ^ c, 0x01000193);
      }
    }
    const head = this.groups.get(h) ?? null;
    let g = head;
    while (g !== null && !sameKey(g.key, k, n)) g = g.next;
    if (g === null) {
      if (this.count >= this.maxGroups) {
        this.overflowed = true;
        this.groups.clear();
        this.count = 0;
        return;
      }
      g = {
        key: Buffer.from(k.subarray(0, n)),
        next: head,
        billed: new DecimalSum(),
        effective: new DecimalSum(),
        list: new DecimalSum(),
        contracted: new DecimalSum(),
        effectiveMissing: 0,
        lineItems: 0,
      };
      this.groups.set(h, g);
      this.count++;
    }
    g.lineItems++;
    sumInto(g.billed, line, col, COL.billed);
    if (!sumInto(g.effective, line, col, COL.effective)) g.effectiveMissing++;
    sumInto(g.list, line, col, COL.list);
    sumInto(g.contracted, line, col, COL.contracted);
  }

  private *all(): Generator<Group> {
    for (const head of this.groups.values()) for (let g: Group | null = head; g; g = g.next) yield g;
  }

  /** The days (YYYY-MM-DD) the groups cover. */
  days(): Set<string> {
    const out = new Set<string>();
    for (const g of this.all()) out.add(g.key.toString('latin1', 0, 10));
    return out;
  }

  /** cost_daily rows as COPY text (DAILY_COPY_COLUMNS), in chunks of about `chunkBytes`. */
  *copyText(sourceId: number, chunkBytes = 1 << 20): Generator<Buffer> {
    let chunk = '';
    for (const g of this.all()) {
      // Bytes as latin1 characters, one each, so that UTF-8 values come back out unchanged.
      const f = g.key.toString('latin1').split('\t');
      // Group values are COPY-escaped already; the nullable ones are stored as '' (coalesce in the SQL rollup).
      for (let i = 3; i <= 9; i++) if (f[i] === '\\N') f[i] = '';
      chunk += `${f[0]}\t${sourceId}\t${f.slice(1).join('\t')}\t${g.billed.value()}\t${g.effective.value() ?? '\\N'}\t${
        g.list.value() ?? '\\N'
      }\t${g.contracted.value() ?? '\\N'}\t${g.effectiveMissing}\t${g.lineItems}\n`;
      if (chunk.length >= chunkBytes) {
        yield Buffer.from(chunk, 'latin1');
        chunk = '';
      }
    }
    if (chunk) yield Buffer.from(chunk, 'latin1');
  }
}

function sameKey(a: Buffer, k: Buffer, n: number): boolean {
  if (a.length !== n) return false;
  for (let i = 0; i < n; i++) if (a[i] !== k[i]) return false;
  return true;
}

/** Adds column `c` of the line to `sum` unless it is \N; returns whether it was a value. */
function sumInto(sum: DecimalSum, line: Buffer, col: Int32Array, c: number): boolean {
  const s = col[c] as number;
  const e = (col[c + 1] as number) - 1;
  if (e - s === 2 && line[s] === 92 && line[s + 1] === 78) return false;
  sum.addBytes(line, s, e);
  return true;
}
