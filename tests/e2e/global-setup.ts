import { mkdir } from 'node:fs/promises';
import { chromium, type FullConfig } from '@playwright/test';
import { ROLES } from '../../lib/auth/roles';
import { createUser } from '../../lib/auth/users';
import { closePool } from '../../lib/db/pool';
import { AUTH_DIR, E2E_PASSWORD, emailFor, stateFor } from './users';

/** Creates one user per role (the product's code) and signs each in through the sign-in page. */
export default async function globalSetup(config: FullConfig): Promise<void> {
  const project = config.projects[0];
  const baseURL = project?.use.baseURL;
  if (!baseURL || !process.env.DATABASE_URL) throw new Error('BASE_URL and DATABASE_URL must point at the running app and its database');
  await mkdir(AUTH_DIR, { recursive: true });
  try {
    for (const role of ROLES) await createUser({ email: emailFor(role), name: `E2E ${role}`, role, password: E2E_PASSWORD }, 'e2e setup');
  } finally {
    await closePool();
  }
  const browser = await chromium.launch(project.use.launchOptions);
  try {
    for (const role of ROLES) {
      const context = await browser.newContext({ baseURL });
      const page = await context.newPage();
      await page.goto('/sign-in');
      await page.getByLabel('Email').fill(emailFor(role));
      await page.getByLabel('Password').fill(E2E_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((url) => url.pathname === '/', { timeout: 30_000 });
      await context.storageState({ path: stateFor(role) });
      await context.close();
    }
  } finally {
    await browser.close();
  }
}
