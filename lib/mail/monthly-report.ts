/**
 * The scheduled monthly report: once the previous month's data is complete, its PDF
 * (lib/exports/pdf.ts) and XLSX (the month's spend by provider, account, service, region and
 * currency, lib/exports/xlsx.ts) are emailed to the report recipients, once; a failure is recorded
 * and tried again at the next daily run (the `report-monthly-email` job, jobs/definitions.ts).
 *
 * "Complete" (monthDataStatus): every enabled billing source with cost rows in the month has cost
 * rows for the month's last day, and at least one source has rows in the month. Providers deliver
 * a day's charges over the following day or two, and the last day arriving is the signal that the
 * month's deliveries have caught up. A source without any row in the month is not waited for: it
 * is new, retired or not delivering, and waiting for it would hold the report forever; the PDF's
 * figures are what the sources delivered. Restatements after the report (AWS finalises a month's
 * bill days later) are not re-sent; month close (issue 10) is where closed figures live.
 *
 * Sent once: report_deliveries has one row per kind and month. A run claims the month in one
 * statement (insert, or take over a failed row or one stuck in 'sending' for over an hour: a
 * worker that died mid-send), so two workers never both send; 'sent' is final.
 */
import type pg from 'pg';
import { recordAudit } from '../audit/record';
import { addMonths, monthEnd, monthStart } from '../calendar';
import { getPool } from '../db/pool';
import { renderMonthlyReportPdf } from '../exports/pdf';
import { CURRENCY_NOTE, type ExportRow, type ExportTable } from '../exports/table';
import { xlsxBuffer } from '../exports/xlsx';
import { formatMoney, formatMonthLong, formatPercentChange } from '../format';
import { getMonthlyReport, type MonthlyReport } from '../queries/monthly-report';
import { MailError, type MailMessage, type SentMail, sendMail, type TransportOptions } from './send';
import { loadMailSettings, type MailSettings } from './settings';

type Db = pg.Pool | pg.PoolClient;

export const REPORT_KIND = 'monthly';
const STUCK_SENDING = '1 hour';

export interface SourceCoverage {
  sourceId: number;
  name: string;
  /** The source's last day with cost rows in the month. */
  lastDay: string;
}

export interface MonthDataStatus {
  month: string;
  complete: boolean;
  /** Enabled sources with cost rows in the month. */
  sources: SourceCoverage[];
  /** Those whose rows stop before the month's last day. */
  waitingFor: SourceCoverage[];
}

export async function monthDataStatus(month: string, db: Db = getPool()): Promise<MonthDataStatus> {
  const last = monthEnd(month);
  const { rows } = await db.query<{ source_id: number; name: string; last_day: string }>(
    `SELECT s.id AS source_id, s.name, to_char(max(d.day), 'YYYY-MM-DD') AS last_day
       FROM billing_sources s JOIN cost_daily d ON d.source_id = s.id AND d.day >= $1 AND d.day <= $2
      WHERE s.enabled
      GROUP BY s.id, s.name
      ORDER BY s.id`,
    [monthStart(month), last],
  );
  const sources = rows.map((r) => ({ sourceId: r.source_id, name: r.name, lastDay: r.last_day }));
  const waitingFor = sources.filter((s) => s.lastDay < last);
  return { month, complete: sources.length > 0 && waitingFor.length === 0, sources, waitingFor };
}

export interface ReportDelivery {
  month: string;
  status: 'sending' | 'sent' | 'failed';
  attempts: number;
  recipients: string[];
  startedAt: Date;
  sentAt: Date | null;
  messageId: string | null;
  error: string | null;
}

interface DeliveryRow {
  month: string;
  status: ReportDelivery['status'];
  attempts: number;
  recipients: string[];
  started_at: Date;
  sent_at: Date | null;
  message_id: string | null;
  error: string | null;
}

const DELIVERY_COLUMNS = `to_char(month, 'YYYY-MM') AS month, status, attempts, recipients, started_at, sent_at, message_id, error`;

function toDelivery(r: DeliveryRow): ReportDelivery {
  return {
    month: r.month,
    status: r.status,
    attempts: r.attempts,
    recipients: r.recipients,
    startedAt: r.started_at,
    sentAt: r.sent_at,
    messageId: r.message_id,
    error: r.error,
  };
}

export async function getReportDelivery(month: string, db: Db = getPool()): Promise<ReportDelivery | null> {
  const { rows } = await db.query<DeliveryRow>(`SELECT ${DELIVERY_COLUMNS} FROM report_deliveries WHERE kind = $1 AND month = $2`, [
    REPORT_KIND,
    monthStart(month),
  ]);
  return rows[0] ? toDelivery(rows[0]) : null;
}

/** The latest deliveries, newest month first (the settings page). */
export async function listReportDeliveries(limit = 12, db: Db = getPool()): Promise<ReportDelivery[]> {
  const { rows } = await db.query<DeliveryRow>(
    `SELECT ${DELIVERY_COLUMNS} FROM report_deliveries WHERE kind = $1 ORDER BY month DESC LIMIT $2`,
    [REPORT_KIND, limit],
  );
  return rows.map(toDelivery);
}

/**
 * Claims the month for this run: true when this run may send (no row yet, a failed row, or one
 * stuck in 'sending'), false when it is sent or another run is sending.
 */
export async function claimReportDelivery(month: string, recipients: readonly string[], now: Date, db: Db = getPool()): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO report_deliveries (kind, month, status, recipients, started_at) VALUES ($1, $2, 'sending', $3, $4)
     ON CONFLICT (kind, month) DO UPDATE
        SET status = 'sending', attempts = report_deliveries.attempts + 1, recipients = EXCLUDED.recipients,
            started_at = EXCLUDED.started_at, error = NULL
      WHERE report_deliveries.status = 'failed'
         OR (report_deliveries.status = 'sending' AND report_deliveries.started_at < $4::timestamptz - interval '${STUCK_SENDING}')`,
    [REPORT_KIND, monthStart(month), [...recipients], now],
  );
  return rowCount === 1;
}

async function finishDelivery(month: string, outcome: { sent: SentMail; at: Date } | { error: string }, db: Db): Promise<void> {
  if ('sent' in outcome) {
    await db.query(
      `UPDATE report_deliveries SET status = 'sent', sent_at = $3, message_id = $4, error = NULL WHERE kind = $1 AND month = $2`,
      [REPORT_KIND, monthStart(month), outcome.at, outcome.sent.messageId],
    );
  } else {
    await db.query(`UPDATE report_deliveries SET status = 'failed', error = $3 WHERE kind = $1 AND month = $2`, [
      REPORT_KIND,
      monthStart(month),
      outcome.error,
    ]);
  }
}

/** The month's spend by provider, billing account, sub-account, service, region and currency: the XLSX attachment's rows. */
export async function* monthSpendRows(month: string, db: Db = getPool()): AsyncIterable<ExportRow> {
  const { rows } = await db.query<ExportRow>(
    `SELECT provider_name AS provider, billing_account_id AS billing_account, sub_account_id AS account,
            max(sub_account_name) AS account_name, service_name AS service, max(service_category) AS service_category,
            region_id AS region, max(region_name) AS region_name, charge_category,
            sum(billed_cost)::text AS billed, sum(effective_cost)::text AS effective, billing_currency AS currency
       FROM cost_daily
      WHERE day >= $1 AND day <= $2
      GROUP BY provider_name, billing_account_id, sub_account_id, service_name, region_id, charge_category, billing_currency
      ORDER BY billing_currency, provider_name, billing_account_id, sub_account_id, service_name, region_id, charge_category`,
    [monthStart(month), monthEnd(month)],
  );
  yield* rows;
}

export function monthSpendTable(month: string, generatedAt: Date, db: Db = getPool()): ExportTable {
  return {
    title: `Cloud spend by provider, account, service and region: ${formatMonthLong(month)}`,
    dateRange: { from: monthStart(month), to: monthEnd(month) },
    filters: [
      { label: 'Providers', value: 'all' },
      { label: 'Accounts', value: 'all' },
      { label: 'Grouped by', value: 'provider, billing account, sub-account, service, region, charge category, currency' },
    ],
    notes: [
      CURRENCY_NOTE,
      'Billed cost is what the providers invoice; effective cost spreads commitment purchases over the usage they cover (empty where the bill gave none).',
      'A month is a UTC calendar month; a charge belongs to the day its charge period starts.',
    ],
    generatedAt,
    columns: [
      { key: 'provider', label: 'Provider', kind: 'text' },
      { key: 'billing_account', label: 'Billing account', kind: 'text' },
      { key: 'account', label: 'Sub-account', kind: 'text' },
      { key: 'account_name', label: 'Sub-account name', kind: 'text' },
      { key: 'service', label: 'Service', kind: 'text' },
      { key: 'service_category', label: 'Service category', kind: 'text' },
      { key: 'region', label: 'Region', kind: 'text' },
      { key: 'region_name', label: 'Region name', kind: 'text' },
      { key: 'charge_category', label: 'Charge category', kind: 'text' },
      { key: 'billed', label: 'Billed cost', kind: 'money' },
      { key: 'effective', label: 'Effective cost', kind: 'money' },
      { key: 'currency', label: 'Currency', kind: 'text' },
    ],
    rows: monthSpendRows(month, db),
  };
}

export function reportSubject(month: string): string {
  return `Burnrate cloud spend report: ${formatMonthLong(month)}`;
}

export function reportFileName(month: string, extension: 'pdf' | 'xlsx'): string {
  return `burnrate-spend-${month}.${extension}`;
}

function reportText(report: MonthlyReport): string {
  const month = formatMonthLong(report.month);
  const lines = [`Cloud spend for ${month} (billed cost, per billing currency):`, ''];
  if (report.totals.length === 0) lines.push('No costs were recorded.');
  for (const t of report.totals) {
    const change =
      t.deltaPercent === null ? 'new this month' : `${formatPercentChange(t.deltaPercent)} on ${formatMonthLong(report.previousMonth)}`;
    lines.push(`  ${formatMoney(t.current, t.currency)} (${change})`);
  }
  lines.push(
    '',
    `Attached: the report (${reportFileName(report.month, 'pdf')}) and the month's spend by provider, account, service and region (${reportFileName(report.month, 'xlsx')}).`,
    '',
    'Sent by Burnrate. Admins change the recipients on Settings > Email.',
  );
  return lines.join('\n');
}

/** The report's message with both attachments. */
export async function buildMonthlyReportMail(
  month: string,
  recipients: readonly string[],
  now: Date,
  db: Db = getPool(),
): Promise<{ message: MailMessage; report: MonthlyReport }> {
  const report = await getMonthlyReport(month, { db, now });
  const [pdf, xlsx] = await Promise.all([renderMonthlyReportPdf(report), xlsxBuffer(monthSpendTable(month, now, db))]);
  return {
    report,
    message: {
      to: recipients,
      subject: reportSubject(month),
      text: reportText(report),
      attachments: [
        { filename: reportFileName(month, 'pdf'), content: pdf, contentType: 'application/pdf' },
        {
          filename: reportFileName(month, 'xlsx'),
          content: xlsx.bytes,
          contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        },
      ],
    },
  };
}

export type DeliveryOutcome =
  | { month: string; outcome: 'not-configured' | 'disabled' | 'no-recipients' | 'already-sent' | 'busy' }
  | { month: string; outcome: 'incomplete'; waitingFor: string[] }
  | { month: string; outcome: 'sent'; messageId: string; recipients: string[] }
  | { month: string; outcome: 'failed'; error: string };

export interface DeliveryOptions {
  now?: Date;
  db?: Db;
  /** Settings to use instead of the saved ones (tests pass the loopback server's CA through `transport`). */
  settings?: MailSettings | null;
  transport?: TransportOptions;
}

/**
 * One daily run: the previous month's report, if the settings say to send it, it is not sent yet
 * and its data is complete. A sending failure is recorded on the delivery row and in the audit
 * trail and resolves as 'failed' (the next daily run tries again); database errors reject.
 */
export async function deliverMonthlyReport(options: DeliveryOptions = {}): Promise<DeliveryOutcome> {
  const now = options.now ?? new Date();
  const db = options.db ?? getPool();
  const month = addMonths(now.toISOString().slice(0, 7), -1);
  const settings = options.settings === undefined ? await loadMailSettings(db) : options.settings;
  if (!settings) return { month, outcome: 'not-configured' };
  if (!settings.monthlyReport) return { month, outcome: 'disabled' };
  if (settings.reportRecipients.length === 0) return { month, outcome: 'no-recipients' };
  if ((await getReportDelivery(month, db))?.status === 'sent') return { month, outcome: 'already-sent' };
  const status = await monthDataStatus(month, db);
  if (!status.complete) {
    return {
      month,
      outcome: 'incomplete',
      waitingFor:
        status.sources.length === 0
          ? ['no source has costs in the month']
          : status.waitingFor.map((s) => `${s.name} (last day ${s.lastDay})`),
    };
  }
  if (!(await claimReportDelivery(month, settings.reportRecipients, now, db))) {
    const again = await getReportDelivery(month, db);
    return { month, outcome: again?.status === 'sent' ? 'already-sent' : 'busy' };
  }
  const actor = { kind: 'system', component: 'monthly-report' } as const;
  try {
    const { message } = await buildMonthlyReportMail(month, settings.reportRecipients, now, db);
    const sent = await sendMail(settings, message, options.transport);
    await finishDelivery(month, { sent, at: new Date() }, db);
    await recordAudit(db, {
      actor,
      action: 'report.send',
      objectType: 'report',
      objectId: `monthly ${month}`,
      detail: { recipients: settings.reportRecipients.join(', '), messageId: sent.messageId },
    });
    return { month, outcome: 'sent', messageId: sent.messageId, recipients: settings.reportRecipients };
  } catch (error) {
    const message = error instanceof MailError ? error.message : `the report could not be built: ${(error as Error).message}`;
    await finishDelivery(month, { error: message }, db);
    await recordAudit(db, {
      actor,
      action: 'report.send',
      objectType: 'report',
      objectId: `monthly ${month}`,
      outcome: 'failed',
      detail: { message },
    });
    if (!(error instanceof MailError)) console.error(`[burnrate] monthly report for ${month} failed:`, error);
    return { month, outcome: 'failed', error: message };
  }
}
