import { type BrowserContext, expect, test } from '@playwright/test';
import { createUser } from '../../lib/auth/users';
import { closePool } from '../../lib/db/pool';
import { E2E_PASSWORD, SIGNED_OUT, signIn, uniqueEmail } from './users';

// The session cookie as the browser holds it, and signing out: each test signs in an account of
// its own (createUser), so signing out ends no session another spec uses.

test.use({ storageState: SIGNED_OUT });

test.afterAll(async () => {
  await closePool();
});

async function ownAccount(purpose: string): Promise<string> {
  const email = uniqueEmail(purpose);
  await createUser({ email, name: `E2E ${purpose}`, role: 'viewer', password: E2E_PASSWORD }, 'e2e session spec');
  return email;
}

async function sessionCookies(context: BrowserContext) {
  return (await context.cookies()).filter((c) => c.name.includes('session'));
}

test('the session cookie is HttpOnly and SameSite=Lax (not Secure over plain http); only the session cookie is set', async ({
  page,
  context,
}) => {
  await signIn(page, await ownAccount('cookie'), E2E_PASSWORD);
  const cookies = await context.cookies();
  expect(cookies.map((c) => c.name)).toEqual(['better-auth.session_token']);
  for (const cookie of cookies) {
    expect(cookie, cookie.name).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false, path: '/' });
    // A session cookie that outlives the browser, as long as the server-side session (7 days).
    expect(cookie.expires * 1000, cookie.name).toBeGreaterThan(Date.now() + 6 * 24 * 3600_000);
  }
  // Scripts in the page cannot read it.
  expect(await page.evaluate(() => document.cookie)).toBe('');
});

test('a next= pointing at another site is ignored: signing in lands on the Overview', async ({ page }) => {
  const email = await ownAccount('next');
  for (const next of ['//evil.example/', '/\\evil.example', 'https://evil.example/']) {
    await page.context().clearCookies();
    await page.goto(`/sign-in?next=${encodeURIComponent(next)}`);
    const form = page.getByTestId('sign-in');
    await form.getByLabel('Email').fill(email);
    await form.getByLabel('Password').fill(E2E_PASSWORD);
    await form.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/', { timeout: 30_000 });
    expect(new URL(page.url()).host, next).toBe(new URL(process.env.BASE_URL ?? '').host);
  }
});

test('sign-out clears the cookie, pages ask for sign-in again, and the cookie saved before no longer works', async ({
  page,
  context,
  browser,
  baseURL,
}) => {
  await signIn(page, await ownAccount('sign-out'), E2E_PASSWORD);
  const saved = await sessionCookies(context);
  expect(saved).toHaveLength(1);

  await page.getByTestId('sign-out').click();
  await page.waitForURL((url) => url.pathname === '/sign-in');
  expect(await sessionCookies(context)).toEqual([]);
  await page.goto('/sources');
  await expect(page).toHaveURL('/sign-in?next=%2Fsources');

  // The old cookie, put back by hand (as someone who copied it would): the server ended the session.
  const replay = await browser.newContext({ baseURL, storageState: SIGNED_OUT });
  try {
    await replay.addCookies(saved);
    const other = await replay.newPage();
    await other.goto('/sources');
    await expect(other).toHaveURL('/sign-in?next=%2Fsources');
    const api = await replay.request.get('/api/ingest/status');
    expect(api.status()).toBe(401);
    expect((await api.json()).error.code).toBe('UNAUTHENTICATED');
  } finally {
    await replay.close();
  }
});
