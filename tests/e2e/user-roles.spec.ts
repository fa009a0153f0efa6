import { expect, type Page, test } from '@playwright/test';
import { createUser } from '../../lib/auth/users';
import { closePool } from '../../lib/db/pool';
import { E2E_PASSWORD, emailFor, SIGNED_OUT, signIn, uniqueEmail } from './users';

// Role changes on the Users page take effect on the user's next request, in the session they
// already have: the header's sections and the admin pages follow the new role. The last enabled
// admin cannot be demoted. The account is this spec's own (createUser), signed in in its own context.

test.afterAll(async () => {
  await closePool();
});

async function setRole(admin: Page, email: string, label: string, message: string | RegExp): Promise<void> {
  const row = admin.locator(`[data-testid="user-row"][data-email="${email}"]`);
  await row.getByTestId('role-select').selectOption({ label });
  await row.getByTestId('change-role').click();
  await expect(row.getByTestId('role-message')).toHaveText(message);
}

test('an admin changes a signed-in user’s role: the next page follows it; the last admin cannot be demoted', async ({
  page,
  browser,
  baseURL,
}) => {
  const email = uniqueEmail('promoted');
  await createUser({ email, name: 'E2E promoted', role: 'viewer', password: E2E_PASSWORD }, 'e2e user-roles spec');
  const userContext = await browser.newContext({ baseURL, storageState: SIGNED_OUT });
  try {
    const user = await userContext.newPage();
    await signIn(user, email, E2E_PASSWORD);
    const nav = user.getByRole('navigation', { name: 'Main' });
    await expect(nav.getByRole('link')).toHaveText([
      'Overview',
      'Explorer',
      'Recommendations',
      'Sources',
      'GPUs',
      'FX rates',
      'Tag rules',
      'Close',
      'Reconciliation',
    ]);

    await page.goto('/users');
    const row = page.locator(`[data-testid="user-row"][data-email="${email}"]`);
    await expect(row.getByTestId('user-role')).toHaveText('Viewer');
    await setRole(page, email, 'Finance', `${email} is now Finance (was Viewer).`);
    await user.reload();
    await expect(user.getByTestId('user-menu')).toContainText('Finance');

    await setRole(page, email, 'Admin', `${email} is now Admin (was Finance).`);
    await user.reload();
    await expect(nav.getByRole('link')).toHaveText([
      'Overview',
      'Explorer',
      'Recommendations',
      'Sources',
      'GPUs',
      'FX rates',
      'Tag rules',
      'Close',
      'Reconciliation',
      'Users',
      'Audit',
      'Settings',
    ]);
    expect((await user.goto('/users'))?.status()).toBe(200);
    await expect(user.getByRole('heading', { level: 1, name: 'Users' })).toBeVisible();

    await setRole(page, email, 'Viewer', `${email} is now Viewer (was Admin).`);
    expect((await user.goto('/users'))?.status()).toBe(403);
    await expect(user.getByTestId('forbidden')).toContainText('Your role (Viewer) does not include this page.');
    await page.reload();
    await expect(row.getByTestId('user-role')).toHaveText('Viewer');
  } finally {
    await userContext.close();
  }

  // The suite's admin is now the only enabled one: demoting it is refused, and it stays admin.
  const self = emailFor('admin');
  await setRole(page, self, 'Viewer', `${self} is the last enabled admin: make another user an admin first.`);
  await page.reload();
  await expect(page.locator(`[data-testid="user-row"][data-email="${self}"]`).getByTestId('user-role')).toHaveText('Admin');
});
