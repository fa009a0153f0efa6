// Month close on a real PostgreSQL with bills ingested through the pipeline: the close keeps the
// month's figures, a restated file ingested afterwards changes the current data but not the closed
// figures, and the difference is (new − old) computed by hand. Reopen needs a reason; both are
// audited; a second close is refused; the actions refuse a viewer.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectError, expectSuccess } from '../../tests/helpers/actions';
import { as, type TestUser, userWithRole } from '../../tests/helpers/auth';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { removeTempDirs, tempDir } from '../../tests/helpers/temp-dir';
import { closeMonth as closeMonthAction } from '../actions/close-month';
import { reopenMonth as reopenMonthAction } from '../actions/reopen-month';
import { IDLE } from '../actions/safe-action';
import type { Actor } from '../auth/actor';
import { ingestFile } from '../ingest/pipeline';
import { closedMonthDifference, closeMonth, MonthCloseError, reopenMonth } from './close';
import { closedMonthsInRange, listMonthCloses } from './status';

vi.mock('next/cache', () => ({ revalidatePath: vi.fn() }));
afterAll(removeTempDirs);

const HEADER =
  'ProviderName,BillingAccountId,SubAccountId,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ServiceName,ServiceCategory,RegionId,ResourceId,SkuId,ConsumedQuantity,ConsumedUnit,BilledCost,EffectiveCost,ListCost,ContractedCost,BillingCurrency';

// [sub account, day of January, category, service, billed, effective, currency]
type Line = [string, string, string, string, string, string, string];

function csv(lines: Line[]): string {
  const rows = lines.map(([sub, day, cat, svc, billed, eff, cur]) =>
    [
      'AWS',
      'a1',
      sub,
      '2026-01-01T00:00:00Z',
      '2026-02-01T00:00:00Z',
      `2026-01-${day}T00:00:00Z`,
      `2026-01-${day}T23:59:59Z`,
      cat,
      svc,
      'Compute',
      'us-east-1',
      `r-${svc}`,
      'K1',
      '1',
      'Hrs',
      billed,
      eff,
      billed,
      billed,
      cur,
    ].join(','),
  );
  return `${HEADER}\n${rows.join('\n')}\n`;
}

const ORIGINAL: Line[] = [
  ['s1', '03', 'Usage', 'EC2', '10.10', '9.10', 'USD'],
  ['s1', '04', 'Usage', 'EC2', '10.10', '9.10', 'USD'],
  ['s2', '05', 'Usage', 'S3', '2.25', '2.25', 'EUR'],
];
// The provider restates January: day 4's EC2 is 12.35 (effective 11.00) and a credit of -1.00 appears.
const RESTATED: Line[] = [
  ['s1', '03', 'Usage', 'EC2', '10.10', '9.10', 'USD'],
  ['s1', '04', 'Usage', 'EC2', '12.35', '11.00', 'USD'],
  ['s1', '04', 'Credit', 'EC2', '-1.00', '-1.00', 'USD'],
  ['s2', '05', 'Usage', 'S3', '2.25', '2.25', 'EUR'],
];

const FEB_15 = new Date('2026-02-15T12:00:00Z');
const cli: Actor = { kind: 'cli', osUser: 'close-test' };

let url: string;
let dir: string;
async function ingest(name: string, lines: Line[]) {
  const file = path.join(dir, name);
  await writeFile(file, csv(lines));
  await ingestFile({ file, sourceName: 'close-test' });
}

let finance: TestUser;
let viewer: TestUser;
beforeAll(async () => {
  url = await useTestDatabase();
  dir = await tempDir('burnrate-close-');
  finance = await userWithRole('finance');
  viewer = await userWithRole('viewer');
  await ingest('jan.csv', ORIGINAL);
});

describe('month close', () => {
  it('a month that has not ended cannot be closed; a malformed month is refused', async () => {
    await expect(closeMonth('2026-02', cli, FEB_15)).rejects.toThrow('2026-02 has not ended yet: a month can be closed from 2026-03-01 on');
    await expect(closeMonth('2026-1', cli, FEB_15)).rejects.toThrow(MonthCloseError);
  });

  it('close snapshots the month per currency; a second close is refused', async () => {
    const closed = await closeMonth('2026-01', cli, FEB_15);
    expect(closed.totals).toEqual([
      { currency: 'EUR', billedCost: '2.25', effectiveCost: '2.25', lineItems: '1' },
      { currency: 'USD', billedCost: '20.20', effectiveCost: '18.20', lineItems: '2' },
    ]);
    await expect(closeMonth('2026-01', cli, FEB_15)).rejects.toThrow(
      '2026-01 is already closed (by cli:close-test at 2026-02-15T12:00:00.000Z); reopen it with a reason to close it again',
    );
    const diff = await closedMonthDifference('2026-01');
    expect(diff.status).toBe('closed');
    expect(diff.rows).toEqual([]);
    expect(diff.totals.map((t) => [t.currency, t.closedBilled, t.currentBilled, t.billedDifference])).toEqual([
      ['EUR', '2.25', '2.25', '0.00'],
      ['USD', '20.20', '20.20', '0.00'],
    ]);
    const [line] = await sql<{ outcome: string; object_id: string; before: unknown; after: { totals: unknown[] } }>(
      url,
      `SELECT outcome, object_id, before, after FROM audit_log WHERE action = 'close.month' ORDER BY id`,
    );
    expect(line).toMatchObject({ outcome: 'ok', object_id: '2026-01', before: { status: 'open' } });
    expect(line?.after.totals).toContainEqual({ currency: 'USD', billedCost: '20.20', effectiveCost: '18.20', lineItems: '2' });
  });

  it('a restated file changes the current data, not the closed figures; the difference is new − old', async () => {
    await ingest('jan-restated.csv', RESTATED);
    const diff = await closedMonthDifference('2026-01');
    // USD billed: 10.10 + 12.35 − 1.00 = 21.45 against 20.20: +1.25; effective 9.10 + 11.00 − 1.00 = 19.10 against 18.20: +0.90.
    expect(diff.totals).toEqual([
      {
        currency: 'EUR',
        closedBilled: '2.25',
        currentBilled: '2.25',
        billedDifference: '0.00',
        closedEffective: '2.25',
        currentEffective: '2.25',
        effectiveDifference: '0.00',
      },
      {
        currency: 'USD',
        closedBilled: '20.20',
        currentBilled: '21.45',
        billedDifference: '1.25',
        closedEffective: '18.20',
        currentEffective: '19.10',
        effectiveDifference: '0.90',
      },
    ]);
    expect(
      diff.rows.map((r) => [r.subAccountId, r.chargeCategory, r.currency, r.closedBilled, r.currentBilled, r.billedDifference]),
    ).toEqual([
      ['s1', 'Credit', 'USD', '0', '-1.00', '-1.00'],
      ['s1', 'Usage', 'USD', '20.20', '22.45', '2.25'],
    ]);
    const [figures] = await sql<{ billed: string }>(
      url,
      `SELECT sum(billed_cost)::text AS billed FROM month_close_figures WHERE billing_currency = 'USD'`,
    );
    expect(figures?.billed).toBe('20.20');
    const inRange = await closedMonthsInRange({ from: '2026-01-01', to: '2026-01-31' });
    expect(inRange?.map((m) => m.totals.map((t) => [t.currency, t.closedBilled, t.billedDifference]))).toEqual([
      [
        ['EUR', '2.25', '0.00'],
        ['USD', '20.20', '1.25'],
      ],
    ]);
    expect(await closedMonthsInRange({ from: '2026-01-01', to: '2026-01-30' })).toBeNull();
    expect(await closedMonthsInRange({ from: '2026-01-01', to: '2026-02-28' })).toBeNull();
    const months = await listMonthCloses(FEB_15);
    const jan = months.find((m) => m.month === '2026-01');
    expect(jan?.status).toBe('closed');
    expect(jan?.totals.find((t) => t.currency === 'USD')).toMatchObject({
      closedBilled: '20.20',
      currentBilled: '21.45',
      billedDifference: '1.25',
    });
  });

  it('reopen needs a reason and is audited; a reopened month can be closed again with the current figures', async () => {
    await expect(reopenMonth('2026-01', '   ', cli, FEB_15)).rejects.toThrow('a reason is required to reopen 2026-01');
    await reopenMonth('2026-01', 'AWS restated January', cli, FEB_15);
    await expect(reopenMonth('2026-01', 'again', cli, FEB_15)).rejects.toThrow('2026-01 is not closed, so there is nothing to reopen');
    const lines = await sql<{ action: string; outcome: string; detail: unknown; after: unknown }>(
      url,
      `SELECT action, outcome, detail, after FROM audit_log WHERE action = 'close.reopen' ORDER BY id`,
    );
    expect(lines).toEqual([
      {
        action: 'close.reopen',
        outcome: 'ok',
        detail: { reason: 'AWS restated January' },
        after: { status: 'reopened', reopenedBy: 'cli:close-test', reason: 'AWS restated January' },
      },
    ]);
    const again = await closeMonth('2026-01', cli, FEB_15);
    expect(again.totals.find((t) => t.currency === 'USD')).toEqual({
      currency: 'USD',
      billedCost: '21.45',
      effectiveCost: '19.10',
      lineItems: '3',
    });
    expect((await closedMonthDifference('2026-01')).rows).toEqual([]);
  });
});

describe('the close actions', () => {
  it('a viewer may neither close nor reopen; each refusal is an audit line', async () => {
    const close = new FormData();
    close.set('month', '2025-12');
    expect(await as(viewer, closeMonthAction)(IDLE, close)).toMatchObject({ status: 'error', code: 'FORBIDDEN' });
    const reopen = new FormData();
    reopen.set('month', '2026-01');
    reopen.set('reason', 'x');
    expect(await as(viewer, reopenMonthAction)(IDLE, reopen)).toMatchObject({ status: 'error', code: 'FORBIDDEN' });
    const refused = await sql<{ action: string }>(
      url,
      `SELECT action FROM audit_log WHERE outcome = 'refused' AND actor_email = $1 ORDER BY id`,
      [viewer.email],
    );
    expect(refused.map((r) => r.action)).toEqual(['close.month', 'close.reopen']);
    expect(await sql(url, `SELECT 1 FROM month_closes WHERE month = '2025-12-01'`)).toEqual([]);
  });

  it('finance closes and reopens; a reopen without a reason is a field error; a second close is a clear refusal', async () => {
    const close = new FormData();
    close.set('month', '2025-12');
    expect(expectSuccess(await as(finance, closeMonthAction)(IDLE, close)).message).toBe('Closed 2025-12: billed no cost data.');
    const twice = expectError(await as(finance, closeMonthAction)(IDLE, close));
    expect(twice.message).toMatch(/^2025-12 is already closed \(by finance-/);
    const noReason = new FormData();
    noReason.set('month', '2025-12');
    noReason.set('reason', '  ');
    expect(expectError(await as(finance, reopenMonthAction)(IDLE, noReason)).fieldErrors.reason).toEqual([
      'a reason is required to reopen a closed month',
    ]);
    const reopen = new FormData();
    reopen.set('month', '2025-12');
    reopen.set('reason', 'late credit');
    expect(expectSuccess(await as(finance, reopenMonthAction)(IDLE, reopen)).message).toBe('Reopened 2025-12.');
    const [row] = await sql<{ status: string; reopened_by: string; reason: string }>(
      url,
      `SELECT status, reopened_by, reason FROM month_closes WHERE month = '2025-12-01'`,
    );
    expect(row).toEqual({ status: 'reopened', reopened_by: finance.email, reason: 'late credit' });
  });
});
