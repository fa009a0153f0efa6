import { expect, test } from '@playwright/test';
import { ROLE_LABELS, ROLES, type Role } from '../../lib/auth/roles';
import { IngestStatusSchema } from '../../lib/schema';
import { closeDb, db } from './expected';
import { E2E_PASSWORD, emailFor, SIGNED_OUT, stateFor } from './users';

// What each role sees and is refused, in the browser, as the accounts of the "roles" and
// "first-start" projects. The admin's checks show the hidden controls exist, so their absence for
// the other roles means something. The server-side walk of the whole permission table is
// lib/auth/permissions.test.ts; this is what a person with each role meets.

/** The header's sections per role, by hand from the issue: admins alone manage sources' settings, users and the audit trail. */
const SECTIONS: Record<Role, string[]> = {
  viewer: ['Overview', 'Explorer', 'Recommendations', 'Sources', 'GPUs', 'FX rates', 'Tag rules', 'Close', 'Reconciliation'],
  engineer: ['Overview', 'Explorer', 'Recommendations', 'Sources', 'GPUs', 'FX rates', 'Tag rules', 'Close', 'Reconciliation'],
  finance: ['Overview', 'Explorer', 'Recommendations', 'Sources', 'GPUs', 'FX rates', 'Tag rules', 'Close', 'Reconciliation'],
  admin: [
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
  ],
};
/** Pages only an admin may open. */
const ADMIN_PAGES = ['/sources/new', '/users', '/audit', '/settings/sso', '/settings/recommendations'];

let sourceId: number;

test.beforeAll(async () => {
  // A connector source of this spec's own, so the Settings panel has something to show.
  const { rows } = await (await db()).query<{ id: number }>(
    `INSERT INTO billing_sources (name, provider, kind, config, enabled)
     VALUES ('e2e-roles-s3', 'aws', 'aws_s3', '{"bucket": "e2e-roles", "prefix": "cur/", "region": "us-east-1", "exportType": "cur2"}', false)
     RETURNING id`,
  );
  sourceId = rows[0]?.id ?? 0;
});

test.afterAll(async () => {
  await (await db()).query('DELETE FROM billing_sources WHERE id = $1', [sourceId]);
  await closeDb();
});

for (const role of ROLES) {
  test.describe(`as ${role}`, () => {
    test.use({ storageState: stateFor(role) });

    test(`the ${role} sees the Overview and, in the header, only the sections the role opens`, async ({ page }) => {
      await page.goto('/');
      await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible();
      await expect(page.getByTestId('spend-card').first()).toBeVisible();
      const nav = page.getByRole('navigation', { name: 'Main' });
      await expect(nav.getByRole('link')).toHaveText(SECTIONS[role]);
      await expect(page.getByTestId('user-menu')).toContainText(`E2E ${role}`);
      await expect(page.getByTestId('user-menu')).toContainText(ROLE_LABELS[role]);
      await page.getByTestId('user-menu').getByRole('link').click();
      await expect(page.getByTestId('profile-role')).toHaveText(ROLE_LABELS[role]);
    });

    test(`the ${role} reads the ingest status with its session`, async ({ page }) => {
      // The Overview's banner polls this route; every role may read it.
      const response = await page.request.get('/api/ingest/status');
      expect(response.status()).toBe(200);
      expect(IngestStatusSchema.safeParse(await response.json()).success).toBe(true);
    });

    if (role === 'admin') {
      test('the admin sees Add source and a source’s Actions and Settings panels, opens the admin pages and the audit export', async ({
        page,
      }) => {
        await page.goto('/sources');
        await expect(page.getByTestId('add-source')).toHaveText('Add source');
        await page.goto(`/sources/${sourceId}`);
        await expect(page.getByTestId('source-name')).toHaveText('e2e-roles-s3');
        await expect(page.getByRole('heading', { level: 2, name: 'Actions' })).toBeVisible();
        await expect(page.getByRole('heading', { level: 2, name: 'Settings' })).toBeVisible();
        for (const path of ADMIN_PAGES) {
          const response = await page.goto(path);
          expect(response?.status(), path).toBe(200);
          await expect(page.getByTestId('forbidden')).toHaveCount(0);
        }
        const csv = await page.request.get('/audit/export');
        expect(csv.status()).toBe(200);
        expect(csv.headers()['content-type']).toContain('text/csv');
      });
    } else {
      test(`the ${role} gets no source controls, the 403 page on admin pages and 403 from the audit export`, async ({ page }) => {
        await page.goto('/sources');
        await expect(page.getByRole('heading', { level: 1, name: 'Sources' })).toBeVisible();
        await expect(page.locator('[data-testid="source-row"][data-source-name="e2e-roles-s3"]')).toBeVisible();
        await expect(page.getByTestId('add-source')).toHaveCount(0);
        await page.goto(`/sources/${sourceId}`);
        await expect(page.getByTestId('source-name')).toHaveText('e2e-roles-s3');
        await expect(page.getByRole('heading', { level: 2, name: 'Source' })).toBeVisible();
        await expect(page.getByRole('heading', { level: 2, name: 'Actions' })).toHaveCount(0);
        await expect(page.getByRole('heading', { level: 2, name: 'Settings' })).toHaveCount(0);
        await expect(page.getByTestId('source-form')).toHaveCount(0);
        for (const path of ADMIN_PAGES) {
          const response = await page.goto(path);
          expect(response?.status(), path).toBe(403);
          await expect(page.getByTestId('forbidden')).toContainText(`Your role (${ROLE_LABELS[role]}) does not include this page.`);
          await expect(page.getByTestId('source-form')).toHaveCount(0);
        }
        // The admins' route handler: 403 with the error body, not the trail.
        const csv = await page.request.get('/audit/export');
        expect(csv.status()).toBe(403);
        expect(await csv.json()).toEqual({
          error: { message: `The ${role} role may not use this endpoint.`, code: 'FORBIDDEN', ref: expect.stringMatching(/^[0-9a-f]{8}$/) },
        });
      });
    }
  });
}

test.describe('without a session', () => {
  test.use({ storageState: SIGNED_OUT });

  test('a page redirects to /sign-in?next=… and the browser comes back to it after signing in', async ({ page }) => {
    const target = `/sources/${sourceId}?from=link`;
    await page.goto(target);
    await expect(page).toHaveURL(`/sign-in?next=${encodeURIComponent(target)}`);
    const form = page.getByTestId('sign-in');
    await form.getByLabel('Email').fill(emailFor('viewer').toUpperCase());
    await form.getByLabel('Password').fill(E2E_PASSWORD);
    await form.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === `/sources/${sourceId}`);
    expect(new URL(page.url()).search).toBe('?from=link');
    await expect(page.getByTestId('source-name')).toHaveText('e2e-roles-s3');
    await expect(page.getByTestId('user-menu')).toContainText('Viewer');
  });

  test('the cached pages still refuse a visitor without a valid session after an admin warmed their answers', async ({
    browser,
    request,
  }) => {
    // The admin's views compute and keep the answers of this data version (lib/cache)…
    const admin = await browser.newContext({ storageState: stateFor('admin') });
    const warm = await admin.newPage();
    for (const path of ['/', '/explorer']) {
      const response = await warm.goto(path);
      expect(response?.status(), path).toBe(200);
    }
    const figure = await warm.goto('/').then(() => warm.getByTestId('spend-card').first().textContent());
    await admin.close();
    // …and a request without a session, or with a forged one, gets the sign-in redirect, not them.
    for (const cookie of [undefined, 'better-auth.session_token=forged.token']) {
      for (const path of ['/', '/explorer', '/explorer?by=service']) {
        const response = await request.get(path, { maxRedirects: 0, headers: cookie ? { cookie } : {} });
        expect(response.status(), `${path} ${cookie ?? 'no cookie'}`).toBe(307);
        expect(response.headers().location).toContain(`/sign-in?next=${encodeURIComponent(path)}`);
        const body = await response.text();
        if (figure) expect(body).not.toContain(figure);
      }
    }
  });

  test('route handlers answer 401 with the project’s error body, to no session and to a wrong token', async ({ request }) => {
    const noToken: Record<string, string> = {};
    for (const headers of [noToken, { authorization: 'Bearer not-a-token' }]) {
      const response = await request.get('/api/ingest/status', { headers });
      expect(response.status()).toBe(401);
      expect(await response.json()).toEqual({
        error: {
          message: 'Sign in, or send a valid API token as "Authorization: Bearer …".',
          code: 'UNAUTHENTICATED',
          ref: expect.stringMatching(/^[0-9a-f]{8}$/),
        },
      });
    }
  });
});
