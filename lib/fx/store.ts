/**
 * The stored FX rates (migration 0017's fx_rates): the one writer (`storeRates`, also through
 * `importFxFile`), the loaded ranges per pair, and conversion with the stored rates.
 *
 * A load is one transaction: every rate of the file or none, and its audit line (action
 * `fx_rates.load`: how many rates were new, how many changed an existing rate, how many were
 * reloaded unchanged). A rate already stored for the same day and pair is replaced (the row then
 * names the new file, time and loader). Loads queue behind one transaction advisory lock, so the
 * counts are what each load found.
 */
import type pg from 'pg';
import { recordAudit } from '../audit/record';
import type { Actor } from '../auth/actor';
import { bumpDataVersion } from '../cache/data-version';
import { addDays, isCalendarDay } from '../calendar';
import { getPool, withTransaction } from '../db/pool';
import { compareDecimals } from '../decimal';
import { type Conversion, convertAmounts, type DayAmount, DEFAULT_LOOKBACK_DAYS } from './convert';
import { parseFxFile } from './parse';
import type { FxFileFormat, FxRate } from './types';

const BATCH = 5000;

export interface FxLoadSummary {
  file: string;
  format: FxFileFormat;
  /** Rates in the file (one per day and pair). */
  rates: number;
  /** Day and pair not stored before. */
  inserted: number;
  /** Stored before with another rate: replaced. */
  changed: number;
  /** Stored before with the same rate (the row now names this load). */
  unchanged: number;
  pairs: number;
  firstDay: string;
  lastDay: string;
  /** ECB cells marked N/A, left out. */
  notAvailable: number;
}

/** Who the row names as its loader: the user's id, or 'cli' for a shell command. */
function loadedBy(actor: Actor): string {
  if (actor.kind === 'user') return actor.userId;
  if (actor.kind === 'cli') return 'cli';
  if (actor.kind === 'system') return `system:${actor.component}`;
  throw new Error('FX rates are loaded by a signed-in user or a shell command');
}

/**
 * Stores parsed rates (replacing the same day and pair) and writes the audit line, in one
 * transaction. `file` is the name shown in the rows and the audit trail (no path).
 */
export async function storeRates(input: {
  file: string;
  format: FxFileFormat;
  rates: readonly FxRate[];
  actor: Actor;
  notAvailable?: number;
}): Promise<FxLoadSummary> {
  const { rates } = input;
  if (rates.length === 0) throw new Error(`${input.file}: no rates to store`);
  const by = loadedBy(input.actor);
  const pairs = new Set(rates.map((r) => `${r.base} ${r.quote}`));
  let firstDay = rates[0]?.day ?? '';
  let lastDay = firstDay;
  for (const r of rates) {
    if (r.day < firstDay) firstDay = r.day;
    if (r.day > lastDay) lastDay = r.day;
  }
  return withTransaction(async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('burnrate fx_rates'))`);
    let inserted = 0;
    let changed = 0;
    let unchanged = 0;
    for (let i = 0; i < rates.length; i += BATCH) {
      const batch = rates.slice(i, i + BATCH);
      const days = batch.map((r) => r.day);
      const bases = batch.map((r) => r.base);
      const quotes = batch.map((r) => r.quote);
      const { rows: before } = await client.query<{ day: string; base: string; quote: string; rate: string }>(
        `SELECT f.day, f.base, f.quote, f.rate::text AS rate
           FROM unnest($1::date[], $2::text[], $3::text[]) AS x(day, base, quote)
           JOIN fx_rates f USING (day, base, quote)`,
        [days, bases, quotes],
      );
      const stored = new Map(before.map((r) => [`${r.day} ${r.base} ${r.quote}`, r.rate]));
      for (const r of batch) {
        const old = stored.get(`${r.day} ${r.base} ${r.quote}`);
        if (old === undefined) inserted++;
        else if (compareDecimals(old, r.rate) === 0) unchanged++;
        else changed++;
      }
      await client.query(
        `INSERT INTO fx_rates (day, base, quote, rate, source_file, source_format, loaded_at, loaded_by)
         SELECT d, b, q, r, $5, $6, now(), $7 FROM unnest($1::date[], $2::text[], $3::text[], $4::numeric[]) AS x(d, b, q, r)
         ON CONFLICT (day, base, quote) DO UPDATE
           SET rate = EXCLUDED.rate, source_file = EXCLUDED.source_file, source_format = EXCLUDED.source_format,
               loaded_at = EXCLUDED.loaded_at, loaded_by = EXCLUDED.loaded_by`,
        [days, bases, quotes, batch.map((r) => r.rate), input.file, input.format, by],
      );
    }
    const summary: FxLoadSummary = {
      file: input.file,
      format: input.format,
      rates: rates.length,
      inserted,
      changed,
      unchanged,
      pairs: pairs.size,
      firstDay,
      lastDay,
      notAvailable: input.notAvailable ?? 0,
    };
    await recordAudit(client, {
      actor: input.actor,
      action: 'fx_rates.load',
      objectType: 'fx_rates',
      objectId: input.file,
      detail: {
        file: input.file,
        format: input.format,
        rates: summary.rates,
        new: inserted,
        changed,
        unchanged,
        pairs: summary.pairs,
        firstDay,
        lastDay,
      },
    });
    await bumpDataVersion(client, 'fx rates');
    return summary;
  });
}

/** Parses a rates file (FxFileError on any problem: nothing stored) and stores it. */
export async function importFxFile(
  text: string,
  opts: { file: string; format?: FxFileFormat | 'auto'; actor: Actor },
): Promise<FxLoadSummary> {
  const parsed = parseFxFile(text, { file: opts.file, format: opts.format });
  return storeRates({ file: opts.file, format: parsed.format, rates: parsed.rates, actor: opts.actor, notAvailable: parsed.notAvailable });
}

/** What is loaded for one pair. */
export interface FxPairRange {
  base: string;
  quote: string;
  firstDay: string;
  lastDay: string;
  /** Days with a rate. */
  days: number;
  lastLoadedAt: Date;
  /** The file of the most recent load among the pair's rows. */
  lastFile: string;
}

/** Every pair with rates: first and last day, how many days, the last load. By base, then quote. */
export async function listRateRanges(db: pg.Pool | pg.PoolClient = getPool()): Promise<FxPairRange[]> {
  const { rows } = await db.query<{
    base: string;
    quote: string;
    first_day: string;
    last_day: string;
    days: string;
    last_loaded_at: Date;
    last_file: string;
  }>(
    `SELECT base, quote, min(day) AS first_day, max(day) AS last_day, count(*)::text AS days, max(loaded_at) AS last_loaded_at,
            (array_agg(source_file ORDER BY loaded_at DESC, day DESC))[1] AS last_file
       FROM fx_rates GROUP BY base, quote ORDER BY base, quote`,
  );
  return rows.map((r) => ({
    base: r.base,
    quote: r.quote,
    firstDay: r.first_day,
    lastDay: r.last_day,
    days: Number(r.days),
    lastLoadedAt: r.last_loaded_at,
    lastFile: r.last_file,
  }));
}

/**
 * The stored rates a conversion of these currencies over [from, to] may use: those days and the
 * lookback before them, every pair that has one of the currencies on either side (a cross rate's
 * legs each do).
 */
export async function ratesFor(
  db: pg.Pool | pg.PoolClient,
  opts: { from: string; to: string; currencies: readonly string[]; lookbackDays?: number },
): Promise<FxRate[]> {
  const start = addDays(opts.from, -(opts.lookbackDays ?? DEFAULT_LOOKBACK_DAYS));
  const { rows } = await db.query<FxRate>(
    `SELECT day, base, quote, rate::text AS rate FROM fx_rates
      WHERE day BETWEEN $1::date AND $2::date AND (base = ANY($3::text[]) OR quote = ANY($3::text[]))`,
    [start, opts.to, [...new Set(opts.currencies)]],
  );
  return rows;
}

/** convertAmounts with the stored rates (lib/fx/convert.ts says how a rate is chosen and rounded). */
export async function convertWithStoredRates(
  amounts: readonly DayAmount[],
  reporting: string,
  opts: { lookbackDays?: number; db?: pg.Pool | pg.PoolClient } = {},
): Promise<Conversion> {
  // Bad input is refused by convertAmounts itself before any query (no rates: nothing to look up).
  if (amounts.length === 0 || amounts.some((a) => !isCalendarDay(a.day))) return convertAmounts(amounts, reporting, [], opts);
  let from = amounts[0]?.day ?? '';
  let to = from;
  for (const a of amounts) {
    if (a.day < from) from = a.day;
    if (a.day > to) to = a.day;
  }
  const currencies = [reporting, ...amounts.map((a) => a.currency)];
  const rates = await ratesFor(opts.db ?? getPool(), { from, to, currencies, lookbackDays: opts.lookbackDays });
  return convertAmounts(amounts, reporting, rates, opts);
}
