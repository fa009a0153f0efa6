import { defineConfig } from '@playwright/test';
import { stateFor } from './tests/e2e/users';

// The test runner starts the app (with demo data) itself and passes BASE_URL and DATABASE_URL;
// there is deliberately no webServer block. Chromium is the system one, not a downloaded build.
export default defineConfig({
  testDir: 'tests/e2e',
  // One signed-in user per role (tests/e2e/global-setup.ts); specs run as the admin unless they
  // choose another role with test.use({ storageState: stateFor(role) }).
  globalSetup: './tests/e2e/global-setup.ts',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: process.env.BASE_URL,
    storageState: stateFor('admin'),
    viewport: { width: 1440, height: 1000 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
