import { type ChildProcess, spawn } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { freePort } from '../../lib/db/embedded';
import { type OidcProvider, startOidcProvider } from '../helpers/oidc-provider';

// Single sign-on in a real browser against a real OpenID Connect provider (oidc-provider on
// loopback). The suite's server runs without a credentials key (some specs check the pages without
// one), so the page cannot store a client secret there: it says so. The sign-in itself runs on a
// second server of the same build and database, configured by BURNRATE_OIDC_* (no key needed):
// the button, the provider's login form, the callback, signed in with the default role; a visitor
// of a domain not on the list comes back to /sign-in with the reason.

let idp: OidcProvider;
let server: ChildProcess | undefined;
let ssoBase = '';

test.beforeAll(async () => {
  const port = await freePort();
  ssoBase = `http://127.0.0.1:${port}`;
  idp = await startOidcProvider({
    redirectUri: `${ssoBase}/api/auth/callback/oidc`,
    accounts: [
      { sub: 'pat', email: 'pat@sso.e2e.test', emailVerified: true, name: 'Pat Sso' },
      { sub: 'quinn', email: 'quinn@elsewhere.e2e.test', emailVerified: true, name: 'Quinn' },
    ],
  });
  server = spawn(process.execPath, ['--experimental-strip-types', 'scripts/serve.ts'], {
    stdio: 'inherit',
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      BURNRATE_OIDC_ISSUER: idp.issuer,
      BURNRATE_OIDC_CLIENT_ID: idp.clientId,
      BURNRATE_OIDC_CLIENT_SECRET: idp.clientSecret,
      BURNRATE_OIDC_NAME: 'Test IdP',
      BURNRATE_OIDC_AUTO_SIGNUP: '1',
      BURNRATE_OIDC_ALLOWED_DOMAINS: 'sso.e2e.test',
      BURNRATE_OIDC_DEFAULT_ROLE: 'engineer',
    },
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const up = await fetch(`${ssoBase}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) throw new Error(`the SSO server on ${ssoBase} did not answer /api/health within 60 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
});

test.afterAll(async () => {
  server?.kill('SIGTERM');
  await idp?.close();
});

test('the settings page shows the callback URL, and says why it cannot store a secret without the credentials key', async ({
  page,
  baseURL,
}) => {
  await page.goto('/settings/sso');
  await expect(page.getByTestId('sso-callback-url')).toHaveText(`${baseURL}/api/auth/callback/oidc`);
  await page.getByLabel('Issuer URL').fill(idp.issuer);
  await page.getByLabel('Button label').fill('Test IdP');
  await page.getByLabel('Client id').fill(idp.clientId);
  await page.getByLabel('Client secret').fill(idp.clientSecret);
  await page.getByTestId('sso-save').click();
  await expect(page.getByTestId('sso-form-message')).toHaveText(/^The settings were not saved: BURNRATE_SECRET_KEY is not set/);
  // What was typed stays, to save once the key is set.
  await expect(page.getByLabel('Issuer URL')).toHaveValue(idp.issuer);
});

test('a visitor signs up through the provider with the default role; another domain is refused with the reason', async ({ browser }) => {
  const visitor = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const tab = await visitor.newPage();
  await tab.goto(`${ssoBase}/sign-in`);
  await tab.getByTestId('sso-button').click();
  await expect(tab).toHaveURL(new RegExp(`^${idp.issuer}/interaction/`));
  await tab.locator('input[name=login]').fill('pat');
  await tab.locator('input[name=password]').fill('anything');
  await tab.locator('button[type=submit]').click();
  await expect(tab).toHaveURL(`${ssoBase}/`);
  await tab.goto(`${ssoBase}/profile`);
  await expect(tab.getByTestId('profile-email')).toHaveText('pat@sso.e2e.test');
  await expect(tab.getByTestId('profile-role')).toHaveText('Engineer');
  await visitor.close();

  const stranger = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const other = await stranger.newPage();
  await other.goto(`${ssoBase}/sign-in`);
  await other.getByTestId('sso-button').click();
  await other.locator('input[name=login]').fill('quinn');
  await other.locator('input[name=password]').fill('anything');
  await other.locator('button[type=submit]').click();
  await expect(other).toHaveURL(/\/sign-in\?sso_error=sso_domain_not_allowed&ref=[0-9a-f]{8}$/);
  await expect(other.getByTestId('sso-error')).toContainText("Your email address's domain may not sign up here.");
  await stranger.close();
});
