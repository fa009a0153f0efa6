// The scheduled monthly report against the real test database and a real SMTP server on loopback:
// when a month counts as complete, a failed send recorded and tried again, the report arriving
// once with both attachments (read back with pdf.js and exceljs), and a month never sent twice.
import { randomBytes } from 'node:crypto';
import ExcelJS from 'exceljs';
import { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGBOSS_SCHEMA } from '../../jobs/client';
import { createMonthlyReportJob } from '../../jobs/definitions';
import { startWorker, type Worker } from '../../jobs/worker';
import { sumDecimals } from '../../tests/helpers/bigint-decimal';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { readPdf } from '../../tests/helpers/pdf-text';
import { type LoopbackSmtp, startSmtpServer } from '../../tests/helpers/smtp-server';
import { DATA_SHEET, FILTERS_SHEET, HEADER_ROW } from '../exports/xlsx';
import { claimReportDelivery, deliverMonthlyReport, getReportDelivery, monthDataStatus } from './monthly-report';
import { type MailSettingsForm, saveMailSettings } from './settings';

process.env.BURNRATE_SECRET_KEY = randomBytes(32).toString('base64');

const PASSWORD = 'n0t-in-any-error';
const NOW = new Date('2026-12-02T06:15:00Z');
let url: string;
let smtp: LoopbackSmtp;
let boss: PgBoss | null = null;
let worker: Worker | null = null;

const sources: Record<string, number> = {};

interface Cost {
  source: string;
  day: string;
  provider: string;
  account: string;
  service: string;
  region: string;
  currency: string;
  billed: string;
}

const NOVEMBER: Cost[] = [
  {
    source: 'aws-bills',
    day: '2026-11-01',
    provider: 'AWS',
    account: '111',
    service: 'EC2',
    region: 'us-east-1',
    currency: 'USD',
    billed: '120.25',
  },
  {
    source: 'aws-bills',
    day: '2026-11-20',
    provider: 'AWS',
    account: '111',
    service: 'EC2',
    region: 'us-east-1',
    currency: 'USD',
    billed: '79.75',
  },
  {
    source: 'aws-bills',
    day: '2026-11-30',
    provider: 'AWS',
    account: '222',
    service: 'S3',
    region: 'eu-west-1',
    currency: 'USD',
    billed: '0.01',
  },
  {
    source: 'azure-bills',
    day: '2026-11-03',
    provider: 'Microsoft',
    account: 'sub-1',
    service: 'VMs',
    region: 'westeurope',
    currency: 'EUR',
    billed: '45.50',
  },
  {
    source: 'azure-bills',
    day: '2026-11-29',
    provider: 'Microsoft',
    account: 'sub-1',
    service: '=cmd|"/c calc"!A1',
    region: 'westeurope',
    currency: 'EUR',
    billed: '4.50',
  },
  // A disabled source whose data stops early is not waited for.
  {
    source: 'old-bills',
    day: '2026-11-10',
    provider: 'AWS',
    account: '333',
    service: 'EC2',
    region: 'us-west-2',
    currency: 'USD',
    billed: '10.00',
  },
];
// The day that completes the month for azure-bills, inserted later.
const AZURE_LAST_DAY: Cost = {
  source: 'azure-bills',
  day: '2026-11-30',
  provider: 'Microsoft',
  account: 'sub-1',
  service: 'VMs',
  region: 'westeurope',
  currency: 'EUR',
  billed: '1.99',
};

async function insertCosts(rows: Cost[]): Promise<void> {
  for (const r of rows) {
    await sql(
      url,
      `INSERT INTO cost_daily (day, source_id, billing_period_start, provider_name, sub_account_id, service_name, region_id, charge_category,
                               billing_currency, billed_cost, effective_cost, line_items)
       VALUES ($1, $2, date_trunc('month', $1::date)::date, $3, $4, $5, $6, 'Usage', $7, $8, $8, 1)`,
      [r.day, sources[r.source], r.provider, r.account, r.service, r.region, r.currency, r.billed],
    );
  }
}

function settings(over: Partial<MailSettingsForm> = {}): MailSettingsForm {
  return {
    host: '127.0.0.1',
    port: smtp.port,
    security: 'none',
    user: 'reports',
    password: PASSWORD,
    from: 'burnrate@example.com',
    reportRecipients: ['finance@example.com', 'lead@example.com'],
    monthlyReport: true,
    ...over,
  };
}

beforeAll(async () => {
  url = await useTestDatabase();
  smtp = await startSmtpServer({ user: 'reports', password: PASSWORD });
  for (const [name, enabled] of [
    ['aws-bills', true],
    ['azure-bills', true],
    ['old-bills', false],
    ['inventory-only', true],
  ] as const) {
    const [row] = await sql<{ id: number }>(url, 'INSERT INTO billing_sources (name, provider, enabled) VALUES ($1, $2, $3) RETURNING id', [
      name,
      'focus',
      enabled,
    ]);
    sources[name] = row?.id as number;
  }
});

afterAll(async () => {
  await worker?.stop();
  await boss?.stop({ graceful: false });
  await smtp?.close();
});

describe('monthDataStatus', () => {
  it('is incomplete while no source has costs in the month', async () => {
    expect(await monthDataStatus('2026-11')).toEqual({ month: '2026-11', complete: false, sources: [], waitingFor: [] });
  });

  it('waits for every enabled source with costs in the month to reach its last day; disabled sources and sources without costs are not waited for', async () => {
    await insertCosts(NOVEMBER);
    const status = await monthDataStatus('2026-11');
    expect(status.sources.map((s) => [s.name, s.lastDay])).toEqual([
      ['aws-bills', '2026-11-30'],
      ['azure-bills', '2026-11-29'],
    ]);
    expect(status.complete).toBe(false);
    expect(status.waitingFor.map((s) => s.name)).toEqual(['azure-bills']);
  });
});

describe('deliverMonthlyReport', () => {
  it('does nothing without saved settings, and nothing while the month is incomplete', async () => {
    expect(await deliverMonthlyReport({ now: NOW })).toEqual({ month: '2026-11', outcome: 'not-configured' });
    await saveMailSettings(settings({ password: 'wrong' }), 'admin@example.com');
    expect(await deliverMonthlyReport({ now: NOW })).toEqual({
      month: '2026-11',
      outcome: 'incomplete',
      waitingFor: ['azure-bills (last day 2026-11-29)'],
    });
    expect(await getReportDelivery('2026-11')).toBeNull();
    expect(smtp.messages).toHaveLength(0);
  });

  it('records a failed send (wrong password) with the reason, without the password, for the next day’s run', async () => {
    await insertCosts([AZURE_LAST_DAY]);
    expect((await monthDataStatus('2026-11')).complete).toBe(true);
    const result = await deliverMonthlyReport({ now: NOW });
    expect(result).toMatchObject({ month: '2026-11', outcome: 'failed' });
    const delivery = await getReportDelivery('2026-11');
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1, sentAt: null, messageId: null });
    expect(delivery?.error).toMatch(/refused the user name or password for reports/);
    expect(delivery?.error).not.toContain('wrong');
    expect(smtp.messages).toHaveLength(0);
    const audit = await sql<{ outcome: string; detail: { message: string } }>(
      url,
      `SELECT outcome, detail FROM audit_log WHERE action = 'report.send' AND object_id = 'monthly 2026-11'`,
    );
    expect(audit).toEqual([{ outcome: 'failed', detail: { message: delivery?.error } }]);
  });

  it('the daily job sends the month once, with the PDF and the XLSX attached, once the password is right', async () => {
    await saveMailSettings(settings(), 'admin@example.com');
    boss = new PgBoss({ connectionString: url, schema: PGBOSS_SCHEMA, supervise: false, schedule: false });
    await boss.start();
    const job = { ...createMonthlyReportJob({ now: () => NOW }), work: { pollingIntervalSeconds: 0.5 } };
    const lines: string[] = [];
    worker = await startWorker(url, (line) => lines.push(line), { jobs: [job], schedules: false });
    const id = (await boss.send(job.name, {})) as string;
    let state = '';
    for (let i = 0; i < 120 && state !== 'completed' && state !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 500));
      state = (await boss.getJobById(job.name, id))?.state ?? '';
    }
    expect(state).toBe('completed');
    const done = lines.find((l) => l.startsWith(`job ${job.name} done `)) as string;
    const result = JSON.parse(done.slice(`job ${job.name} done `.length));
    expect(result).toMatchObject({ month: '2026-11', outcome: 'sent', recipients: ['finance@example.com', 'lead@example.com'] });

    const delivery = await getReportDelivery('2026-11');
    expect(delivery).toMatchObject({ status: 'sent', attempts: 2, error: null, messageId: result.messageId });
    expect(delivery?.sentAt).toBeInstanceOf(Date);

    expect(smtp.messages).toHaveLength(1);
    const mail = smtp.messages[0];
    expect(mail).toMatchObject({ from: 'burnrate@example.com', to: ['finance@example.com', 'lead@example.com'], user: 'reports' });
    expect(mail?.parsed.subject).toBe('Burnrate cloud spend report: November 2026');
    expect(mail?.parsed.messageId).toBe(result.messageId);
    const attachments = mail?.parsed.attachments ?? [];
    expect(attachments.map((a) => [a.filename, a.mimeType])).toEqual([
      ['burnrate-spend-2026-11.pdf', 'application/pdf'],
      ['burnrate-spend-2026-11.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ]);

    // Expected totals from the inserted rows of enabled and disabled sources alike (the report is about the bills, not the sources' state).
    const all = [...NOVEMBER, AZURE_LAST_DAY];
    const total = (currency: string) => sumDecimals(all.filter((c) => c.currency === currency).map((c) => c.billed));
    expect([total('USD'), total('EUR')]).toEqual(['210.01', '51.99']);

    const pdf = await readPdf(new Uint8Array(attachments[0]?.content as ArrayBuffer));
    const text = pdf.text.replace(/\s+/g, ' ');
    expect(text).toContain('Cloud spend report: November 2026');
    expect(text).toContain('USD 210.01 USD 0.00 +USD 210.01 new');
    expect(text).toContain('EUR 51.99 EUR 0.00 +EUR 51.99 new');

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(attachments[1]?.content as ArrayBuffer);
    const sheet = workbook.getWorksheet(DATA_SHEET) as ExcelJS.Worksheet;
    const header = (sheet.getRow(HEADER_ROW).values as ExcelJS.CellValue[]).slice(1);
    const col = (label: string) => header.indexOf(label) + 1;
    const totals = new Map<string, ExcelJS.CellValue>();
    const services: ExcelJS.CellValue[] = [];
    sheet.eachRow((row, n) => {
      const first = String(row.getCell(1).value ?? '');
      if (first.startsWith('Total ')) totals.set(first.slice(6), row.getCell(col('Billed cost')).value);
      else if (n > HEADER_ROW && first !== '') services.push(row.getCell(col('Service')).value);
    });
    expect(Object.fromEntries(totals)).toEqual({ EUR: Number(total('EUR')), USD: Number(total('USD')) });
    // Groups: AWS 111 EC2, AWS 222 S3, AWS 333 EC2 (us-west-2), Microsoft sub-1 VMs, Microsoft sub-1 formula-like service.
    expect(services).toHaveLength(5);
    expect(services).toContain(`'=cmd|"/c calc"!A1`);
    const filters = workbook.getWorksheet(FILTERS_SHEET) as ExcelJS.Worksheet;
    expect(filters.getRow(2).values).toEqual([undefined, 'Period from', '2026-11-01']);
    expect(filters.getRow(3).values).toEqual([undefined, 'Period to', '2026-11-30']);

    const audit = await sql<{ outcome: string }>(
      url,
      `SELECT outcome FROM audit_log WHERE action = 'report.send' AND object_id = 'monthly 2026-11' ORDER BY at, id`,
    );
    expect(audit.map((a) => a.outcome)).toEqual(['failed', 'ok']);
  });

  it('never sends a month twice', async () => {
    expect(await deliverMonthlyReport({ now: new Date('2026-12-03T06:15:00Z') })).toEqual({ month: '2026-11', outcome: 'already-sent' });
    expect(await claimReportDelivery('2026-11', ['x@example.com'], new Date('2027-01-01T00:00:00Z'))).toBe(false);
    expect(smtp.messages).toHaveLength(1);
    expect((await getReportDelivery('2026-11'))?.attempts).toBe(2);
  });

  it('lets a run take over a month stuck in sending for over an hour (a worker that died), not one being sent now', async () => {
    await sql(
      url,
      `INSERT INTO report_deliveries (kind, month, status, recipients, started_at) VALUES ('monthly', '2026-10-01', 'sending', '{a@example.com}', $1)`,
      [new Date('2026-11-02T06:00:00Z')],
    );
    expect(await claimReportDelivery('2026-10', ['a@example.com'], new Date('2026-11-02T06:30:00Z'))).toBe(false);
    expect(await claimReportDelivery('2026-10', ['a@example.com'], new Date('2026-11-02T07:30:00Z'))).toBe(true);
    expect(await getReportDelivery('2026-10')).toMatchObject({ status: 'sending', attempts: 2 });
  });

  it('sends nothing when the monthly report is turned off or has no recipients', async () => {
    const at = { now: new Date('2027-01-02T06:00:00Z') };
    await saveMailSettings(settings({ monthlyReport: false }), 'admin@example.com');
    expect(await deliverMonthlyReport(at)).toEqual({ month: '2026-12', outcome: 'disabled' });
    await saveMailSettings(settings({ reportRecipients: [] }), 'admin@example.com');
    expect(await deliverMonthlyReport(at)).toEqual({ month: '2026-12', outcome: 'no-recipients' });
  });
});
