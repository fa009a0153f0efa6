import { expect, type Page, test } from '@playwright/test';
import { clearFailures } from '../../lib/auth/rate-limit';
import { createUser } from '../../lib/auth/users';
import { closePool } from '../../lib/db/pool';
import { E2E_PASSWORD, SIGNED_OUT, signIn, submitSignIn, uniqueEmail } from './users';

// Sign-in rate limits as a visitor meets them: after 5 failures for one email, the sixth attempt
// is refused even with the right password, and nothing tells an unknown email from a known one.
// The accounts are this spec's own; it removes their failures afterwards, since every browser here
// shares one address and the per-address limit (20) would otherwise count them for later specs.

test.use({ storageState: SIGNED_OUT });

const WRONG = 'Wrong email or password.';
// 15 minutes from the first counted failure (14 if the attempts took over a minute on a slow machine).
const TOO_MANY = /^Too many failed sign-ins\. Try again in 1[45] minutes\.$/;
const used: string[] = [];

test.afterAll(async () => {
  for (const email of used) await clearFailures(email);
  await closePool();
});

async function account(purpose: string): Promise<string> {
  const email = uniqueEmail(purpose);
  used.push(email);
  await createUser({ email, name: `E2E ${purpose}`, role: 'viewer', password: E2E_PASSWORD }, 'e2e rate-limit spec');
  return email;
}

async function attempt(page: Page, email: string, password: string): Promise<string> {
  await submitSignIn(page, email, password);
  return (await page.getByTestId('sign-in-message').textContent()) ?? '';
}

test('5 wrong passwords: the 6th attempt is refused even with the right password; an unknown email reads the same at every step', async ({
  page,
  context,
}) => {
  const known = await account('limited');
  const unknown = uniqueEmail('nobody');
  used.push(unknown);
  await page.goto('/sign-in');
  for (let i = 1; i <= 5; i++) {
    expect(await attempt(page, known, `wrong password ${i}`), `known email, failure ${i}`).toBe(WRONG);
    await expect(page.getByTestId('sign-in').getByText(WRONG)).toHaveCount(2); // the form's message and the password field's
    expect(await attempt(page, unknown, `wrong password ${i}`), `unknown email, failure ${i}`).toBe(WRONG);
  }
  expect(await attempt(page, known, E2E_PASSWORD)).toMatch(TOO_MANY);
  expect(await attempt(page, unknown, E2E_PASSWORD)).toMatch(TOO_MANY);
  await expect(page).toHaveURL('/sign-in');
  expect(await context.cookies()).toEqual([]);

  // Per account: another account signs in from the same address meanwhile.
  await signIn(page, await account('neighbour'), E2E_PASSWORD);
  await expect(page.getByTestId('user-menu')).toBeVisible();
});

test('a successful sign-in clears its account’s failures: 4 wrong, right, then 4 wrong again are still answered', async ({ page }) => {
  const email = await account('cleared');
  await page.goto('/sign-in');
  for (let i = 1; i <= 4; i++) expect(await attempt(page, email, `wrong password ${i}`)).toBe(WRONG);
  await signIn(page, email, E2E_PASSWORD);
  await page.context().clearCookies();
  await page.goto('/sign-in');
  for (let i = 1; i <= 4; i++) expect(await attempt(page, email, `wrong again ${i}`)).toBe(WRONG);
  await signIn(page, email, E2E_PASSWORD);
  await expect(page.getByTestId('user-menu')).toBeVisible();
});
