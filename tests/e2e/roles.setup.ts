import { expect, test as setup } from '@playwright/test';
import { ROLE_LABELS, ROLES } from '../../lib/auth/roles';
import { createUser } from '../../lib/auth/users';
import { closePool } from '../../lib/db/pool';
import { E2E_PASSWORD, emailFor, SIGNED_OUT, signIn, stateFor } from './users';

// Project "roles" (after "first-start"): one account per remaining role, created with the product's
// createUser (as `npm run user` and the users page do), signed in through /sign-in; each storage
// state is what specs load with test.use({ storageState: stateFor(role) }).

setup.use({ storageState: SIGNED_OUT });

setup.afterAll(async () => {
  await closePool();
});

for (const role of ROLES.filter((r) => r !== 'admin')) {
  setup(`the ${role} account, made with createUser, signs in through the sign-in page`, async ({ page }) => {
    await createUser({ email: emailFor(role), name: `E2E ${role}`, role, password: E2E_PASSWORD }, 'e2e setup');
    await signIn(page, emailFor(role), E2E_PASSWORD);
    await expect(page.getByTestId('user-menu')).toContainText(ROLE_LABELS[role]);
    await page.context().storageState({ path: stateFor(role) });
  });
}
