import type pg from 'pg';
import { z } from 'zod';
import { recordAudit } from '../audit/record';
import type { Actor } from '../auth/actor';
import { bumpDataVersion } from '../cache/data-version';
import { addDays, addMonths, daysInMonth, monthOf, utcToday } from '../calendar';
import { MONTH_PATTERN } from '../close/close';
import { getPool, withTransaction } from '../db/pool';
import { CURRENCY_CODE } from '../fx/currencies';

/**
 * Invoice reconciliation: per provider, billing account, billing month and currency, the billed
 * total ingested (cost_daily, by billing period) against the invoice total. The invoice total comes
 * from FOCUS Invoice Detail data (focus_invoice_details: billed cost summed per billing account,
 * billing period and currency) when a provider delivered it, otherwise from a total finance entered
 * (invoice_totals, migration 0023). Invoice details carry no provider name, so they are matched on
 * billing account, month and currency (account ids are the provider's own); invoice details with no
 * ingested costs are listed under their issuer's name.
 *
 * Late-arriving charges, two kinds:
 * - "earlier charge period": line items of the month's billing period whose charge day lies in an
 *   earlier month (cost_daily.day before the billing period's month);
 * - "after close": for a closed (or reopened) month, the account's billed now minus billed at the
 *   last close (month_close_figures), i.e. what arrived or changed after the month was closed.
 * Missing days: days of the month, up to yesterday, on which the account has no cost rows (charge day).
 */

export const InvoiceTotalSchema = z.object({
  providerName: z.string().trim().min(1).max(200),
  billingAccountId: z.string().trim().max(200),
  month: z.string().regex(MONTH_PATTERN, { error: 'choose a month (YYYY-MM)' }),
  currency: z.string().trim().toUpperCase().regex(CURRENCY_CODE, { error: 'an ISO 4217 currency code such as USD' }),
  amount: z
    .string()
    .trim()
    .regex(/^-?\d{1,20}(\.\d{1,10})?$/, { error: 'an amount such as 1234.56 (no thousands separators)' }),
  note: z.string().trim().max(1000).default(''),
});
export type InvoiceTotalInput = z.output<typeof InvoiceTotalSchema>;

export interface EnteredInvoiceTotal {
  providerName: string;
  billingAccountId: string;
  month: string;
  currency: string;
  amount: string;
  note: string;
  enteredBy: string;
}

function actorLabel(actor: Actor): string {
  if (actor.kind === 'user') return actor.email;
  if (actor.kind === 'cli') return `cli:${actor.osUser}`;
  if (actor.kind === 'system') return `system:${actor.component}`;
  return 'anonymous';
}

/** Enters (or replaces) an invoice total, with its `invoice.total` audit line in the same transaction. */
export async function enterInvoiceTotal(input: InvoiceTotalInput, actor: Actor): Promise<EnteredInvoiceTotal> {
  const by = actorLabel(actor);
  return withTransaction(async (client) => {
    const key = [input.providerName, input.billingAccountId, `${input.month}-01`, input.currency];
    const before = await client.query<{ amount: string; note: string; entered_by: string }>(
      `SELECT amount::text AS amount, note, entered_by FROM invoice_totals
        WHERE provider_name = $1 AND billing_account_id = $2 AND month = $3::date AND currency = $4 FOR UPDATE`,
      key,
    );
    await client.query(
      `INSERT INTO invoice_totals (provider_name, billing_account_id, month, currency, amount, note, entered_by)
       VALUES ($1, $2, $3::date, $4, $5::numeric, $6, $7)
       ON CONFLICT ON CONSTRAINT invoice_totals_key
       DO UPDATE SET amount = EXCLUDED.amount, note = EXCLUDED.note, entered_by = EXCLUDED.entered_by, entered_at = now()`,
      [...key, input.amount, input.note, by],
    );
    const after: EnteredInvoiceTotal = { ...input, enteredBy: by };
    const old = before.rows[0];
    await recordAudit(client, {
      actor,
      action: 'invoice.total',
      objectType: 'invoice_total',
      objectId: `${input.providerName} ${input.billingAccountId} ${input.month} ${input.currency}`,
      before: old ? { amount: old.amount, note: old.note, enteredBy: old.entered_by } : null,
      after: { amount: input.amount, note: input.note, enteredBy: by },
    });
    await bumpDataVersion(client, 'invoice total');
    return after;
  });
}

export interface ReconciliationRow {
  providerName: string;
  billingAccountId: string;
  month: string;
  currency: string;
  /** Billed cost ingested for the billing period (cost_daily). */
  billed: string;
  /** The invoice total, and where it came from; null when there is none. */
  invoice: string | null;
  invoiceSource: 'focus' | 'entered' | null;
  invoiceNote: string | null;
  /** billed − invoice; null without an invoice total. */
  difference: string | null;
  /** Line items of this billing period charged in an earlier month, and their billed cost. */
  lateLineItems: string;
  lateBilled: string;
  /** For a closed month: billed now − billed at the close; null when the month was never closed. */
  afterClose: string | null;
  /** Days of the month (up to yesterday) with no cost rows for this provider and account. */
  missingDays: string[];
}

/** Reconciliation rows for billing months [from, to] ('YYYY-MM'). */
export async function getReconciliation(
  range: { from: string; to: string },
  now: Date = new Date(),
  db: pg.Pool = getPool(),
): Promise<ReconciliationRow[]> {
  const first = `${range.from}-01`;
  const end = `${addMonths(range.to, 1)}-01`;
  const { rows } = await db.query<Omit<ReconciliationRow, 'missingDays'>>(
    `WITH billed AS (
       SELECT provider_name, billing_account_id, date_trunc('month', billing_period_start)::date AS month,
              billing_currency AS currency, sum(billed_cost) AS billed,
              coalesce(sum(line_items) FILTER (WHERE day < date_trunc('month', billing_period_start)::date), 0) AS late_items,
              coalesce(sum(billed_cost) FILTER (WHERE day < date_trunc('month', billing_period_start)::date), 0) AS late_billed
         FROM cost_daily
        WHERE billing_period_start >= $1::date AND billing_period_start < $2::date
        GROUP BY 1, 2, 3, 4
     ), focus AS (
       SELECT billing_account_id, date_trunc('month', billing_period_start AT TIME ZONE 'UTC')::date AS month,
              billing_currency AS currency, sum(billed_cost) AS amount, min(invoice_issuer_name) AS issuer
         FROM focus_invoice_details
        WHERE billing_period_start >= ($1::date)::timestamp AT TIME ZONE 'UTC'
          AND billing_period_start < ($2::date)::timestamp AT TIME ZONE 'UTC'
        GROUP BY 1, 2, 3
     ), entered AS (
       SELECT provider_name, billing_account_id, month, currency, amount, note
         FROM invoice_totals WHERE month >= $1::date AND month < $2::date
     ), closed AS (
       SELECT provider_name, billing_account_id, month, billing_currency AS currency, sum(billed_cost) AS billed
         FROM month_close_figures WHERE month >= $1::date AND month < $2::date
        GROUP BY 1, 2, 3, 4
     ), known AS (
       SELECT provider_name, billing_account_id, month, currency FROM billed
       UNION SELECT provider_name, billing_account_id, month, currency FROM entered
       UNION SELECT provider_name, billing_account_id, month, currency FROM closed
     ), keys AS (
       SELECT * FROM known
       UNION SELECT f.issuer, f.billing_account_id, f.month, f.currency FROM focus f
        WHERE NOT EXISTS (SELECT 1 FROM known n WHERE n.billing_account_id = f.billing_account_id
                            AND n.month = f.month AND n.currency = f.currency)
     )
     SELECT k.provider_name AS "providerName", k.billing_account_id AS "billingAccountId",
            to_char(k.month, 'YYYY-MM') AS month, k.currency,
            coalesce(b.billed, 0)::text AS billed,
            coalesce(f.amount, e.amount)::text AS invoice,
            CASE WHEN f.amount IS NOT NULL THEN 'focus' WHEN e.amount IS NOT NULL THEN 'entered' END AS "invoiceSource",
            CASE WHEN f.amount IS NULL THEN e.note END AS "invoiceNote",
            (coalesce(b.billed, 0) - coalesce(f.amount, e.amount))::text AS difference,
            coalesce(b.late_items, 0)::text AS "lateLineItems", coalesce(b.late_billed, 0)::text AS "lateBilled",
            CASE WHEN mc.month IS NOT NULL THEN (coalesce(b.billed, 0) - coalesce(c.billed, 0))::text END AS "afterClose"
       FROM keys k
       LEFT JOIN billed b USING (provider_name, billing_account_id, month, currency)
       LEFT JOIN entered e USING (provider_name, billing_account_id, month, currency)
       LEFT JOIN closed c USING (provider_name, billing_account_id, month, currency)
       LEFT JOIN focus f ON f.billing_account_id = k.billing_account_id AND f.month = k.month AND f.currency = k.currency
       LEFT JOIN month_closes mc ON mc.month = k.month
      ORDER BY k.month DESC, k.provider_name, k.billing_account_id, k.currency`,
    [first, end],
  );
  const days = await db.query<{ provider_name: string; billing_account_id: string; days: string[] }>(
    `SELECT provider_name, billing_account_id, array_agg(DISTINCT to_char(day, 'YYYY-MM-DD')) AS days
       FROM cost_daily WHERE day >= $1::date AND day < $2::date GROUP BY 1, 2`,
    [first, end],
  );
  const seen = new Map(days.rows.map((r) => [`${r.provider_name}\u0000${r.billing_account_id}`, new Set(r.days)]));
  const yesterday = addDays(utcToday(now), -1);
  return rows.map((r) => {
    const have = seen.get(`${r.providerName}\u0000${r.billingAccountId}`) ?? new Set<string>();
    const missingDays: string[] = [];
    for (let d = 1; d <= daysInMonth(r.month); d++) {
      const day = `${r.month}-${String(d).padStart(2, '0')}`;
      if (day > yesterday) break;
      if (!have.has(day)) missingDays.push(day);
    }
    return { ...r, missingDays };
  });
}

/** The months /reconciliation shows by default: the 12 before the current one. */
export function defaultReconciliationRange(now: Date = new Date()): { from: string; to: string } {
  const to = addMonths(monthOf(utcToday(now)), -1);
  return { from: addMonths(to, -11), to };
}
