/**
 * Shared zod fragments: one schema per input, used by pages (URL search params), route handlers
 * and their clients. Types are inferred here and imported everywhere else.
 */
import { z } from 'zod';
import { isCalendarDay, monthOf, rangeLength } from './calendar';

/** Amortized = FOCUS EffectiveCost (Cost Explorer's "amortized costs"); billed = BilledCost (the invoice view). */
export const COST_METRICS = ['amortized', 'billed'] as const;
export const CostMetricSchema = z.enum(COST_METRICS);
export type CostMetric = z.infer<typeof CostMetricSchema>;
export const DEFAULT_COST_METRIC: CostMetric = 'amortized';

export const MonthSchema = z
  .string()
  .regex(/^(19|20|21)\d{2}-(0[1-9]|1[0-2])$/, { error: 'must be a month written YYYY-MM, e.g. 2026-11' });

export const DaySchema = z.string().refine(isCalendarDay, { error: 'must be a calendar date written YYYY-MM-DD, e.g. 2026-11-23' });

/** Longest custom range the Overview accepts: two years of days keeps every aggregate cheap. */
export const MAX_RANGE_DAYS = 731;

/** An inclusive range of UTC days. */
export const DateRangeSchema = z
  .object({ from: DaySchema, to: DaySchema })
  .refine((r) => r.from <= r.to, { error: '`from` must be on or before `to`', path: ['to'] })
  .refine((r) => r.from > r.to || rangeLength(r) <= MAX_RANGE_DAYS, {
    error: `the range may span at most ${MAX_RANGE_DAYS} days`,
    path: ['to'],
  });
export type DateRange = z.infer<typeof DateRangeSchema>;

export const CurrencyCodeSchema = z.string().regex(/^[A-Z]{3}$/, { error: 'must be an ISO 4217 code such as USD' });

/** What the user picked: a calendar month, or a custom range of days. */
export type PeriodSelection = { kind: 'month'; month: string } | { kind: 'range'; from: string; to: string };

export interface OverviewParams {
  selection: PeriodSelection;
  metric: CostMetric;
  /** Currency the chart and tables show when several exist; null = the dominant one. */
  currency: string | null;
  /** Human-readable reasons why a search param was ignored; the page shows them. */
  problems: string[];
}

export type RawSearchParams = Record<string, string | string[] | undefined>;

function single(raw: RawSearchParams, key: string): string | undefined {
  const v = raw[key];
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined || first.trim() === '' ? undefined : first.trim();
}

function issueText(error: z.ZodError): string {
  return error.issues.map((i) => i.message).join('; ');
}

/**
 * Reads the Overview's URL state (`month`, `from`+`to`, `metric`, `currency`). Never throws: a bad
 * value is reported in `problems` and replaced by its default, so a mistyped link still renders.
 */
export function parseOverviewSearchParams(raw: RawSearchParams, today: string): OverviewParams {
  const problems: string[] = [];
  const defaultMonth = monthOf(today);

  let metric: CostMetric = DEFAULT_COST_METRIC;
  const rawMetric = single(raw, 'metric');
  if (rawMetric !== undefined) {
    const parsed = CostMetricSchema.safeParse(rawMetric);
    if (parsed.success) metric = parsed.data;
    else problems.push(`metric=${rawMetric} is not a cost metric (use amortized or billed); showing ${DEFAULT_COST_METRIC} cost.`);
  }

  let currency: string | null = null;
  const rawCurrency = single(raw, 'currency');
  if (rawCurrency !== undefined) {
    const parsed = CurrencyCodeSchema.safeParse(rawCurrency.toUpperCase());
    if (parsed.success) currency = parsed.data;
    else problems.push(`currency=${rawCurrency} ${issueText(parsed.error)}.`);
  }

  let selection: PeriodSelection | null = null;
  const rawFrom = single(raw, 'from');
  const rawTo = single(raw, 'to');
  if (rawFrom !== undefined || rawTo !== undefined) {
    if (rawFrom === undefined || rawTo === undefined) {
      problems.push('A custom range needs both from and to (YYYY-MM-DD); showing a calendar month instead.');
    } else {
      const parsed = DateRangeSchema.safeParse({ from: rawFrom, to: rawTo });
      if (parsed.success) selection = { kind: 'range', ...parsed.data };
      else {
        const detail = parsed.error.issues.map((i) => `${i.path.join('.') || 'range'} ${i.message}`).join('; ');
        problems.push(`from=${rawFrom}&to=${rawTo} is not a valid range: ${detail}. Showing a calendar month instead.`);
      }
    }
  }

  const rawMonth = single(raw, 'month');
  if (selection === null) {
    let month = defaultMonth;
    if (rawMonth !== undefined) {
      const parsed = MonthSchema.safeParse(rawMonth);
      if (parsed.success) month = parsed.data;
      else problems.push(`month=${rawMonth} ${issueText(parsed.error)}; showing the current month.`);
    }
    selection = { kind: 'month', month };
  }

  return { selection, metric, currency, problems };
}

/** Response of GET /api/ingest/status; the client parses it with this schema, dates included. */
export const IngestStatusSchema = z.object({
  running: z.array(
    z.object({
      id: z.string(),
      sourceName: z.string(),
      fileName: z.string(),
      startedAt: z.coerce.date(),
      rowCount: z.string(),
    }),
  ),
});
export type IngestStatus = z.infer<typeof IngestStatusSchema>;

/** The one error body shape of every route handler. */
/** Every route handler's error body; `ref` points at the server log line holding the cause. */
export const ApiErrorSchema = z.object({ error: z.object({ message: z.string(), code: z.string(), ref: z.string().optional() }) });
export type ApiError = z.infer<typeof ApiErrorSchema>;
