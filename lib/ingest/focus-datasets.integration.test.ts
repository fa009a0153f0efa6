// The supporting FOCUS datasets (Contract Commitment, Invoice Detail, Billing Period) ingested into
// real PostgreSQL from the fixtures in tests/fixtures/focus-datasets (see SOURCE.md there). Every
// expected total is a literal added up by hand from the fixture (the sums are in SOURCE.md).
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeParquet } from '../../tests/fixtures/focus/parquet-writer';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { getPrisma } from '../db/prisma';
import { ingestFile } from './pipeline';
import { IngestError } from './types';

const FIXTURES = path.resolve(import.meta.dirname, '../../tests/fixtures/focus-datasets');
const fixture = (name: string) => path.join(FIXTURES, name);

let dir: string;
let url: string;

beforeAll(async () => {
  url = await useTestDatabase();
  dir = await mkdtemp(path.join(os.tmpdir(), 'focus-datasets-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function tmpFile(name: string, content: string | Uint8Array): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, content);
  return p;
}

/** What a source holds in a dataset table, summed by PostgreSQL: [currency, rows, sum] per currency. */
async function stored(table: string, amount: string, currency: string, sourceName: string): Promise<[string, number, string][]> {
  const rows = await sql<{ currency: string; n: number; sum: string }>(
    url,
    `SELECT t.${currency} AS currency, count(*)::int AS n, sum(t.${amount})::text AS sum
       FROM ${table} t JOIN billing_sources s ON s.id = t.source_id
      WHERE s.name = $1 AND t.${amount} IS NOT NULL GROUP BY 1 ORDER BY 1`,
    [sourceName],
  );
  return rows.map((r) => [r.currency, r.n, r.sum]);
}

async function rowCount(table: string, sourceName: string): Promise<number> {
  const [r] = await sql<{ n: number }>(
    url,
    `SELECT count(*)::int AS n FROM ${table} t JOIN billing_sources s ON s.id = t.source_id WHERE s.name = $1`,
    [sourceName],
  );
  return r?.n ?? 0;
}

async function runOf(runId: string) {
  const [run] = await sql<{ format: string; dataset: string; status: string; row_count: string; billing_periods: string; totals: unknown }>(
    url,
    `SELECT format, dataset, status, row_count::text, billing_periods::text, totals FROM ingest_runs WHERE id = $1`,
    [runId],
  );
  return run;
}

describe('FOCUS Invoice Detail (1.4)', () => {
  it('lands every line with typed columns, and the run records the dataset and per-currency totals', async () => {
    const s = await ingestFile({ file: fixture('invoice-detail-1.4.csv') });
    expect(s.format).toBe('focus');
    expect(s.dataset).toBe('invoice-detail');
    // The default source is the Cost and Usage default: focus:<BillingAccountId>.
    expect(s.sourceName).toBe('focus:123456789');
    expect(s.rows).toBe(9);
    expect(s.billingPeriods).toEqual(['2025-01-01', '2025-02-01', '2025-06-01']);
    expect(s.totals).toEqual([]);
    expect(s.datasetTotals).toEqual([
      { column: 'BilledCost', currency: 'EUR', rows: 1, sum: '99.99' },
      { column: 'BilledCost', currency: 'USD', rows: 8, sum: '1681.96' },
      { column: 'PaymentCurrencyBilledCost', currency: 'AUD', rows: 3, sum: '5.17' },
      { column: 'PaymentCurrencyBilledCost', currency: 'EUR', rows: 1, sum: '99.99' },
      { column: 'PaymentCurrencyBilledCost', currency: 'USD', rows: 5, sum: '1678.63' },
    ]);
    const run = await runOf(s.runId);
    expect(run).toMatchObject({
      format: 'focus',
      dataset: 'invoice-detail',
      status: 'succeeded',
      row_count: '9',
      billing_periods: '{2025-01-01,2025-02-01,2025-06-01}',
    });
    expect(run?.totals).toEqual(s.datasetTotals);

    expect(await stored('focus_invoice_details', 'billed_cost', 'billing_currency', 'focus:123456789')).toEqual([
      ['EUR', 1, '99.99'],
      ['USD', 8, '1681.96'],
    ]);
    const [line] = await sql<Record<string, unknown>>(
      url,
      `SELECT invoice_detail_grain, billing_period_start, payment_due_date, purchase_order_number, reference_invoice_id, extras,
              pg_typeof(billed_cost)::text AS billed_type, pg_typeof(invoice_issue_date)::text AS date_type
         FROM focus_invoice_details WHERE invoice_detail_id = 'LINE-001' AND invoice_id = 'INV-2025-001'`,
    );
    expect(line).toMatchObject({
      invoice_detail_grain: { ServiceName: 'Compute' },
      billing_period_start: new Date('2025-01-01T00:00:00Z'),
      payment_due_date: new Date('2025-03-05T00:00:00Z'),
      purchase_order_number: 'PO-998877',
      reference_invoice_id: 'INV-2025-001',
      extras: { x_PricingQuantity: '720' },
      billed_type: 'numeric',
      date_type: 'timestamp with time zone',
    });
    // The literal `null` the specification's scenario 2 uses is a null.
    const [aud] = await sql<{ n: number }>(
      url,
      `SELECT count(*)::int AS n FROM focus_invoice_details WHERE invoice_id = 'AUIN25-1286479' AND purchase_order_number IS NULL`,
    );
    expect(aud?.n).toBe(3);
    // The Prisma Client reads the table too (exact Decimal, JSON as objects).
    const viaClient = await getPrisma().focusInvoiceDetail.findMany({
      where: { sourceId: s.sourceId, invoiceId: 'AUIN25-1286479' },
      orderBy: { invoiceDetailId: 'asc' },
    });
    expect(
      viaClient.map((r) => [r.invoiceDetailId, r.billedCost.toFixed(2), r.paymentCurrencyBilledCost?.toFixed(2), r.invoiceDetailGrain]),
    ).toEqual([
      ['LINE-001', '3.03', '0.00', { ServiceName: 'AuraStore' }],
      ['LINE-002', '0.30', '0.00', { ServiceName: 'AuraStore' }],
      ['LINE-AGG', '0.00', '5.17', {}],
    ]);
  });

  it('re-ingesting a billing period replaces that period and keeps the others', async () => {
    const first = await ingestFile({ file: fixture('invoice-detail-1.4.csv'), sourceName: 'restate' });
    expect(first.rows).toBe(9);
    const again = await ingestFile({ file: fixture('invoice-detail-1.4-january-restated.csv'), sourceName: 'restate' });
    expect(again.billingPeriods).toEqual(['2025-01-01']);
    expect(again.replacedRows).toBe(5);
    expect(again.datasetTotals).toEqual([
      { column: 'BilledCost', currency: 'USD', rows: 3, sum: '1528.63' },
      { column: 'PaymentCurrencyBilledCost', currency: 'USD', rows: 3, sum: '1528.63' },
    ]);
    // January is 400.00 + 1000.00 + 128.63; February's -50.00 and June's 3.03 + 0.30 + 0.00 stay; the EUR line is gone.
    expect(await stored('focus_invoice_details', 'billed_cost', 'billing_currency', 'restate')).toEqual([['USD', 7, '1481.96']]);
    // The same file once more changes nothing.
    await ingestFile({ file: fixture('invoice-detail-1.4-january-restated.csv'), sourceName: 'restate' });
    expect(await stored('focus_invoice_details', 'billed_cost', 'billing_currency', 'restate')).toEqual([['USD', 7, '1481.96']]);
  });

  it('a declared billing period that arrives empty is cleared', async () => {
    await ingestFile({ file: fixture('invoice-detail-1.4.csv'), sourceName: 'declared' });
    const header = readFileSync(fixture('invoice-detail-1.4.csv'), 'utf8').split('\n')[0];
    const empty = await tmpFile('invoice-empty.csv', `${header}\n`);
    const s = await ingestFile({ file: empty, sourceName: 'declared', billingPeriods: ['2025-06-01'] });
    expect(s.rows).toBe(0);
    expect(s.replacedRows).toBe(3);
    expect(await stored('focus_invoice_details', 'billed_cost', 'billing_currency', 'declared')).toEqual([
      ['EUR', 1, '99.99'],
      ['USD', 5, '1678.63'],
    ]);
  });

  it('a bad amount fails naming file, line, column and value; the run is failed and the table unchanged', async () => {
    await ingestFile({ file: fixture('invoice-detail-1.4.csv'), sourceName: 'bad-amount' });
    const before = await stored('focus_invoice_details', 'billed_cost', 'billing_currency', 'bad-amount');
    const [header, ...lines] = readFileSync(fixture('invoice-detail-1.4.csv'), 'utf8').trimEnd().split('\n');
    // Far enough down that the run has started and rows are streaming through COPY when it fails.
    const body: string[] = [];
    for (let i = 0; i < 4000; i++) body.push(...lines);
    const bad = (lines[6] as string).replace(/^3\.03,/, '"3,03",');
    const lineNo = body.length + 2;
    const p = await tmpFile('invoice-bad.csv', `${header}\n${body.join('\n')}\n${bad}\n`);
    const error = await ingestFile({ file: p, sourceName: 'bad-amount' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IngestError);
    expect((error as IngestError).message).toMatch(new RegExp(`invoice-bad\\.csv, line ${lineNo}, column BilledCost: .*"3,03"`));
    expect((error as IngestError).detail).toMatchObject({ line: lineNo, column: 'BilledCost', code: 'BAD_VALUE' });
    expect(await stored('focus_invoice_details', 'billed_cost', 'billing_currency', 'bad-amount')).toEqual(before);
    const [run] = await sql<{ status: string; dataset: string; error: string }>(
      url,
      `SELECT status, dataset, error FROM ingest_runs WHERE file_name = $1`,
      [p],
    );
    expect(run).toMatchObject({ status: 'failed', dataset: 'invoice-detail' });
    expect(run?.error).toContain(`line ${lineNo}, column BilledCost`);
  });

  it('a missing mandatory column fails naming it, before anything is stored', async () => {
    const text = readFileSync(fixture('invoice-detail-1.4.csv'), 'utf8');
    const cut = text
      .trimEnd()
      .split('\n')
      .map((l) => l.replace(/,Issued,/, ',').replace(/,InvoiceIssueStatus,/, ','))
      .join('\n');
    const p = await tmpFile('invoice-no-status.csv', `${cut}\n`);
    const error = await ingestFile({ file: p, sourceName: 'no-status' }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/invoice-no-status\.csv: missing mandatory FOCUS Invoice Detail column InvoiceIssueStatus/);
    expect((error as IngestError).detail).toMatchObject({ line: 1, column: 'InvoiceIssueStatus', code: 'MISSING_VALUE' });
    expect(await rowCount('focus_invoice_details', 'no-status')).toBe(0);
  });

  it('an empty value in a column that allows no nulls, and an amount without its currency, name line and column', async () => {
    const [header, ...lines] = readFileSync(fixture('invoice-detail-1.4.csv'), 'utf8').trimEnd().split('\n');
    const noId = (lines[1] as string).replace(',INV-2025-001,2025-02-03', ',,2025-02-03');
    const p1 = await tmpFile('invoice-no-id.csv', `${header}\n${lines[0]}\n${noId}\n`);
    await expect(ingestFile({ file: p1, sourceName: 'nulls' })).rejects.toThrow(
      /invoice-no-id\.csv, line 3, column InvoiceId: missing value ""/,
    );
    const noCurrency = (lines[8] as string).replace(',AUD,5.17,', ',,5.17,');
    const p2 = await tmpFile('invoice-no-currency.csv', `${header}\n${noCurrency}\n`);
    await expect(ingestFile({ file: p2, sourceName: 'nulls' })).rejects.toThrow(
      /invoice-no-currency\.csv, line 2, column PaymentCurrency: PaymentCurrencyBilledCost 5\.17 has no PaymentCurrency/,
    );
    const badJson = (lines[0] as string).replace('"{""ServiceName"": ""Compute""}"', '"{ServiceName: Compute}"');
    const p3 = await tmpFile('invoice-bad-json.csv', `${header}\n${badJson}\n`);
    await expect(ingestFile({ file: p3, sourceName: 'nulls' })).rejects.toThrow(
      /invoice-bad-json\.csv, line 2, column InvoiceDetailGrain: not valid JSON \(.*\): "\{ServiceName: Compute\}"/,
    );
    expect(await rowCount('focus_invoice_details', 'nulls')).toBe(0);
  });

  it('reads the same dataset from Parquet (DECIMAL amounts, string columns)', async () => {
    const header = (readFileSync(fixture('invoice-detail-1.4.csv'), 'utf8').split('\n')[0] as string).split(',');
    const base: Record<string, string | null> = {
      BillingAccountId: '615703680694',
      BillingCurrency: 'USD',
      BillingPeriodEnd: '2025-07-01T00:00:00Z',
      BillingPeriodStart: '2025-06-01T00:00:00Z',
      ChargeCategory: 'Usage',
      InvoiceDetailCreated: '2025-07-01T12:00:00Z',
      InvoiceDetailDescription: 'AuraStore Standard Storage',
      InvoiceDetailGrain: '{"ServiceName": "AuraStore"}',
      InvoiceDetailLastUpdated: '2025-07-01T12:00:00Z',
      InvoiceId: 'AUIN25-1286479',
      InvoiceIssueDate: '2025-07-01T00:00:00Z',
      InvoiceIssueStatus: 'Issued',
      InvoiceIssuerName: 'Aura Web',
      PaymentCurrency: 'AUD',
      PaymentCurrencyInvoiceDetailId: 'LINE-AGG',
      PaymentDueDate: '2025-08-01T00:00:00Z',
      PaymentTerms: 'Net 30',
      PurchaseOrderNumber: null,
      ReferenceInvoiceId: 'AUIN25-1286479',
      x_PricingQuantity: null,
    };
    const ids = ['LINE-001', 'LINE-002', 'LINE-AGG'];
    const billed = [303n, 30n, 0n]; // DECIMAL(18,2): 3.03, 0.30, 0.00
    const paid = [0n, 0n, 517n]; // 0.00, 0.00, 5.17
    const bytes = writeParquet(
      header.map((name) => {
        if (name === 'BilledCost') return { name, type: { kind: 'decimal', precision: 18, scale: 2, physical: 'INT64' }, values: billed };
        if (name === 'PaymentCurrencyBilledCost')
          return { name, type: { kind: 'decimal', precision: 18, scale: 2, physical: 'INT64' }, values: paid };
        if (name === 'InvoiceDetailId') return { name, type: { kind: 'string' }, values: ids };
        return { name, type: { kind: 'string' }, values: ids.map(() => base[name] ?? null) };
      }),
    );
    const p = await tmpFile('invoice.parquet', bytes);
    const s = await ingestFile({ file: p, sourceName: 'parquet' });
    expect(s.dataset).toBe('invoice-detail');
    expect(s.datasetTotals).toEqual([
      { column: 'BilledCost', currency: 'USD', rows: 3, sum: '3.33' },
      { column: 'PaymentCurrencyBilledCost', currency: 'AUD', rows: 3, sum: '5.17' },
    ]);
  });
});

describe('FOCUS Contract Commitment (1.3 and 1.4)', () => {
  it('a 1.4 file lands all 30 columns; totals per currency for both amount columns', async () => {
    const s = await ingestFile({ file: fixture('contract-commitment-1.4.csv'), sourceName: 'contracts' });
    expect(s.dataset).toBe('contract-commitment');
    expect(s.rows).toBe(6);
    expect(s.billingPeriods).toEqual([]);
    expect(s.datasetTotals).toEqual([
      { column: 'ContractCommitmentCost', currency: 'EUR', rows: 3, sum: '1082250.00' },
      { column: 'ContractCommitmentCost', currency: 'USD', rows: 3, sum: '385000.00' },
      { column: 'PricingCurrencyContractCommitmentCost', currency: 'USD', rows: 6, sum: '1555000.00' },
    ]);
    expect((await runOf(s.runId))?.dataset).toBe('contract-commitment');
    const [ri] = await sql<Record<string, unknown>>(
      url,
      `SELECT contract_commitment_applicability, contract_commitment_period_end, contract_commitment_quantity::text AS qty,
              contract_commitment_discount_percentage::text AS discount, contract_commitment_fulfillment_interval, service_provider_name
         FROM focus_contract_commitments WHERE contract_commitment_id = 'CMT-RI-002'`,
    );
    expect(ri).toEqual({
      contract_commitment_applicability: {
        InclusionOperator: 'Or',
        Inclusions: [{ Dimension: 'RegionId', Operator: 'In', Values: ['us-east-1'] }],
      },
      contract_commitment_period_end: new Date('2026-12-01T00:00:00Z'),
      qty: '10.00',
      discount: '0.40',
      contract_commitment_fulfillment_interval: 'Hourly',
      service_provider_name: 'Acme Co',
    });
    // JSON columns are queryable as JSON.
    const [global] = await sql<{ n: number }>(
      url,
      `SELECT count(*)::int AS n FROM focus_contract_commitments WHERE (contract_commitment_applicability->>'IsGlobalScope')::boolean`,
    );
    expect(global?.n).toBe(2);
  });

  it('a 1.3 file (13 columns) replaces the source’s whole dataset; 1.4 columns are null, custom ones in extras', async () => {
    await ingestFile({ file: fixture('contract-commitment-1.4.csv'), sourceName: 'contracts-13' });
    const gz = await tmpFile('contract-commitment-1.3.csv.gz', gzipSync(readFileSync(fixture('contract-commitment-1.3.csv'))));
    const s = await ingestFile({ file: gz, sourceName: 'contracts-13' });
    expect(s.dataset).toBe('contract-commitment');
    expect(s.rows).toBe(4);
    expect(s.replacedRows).toBe(6);
    // CMT-SEC-999 has neither cost nor currency: it is not in the totals.
    expect(s.datasetTotals).toEqual([{ column: 'ContractCommitmentCost', currency: 'EUR', rows: 3, sum: '1082250.00' }]);
    expect(await rowCount('focus_contract_commitments', 'contracts-13')).toBe(4);
    const rows = await sql<{ id: string; created: Date | null; extras: unknown }>(
      url,
      `SELECT contract_commitment_id AS id, contract_commitment_created AS created, extras
         FROM focus_contract_commitments c JOIN billing_sources s ON s.id = c.source_id WHERE s.name = 'contracts-13' ORDER BY 1`,
    );
    expect(rows).toEqual([
      { id: 'CMT-RI-002', created: null, extras: null },
      { id: 'CMT-SEC-999', created: null, extras: null },
      { id: 'CMT-SPEND-001', created: null, extras: { x_AccountManager: 'J. Doe' } },
      { id: 'CMT-SaaS-003', created: null, extras: null },
    ]);
  });

  it('a 1.3 file names no provider: its default source is focus:unknown, so a delivery listing its contracts in another order replaces it', async () => {
    const first = await ingestFile({ file: fixture('contract-commitment-1.3.csv') });
    expect(first.sourceName).toBe('focus:unknown');
    const [header, ...lines] = readFileSync(fixture('contract-commitment-1.3.csv'), 'utf8').trimEnd().split('\n');
    // The same four commitments, AGR-44-GAMMA's first.
    const reordered = await tmpFile('contract-commitment-1.3-reordered.csv', `${[header, ...lines.reverse()].join('\n')}\n`);
    const again = await ingestFile({ file: reordered });
    expect(again.sourceName).toBe('focus:unknown');
    expect(again.replacedRows).toBe(4);
    expect(await rowCount('focus_contract_commitments', 'focus:unknown')).toBe(4);
  });

  it('PricingCurrency may be a virtual currency (CurrencyFormat): its amounts are totalled apart from the national ones', async () => {
    const text = readFileSync(fixture('contract-commitment-1.4.csv'), 'utf8');
    const credits = text.replace(',Acme Co,USD,120000.00,DataStreamer', ',Acme Co,Credits,120000.00,DataStreamer');
    expect(credits).not.toBe(text);
    const s = await ingestFile({ file: await tmpFile('contract-commitment-credits.csv', credits), sourceName: 'contracts-credits' });
    // USD: 1000000.00 + 50000.00 + 250000.00 + 120000.00 + 15000.00 (CMT-SaaS-003's 120000.00 is in Credits).
    expect(s.datasetTotals).toEqual([
      { column: 'ContractCommitmentCost', currency: 'EUR', rows: 3, sum: '1082250.00' },
      { column: 'ContractCommitmentCost', currency: 'USD', rows: 3, sum: '385000.00' },
      { column: 'PricingCurrencyContractCommitmentCost', currency: 'Credits', rows: 1, sum: '120000.00' },
      { column: 'PricingCurrencyContractCommitmentCost', currency: 'USD', rows: 5, sum: '1435000.00' },
    ]);
  });

  it('a bad quantity or a missing ContractId column fails naming line, column and value; nothing changes', async () => {
    await ingestFile({ file: fixture('contract-commitment-1.4.csv'), sourceName: 'contracts-bad' });
    const text = readFileSync(fixture('contract-commitment-1.3.csv'), 'utf8');
    const p1 = await tmpFile('cc-bad-qty.csv', text.replace(',10.00,Reserved Instance,', ',ten,Reserved Instance,'));
    await expect(ingestFile({ file: p1, sourceName: 'contracts-bad' })).rejects.toThrow(
      /cc-bad-qty\.csv, line 3, column ContractCommitmentQuantity: not a decimal number: "ten"/,
    );
    const p2 = await tmpFile('cc-no-contract.csv', text.replace(',ContractId,', ',OtherId,'));
    await expect(ingestFile({ file: p2, sourceName: 'contracts-bad' })).rejects.toThrow(
      /cc-no-contract\.csv: missing mandatory FOCUS Contract Commitment column ContractId/,
    );
    expect(await stored('focus_contract_commitments', 'contract_commitment_cost', 'billing_currency', 'contracts-bad')).toEqual([
      ['EUR', 3, '1082250.00'],
      ['USD', 3, '385000.00'],
    ]);
  });
});

describe('FOCUS Billing Period (1.4)', () => {
  it('lands each period with its status; a later delivery replaces only its periods', async () => {
    const s = await ingestFile({ file: fixture('billing-period-1.4.csv') });
    expect(s.dataset).toBe('billing-period');
    expect(s.sourceName).toBe('focus:Aura Web');
    expect(s.rows).toBe(3);
    expect(s.datasetTotals).toEqual([]);
    expect((await runOf(s.runId))?.billing_periods).toBe('{2025-01-01,2025-02-01,2025-06-01}');
    const again = await ingestFile({ file: fixture('billing-period-1.4-june-closed.csv') });
    expect(again.replacedRows).toBe(1);
    const rows = await sql<{ start: Date; status: string }>(
      url,
      `SELECT billing_period_start AS start, billing_period_status AS status FROM focus_billing_periods b
         JOIN billing_sources s ON s.id = b.source_id WHERE s.name = 'focus:Aura Web' ORDER BY 1`,
    );
    expect(rows).toEqual([
      { start: new Date('2025-01-01T00:00:00Z'), status: 'Closed' },
      { start: new Date('2025-02-01T00:00:00Z'), status: 'Closed' },
      { start: new Date('2025-06-01T00:00:00Z'), status: 'Closed' },
    ]);
  });

  it('a bad date fails naming line, column and value', async () => {
    const text = readFileSync(fixture('billing-period-1.4.csv'), 'utf8');
    const p = await tmpFile('bp-bad-date.csv', text.replace('2025-06-20T08:00:00Z', '2025-06-31T08:00:00Z'));
    await expect(ingestFile({ file: p, sourceName: 'bp-bad' })).rejects.toThrow(
      /bp-bad-date\.csv, line 4, column BillingPeriodLastUpdated: not a valid date\/time: "2025-06-31T08:00:00Z"/,
    );
    expect(await rowCount('focus_billing_periods', 'bp-bad')).toBe(0);
  });
});

describe('detection', () => {
  it('a Cost and Usage file is not taken for a supporting dataset, and --format aws-cur does not route one', async () => {
    const s = await ingestFile({ file: path.resolve(FIXTURES, '../focus/focus-1.2-multi-currency.csv'), sourceName: 'cost' });
    expect(s.dataset).toBeNull();
    expect(s.rows).toBe(8);
    const [lines] = await sql<{ n: number }>(url, 'SELECT count(*)::int AS n FROM cost_line_items WHERE source_id = $1', [s.sourceId]);
    expect(lines?.n).toBe(8);
    for (const table of ['focus_contract_commitments', 'focus_invoice_details', 'focus_billing_periods']) {
      expect(await rowCount(table, 'cost'), table).toBe(0);
    }
    await expect(ingestFile({ file: fixture('billing-period-1.4.csv'), format: 'aws-cur' })).rejects.toThrow(/does not look like/);
  });
});
