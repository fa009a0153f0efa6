import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { bumpDataVersion } from '../cache/data-version';
import { getPool, withTransaction } from '../db/pool';
import type { RunHandle } from '../db/run-lock';
import { readEnv } from '../env';
import type { CostRow } from '../focus/columns';
import { detectFocusDataset, type FocusDatasetId } from '../focus/datasets';
import { timestamp, utcDay } from '../focus/normalize';
import { CopyLines, copyChunks } from './copy-stream';
import { COPY_COLUMNS, serializeRow } from './copy-text';
import { DAILY_COPY_COLUMNS, type DailyRollup, ROLLUP_GROUP_BY_SQL, ROLLUP_SELECT_SQL, type StreamRollup } from './daily-rollup';
import { refreshDerivedRollups, refreshMonthlyDetail, replaceMonthlyDetail } from './explorer-rollups';
import { type DatasetTotal, ingestFocusDataset } from './focus-datasets';
import { FocusCopyFeed, type FocusFastPlan, planFocusFastPath } from './focus-fast';
import { mapRecord } from './map-record';
import { detectReader, readerFor } from './readers';
import { lockSourceForIngest } from './replace';
import { providerSlug, runFileName, sha256File, startRun, totalBytes, upsertSource } from './runs';
import { openMultiPartSource, type RecordSource } from './source';
import { type FormatId, type FormatReader, IngestError, type MapperContext, type RecordMapper } from './types';

export interface IngestProgress {
  file: string;
  bytesRead: number;
  totalBytes: number;
  rows: number;
  phase: 'reading' | 'replacing' | 'done';
}

export interface CurrencyTotal {
  currency: string;
  rows: number;
  billedCost: string;
  /** Null when no row of this currency had an effective cost. */
  effectiveCost: string | null;
  /** Rows the export gave no effective cost for (they are not counted as zero). */
  effectiveCostMissing: number;
  listCost: string | null;
}

export interface IngestSummary {
  runId: string;
  sourceId: number;
  sourceName: string;
  file: string;
  format: FormatId;
  /** Azure's cost dataset, or the supporting FOCUS dataset the file was (null: FOCUS Cost and Usage or another format). */
  dataset: 'actual' | 'amortized' | FocusDatasetId | null;
  checksum: string | null;
  rows: number;
  /** Rows of earlier ingests (same source and billing periods) that this file replaced. */
  replacedRows: number;
  billingPeriods: string[];
  days: number;
  /** Cost and Usage totals; empty for a supporting FOCUS dataset, whose sums are in datasetTotals. */
  totals: CurrencyTotal[];
  /** Supporting FOCUS datasets only: the sum of each amount column per currency. */
  datasetTotals?: DatasetTotal[];
  durationMs: number;
  /** Where the time went (ms): streaming the file through COPY, then the steps of the swap. */
  phases: { copyMs: number; totalsMs: number; replaceMs: number; rollupMs: number };
}

export interface IngestOptions {
  file: string;
  /**
   * Further files of the same delivery (e.g. the parts a CUR manifest lists), ingested with
   * `file` as one unit: one transaction, one run, one replacement of each billing period.
   */
  parts?: string[];
  format?: FormatId | 'auto';
  /** Billing source the rows belong to; defaults to "<format>:<billing account of the first row>". */
  sourceName?: string;
  /** Azure only; defaults to 'amortized' when the file name says so, else 'actual'. */
  dataset?: 'actual' | 'amortized';
  onProgress?: (progress: IngestProgress) => void;
  /**
   * Billing periods (YYYY-MM-DD) the delivery covers, as its manifest or layout declares them.
   * They are replaced even when the file has no rows for them, so a restatement that arrives
   * empty clears its month instead of leaving the old rows. Periods of the rows are always replaced.
   */
  billingPeriods?: string[];
  /**
   * FOCUS CSV only: false forces the generic parser and mapper instead of the byte-level fast path
   * (both store the same rows; tests compare them).
   */
  fastPath?: boolean;
  /** The longest CSV record accepted, in bytes; defaults to BURNRATE_MAX_RECORD_BYTES (README, Limits). */
  maxRecordBytes?: number;
  /** The largest Parquet page read, bytes (row groups are read in slices sized from it); defaults to BURNRATE_MAX_ROW_GROUP_BYTES, else a share of the heap. */
  maxRowGroupBytes?: number;
}

const PEEK_ROWS = 4096;

/**
 * Streams one billing export into cost_line_items and replaces, in one transaction, every row the
 * same source had for the billing periods the file covers. Either the whole file lands (rows,
 * replaced periods, daily rollup, run record) or nothing does: on any error the transaction is
 * rolled back and only the failed run is recorded.
 */
export async function ingestFile(options: IngestOptions): Promise<IngestSummary> {
  const started = Date.now();
  const file = options.file;
  const files = [file, ...(options.parts ?? [])];
  const env = readEnv();
  const limits = {
    maxRecordBytes: options.maxRecordBytes ?? env.BURNRATE_MAX_RECORD_BYTES,
    maxRowGroupBytes: options.maxRowGroupBytes ?? env.BURNRATE_MAX_ROW_GROUP_BYTES,
  };
  let source: (RecordSource & { currentFile(): string }) | null = null;
  let run: RunHandle | null = null;
  let runId: string | null = null;
  let reader: FormatReader | null = null;
  let delegated = false;
  let fast: FocusCopyFeed | null = null;
  try {
    source = await openMultiPartSource(files, limits);
    const declared = declaredPeriods(file, options.billingPeriods);
    // Contract Commitment, Invoice Detail and Billing Period files have tables of their own.
    const focusDataset = ['auto', 'focus'].includes(options.format ?? 'auto') ? detectFocusDataset(source.headers) : null;
    if (focusDataset) {
      delegated = true; // it records its own run
      const { sourceName, onProgress } = options;
      return await ingestFocusDataset({ dataset: focusDataset, source, files, sourceName, declaredPeriods: declared, started, onProgress });
    }
    reader = pickReader(file, source.headers, options.format ?? 'auto');
    const dataset =
      reader.id === 'azure' ? (options.dataset ?? (/amorti[sz]ed/i.test(path.basename(file)) ? 'amortized' : 'actual')) : null;
    const ctx: MapperContext = { file, dataset: dataset ?? undefined };
    const mapper = reader.createMapper(source.headers, ctx);
    const plan =
      options.fastPath !== false && reader.id === 'focus' && source.kind !== 'parquet' ? planFocusFastPath(source.headers) : null;

    // Peek: the first rows tell the billing account (default source name) and the months that
    // need partitions, which are created before the ingest transaction takes its locks.
    let first: CostRow | undefined;
    let generic: { rows: AsyncGenerator<Mapped[]>; peeked: Mapped[] } | null = null;
    if (plan) {
      first = await firstRow(source, mapper);
      await source.close();
    } else {
      const rows = mapRecords(source, mapper);
      const peeked: Mapped[] = [];
      while (peeked.length < PEEK_ROWS) {
        const next = await rows.next();
        if (next.done) break;
        peeked.push(...next.value);
      }
      first = peeked[0]?.row;
      generic = { rows, peeked };
    }
    const sourceName = options.sourceName ?? `${reader.id}:${first?.billing_account_id ?? first?.provider_name ?? 'unknown'}`;
    const provider = providerOf(reader, first);
    const pool = getPool();
    const sourceId = await upsertSource(pool, sourceName, provider);
    run = await startRun(pool, sourceId, files, reader.id, dataset);
    runId = run.id;
    let feed: CopyFeed;
    if (generic) {
      feed = new GenericFeed(generic.peeked, generic.rows, `${sourceId}\t${runId}\t`, source);
    } else {
      const sizes = await Promise.all(files.map(async (f) => (await stat(f)).size));
      fast = new FocusCopyFeed(files, sizes, plan as FocusFastPlan, mapper, sourceId, runId, undefined, limits.maxRecordBytes);
      await fast.readAhead(PEEK_ROWS);
      feed = fast;
    }
    const early = feed.seen();
    const peekMonths = new Set([...early.days].map((d) => d.slice(0, 7)));
    await ensurePartitions(pool, [...peekMonths]);

    const summary = await writeAndSwap({
      feed,
      // Replaced rows of the periods the first rows name are deleted before the COPY (cheaper); Azure's merge needs both sets.
      earlyPeriods: dataset === null ? [...new Set([...early.periods, ...declared])] : [],
      declaredPeriods: declared,
      sourceId,
      runId,
      dataset,
      file,
      totalBytes: source.totalBytes,
      onProgress: options.onProgress,
    });
    // Rows of months not seen in the peek went to the default partition; give them their own.
    const late = summary.months.filter((m) => !peekMonths.has(m));
    if (late.length) await ensurePartitions(pool, late);
    const checksum = fast ? fast.sha256() : (source.sha256() ?? (files.length === 1 ? await sha256File(file) : null));
    const durationMs = Date.now() - started;
    await pool.query('UPDATE ingest_runs SET checksum = $2, duration_ms = $3 WHERE id = $1', [runId, checksum, durationMs]);
    options.onProgress?.({ file, bytesRead: source.totalBytes, totalBytes: source.totalBytes, rows: summary.rows, phase: 'done' });
    return {
      runId,
      sourceId,
      sourceName,
      file,
      format: reader.id,
      dataset,
      checksum,
      rows: summary.rows,
      replacedRows: summary.replacedRows,
      billingPeriods: summary.billingPeriods,
      days: summary.days,
      totals: summary.totals,
      durationMs,
      phases: summary.phases,
    };
  } catch (error) {
    const err = toIngestError(error, file);
    if (!runId && !delegated && err.detail.code !== 'DATABASE') {
      await recordEarlyFailure(options, files, reader, err.message, Date.now() - started).catch(() => {});
    }
    if (runId) {
      await getPool()
        .query("UPDATE ingest_runs SET status = 'failed', error = $2, finished_at = now(), duration_ms = $3 WHERE id = $1", [
          runId,
          err.message,
          Date.now() - started,
        ])
        .catch(() => {});
    }
    throw err;
  } finally {
    await run?.release();
    await source?.close();
    await fast?.close();
  }
}

/**
 * Records the failed run of a file that failed before its run started (an unreadable header, bad
 * first rows), so that it shows like any other failure: under the source the caller named, else
 * "<format>:unknown" (the name a file without a billing account gets). Not for a missing file.
 */
async function recordEarlyFailure(
  options: IngestOptions,
  files: string[],
  reader: FormatReader | null,
  error: string,
  durationMs: number,
): Promise<void> {
  const bytes = await totalBytes(files);
  const pool = getPool();
  const name = options.sourceName ?? `${reader?.id ?? 'unknown'}:unknown`;
  const sourceId = await upsertSource(pool, name, reader ? providerOf(reader, undefined) : 'unknown');
  await pool.query(
    `INSERT INTO ingest_runs (source_id, file_name, format, bytes, status, error, finished_at, duration_ms)
     VALUES ($1, $2, $3, $4, 'failed', $5, now(), $6)`,
    [sourceId, runFileName(files), reader?.id ?? null, bytes, error, durationMs],
  );
}

/** Declared billing periods as stored (ISO timestamps, UTC midnight); a malformed one is an error naming it. */
function declaredPeriods(file: string, periods: readonly string[] | undefined): string[] {
  return (periods ?? []).map((p) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(p)) {
      throw new IngestError(`${file}: the delivery's billing period ${JSON.stringify(p)} is not a YYYY-MM-DD date`, {
        file,
        code: 'BAD_FILE',
      });
    }
    return timestamp(p) as string;
  });
}

/** The first canonical row of a source (for its default name and provider). */
async function firstRow(source: RecordSource & { currentFile(): string }, mapper: RecordMapper): Promise<CostRow | undefined> {
  for await (const batch of source.records()) {
    for (const record of batch) {
      const rows = mapRecord(mapper, record.values, record.line, source.currentFile());
      if (rows.length) return rows[0];
    }
  }
  return undefined;
}

function pickReader(file: string, headers: readonly string[], format: FormatId | 'auto'): FormatReader {
  if (format === 'auto') return detectReader(file, headers);
  const reader = readerFor(format);
  if (reader.detect(headers) === 0) {
    throw new IngestError(
      `${file}: the header row does not look like ${reader.label}. Expected columns such as: ${reader.signature.join(', ')}`,
      { file, line: 1, code: 'UNKNOWN_FORMAT' },
    );
  }
  return reader;
}

function providerOf(reader: FormatReader, first: CostRow | undefined): string {
  if (reader.id === 'aws-cur') return 'aws';
  if (reader.id === 'azure') return 'azure';
  if (reader.id === 'gcp') return 'gcp';
  return providerSlug(first?.provider_name);
}

interface Mapped {
  row: CostRow;
  line: number;
}

/** Maps record batches to canonical rows, checking mandatory values and attaching line numbers. */
async function* mapRecords(
  source: RecordSource & { currentFile(): string },
  mapper: ReturnType<FormatReader['createMapper']>,
): AsyncGenerator<Mapped[]> {
  for await (const batch of source.records()) {
    const file = source.currentFile();
    const out: Mapped[] = [];
    for (const record of batch) {
      for (const row of mapRecord(mapper, record.values, record.line, file)) out.push({ row, line: record.line });
    }
    if (out.length) yield out;
  }
}

/** Creates month partitions (each call is its own short transaction, outside any ingest). */
export async function ensurePartitions(pool: pg.Pool, months: string[]): Promise<void> {
  for (const month of [...new Set(months)].sort()) {
    if (!/^\d{4}-\d{2}$/.test(month)) continue;
    await pool.query('SELECT burnrate_ensure_month_partition($1::timestamptz)', [`${month}-01T00:00:00Z`]);
  }
}

interface WriteResult {
  rows: number;
  replacedRows: number;
  billingPeriods: string[];
  months: string[];
  days: number;
  totals: CurrencyTotal[];
  phases: IngestSummary['phases'];
}

/** COPY text for cost_line_items, chunk by chunk, with what the rows covered. */
interface CopyFeed {
  /** COPY's text format, or its binary format (header, tuples, trailer). */
  readonly format: 'text' | 'binary';
  /** The next chunk of COPY data (COPY_COLUMNS), or null at the end. */
  next(): Promise<string | Buffer | null>;
  /** Rows produced so far. */
  readonly rows: number;
  /** Billing periods (as stored) and UTC charge days of the rows produced so far. */
  seen(): { periods: ReadonlySet<string>; days: ReadonlySet<string> };
  /** The file line a COPY line (1-based) came from. */
  fileLine(copyLine: number): number | undefined;
  bytesRead(): number;
  /** cost_daily for exactly the rows produced, when computed along the way; null means run the SQL rollup. */
  dailyRollup(): DailyRollup | null;
  /** cost_monthly_detail likewise. */
  detailRollup(): StreamRollup | null;
}

/** Rows from a reader's mapper, serialized one CostRow at a time. */
class GenericFeed implements CopyFeed {
  readonly format = 'text';
  private readonly periods = new Set<string>();
  private readonly days = new Set<string>();
  private readonly lines = new CopyLines();

  constructor(
    private peeked: Mapped[],
    private readonly batches: AsyncGenerator<Mapped[]>,
    private readonly prefix: string,
    private readonly source: RecordSource,
  ) {
    for (const m of peeked) this.note(m.row);
  }

  private note(row: CostRow): void {
    this.periods.add(row.billing_period_start as string);
    this.days.add(utcDay(row.charge_period_start as string));
  }

  async next(): Promise<string | null> {
    let batch: Mapped[];
    if (this.peeked.length) {
      batch = this.peeked;
      this.peeked = [];
    } else {
      const next = await this.batches.next();
      if (next.done) return null;
      batch = next.value;
      for (const m of batch) this.note(m.row);
    }
    let chunk = '';
    for (const { row, line } of batch) {
      this.lines.add(line);
      chunk += `${this.prefix}${serializeRow(row)}\n`;
    }
    return chunk;
  }

  get rows(): number {
    return this.lines.count;
  }

  seen() {
    return { periods: this.periods, days: this.days };
  }

  fileLine(copyLine: number): number | undefined {
    return this.lines.fileLine(copyLine);
  }

  bytesRead(): number {
    return this.source.bytesRead();
  }

  dailyRollup(): null {
    return null;
  }

  detailRollup(): null {
    return null;
  }
}

async function writeAndSwap(args: {
  feed: CopyFeed;
  earlyPeriods: string[];
  declaredPeriods: string[];
  sourceId: number;
  runId: string;
  dataset: 'actual' | 'amortized' | null;
  file: string;
  totalBytes: number;
  onProgress?: (p: IngestProgress) => void;
}): Promise<WriteResult> {
  const { feed, earlyPeriods, sourceId, runId, dataset, file, totalBytes, onProgress } = args;
  const t0 = Date.now();
  return withTransaction(async (client) => {
    // The rollup's hash aggregate spills to disk with the default 4 MB.
    await client.query("SET LOCAL work_mem = '256MB'");
    // One ingest per source at a time; different sources proceed in parallel.
    await lockSourceForIngest(client, sourceId);
    // Remove the replaced rows of the periods the first rows name before the COPY, while the
    // index holds only old rows; periods first seen later are replaced after it.
    let replacedRows = await replaceBeforeCopy(client, sourceId, earlyPeriods);
    // A deep buffer lets the next chunk be prepared while PostgreSQL works through the last ones.
    const options = feed.format === 'binary' ? ' (FORMAT binary)' : '';
    await copyChunks({
      client,
      sql: `COPY cost_line_items (${COPY_COLUMNS.join(', ')}) FROM STDIN${options}`,
      highWaterMark: 8 << 20,
      next: () => feed.next(),
      onChunk: () => onProgress?.({ file, bytesRead: feed.bytesRead(), totalBytes, rows: feed.rows, phase: 'reading' }),
      file,
      fileLine: (line) => feed.fileLine(line),
    });
    const count = feed.rows;
    onProgress?.({ file, bytesRead: totalBytes, totalBytes, rows: count, phase: 'replacing' });

    const { periods, days } = feed.seen();
    const periodList = [...new Set([...periods, ...args.declaredPeriods])];
    const t1 = Date.now();
    const early = new Set(earlyPeriods);
    replacedRows += await replacePeriods(
      client,
      sourceId,
      runId,
      periodList.filter((p) => !early.has(p)),
      dataset,
    );
    const t2 = Date.now();
    const rollup = dataset === null ? feed.dailyRollup() : null;
    const touchedDays = rollup
      ? await replaceDailyRollup(client, sourceId, periodList, rollup)
      : await refreshDailyRollup(client, sourceId, periodList, [...days]);
    // The explorer's rollups (explorer-rollups.ts): the monthly detail streamed or in SQL, then the
    // smaller ones derived from it and from cost_daily, for exactly these billing periods.
    const detail = dataset === null ? feed.detailRollup() : null;
    if (detail) await replaceMonthlyDetail(client, sourceId, periodList, detail);
    else await refreshMonthlyDetail(client, sourceId, periodList);
    await refreshDerivedRollups(client, sourceId, periodList);
    const t3 = Date.now();
    const totals = await periodTotals(client, sourceId, periodList);
    const phases = { copyMs: t1 - t0, replaceMs: t2 - t1, rollupMs: t3 - t2, totalsMs: Date.now() - t3 };
    await client.query(
      `UPDATE ingest_runs SET status = 'succeeded', row_count = $2, billing_periods = $3::date[], totals = $4::jsonb, finished_at = now()
       WHERE id = $1`,
      [runId, count, periodList.map((p) => utcDay(p)).sort(), JSON.stringify(totals)],
    );
    await bumpDataVersion(client, 'ingest');
    return {
      rows: count,
      replacedRows,
      billingPeriods: periodList.map((p) => utcDay(p)).sort(),
      months: [...new Set([...days].map((d) => d.slice(0, 7)))].sort(),
      days: touchedDays,
      totals,
      phases,
    };
  });
}

/**
 * Totals per currency of what is now stored for the file's billing periods, read from the fresh
 * rollup rather than by scanning the line items again. For every format but Azure this is exactly
 * the file's content; after an Azure actual/amortized merge it is the merged result, which is what
 * the dashboard shows.
 */
async function periodTotals(client: pg.PoolClient, sourceId: number, periods: string[]): Promise<CurrencyTotal[]> {
  if (!periods.length) return [];
  const { rows } = await client.query<{
    currency: string;
    rows: string;
    billed: string;
    effective: string | null;
    missing: string;
    list: string | null;
  }>(
    `SELECT billing_currency AS currency, sum(line_items) AS rows, sum(billed_cost) AS billed, sum(effective_cost) AS effective,
            sum(effective_cost_missing) AS missing, sum(list_cost) AS list
       FROM cost_daily
      WHERE source_id = $1 AND billing_period_start = ANY($2::date[])
      GROUP BY billing_currency ORDER BY billing_currency`,
    [sourceId, periods.map((p) => utcDay(p))],
  );
  return rows.map((r) => ({
    currency: r.currency,
    rows: Number(r.rows),
    billedCost: r.billed,
    effectiveCost: r.effective,
    effectiveCostMissing: Number(r.missing),
    listCost: r.list,
  }));
}

/** Deletes the source's rows for `periods` (none of this run's rows exist yet); skips the scan when the rollup shows there are none. */
async function replaceBeforeCopy(client: pg.PoolClient, sourceId: number, periods: string[]): Promise<number> {
  if (!periods.length) return 0;
  const { rows } = await client.query<{ any: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM cost_daily WHERE source_id = $1 AND billing_period_start = ANY($2::date[])) AS any',
    [sourceId, periods.map((p) => utcDay(p))],
  );
  if (!rows[0]?.any) return 0;
  const res = await client.query('DELETE FROM cost_line_items WHERE source_id = $1 AND billing_period_start = ANY($2::timestamptz[])', [
    sourceId,
    periods,
  ]);
  return res.rowCount ?? 0;
}

/**
 * Removes what earlier ingests of this source had for the same billing periods. Azure's actual and
 * amortized exports describe the same charges: when both are present, the amortized rows are kept
 * for everything except purchases, which come from the actual-cost export (Microsoft's FOCUS
 * conversion does the same), so BilledCost sums to the invoice and EffectiveCost to the
 * amortized view without counting anything twice.
 */
async function replacePeriods(
  client: pg.PoolClient,
  sourceId: number,
  runId: string,
  periods: string[],
  dataset: 'actual' | 'amortized' | null,
): Promise<number> {
  if (!periods.length) return 0;
  const base = 'source_id = $1 AND billing_period_start = ANY($2::timestamptz[])';
  if (dataset === null) {
    const res = await client.query(`DELETE FROM cost_line_items WHERE ${base} AND ingest_run_id <> $3`, [sourceId, periods, runId]);
    return res.rowCount ?? 0;
  }
  const same = await client.query(
    `DELETE FROM cost_line_items WHERE ${base} AND ingest_run_id <> $3 AND (cost_dataset IS NULL OR cost_dataset = $4)`,
    [sourceId, periods, runId, dataset],
  );
  let replaced = same.rowCount ?? 0;
  const other = dataset === 'actual' ? 'amortized' : 'actual';
  const { rows } = await client.query(`SELECT 1 FROM cost_line_items WHERE ${base} AND cost_dataset = $3 LIMIT 1`, [
    sourceId,
    periods,
    other,
  ]);
  if (rows.length) {
    const actualDrop = `cost_dataset = 'actual' AND charge_category <> 'Purchase'`;
    const amortizedDrop = `cost_dataset = 'amortized' AND charge_category = 'Purchase'`;
    const res = await client.query(`DELETE FROM cost_line_items WHERE ${base} AND ((${actualDrop}) OR (${amortizedDrop}))`, [
      sourceId,
      periods,
    ]);
    replaced += res.rowCount ?? 0;
  }
  return replaced;
}

/** Recomputes cost_daily for exactly the days this ingest touched: its new days and the days it replaced. */
async function refreshDailyRollup(client: pg.PoolClient, sourceId: number, periods: string[], newDays: string[]): Promise<number> {
  const { rows: old } = await client.query<{ day: string }>(
    `SELECT DISTINCT day FROM cost_daily WHERE source_id = $1 AND billing_period_start = ANY($2::date[])`,
    [sourceId, periods.map((p) => utcDay(p))],
  );
  const days = [...new Set([...newDays, ...old.map((r) => r.day)])].sort();
  if (!days.length) return 0;
  await client.query('DELETE FROM cost_daily WHERE source_id = $1 AND day = ANY($2::date[])', [sourceId, days]);
  const lo = `${days[0]}T00:00:00Z`;
  const hi = new Date(Date.parse(`${days[days.length - 1]}T00:00:00Z`) + 86_400_000).toISOString();
  // The rollup's columns and expressions come from daily-rollup.ts (ROLLUP_KEY), as the streamed rollup's do.
  await client.query(
    `INSERT INTO cost_daily (${DAILY_COPY_COLUMNS.join(', ')})
     SELECT ${ROLLUP_SELECT_SQL}
       FROM cost_line_items
      WHERE source_id = $1 AND charge_period_start >= $2::timestamptz AND charge_period_start < $3::timestamptz
        AND (charge_period_start AT TIME ZONE 'UTC')::date = ANY($4::date[])
      GROUP BY ${ROLLUP_GROUP_BY_SQL}`,
    [sourceId, lo, hi, days],
  );
  return days.length;
}

/**
 * Replaces cost_daily for the file's billing periods with the rollup computed while streaming.
 * After the swap the source's rows for these periods are exactly the file's rows, so this equals
 * what refreshDailyRollup would compute from cost_line_items, without scanning them again.
 */
async function replaceDailyRollup(client: pg.PoolClient, sourceId: number, periods: string[], rollup: DailyRollup): Promise<number> {
  const periodDays = periods.map((p) => utcDay(p));
  const { rows: old } = await client.query<{ day: string }>(
    'SELECT DISTINCT day FROM cost_daily WHERE source_id = $1 AND billing_period_start = ANY($2::date[])',
    [sourceId, periodDays],
  );
  await client.query('DELETE FROM cost_daily WHERE source_id = $1 AND billing_period_start = ANY($2::date[])', [sourceId, periodDays]);
  const copy = client.query(copyFrom(`COPY cost_daily (${DAILY_COPY_COLUMNS.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(rollup.copyText(sourceId)), copy);
  return new Set([...old.map((r) => r.day), ...rollup.days()]).size;
}

function toIngestError(error: unknown, file: string): IngestError {
  if (error instanceof IngestError) return error;
  const e = error as Error;
  return new IngestError(`${file}: ${e.message}`, { file, code: 'DATABASE' });
}
