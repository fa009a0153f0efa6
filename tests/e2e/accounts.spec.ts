import { randomBytes } from 'node:crypto';
import { type Browser, expect, test } from '@playwright/test';

// Accounts in the production build, as an admin and an invited user use them: invite on the Users
// page (the link shown once), the link's page sets the password and signs in, the user's API token
// read /api/me until revoked, a password change, and a disable that ends the user's session.

const BASE_URL = process.env.BASE_URL ?? '';

async function signedOutContext(browser: Browser) {
  return browser.newContext({ baseURL: BASE_URL, storageState: { cookies: [], origins: [] } });
}

test('invite → set password → API token → password change → disabled', async ({ page, browser }) => {
  page.on('dialog', (d) => d.accept());
  const email = `invitee-${randomBytes(3).toString('hex')}@e2e.burnrate.test`;

  await page.goto('/users');
  await expect(page.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible();
  const invite = page.getByTestId('invite-form');
  await invite.getByLabel('Email').fill(email);
  await invite.getByLabel('Name').fill('Invited Ivy');
  await invite.getByLabel('Role').selectOption('engineer');
  await invite.getByRole('button', { name: 'Invite' }).click();
  const linkField = page.getByTestId('invite-link-value');
  await expect(linkField).toHaveValue(new RegExp(`^${BASE_URL}/set-password\\?token=[A-Za-z0-9_-]{43}$`));
  const link = await linkField.inputValue();
  const row = page.locator(`[data-testid="user-row"][data-email="${email}"]`);
  await expect(row.getByTestId('user-status')).toHaveText('invited');
  await expect(row.getByTestId('user-role')).toHaveText('Engineer');
  // Shown once: a reload has no link.
  await page.reload();
  await expect(page.getByTestId('invite-link')).toHaveCount(0);

  const ivy = await signedOutContext(browser);
  const ivyPage = await ivy.newPage();
  ivyPage.on('dialog', (d) => d.accept());
  await ivyPage.goto(link);
  await ivyPage.getByLabel('New password', { exact: true }).fill('ivy chose this password');
  await ivyPage.getByLabel('New password again').fill('ivy chose this password');
  await ivyPage.getByRole('button', { name: 'Set password and sign in' }).click();
  await ivyPage.waitForURL((u) => u.pathname === '/');
  await expect(ivyPage.getByTestId('user-menu')).toContainText('Invited Ivy');
  // The link worked once.
  await ivyPage.goto(link);
  await expect(ivyPage.getByTestId('set-password-refused')).toContainText('expired or was already used');

  // An API token, shown once, reads /api/me until revoked.
  await ivyPage.goto('/profile');
  await ivyPage.getByLabel('Token name').fill('e2e script');
  await ivyPage.getByRole('button', { name: 'Create token' }).click();
  const tokenField = ivyPage.getByTestId('new-token-value');
  await expect(tokenField).toHaveValue(/^brt_[A-Za-z0-9_-]{43}$/);
  const token = await tokenField.inputValue();
  const me = () => fetch(`${BASE_URL}/api/me`, { headers: { authorization: `Bearer ${token}` } });
  const ok = await me();
  expect(ok.status).toBe(200);
  expect(await ok.json()).toMatchObject({ email, role: 'engineer', via: 'api-token' });
  const tokenRow = ivyPage.locator('[data-testid="token-row"][data-token-name="e2e script"]');
  await expect(tokenRow.getByTestId('token-status')).toHaveText('live');
  await tokenRow.getByRole('button', { name: 'Revoke' }).click();
  await expect(tokenRow.getByTestId('token-status')).toContainText('revoked');
  expect((await me()).status).toBe(401);

  // A wrong current password is refused by name; the right one changes it.
  const pw = ivyPage.getByTestId('change-password');
  await pw.getByLabel('Current password').fill('not the password at all');
  await pw.getByLabel('New password', { exact: true }).fill('ivy has a newer password');
  await pw.getByLabel('New password again').fill('ivy has a newer password');
  await pw.getByRole('button', { name: 'Change password' }).click();
  await expect(ivyPage.getByTestId('change-password-message')).toHaveText('This is not your current password.');
  await pw.getByLabel('Current password').fill('ivy chose this password');
  await pw.getByLabel('New password', { exact: true }).fill('ivy has a newer password');
  await pw.getByLabel('New password again').fill('ivy has a newer password');
  await pw.getByRole('button', { name: 'Change password' }).click();
  // This browser got the new session: still signed in, on the profile page again.
  await ivyPage.waitForURL((u) => u.pathname === '/profile' && u.search === '?password=changed');
  await expect(ivyPage.getByTestId('password-changed')).toHaveText('Password changed. Your other sessions were signed out.');
  await expect(ivyPage.getByTestId('profile-email')).toHaveText(email);
  await ivyPage.reload();
  await expect(ivyPage.getByTestId('profile-email')).toHaveText(email);

  // The admin disables Ivy: her next request goes to sign-in.
  await page.reload();
  await expect(row.getByTestId('user-status')).toHaveText('enabled');
  await expect(row.getByTestId('user-methods')).toHaveText('password');
  await row.getByRole('button', { name: 'Disable' }).click();
  await expect(row.getByTestId('disable-message')).toContainText(`Disabled ${email}`);
  await expect(row.getByTestId('user-status')).toHaveText('disabled');
  await ivyPage.goto('/profile');
  await ivyPage.waitForURL((u) => u.pathname === '/sign-in');
  await ivy.close();
});
