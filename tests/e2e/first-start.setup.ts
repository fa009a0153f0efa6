import { expect, test as setup } from '@playwright/test';
import { issueSetupToken, linkPath, userCount } from '../../lib/auth/users';
import { closePool } from '../../lib/db/pool';
import { closeDb, db } from './expected';
import { E2E_PASSWORD, emailFor, SIGNED_OUT, stateFor } from './users';

// Project "first-start" (playwright.config.ts): the first thing that happens to the fresh
// database the runner started, before any user exists. The setup link comes from
// issueSetupToken, the function `npm start` prints its link from. The admin this creates is the
// one every other spec runs as (its storage state).

setup.use({ storageState: SIGNED_OUT });

setup.afterAll(async () => {
  await closePool();
  await closeDb();
});

setup(
  'first start: /setup refuses without the printed link and with a wrong or replaced one; the live link creates the first admin, signed in',
  async ({ page, browser, baseURL }) => {
    expect(await userCount(), 'first-start runs against a database without users (a fresh one per run)').toBe(0);

    // Without any user, the dashboard still needs a session, and the sign-in page points at the link.
    await page.goto('/');
    await expect(page).toHaveURL(/\/sign-in\?next=%2F$/);
    await expect(page.getByTestId('no-users')).toContainText('one-time setup link');

    const refused = page.getByTestId('setup-refused');
    const form = page.getByTestId('setup');
    await page.goto('/setup');
    await expect(refused).toContainText('needs the one-time setup link');
    await expect(form).toHaveCount(0);

    // A guessed token of the right shape (32 random bytes, base64url) and a replaced link: refused.
    await page.goto(`/setup?token=${'A'.repeat(43)}`);
    await expect(refused).toContainText('This link has expired or was replaced by a newer one');
    await expect(form).toHaveCount(0);
    const replaced = await issueSetupToken();
    const live = await issueSetupToken();
    if (replaced === null || live === null) throw new Error('issueSetupToken gave no token while no user exists');
    expect(live).not.toBe(replaced);
    await page.goto(linkPath('setup', replaced));
    await expect(refused).toContainText('This link has expired or was replaced by a newer one');
    await expect(form).toHaveCount(0);

    await page.goto(linkPath('setup', live));
    await expect(form).toBeVisible();
    await form.getByLabel('Name').fill('E2E admin');
    await form.getByLabel('Email').fill(emailFor('admin'));
    await form.getByLabel('Password', { exact: true }).fill(E2E_PASSWORD);
    // Two different passwords: refused, nothing created, the link still works.
    await form.getByLabel('Password again').fill(`${E2E_PASSWORD} typo`);
    await form.getByRole('button', { name: 'Create admin and sign in' }).click();
    await expect(page.getByTestId('setup-message')).toHaveText('One field needs attention.');
    await expect(form.getByText('the two passwords differ')).toBeVisible();
    expect(await userCount()).toBe(0);

    await form.getByLabel('Password', { exact: true }).fill(E2E_PASSWORD);
    await form.getByLabel('Password again').fill(E2E_PASSWORD);
    await form.getByRole('button', { name: 'Create admin and sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/', { timeout: 30_000 });
    await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
    await expect(page.getByTestId('user-menu')).toContainText('E2E admin');
    await expect(page.getByTestId('user-menu')).toContainText('Admin');

    const { rows } = await (await db()).query<{ email: string; role: string; last_sign_in_at: Date | null }>(
      'SELECT email, role, last_sign_in_at FROM users',
    );
    expect(rows).toEqual([{ email: emailFor('admin'), role: 'admin', last_sign_in_at: expect.any(Date) }]);
    await page.context().storageState({ path: stateFor('admin') });

    // Once an admin exists the link is spent, and no new one is issued: a visitor is sent to sign in.
    expect(await issueSetupToken()).toBeNull();
    const visitor = await browser.newContext({ baseURL, storageState: SIGNED_OUT });
    try {
      const other = await visitor.newPage();
      await other.goto(linkPath('setup', live));
      await expect(other).toHaveURL(/\/sign-in$/);
      await expect(other.getByTestId('no-users')).toHaveCount(0);
    } finally {
      await visitor.close();
    }
  },
);
