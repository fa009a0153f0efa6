/**
 * Ingest of the supporting FOCUS datasets (Contract Commitment, Invoice Detail, Billing Period;
 * lib/focus/datasets.ts) into their own tables. `ingestFile` routes a file here when its header is
 * one of them. The rules are those of cost line items: the whole file lands or nothing does; one
 * transaction writes the rows (COPY), removes what earlier ingests of the source had for the same
 * billing periods (or, for contract commitments, the source's whole dataset), and records the run
 * with its row count, billing periods and per-currency totals.
 */
import type pg from 'pg';
import { bumpDataVersion } from '../cache/data-version';
import { getPool, withTransaction } from '../db/pool';
import type { DatasetColumn, FocusDataset } from '../focus/datasets';
import { currency, decimal, jsonObject, text, timestamp, utcDay, ValueError } from '../focus/normalize';
import { CopyLines, copyChunks } from './copy-stream';
import { esc } from './copy-text';
import type { IngestProgress, IngestSummary } from './pipeline';
import { lockSourceForIngest } from './replace';
import { providerSlug, sha256File, startRun, upsertSource } from './runs';
import type { RecordSource } from './source';
import { IngestError } from './types';

/** The sum of one amount column in one currency, over the rows of the run that have that amount. */
export interface DatasetTotal {
  /** FOCUS column ID of the amount, e.g. BilledCost. */
  column: string;
  currency: string;
  rows: number;
  /** Exact decimal string, as PostgreSQL sums numeric. */
  sum: string;
}

export interface DatasetIngestArgs {
  dataset: FocusDataset;
  source: RecordSource & { currentFile(): string };
  files: string[];
  sourceName?: string;
  /** Billing periods the delivery declares (stored form), replaced even when the file has no rows for them. */
  declaredPeriods: string[];
  started: number;
  onProgress?: (progress: IngestProgress) => void;
}

type Convert = (value: string) => string | null;

const CONVERTERS: Record<DatasetColumn['kind'], Convert> = {
  text,
  numeric: decimal,
  timestamp,
  json: jsonObject,
  currency,
};

interface Field extends DatasetColumn {
  /** Index in the header row, or -1 when the file does not have the column. */
  index: number;
  header: string;
  convert: Convert;
  /** Position of this amount's currency among the dataset's columns. */
  currencyAt: number;
}

interface MappedRow {
  line: number;
  /** Values in the order of the dataset's columns (null where absent or empty). */
  values: (string | null)[];
  extras: Record<string, string> | null;
}

/** Which header feeds each column of the dataset; a missing mandatory column is an error naming it. */
function resolveFields(dataset: FocusDataset, headers: readonly string[], file: string): { fields: Field[]; extras: number[] } {
  const lower = headers.map((h) => h.trim().toLowerCase());
  const used = new Set<number>();
  const fields: Field[] = dataset.columns.map((c) => {
    const index = lower.indexOf(c.focus.toLowerCase());
    if (index >= 0) used.add(index);
    return {
      ...c,
      index,
      header: index >= 0 ? (headers[index] as string) : c.focus,
      convert: CONVERTERS[c.kind],
      currencyAt: c.currency ? dataset.columns.findIndex((d) => d.focus === c.currency) : -1,
    };
  });
  const absent = fields.filter((f) => f.mandatory && f.index < 0).map((f) => f.focus);
  if (absent.length) {
    throw new IngestError(
      `${file}: missing mandatory ${dataset.label} column${absent.length > 1 ? 's' : ''} ${absent.join(', ')} (FOCUS ${dataset.since}+)`,
      { file, line: 1, column: absent[0], code: 'MISSING_VALUE' },
    );
  }
  const extras: number[] = [];
  for (let i = 0; i < headers.length; i++) if (!used.has(i)) extras.push(i);
  return { fields, extras };
}

/** Maps one record to the dataset's values; errors name the file, line, column and value. */
function mapRow(
  fields: readonly Field[],
  extras: readonly number[],
  headers: readonly string[],
  values: readonly (string | null)[],
  line: number,
  file: string,
): MappedRow {
  const out: (string | null)[] = new Array(fields.length);
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] as Field;
    const raw = f.index >= 0 ? values[f.index] : null;
    let v: string | null;
    try {
      v = raw == null ? null : f.convert(raw);
    } catch (error) {
      if (!(error instanceof ValueError)) throw error;
      throw new IngestError(`${file}, line ${line}, column ${f.header}: ${error.message}`, {
        file,
        line,
        column: f.header,
        code: 'BAD_VALUE',
      });
    }
    if (v === null && f.notNull) {
      throw new IngestError(
        `${file}, line ${line}, column ${f.header}: missing value ${JSON.stringify(raw ?? '')} (mandatory FOCUS column that allows no nulls)`,
        { file, line, column: f.header, code: 'MISSING_VALUE' },
      );
    }
    out[i] = v;
  }
  // Every amount travels with its currency.
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] as Field;
    if (f.currencyAt < 0 || out[i] === null || out[f.currencyAt] !== null) continue;
    const cur = fields[f.currencyAt] as Field;
    throw new IngestError(`${file}, line ${line}, column ${cur.header}: ${f.focus} ${out[i]} has no ${cur.focus}`, {
      file,
      line,
      column: cur.header,
      code: 'MISSING_VALUE',
    });
  }
  let extra: Record<string, string> | null = null;
  for (const i of extras) {
    const raw = values[i];
    if (raw == null || text(raw) === null) continue;
    extra ??= {};
    extra[headers[i] as string] = raw;
  }
  return { line, values: out, extras: extra };
}

async function* mapRecords(
  source: RecordSource & { currentFile(): string },
  fields: readonly Field[],
  extras: readonly number[],
): AsyncGenerator<MappedRow[]> {
  for await (const batch of source.records()) {
    const file = source.currentFile();
    const rows = batch.map((r) => mapRow(fields, extras, source.headers, r.values, r.line, file));
    if (rows.length) yield rows;
  }
}

function serialize(prefix: string, row: MappedRow): string {
  let out = prefix;
  for (const v of row.values) out += v === null ? '\t\\N' : `\t${esc(v)}`;
  out += row.extras ? `\t${esc(JSON.stringify(row.extras))}` : '\t\\N';
  return `${out}\n`;
}

/**
 * Streams one supporting-dataset file into its table and swaps it in, all or nothing. The default
 * source name follows the Cost and Usage default where the dataset has a billing account
 * ("focus:<BillingAccountId>", so invoices land on the same source as their costs); otherwise it
 * is "focus:<service provider or issuer>", or "focus:unknown" when the file names neither (a 1.3
 * contract commitment file). Never a per-row id such as ContractId: the next delivery may list its
 * rows in another order, and under another source it would not replace this one.
 */
export async function ingestFocusDataset(args: DatasetIngestArgs): Promise<IngestSummary> {
  const { dataset, source, files, started, onProgress } = args;
  const file = files[0] as string;
  const { fields, extras } = resolveFields(dataset, source.headers, file);
  const at = (focus: string) => fields.findIndex((f) => f.focus === focus);
  const periodAt = dataset.replaces === 'billing-period' ? at('BillingPeriodStart') : -1;

  const rows = mapRecords(source, fields, extras);
  const first = await rows.next();
  const peeked: MappedRow[] = first.done ? [] : first.value;
  const row0 = peeked[0]?.values;
  const pick = (...names: string[]) => {
    for (const n of names) {
      const v = row0?.[at(n)];
      if (v) return v;
    }
    return null;
  };
  const sourceName = args.sourceName ?? `focus:${pick('BillingAccountId', 'ServiceProviderName', 'InvoiceIssuerName') ?? 'unknown'}`;
  const pool = getPool();
  const sourceId = await upsertSource(pool, sourceName, providerSlug(pick('ServiceProviderName', 'InvoiceIssuerName')));
  const run = await startRun(pool, sourceId, files, 'focus', dataset.id);
  const runId = run.id;
  try {
    const periods = new Set<string>(dataset.replaces === 'billing-period' ? args.declaredPeriods : []);
    const lines = new CopyLines();
    const prefix = `${sourceId}\t${runId}`;
    /** The next chunk of COPY text, noting each row's file line and billing period. */
    const chunk = (batch: MappedRow[]): string => {
      let text = '';
      for (const row of batch) {
        lines.add(row.line);
        if (periodAt >= 0) periods.add(row.values[periodAt] as string);
        text += serialize(prefix, row);
      }
      return text;
    };

    const { totals, replacedRows } = await withTransaction(async (client) => {
      await lockSourceForIngest(client, sourceId);
      const columns = ['source_id', 'ingest_run_id', ...dataset.columns.map((c) => c.column), 'extras'];
      let pending: MappedRow[] | null = peeked.length ? peeked : null;
      await copyChunks({
        client,
        sql: `COPY ${dataset.table} (${columns.join(', ')}) FROM STDIN`,
        next: async () => {
          const next = pending ? { done: false as const, value: pending } : await rows.next();
          pending = null;
          return next.done ? null : chunk(next.value);
        },
        onChunk: () =>
          onProgress?.({ file, bytesRead: source.bytesRead(), totalBytes: source.totalBytes, rows: lines.count, phase: 'reading' }),
        file,
        fileLine: (line) => lines.fileLine(line),
      });
      onProgress?.({ file, bytesRead: source.totalBytes, totalBytes: source.totalBytes, rows: lines.count, phase: 'replacing' });
      const replacedRows = await replaceEarlier(client, dataset, sourceId, runId, [...periods]);
      const totals = await runTotals(client, dataset, runId);
      const periodDays = [...periods].map((p) => utcDay(p)).sort();
      await client.query(
        `UPDATE ingest_runs SET status = 'succeeded', row_count = $2, billing_periods = $3::date[], totals = $4::jsonb, finished_at = now()
         WHERE id = $1`,
        [runId, lines.count, periodDays, JSON.stringify(totals)],
      );
      await bumpDataVersion(client, `ingest ${dataset.id}`);
      return { totals, replacedRows };
    });
    const count = lines.count;

    const checksum = source.sha256() ?? (files.length === 1 ? await sha256File(file) : null);
    const durationMs = Date.now() - started;
    await pool.query('UPDATE ingest_runs SET checksum = $2, duration_ms = $3 WHERE id = $1', [runId, checksum, durationMs]);
    onProgress?.({ file, bytesRead: source.totalBytes, totalBytes: source.totalBytes, rows: count, phase: 'done' });
    return {
      runId,
      sourceId,
      sourceName,
      file,
      format: 'focus',
      dataset: dataset.id,
      checksum,
      rows: count,
      replacedRows,
      billingPeriods: [...periods].map((p) => utcDay(p)).sort(),
      days: 0,
      totals: [],
      datasetTotals: totals,
      durationMs,
      phases: { copyMs: 0, totalsMs: 0, replaceMs: 0, rollupMs: 0 },
    };
  } catch (error) {
    const message = error instanceof IngestError ? error.message : `${file}: ${(error as Error).message}`;
    await pool
      .query("UPDATE ingest_runs SET status = 'failed', error = $2, finished_at = now(), duration_ms = $3 WHERE id = $1", [
        runId,
        message,
        Date.now() - started,
      ])
      .catch(() => {});
    throw error;
  } finally {
    await run.release();
  }
}

/** Removes earlier ingests' rows of this source: of the file's billing periods, or all of them for a whole-dataset delivery. */
async function replaceEarlier(
  client: pg.PoolClient,
  dataset: FocusDataset,
  sourceId: number,
  runId: string,
  periods: string[],
): Promise<number> {
  if (dataset.replaces === 'all') {
    const res = await client.query(`DELETE FROM ${dataset.table} WHERE source_id = $1 AND ingest_run_id <> $2`, [sourceId, runId]);
    return res.rowCount ?? 0;
  }
  if (!periods.length) return 0;
  const res = await client.query(
    `DELETE FROM ${dataset.table} WHERE source_id = $1 AND ingest_run_id <> $2 AND billing_period_start = ANY($3::timestamptz[])`,
    [sourceId, runId, periods],
  );
  return res.rowCount ?? 0;
}

/** Per-currency sums of each amount column over the rows this run stored, computed by PostgreSQL. */
async function runTotals(client: pg.PoolClient, dataset: FocusDataset, runId: string): Promise<DatasetTotal[]> {
  const out: DatasetTotal[] = [];
  for (const amount of dataset.columns) {
    const cur = amount.currency ? dataset.columns.find((c) => c.focus === amount.currency) : undefined;
    if (!cur) continue;
    const { rows } = await client.query<{ currency: string; n: string; sum: string }>(
      `SELECT ${cur.column} AS currency, count(*) AS n, sum(${amount.column})::text AS sum
         FROM ${dataset.table} WHERE ingest_run_id = $1 AND ${amount.column} IS NOT NULL
        GROUP BY 1 ORDER BY 1`,
      [runId],
    );
    for (const r of rows) out.push({ column: amount.focus, currency: r.currency, rows: Number(r.n), sum: r.sum });
  }
  return out;
}
