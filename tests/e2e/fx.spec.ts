import path from 'node:path';
import { expect, test } from '@playwright/test';
import { closeDb, db } from './expected';
import { emailFor, stateFor } from './users';

// /settings/fx: finance loads the ECB's reference rates through the page (after a refused file,
// which shows its lines' problems and loads nothing) and sees the loaded range per pair; a viewer
// sees the ranges but has no form; the admin reads both attempts on /audit.

const ECB_FILE = path.join(process.cwd(), 'tests/fixtures/fx/ecb-hist-2024-03-25-to-04-05.csv');

test.afterAll(async () => {
  await closeDb();
});

test.describe('as finance', () => {
  test.use({ storageState: stateFor('finance') });

  test('loads the ECB file and sees the loaded ranges; a bad file is refused line by line', async ({ page }) => {
    await page.goto('/settings/fx');
    await expect(page.getByRole('heading', { level: 1, name: 'FX rates' })).toBeVisible();
    const file = page.getByLabel('Rates file (CSV)');

    await file.setInputFiles({
      name: 'fx-bad.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('date,from,to,rate\n2024-04-02,EUR,USD,1.0749\n2024-04-03,EUR,UDS,1.0783\n2024-04-04,EUR,USD,0\n'),
    });
    await page.getByTestId('fx-load').click();
    await expect(page.getByTestId('fx-message')).toHaveText(
      'fx-bad.csv was refused: nothing was loaded. Fix the lines below and load it again.',
    );
    await expect(page.getByTestId('fx-problems').getByRole('listitem')).toHaveText([
      'line 3: to: UDS is not an ISO 4217 currency code',
      'line 4: rate 0 is zero; a rate must be greater than 0',
    ]);
    const refused = await (await db()).query(`SELECT 1 FROM fx_rates WHERE source_file = 'fx-bad.csv'`);
    expect(refused.rowCount).toBe(0);

    await file.setInputFiles(ECB_FILE);
    await page.getByTestId('fx-load').click();
    await expect(page.getByTestId('fx-message')).toContainText(
      'Loaded ecb-hist-2024-03-25-to-04-05.csv (ECB reference rates): 240 rates for 30 pairs from 2024-03-25 to 2024-04-05;',
    );
    await expect(page.getByTestId('fx-problems')).toHaveCount(0);
    const usd = page.locator('[data-testid="fx-range"][data-pair="EUR-USD"]');
    await expect(usd.getByTestId('fx-first')).toHaveText('Mar 25, 2024');
    await expect(usd.getByTestId('fx-last')).toHaveText('Apr 5, 2024');
    await expect(usd.getByTestId('fx-days')).toHaveText('8');
    await expect(usd).toContainText('ecb-hist-2024-03-25-to-04-05.csv');
    await expect(page.locator('[data-testid="fx-range"][data-pair="EUR-HRK"]')).toHaveCount(0); // N/A all along

    const { rows } = await (await db()).query<{ rate: string; loaded_by_email: string }>(
      `SELECT f.rate::text AS rate, u.email AS loaded_by_email FROM fx_rates f JOIN users u ON u.id = f.loaded_by
        WHERE f.day = '2024-03-28' AND f.base = 'EUR' AND f.quote = 'USD'`,
    );
    expect(rows).toEqual([{ rate: '1.0811', loaded_by_email: emailFor('finance') }]);
  });
});

test.describe('as a viewer', () => {
  test.use({ storageState: stateFor('viewer') });

  test('sees what is loaded but cannot load', async ({ page }) => {
    await page.goto('/settings/fx');
    await expect(page.locator('[data-testid="fx-range"][data-pair="EUR-USD"]').getByTestId('fx-last')).toHaveText('Apr 5, 2024');
    await expect(page.getByTestId('fx-upload')).toHaveCount(0);
    await expect(page.getByLabel('Rates file (CSV)')).toHaveCount(0);
  });
});

test('the admin reads both attempts on /audit', async ({ page }) => {
  await page.goto('/audit?action=fx_rates.load');
  const rows = page.getByTestId('audit-row');
  await expect(rows.filter({ hasText: 'ecb-hist-2024-03-25-to-04-05.csv' }).first()).toHaveAttribute('data-outcome', 'ok');
  await expect(rows.filter({ hasText: 'fx-bad.csv' }).first()).toHaveAttribute('data-outcome', 'refused');
  await expect(rows.filter({ hasText: 'fx-bad.csv' }).first()).toContainText(emailFor('finance'));
});
