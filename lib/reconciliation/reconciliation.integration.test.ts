// Reconciliation on a real PostgreSQL with bills ingested through the pipeline: the ingested billed
// total against an invoice total finance entered (audited) and against FOCUS Invoice Detail data,
// the exact difference, the days without data and the late-arriving charges; literals by hand.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectError, expectSuccess, form } from '../../tests/helpers/actions';
import { as, type TestUser, userWithRole } from '../../tests/helpers/auth';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { removeTempDirs, tempDir } from '../../tests/helpers/temp-dir';
import { enterInvoiceTotal as enterAction } from '../actions/enter-invoice-total';
import { IDLE } from '../actions/safe-action';
import type { Actor } from '../auth/actor';
import { closeMonth } from '../close/close';
import { ingestFile } from '../ingest/pipeline';
import { enterInvoiceTotal, getReconciliation } from './reconciliation';

vi.mock('next/cache', () => ({ revalidatePath: vi.fn() }));
afterAll(removeTempDirs);

const HEADER =
  'ProviderName,BillingAccountId,SubAccountId,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ServiceName,ServiceCategory,RegionId,ResourceId,SkuId,ConsumedQuantity,ConsumedUnit,BilledCost,EffectiveCost,ListCost,ContractedCost,BillingCurrency';

// [provider, account, charge day, billed, currency]; all in the January 2026 billing period.
type Line = [string, string, string, string, string];
function costCsv(lines: Line[]): string {
  const rows = lines.map(([p, a, day, billed, cur]) =>
    [
      p,
      a,
      's1',
      '2026-01-01T00:00:00Z',
      '2026-02-01T00:00:00Z',
      `${day}T00:00:00Z`,
      `${day}T23:59:59Z`,
      'Usage',
      'Compute',
      'Compute',
      'r1',
      `res-${day}`,
      'K1',
      '1',
      'Hrs',
      billed,
      billed,
      billed,
      billed,
      cur,
    ].join(','),
  );
  return `${HEADER}\n${rows.join('\n')}\n`;
}

const INVOICE_HEADER =
  'BilledCost,BillingAccountId,BillingCurrency,BillingPeriodEnd,BillingPeriodStart,ChargeCategory,InvoiceDetailCreated,InvoiceDetailDescription,InvoiceDetailGrain,InvoiceDetailId,InvoiceDetailLastUpdated,InvoiceId,InvoiceIssueDate,InvoiceIssueStatus,InvoiceIssuerName,PaymentCurrency,PaymentCurrencyBilledCost,PaymentCurrencyInvoiceDetailId,PaymentDueDate,PaymentTerms,PurchaseOrderNumber,ReferenceInvoiceId';
function invoiceLine(id: string, billed: string): string {
  return `${billed},b2,EUR,2026-02-01T00:00:00Z,2026-01-01T00:00:00Z,Usage,2026-02-02T10:00:00Z,Compute,,${id},2026-02-02T10:00:00Z,INV-1,2026-02-03T00:00:00Z,Issued,Aura Web,EUR,${billed},${id},2026-03-05T00:00:00Z,Net 30,,INV-1`;
}

const FEB_15 = new Date('2026-02-15T12:00:00Z');
const cli: Actor = { kind: 'cli', osUser: 'recon-test' };
let url: string;
let dir: string;
let finance: TestUser;
let viewer: TestUser;

async function write(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

beforeAll(async () => {
  url = await useTestDatabase();
  dir = await tempDir('burnrate-recon-');
  finance = await userWithRole('finance');
  viewer = await userWithRole('viewer');
  // AWS a1 (USD): Jan 3 and 4 at 10.10, and a December charge (Dec 30) billed in January: 1.50, late.
  // Azure b2 (EUR): Jan 1 to 31 at 3.00 except Jan 10: 30 days, 90.00.
  const lines: Line[] = [
    ['AWS', 'a1', '2026-01-03', '10.10', 'USD'],
    ['AWS', 'a1', '2026-01-04', '10.10', 'USD'],
    ['AWS', 'a1', '2025-12-30', '1.50', 'USD'],
  ];
  for (let d = 1; d <= 31; d++) if (d !== 10) lines.push(['Azure', 'b2', `2026-01-${String(d).padStart(2, '0')}`, '3.00', 'EUR']);
  await ingestFile({ file: await write('costs.csv', costCsv(lines)), sourceName: 'recon-costs' });
  // Aura Web's FOCUS invoice for b2: 60.00 + 29.50 = 89.50 EUR.
  await ingestFile({
    file: await write('invoice.csv', `${INVOICE_HEADER}\n${invoiceLine('L1', '60.00')}\n${invoiceLine('L2', '29.50')}\n`),
    sourceName: 'recon-invoices',
  });
});

describe('reconciliation', () => {
  it('without an invoice total: the billed total, the missing days and the late charges', async () => {
    const rows = await getReconciliation({ from: '2026-01', to: '2026-01' }, FEB_15);
    const aws = rows.find((r) => r.providerName === 'AWS');
    expect(aws).toMatchObject({
      billingAccountId: 'a1',
      month: '2026-01',
      currency: 'USD',
      billed: '21.70',
      invoice: null,
      invoiceSource: null,
      difference: null,
      lateLineItems: '1',
      lateBilled: '1.50',
      afterClose: null,
    });
    // 31 days less Jan 3 and 4.
    expect(aws?.missingDays).toHaveLength(29);
    expect(aws?.missingDays).not.toContain('2026-01-03');
  });

  it('FOCUS invoice details answer for their account: 90.00 billed against 89.50 invoiced is +0.50', async () => {
    const rows = await getReconciliation({ from: '2026-01', to: '2026-01' }, FEB_15);
    expect(rows.find((r) => r.billingAccountId === 'b2')).toEqual({
      providerName: 'Azure',
      billingAccountId: 'b2',
      month: '2026-01',
      currency: 'EUR',
      billed: '90.00',
      invoice: '89.50',
      invoiceSource: 'focus',
      invoiceNote: null,
      difference: '0.50',
      lateLineItems: '0',
      lateBilled: '0',
      afterClose: null,
      missingDays: ['2026-01-10'],
    });
  });

  it('finance enters an invoice total (audited); a viewer may not; the difference is billed − invoice', async () => {
    const fields = {
      providerName: 'AWS',
      billingAccountId: 'a1',
      month: '2026-01',
      currency: 'usd',
      amount: '22.00',
      note: 'PDF invoice 1',
    };
    expect(await as(viewer, enterAction)(IDLE, form(fields))).toMatchObject({ status: 'error', code: 'FORBIDDEN' });
    expect(expectError(await as(finance, enterAction)(IDLE, form({ ...fields, amount: '1,000' }))).fieldErrors.amount).toEqual([
      'an amount such as 1234.56 (no thousands separators)',
    ]);
    expect(expectSuccess(await as(finance, enterAction)(IDLE, form(fields))).message).toBe(
      'Saved the invoice total of AWS a1 for 2026-01: 22.00 USD.',
    );
    const rows = await getReconciliation({ from: '2026-01', to: '2026-01' }, FEB_15);
    // 21.70 − 22.00
    expect(rows.find((r) => r.providerName === 'AWS')).toMatchObject({
      invoice: '22.00',
      invoiceSource: 'entered',
      invoiceNote: 'PDF invoice 1',
      difference: '-0.30',
    });
    // The malformed amount never reached the handler (a field error): no line; the viewer's refusal is one.
    const lines = await sql<{ outcome: string; actor_email: string | null; after: unknown }>(
      url,
      `SELECT outcome, actor_email, after FROM audit_log WHERE action = 'invoice.total' ORDER BY id`,
    );
    expect(lines).toEqual([
      { outcome: 'refused', actor_email: viewer.email, after: null },
      { outcome: 'ok', actor_email: finance.email, after: { amount: '22.00', note: 'PDF invoice 1', enteredBy: finance.email } },
    ]);
    // A second entry replaces the first.
    await enterInvoiceTotal({ ...fields, currency: 'USD', amount: '21.70', note: '' }, cli);
    const again = await getReconciliation({ from: '2026-01', to: '2026-01' }, FEB_15);
    expect(again.find((r) => r.providerName === 'AWS')).toMatchObject({ invoice: '21.70', difference: '0.00' });
  });

  it('after a close, charges that arrive for the month show as billed after the close', async () => {
    await closeMonth('2026-01', cli, FEB_15);
    await ingestFile({
      file: await write(
        'costs-late.csv',
        costCsv([
          ['AWS', 'a1', '2026-01-03', '10.10', 'USD'],
          ['AWS', 'a1', '2026-01-04', '10.10', 'USD'],
          ['AWS', 'a1', '2025-12-30', '1.50', 'USD'],
          ['AWS', 'a1', '2026-01-20', '4.25', 'USD'],
        ]),
      ),
      sourceName: 'recon-costs',
    });
    const rows = await getReconciliation({ from: '2026-01', to: '2026-01' }, FEB_15);
    // The restated file dropped Azure from the source: its 90.00 EUR is gone since the close.
    expect(rows.find((r) => r.providerName === 'AWS')).toMatchObject({ billed: '25.95', afterClose: '4.25', difference: '4.25' });
    expect(rows.find((r) => r.billingAccountId === 'b2')).toMatchObject({ billed: '0', afterClose: '-90.00', invoice: '89.50' });
  });
});
