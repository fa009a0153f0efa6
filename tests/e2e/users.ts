// The accounts the browser tests sign in with: the admin is created through the first-admin setup
// page (tests/e2e/first-start.setup.ts), the other roles through the product's own createUser
// (lib/auth/users.ts, tests/e2e/roles.setup.ts); each is signed in once through the sign-in page
// and its cookies are saved as a storage state the specs load (`stateFor(role)`).
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { expect, type Page } from '@playwright/test';
import type { Role } from '../../lib/auth/roles';

export const E2E_PASSWORD = 'e2e password for every role';
export const AUTH_DIR = path.join(process.cwd(), 'test-results', '.auth');
/** A context without cookies: the config gives the admin's to every context, browser.newContext() included. */
export const SIGNED_OUT = { cookies: [], origins: [] };

export function emailFor(role: Role): string {
  return `${role}@e2e.burnrate.test`;
}

/** An address no other spec uses, for a spec's own account (sign-out, rate limits). */
export function uniqueEmail(purpose: string): string {
  return `${purpose}-${randomBytes(4).toString('hex')}@e2e.burnrate.test`;
}

export function stateFor(role: Role): string {
  return path.join(AUTH_DIR, `${role}.json`);
}

/**
 * Submits the sign-in form (the page must show it) and waits for the server's answer, so the
 * caller reads the outcome of this attempt, not the message the previous one left on the page.
 */
export async function submitSignIn(page: Page, email: string, password: string): Promise<void> {
  const form = page.getByTestId('sign-in');
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Password').fill(password);
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/sign-in'),
    form.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  await expect(form.getByRole('button', { name: 'Sign in' })).toBeEnabled();
}

/** Signs in through /sign-in and waits until the browser left it (for `landing`, by default the Overview). */
export async function signIn(page: Page, email: string, password: string, landing = '/'): Promise<void> {
  await page.goto('/sign-in');
  await page.getByTestId('sign-in').getByLabel('Email').fill(email);
  await page.getByTestId('sign-in').getByLabel('Password').fill(password);
  await page.getByTestId('sign-in').getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === landing, { timeout: 30_000 });
}
