import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { addMonths, monthOf, utcToday } from '../../lib/calendar';
import { closePool } from '../../lib/db/pool';
import { ingestFile } from '../../lib/ingest/pipeline';
import { closeDb, db } from './expected';
import { emailFor, stateFor } from './users';

// /close: finance closes last month on the page; a restated file for that month is then ingested
// through the pipeline; the page shows the restatement (now − closed) while the closed figure stays;
// finance reopens it with a reason; the admin reads both lines on /audit. The bills are in CHF, a
// currency no other spec uses, so the month's CHF figures are this spec's alone.

const MONTH = addMonths(monthOf(utcToday()), -1);
const NEXT = addMonths(MONTH, 1);

async function ingest(name: string, amounts: string[]): Promise<void> {
  const file = path.join(os.tmpdir(), `close-spec-${process.pid}-${name}.csv`);
  const rows = amounts.map(
    (billed, i) =>
      `CHF,AWS,close-e2e,${MONTH}-01T00:00:00Z,${NEXT}-01T00:00:00Z,${MONTH}-0${i + 1}T00:00:00Z,${MONTH}-0${i + 2}T00:00:00Z,Usage,Amazon S3,eu-central-1,bucket-${i},${billed},${billed}`,
  );
  await writeFile(
    file,
    [
      'BillingCurrency,ProviderName,BillingAccountId,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ServiceName,RegionId,ResourceId,BilledCost,EffectiveCost',
      ...rows,
      '',
    ].join('\n'),
  );
  await ingestFile({ file, format: 'focus', sourceName: 'e2e close bill' });
}

test.beforeAll(async () => {
  if (!process.env.BASE_URL || !process.env.DATABASE_URL)
    throw new Error('BASE_URL and DATABASE_URL must point at the running app and its database');
  await ingest('original', ['10.10', '5.05']);
});

test.afterAll(async () => {
  await closePool();
  await closeDb();
});

test.describe('as finance', () => {
  test.use({ storageState: stateFor('finance') });

  test('closes last month, sees a restated file as the restatement, reopens with a reason', async ({ page }) => {
    await page.goto('/close');
    await expect(page.getByRole('heading', { level: 1, name: 'Month close' })).toBeVisible();
    const chf = page.locator(`[data-testid="close-row"][data-month="${MONTH}"][data-currency="CHF"]`);
    await expect(chf.getByTestId('close-current')).toHaveText('CHF 15.15');
    await expect(chf.getByTestId('close-closed')).toHaveText('—');

    await page.locator(`[data-testid="close-form"][data-month="${MONTH}"]`).getByTestId('close-submit').click();
    // The page re-renders with the month closed (the Close form gives way to Reopen).
    const status = page.locator(`[data-testid="close-row"][data-month="${MONTH}"]`).first().getByTestId('close-status');
    await expect(status).toHaveAttribute('data-status', 'closed');
    await expect(status).toContainText(`by ${emailFor('finance')}`);
    await expect(chf.getByTestId('close-closed')).toHaveText('CHF 15.15');
    await expect(chf.getByTestId('close-difference')).toHaveText('CHF 0.00');

    // The provider restates the month: 10.10 becomes 12.60, so 15.15 → 17.65, a restatement of +2.50.
    await ingest('restated', ['12.60', '5.05']);
    await page.reload();
    await expect(chf.getByTestId('close-closed')).toHaveText('CHF 15.15');
    await expect(chf.getByTestId('close-current')).toHaveText('CHF 17.65');
    await expect(chf.getByTestId('close-difference')).toHaveAttribute('data-amount', '2.50');
    await expect(chf.getByTestId('close-difference')).toHaveText('+CHF 2.50');
    // The close kept team figures too: these bills carry no team, so the restatement is untagged spend's.
    const untagged = page.locator(
      `[data-testid="close-teams"][data-month="${MONTH}"] [data-testid="close-team-row"][data-team=""][data-currency="CHF"]`,
    );
    await expect(untagged.locator('td[data-amount]')).toHaveAttribute('data-amount', '2.50');
    const { rows } = await (await db()).query<{ billed: string }>(
      `SELECT sum(billed_cost)::text AS billed FROM month_close_figures WHERE month = $1::date AND billing_currency = 'CHF'`,
      [`${MONTH}-01`],
    );
    expect(rows).toEqual([{ billed: '15.15' }]);

    const reopen = page.locator(`[data-testid="reopen-form"][data-month="${MONTH}"]`);
    await reopen.getByTestId('reopen-submit').click();
    await expect(reopen.getByText('a reason is required to reopen a closed month')).toBeVisible();
    await reopen.getByTestId('reopen-reason').fill('AWS restated S3 for the month');
    await reopen.getByTestId('reopen-submit').click();
    await expect(status).toHaveAttribute('data-status', 'reopened');
    await expect(status).toContainText(`by ${emailFor('finance')}`);
    await expect(status).toContainText('AWS restated S3 for the month');
    await expect(page.locator(`[data-testid="close-form"][data-month="${MONTH}"]`)).toBeVisible();
  });
});

test.describe('as the admin', () => {
  test('reads the close and the reopen on /audit', async ({ page }) => {
    await page.goto('/audit?action=close.');
    const rows = page.getByTestId('audit-row');
    await expect(rows.filter({ hasText: MONTH })).toHaveCount(2);
    await expect(page.locator('[data-testid="audit-row"][data-action="close.reopen"]').first()).toContainText(emailFor('finance'));
    await expect(page.locator('[data-testid="audit-row"][data-action="close.month"]').first()).toContainText(emailFor('finance'));
  });
});
