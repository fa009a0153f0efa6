import { expect, test } from '@playwright/test';
import { startWorker, type Worker } from '../../jobs/worker';
import { S3RVER_CREDENTIALS, type S3TestServer, startS3Server } from '../helpers/s3-server';
import { closeDb, db } from './expected';

// The sources page as an admin uses it: the demo data's file sources, adding an AWS S3 connector
// (validation, test connection, sync now, run history, disable, delete). No real S3 is reachable
// here: the connection test and the sync fail, and the page must say why. A pg-boss worker runs
// in this process, as `npm start` runs one next to the web server, so "Sync now" really runs.

let worker: Worker | undefined;

test.beforeAll(async () => {
  const url = process.env.DATABASE_URL;
  if (!process.env.BASE_URL || !url) throw new Error('BASE_URL and DATABASE_URL must point at the running app and its database');
  worker = await startWorker(url, () => {}, { schedules: false });
});

test.afterAll(async () => {
  await worker?.stop();
  await closeDb();
});

test('the demo data shows up as file sources', async ({ page }) => {
  // Other specs add file sources of their own (their bills); the demo's are the ones named demo-*.
  const { rows } = await (await db()).query<{ name: string; line_items: string }>(
    `SELECT s.name, COALESCE(sum(d.line_items), 0)::text AS line_items
       FROM billing_sources s LEFT JOIN cost_daily d ON d.source_id = s.id
      WHERE s.kind = 'file' AND s.name LIKE 'demo-%' GROUP BY s.name ORDER BY s.name`,
  );
  expect(rows.map((r) => r.name)).toEqual(['demo-aws', 'demo-azure', 'demo-gcp']);

  await page.goto('/');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sources' }).click();
  await expect(page).toHaveURL(/\/sources$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Sources' })).toBeVisible();
  for (const r of rows) {
    const row = page.locator(`[data-testid="source-row"][data-source-name="${r.name}"]`);
    await expect(row).toBeVisible();
    await expect(row).toHaveAttribute('data-kind', 'file');
    await expect(row.getByTestId('source-kind')).toHaveText('File (npm run ingest)');
    await expect(row.getByTestId('source-enabled')).toHaveText('file');
    await expect(row.locator('td').last()).toHaveText(Number(r.line_items).toLocaleString('en-US'));
  }

  await page.locator('[data-testid="source-row"][data-source-name="demo-aws"]').getByRole('link', { name: 'demo-aws' }).click();
  await expect(page.getByTestId('source-name')).toHaveText('demo-aws');
  await expect(page.getByTestId('file-source-note')).toContainText('npm run ingest -- --source demo-aws');
  await expect(page.getByTestId('sync-now')).toHaveCount(0);
});

test('test the settings before saving: a wrong bucket fails with the cause, the right one works, nothing is stored', async ({ page }) => {
  // A real S3-compatible server on loopback, which the app server reaches through the typed endpoint.
  let s3: S3TestServer | undefined;
  try {
    s3 = await startS3Server();
    await s3.createBucket('e2e-exports');
    await s3.put('e2e-exports', 'cur/payer/data/BILLING_PERIOD=2024-06/part-0.csv.gz', 'x');
    const name = `e2e-untested-${Date.now()}`;
    await page.goto('/sources/new?kind=aws_s3');
    const form = page.getByTestId('source-form');
    await form.getByLabel('Name').fill(name);
    await form.getByLabel('Bucket').fill('e2e-missing');
    await form.getByLabel('Prefix').fill('cur/');
    await form.getByLabel('Region').fill('us-east-1');
    await form.getByLabel('Export type').selectOption('cur2');
    await form.getByText('Advanced').click();
    await form.getByLabel('Endpoint URL').fill(s3.endpoint);
    await form.getByLabel('Path-style addressing').check();
    await form.getByLabel('Access key ID').fill(S3RVER_CREDENTIALS.accessKeyId);
    await form.getByLabel('Secret access key').fill(S3RVER_CREDENTIALS.secretAccessKey);

    await page.getByTestId('test-settings').click();
    const result = page.getByTestId('test-settings-result');
    await expect(result).toHaveText(/^Connection failed: .*e2e-missing/, { timeout: 45_000 });
    await expect(result).toHaveAttribute('role', 'alert');

    await form.getByLabel('Bucket').fill('e2e-exports');
    await page.getByTestId('test-settings').click();
    await expect(result).toHaveText('Connection works: these settings can list the billing exports. Nothing was saved yet.', {
      timeout: 45_000,
    });
    await expect(result).toHaveAttribute('role', 'status');
    // Still on the form with everything typed; nothing was stored.
    await expect(page).toHaveURL(/\/sources\/new/);
    await expect(form.getByLabel('Secret access key')).toHaveValue(S3RVER_CREDENTIALS.secretAccessKey);
    const { rows } = await (await db()).query('SELECT 1 FROM billing_sources WHERE name = $1', [name]);
    expect(rows).toHaveLength(0);
  } finally {
    await s3?.stop();
  }
});

test('add an AWS S3 source, test it, sync it, disable it, delete it', async ({ page }) => {
  const name = `e2e-s3-${Date.now()}`;
  const bucket = 'burnrate-e2e-billing';
  await page.goto('/sources');
  await page.getByTestId('add-source').click();
  await expect(page).toHaveURL(/\/sources\/new/);
  await expect(page.getByTestId('kind-aws_s3')).toHaveAttribute('aria-current', 'true');

  // A bucket name S3 would refuse: the server says so next to the field, and keeps what was typed.
  const form = page.getByTestId('source-form');
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Bucket').fill('bad bucket!');
  await form.getByLabel('Region').fill('us-east-1');
  await form.getByLabel('Export type').selectOption('cur2');
  await page.getByTestId('save-source').click();
  await expect(page.getByTestId('error-config.bucket')).toHaveText(
    'must be an S3 bucket name (letters, digits, dots, hyphens, underscores)',
  );
  await expect(form.getByLabel('Bucket')).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByLabel('Name')).toHaveValue(name);
  await expect(page).toHaveURL(/\/sources\/new/);

  await form.getByLabel('Bucket').fill(bucket);
  if (!process.env.BURNRATE_SECRET_KEY) {
    // Without the encryption key, typed credentials are refused with the reason; nothing is saved.
    await form.getByLabel('Access key ID').fill('AKIAIOSFODNN7EXAMPLE');
    await form.getByLabel('Secret access key').fill('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    await page.getByTestId('save-source').click();
    await expect(page.getByTestId('error-secret')).toContainText('BURNRATE_SECRET_KEY is not set');
    await expect(page.getByTestId('error-config.bucket')).toHaveCount(0);
    await form.getByLabel('Access key ID').fill('');
    await form.getByLabel('Secret access key').fill('');
  }
  await page.getByTestId('save-source').click();

  await expect(page).toHaveURL(/\/sources\/\d+$/);
  await expect(page.getByTestId('source-name')).toHaveText(name);
  await expect(page.getByTestId('credentials-state')).toHaveText('none stored: default credentials of the server');
  await expect(page.getByTestId('source-enabled')).toHaveText('enabled');
  // The edit form never receives a secret; the stored config comes back.
  await expect(page.getByTestId('source-form').getByLabel('Bucket')).toHaveValue(bucket);

  // No S3 here: the test fails, naming the bucket and the cause.
  await page.getByTestId('test-connection').click();
  const tested = page.getByTestId('test-result');
  await expect(tested).toHaveText(new RegExp(`^Connection failed: .*${bucket}`), { timeout: 45_000 });

  // Sync now: the run appears in the history, and the worker's failure with its reason.
  await page.getByTestId('sync-now').click();
  await expect(page.getByTestId('sync-result')).toHaveText(`Sync of ${name} queued; the worker starts it within seconds.`);
  const history = page.getByTestId('sync-history');
  await expect(history.getByTestId('history-row').first()).toBeVisible();
  await expect(history.getByTestId('run-trigger').first()).toHaveText('manual');
  const failed = history.locator('[data-testid="history-row"][data-status="failed"]').first();
  await expect(failed).toBeVisible({ timeout: 45_000 });
  await expect(failed.getByTestId('run-error')).toContainText(bucket);
  await expect(page.getByTestId('last-sync-status')).toHaveText('failed');

  // Disabling stops syncs: the button goes, the list says so.
  await page.getByTestId('toggle-enabled').click();
  await expect(page.getByTestId('enable-result')).toHaveText(`Disabled ${name}: it is not synced until enabled again.`);
  await expect(page.getByTestId('source-enabled')).toHaveText('disabled');
  await expect(page.getByTestId('sync-now')).toBeDisabled();
  await expect(page.getByTestId('toggle-enabled')).toHaveText('Enable');
  await page.goto('/sources');
  const row = page.locator(`[data-testid="source-row"][data-source-name="${name}"]`);
  await expect(row.getByTestId('source-enabled')).toHaveText('disabled');
  await expect(row.getByTestId('source-kind')).toHaveText('AWS S3 (CUR / Data Exports)');

  await row.getByRole('link', { name }).click();
  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByTestId('delete-source').click();
  await expect(page).toHaveURL(/\/sources$/);
  await expect(page.locator(`[data-testid="source-row"][data-source-name="${name}"]`)).toHaveCount(0);
});
