import { expect, test } from '@playwright/test';
import { type LoopbackSmtp, startSmtpServer } from '../helpers/smtp-server';

// /settings/email in a real browser, as the admin, against a real SMTP server on loopback
// (smtp-server, no authentication: the suite's server runs without a credentials key, so the page
// cannot store a password there, and says so). Saved settings, the test email arriving, and a
// stopped server named in the page's answer.

let smtp: LoopbackSmtp;

test.beforeAll(async () => {
  smtp = await startSmtpServer();
});

test.afterAll(async () => {
  await smtp?.close();
});

test('an admin saves the SMTP settings, sends a test email that arrives, and sees why a send fails', async ({ page }) => {
  await page.goto('/settings/email');
  await expect(page.getByRole('heading', { level: 1, name: 'Email' })).toBeVisible();
  await expect(page.getByTestId('test-email-send')).toBeDisabled();

  await page.getByLabel('SMTP host', { exact: true }).fill('127.0.0.1');
  await page.getByLabel('Port', { exact: true }).fill(String(smtp.port));
  await page.getByLabel('Security', { exact: true }).selectOption('none');
  await page.getByLabel('User name', { exact: true }).fill('reports');
  await page.getByLabel('Password', { exact: true }).fill('s3cret-relay-pw');
  await page.getByLabel('From address', { exact: true }).fill('burnrate@e2e.test');
  await page.getByLabel('Recipients', { exact: true }).fill('finance@e2e.test, lead@e2e.test');
  await page.getByTestId('email-save').click();
  await expect(page.getByTestId('email-form-message')).toHaveText(/^The settings were not saved: BURNRATE_SECRET_KEY is not set/);

  // Without authentication nothing secret is stored.
  await page.getByLabel('User name', { exact: true }).fill('');
  await page.getByLabel('Password', { exact: true }).fill('');
  await page.getByTestId('email-save').click();
  await expect(page.getByTestId('email-form-message')).toHaveText('Saved. The monthly report goes to 2 recipients.');

  await page.reload();
  await expect(page.getByTestId('email-saved')).toContainText('Last saved');
  await expect(page.getByLabel('SMTP host', { exact: true })).toHaveValue('127.0.0.1');
  await expect(page.getByLabel('Recipients', { exact: true })).toHaveValue('finance@e2e.test, lead@e2e.test');
  await expect(page.getByLabel('Password', { exact: true })).toHaveValue('');
  expect(await page.content()).not.toContain('s3cret-relay-pw');

  await page.getByLabel('Send to', { exact: true }).fill('me@e2e.test');
  await page.getByTestId('test-email-send').click();
  await expect(page.getByTestId('test-email-message')).toHaveText('Sent to me@e2e.test. Check that it arrived.');
  const mail = smtp.messages.at(-1);
  expect(mail).toMatchObject({ from: 'burnrate@e2e.test', to: ['me@e2e.test'] });
  expect(mail?.parsed.subject).toBe('Burnrate test email');

  // The server goes away: the page names the refused connection.
  await smtp.close();
  await page.getByTestId('test-email-send').click();
  await expect(page.getByTestId('test-email-message')).toHaveText(
    `The connection to 127.0.0.1:${smtp.port} was refused: no SMTP server listens there. Check the host and port.`,
  );
});
