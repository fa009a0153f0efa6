/**
 * The cost_daily rollup computed while rows stream to PostgreSQL, so the database does not scan
 * and hash-aggregate the fresh rows again after the COPY. Groups and sums are exactly what the SQL
 * rollup in pipeline.ts produces (`refreshDailyRollup`): the same group columns, null group values
 * as '', sums of numeric with the largest scale of their inputs, as PostgreSQL's sum(numeric) has.
 * The pipeline's tests compare the two on the same files. DecimalSum is the hot-path sum that
 * lib/decimal.ts's header names: safe integers while they suffice, its BigInt functions beyond.
 */
import { fromScaled, toScaled } from '../decimal';
import { esc } from './copy-text';

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
        this.addBig(Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('latin1'));
        return;
      }
      m = m * 10 + (c - 48);
      if (dot) scale++;
    }
    if (m > Number.MAX_SAFE_INTEGER) {
      this.addBig(Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('latin1'));
      return;
    }
    this.addScaled(neg ? -m : m, scale);
  }

  addString(value: string): void {
    // Plain decimals ('-12.345', as PostgreSQL prints numeric) take the safe-integer path.
    const n = value.length;
    if (n > 0 && n < 16) {
      let i = value.charCodeAt(0) === 45 ? 1 : 0;
      const neg = i === 1;
      let m = 0;
      let scale = 0;
      let dot = false;
      let ok = i < n;
      for (; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c === 46 && !dot) {
          dot = true;
          continue;
        }
        if (c < 48 || c > 57) {
          ok = false;
          break;
        }
        m = m * 10 + (c - 48);
        if (dot) scale++;
      }
      if (ok) {
        this.addScaled(neg ? -m : m, scale);
        return;
      }
    }
    this.addBig(value);
  }

  private addBig(value: string): void {
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
    const k = f - this.scale;
    if (this.big === 0n && k < POW10.length) {
      const scaled = this.small * (POW10[k] as number);
      if (Number.isSafeInteger(scaled)) {
        this.small = scaled;
        this.scale = f;
        return;
      }
    }
    this.big = (this.big + BigInt(this.small)) * 10n ** BigInt(k);
    this.small = 0;
    this.scale = f;
  }

  /** The sum, or null when nothing was added (as sum() over only nulls). */
  value(): string | null {
    return this.seen ? fromScaled(this.big + BigInt(this.small), this.scale) : null;
  }
}

interface Group {
  /** The group's values: date, billing period day (10 bytes each), then each key value as [length (2 bytes)][UTF-8] or [ff ff] for null. */
  key: Buffer;
  /** The next group with the same hash. */
  next: Group | null;
  /** One sum per spec measure. */
  sums: DecimalSum[];
  effectiveMissing: number;
  lineItems: number;
}

/** One group column of a rollup: a cost_line_items column; `blankForNull`: a null is stored as '' (NOT NULL DEFAULT ''). */
export interface RollupKeyColumn {
  readonly column: string;
  readonly blankForNull: boolean;
}

/** Every amount a rollup can sum, in the slot order of Measures. */
export const ALL_MEASURES = ['billed_cost', 'effective_cost', 'list_cost', 'contracted_cost', 'consumed_quantity'] as const;
export type MeasureColumn = (typeof ALL_MEASURES)[number];

/**
 * A rollup of cost_line_items: grouped by the UTC charge day (`day`) or month (`month`, its first
 * day), the UTC billing period day and `key`, summing `measures`, counting rows and rows without an
 * effective cost. The streamed rollup (StreamRollup), the SQL rollup (rollupSelectSql) and the
 * tests all read it.
 */
export interface RollupSpec {
  readonly table: string;
  readonly date: 'day' | 'month';
  readonly key: readonly RollupKeyColumn[];
  readonly measures: readonly MeasureColumn[];
}

/**
 * The daily rollup's key, the one place it is written: cost_daily groups cost_line_items by UTC
 * charge day, UTC billing period day and these columns, in cost_daily's column order.
 * The streaming rollup below, focus-fast.ts (which key bytes it hands over), the pipeline's SQL rollup
 * (ROLLUP_SELECT_SQL) and the tests' helper (tests/helpers/rollup.ts) all read it;
 * daily-rollup-schema.integration.test.ts checks it against the table.
 */
export const ROLLUP_KEY = [
  { column: 'provider_name', blankForNull: false },
  { column: 'billing_account_id', blankForNull: true },
  { column: 'sub_account_id', blankForNull: true },
  { column: 'sub_account_name', blankForNull: true },
  { column: 'service_name', blankForNull: true },
  { column: 'service_category', blankForNull: true },
  { column: 'region_id', blankForNull: true },
  { column: 'region_name', blankForNull: true },
  { column: 'charge_category', blankForNull: false },
  { column: 'billing_currency', blankForNull: false },
] as const satisfies readonly RollupKeyColumn[];
/** Group columns after day and billing period, in cost_daily order. */
export const KEY_COLUMNS = ROLLUP_KEY.map((k) => k.column);
/** The summed columns of cost_daily, in the order of Measures. */
export const MEASURE_COLUMNS = [
  'billed_cost',
  'effective_cost',
  'list_cost',
  'contracted_cost',
] as const satisfies readonly MeasureColumn[];

export const DAILY_SPEC: RollupSpec = { table: 'cost_daily', date: 'day', key: ROLLUP_KEY, measures: MEASURE_COLUMNS };

/**
 * The explorer's finest rollup (migration 0018): per UTC charge month, every dimension the explorer
 * groups or filters by, resource and normalized tags included. Bills at a daily or hourly grain per
 * resource shrink 30–700× here, so a month of any grouping reads this instead of the line items.
 * Streamed like cost_daily (focus-fast.ts hands the normalized tags' JSON as the last key value).
 */
export const MONTHLY_DETAIL_KEY = [
  { column: 'provider_name', blankForNull: false },
  { column: 'billing_account_id', blankForNull: true },
  { column: 'sub_account_id', blankForNull: true },
  { column: 'service_name', blankForNull: true },
  { column: 'service_category', blankForNull: true },
  { column: 'region_id', blankForNull: true },
  { column: 'availability_zone', blankForNull: true },
  { column: 'sku_id', blankForNull: true },
  { column: 'charge_category', blankForNull: false },
  { column: 'pricing_category', blankForNull: true },
  { column: 'commitment_discount_id', blankForNull: true },
  { column: 'resource_id', blankForNull: true },
  { column: 'resource_name', blankForNull: true },
  { column: 'billing_currency', blankForNull: false },
  { column: 'consumed_unit', blankForNull: true },
  { column: 'tags_normalized', blankForNull: false },
] as const satisfies readonly RollupKeyColumn[];

export const MONTHLY_DETAIL_SPEC: RollupSpec = {
  table: 'cost_monthly_detail',
  date: 'month',
  key: MONTHLY_DETAIL_KEY,
  measures: ALL_MEASURES,
};

/** A rollup's columns as its rows are COPYed and selected. */
export function rollupColumns(spec: RollupSpec): string[] {
  return [
    spec.date,
    'source_id',
    'billing_period_start',
    ...spec.key.map((k) => k.column),
    ...spec.measures,
    'effective_cost_missing',
    'line_items',
  ];
}

/**
 * The rollup in SQL over cost_line_items: select expressions in rollupColumns order, each named after
 * its column, to be grouped by rollupGroupBySql. Built from the constant identifiers above only
 * (nothing from input reaches it).
 */
export function rollupSelectSql(spec: RollupSpec): string {
  const date =
    spec.date === 'day'
      ? "(charge_period_start AT TIME ZONE 'UTC')::date AS day"
      : "date_trunc('month', charge_period_start AT TIME ZONE 'UTC')::date AS month";
  return [
    date,
    'source_id',
    "(billing_period_start AT TIME ZONE 'UTC')::date AS billing_period_start",
    ...spec.key.map((k) => (k.blankForNull ? `coalesce(${k.column}, '') AS ${k.column}` : k.column)),
    ...spec.measures.map((c) => `sum(${c}) AS ${c}`),
    'count(*) FILTER (WHERE effective_cost IS NULL) AS effective_cost_missing',
    'count(*) AS line_items',
  ].join(', ');
}

/** GROUP BY positions of rollupSelectSql: date, source, billing period and the key. */
export function rollupGroupBySql(spec: RollupSpec): string {
  return Array.from({ length: 3 + spec.key.length }, (_, i) => i + 1).join(', ');
}

/** cost_daily's columns as rollup rows are COPYed. */
export const DAILY_COPY_COLUMNS = rollupColumns(DAILY_SPEC);
export const ROLLUP_SELECT_SQL = rollupSelectSql(DAILY_SPEC);
export const ROLLUP_GROUP_BY_SQL = rollupGroupBySql(DAILY_SPEC);

/** One row's amounts (ALL_MEASURES slots), each null, a decimal string, or decimal text in a byte range. */
export class Measures {
  readonly kind = new Uint8Array(ALL_MEASURES.length); // 0 null, 1 bytes, 2 string
  readonly buf: (Uint8Array | null)[] = ALL_MEASURES.map(() => null);
  readonly start = new Int32Array(ALL_MEASURES.length);
  readonly end = new Int32Array(ALL_MEASURES.length);
  readonly text: (string | null)[] = ALL_MEASURES.map(() => null);

  setNull(m: number): void {
    this.kind[m] = 0;
  }
  setBytes(m: number, b: Uint8Array, s: number, e: number): void {
    this.kind[m] = 1;
    this.buf[m] = b;
    this.start[m] = s;
    this.end[m] = e;
  }
  setString(m: number, v: string | null): void {
    if (v === null) this.kind[m] = 0;
    else {
      this.kind[m] = 2;
      this.text[m] = v;
    }
  }
  addTo(m: number, sum: DecimalSum): boolean {
    const k = this.kind[m];
    if (k === 1) sum.addBytes(this.buf[m] as Uint8Array, this.start[m] as number, this.end[m] as number);
    else if (k === 2) sum.addString(this.text[m] as string);
    return k !== 0;
  }
}

const FNV_PRIME = 0x01000193;
const EFFECTIVE_SLOT = ALL_MEASURES.indexOf('effective_cost');

/**
 * Aggregates rows into a rollup's groups. A row is given as begin(), one part per key value, then
 * finish() with its amounts. `maxGroups` bounds its memory: a file with more groups stops
 * aggregating (`overflowed`) and the pipeline falls back to the SQL rollup.
 */
export class StreamRollup {
  /** Groups by a 32-bit FNV-1a hash of their key bytes, chained on collision: no string per row. */
  private readonly groups = new Map<number, Group>();
  private count = 0;
  private key = Buffer.allocUnsafe(4096);
  private n = 0;
  private h = 0;
  overflowed = false;
  private readonly slots: number[];
  private readonly blankForNull: boolean[];
  private readonly monthly: boolean;

  constructor(
    readonly spec: RollupSpec,
    private readonly maxGroups = 100_000,
  ) {
    this.slots = spec.measures.map((m) => ALL_MEASURES.indexOf(m));
    this.blankForNull = spec.key.map((k) => k.blankForNull);
    this.monthly = spec.date === 'month';
  }

  get size(): number {
    return this.count;
  }

  /** Starts a row charged on `day` (YYYY-MM-DD) of the billing period starting on `periodDay`. */
  begin(day: string, periodDay: string): void {
    let h = 0x811c9dc5;
    const k = this.key;
    for (let i = 0; i < 10; i++) {
      // A monthly rollup keys the month's first day.
      const c = this.monthly && i >= 8 ? (i === 8 ? 48 : 49) : day.charCodeAt(i);
      k[i] = c;
      h = Math.imul(h ^ c, FNV_PRIME);
    }
    for (let i = 0; i < 10; i++) {
      const c = periodDay.charCodeAt(i);
      k[10 + i] = c;
      h = Math.imul(h ^ c, FNV_PRIME);
    }
    this.n = 20;
    this.h = h;
  }

  /** The next key value: UTF-8 bytes b[s, e). */
  part(b: Uint8Array, s: number, e: number): void {
    const len = e - s;
    if (len >= 0xffff) {
      this.overflow();
      return;
    }
    if (this.n + len + 2 > this.key.length) {
      const grown = Buffer.allocUnsafe((this.n + len + 2) * 2);
      this.key.copy(grown, 0, 0, this.n);
      this.key = grown;
    }
    const k = this.key;
    let n = this.n;
    let h = this.h;
    k[n++] = len >> 8;
    k[n++] = len & 0xff;
    h = Math.imul(Math.imul(h ^ (len >> 8), FNV_PRIME) ^ (len & 0xff), FNV_PRIME);
    for (let i = s; i < e; i++) {
      const c = b[i] as number;
      k[n++] = c;
      h = Math.imul(h ^ c, FNV_PRIME);
    }
    this.n = n;
    this.h = h;
  }

  partNull(): void {
    if (this.n + 2 > this.key.length) this.part(this.key, 0, 0); // grows
    this.key[this.n++] = 0xff;
    this.key[this.n++] = 0xff;
    this.h = Math.imul(Math.imul(this.h ^ 0xff, FNV_PRIME) ^ 0xff, FNV_PRIME);
  }

  partString(v: string | null | undefined): void {
    if (v == null) this.partNull();
    else {
      const b = Buffer.from(v, 'utf8');
      this.part(b, 0, b.length);
    }
  }

  finish(m: Measures): void {
    if (this.overflowed) return;
    const k = this.key;
    const n = this.n;
    const head = this.groups.get(this.h) ?? null;
    let g = head;
    while (g !== null && !sameKey(g.key, k, n)) g = g.next;
    if (g === null) {
      if (this.count >= this.maxGroups) {
        this.overflow();
        return;
      }
      g = {
        key: Buffer.from(k.subarray(0, n)),
        next: head,
        sums: this.slots.map(() => new DecimalSum()),
        effectiveMissing: 0,
        lineItems: 0,
      };
      this.groups.set(this.h, g);
      this.count++;
    }
    g.lineItems++;
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) m.addTo(slots[i] as number, g.sums[i] as DecimalSum);
    if (m.kind[EFFECTIVE_SLOT] === 0) g.effectiveMissing++;
  }

  private overflow(): void {
    this.overflowed = true;
    this.groups.clear();
    this.count = 0;
  }

  private *all(): Generator<Group> {
    for (const head of this.groups.values()) for (let g: Group | null = head; g; g = g.next) yield g;
  }

  /** The dates (YYYY-MM-DD: days, or months' first days) the groups cover. */
  days(): Set<string> {
    const out = new Set<string>();
    for (const g of this.all()) out.add(g.key.toString('latin1', 0, 10));
    return out;
  }

  /** The rollup's rows as COPY text (rollupColumns), in chunks of about `chunkBytes`. */
  *copyText(sourceId: number, chunkBytes = 1 << 20): Generator<Buffer> {
    let chunk = '';
    const blank = this.blankForNull;
    for (const g of this.all()) {
      const k = g.key;
      let line = `${k.toString('latin1', 0, 10)}\t${sourceId}\t${k.toString('latin1', 10, 20)}`;
      let p = 20;
      for (let i = 0; i < blank.length; i++) {
        const len = ((k[p] as number) << 8) | (k[p + 1] as number);
        p += 2;
        if (len === 0xffff) {
          // Null: the nullable group columns are stored as '' (coalesce in the SQL rollup).
          line += blank[i] ? '\t' : '\t\\N';
          continue;
        }
        line += `\t${esc(k.toString('utf8', p, p + len))}`;
        p += len;
      }
      for (const sum of g.sums) line += `\t${sum.value() ?? '\\N'}`;
      chunk += `${line}\t${g.effectiveMissing}\t${g.lineItems}\n`;
      if (chunk.length >= chunkBytes) {
        yield Buffer.from(chunk, 'utf8');
        chunk = '';
      }
    }
    if (chunk) yield Buffer.from(chunk, 'utf8');
  }
}

/** cost_daily's streamed rollup. */
export class DailyRollup extends StreamRollup {
  constructor(maxGroups = 100_000) {
    super(DAILY_SPEC, maxGroups);
  }
}

function sameKey(a: Buffer, k: Buffer, n: number): boolean {
  // memcmp: a monthly detail key is a few hundred bytes, and nearly every row matches a group.
  return a.length === n && a.compare(k, 0, n) === 0;
}
