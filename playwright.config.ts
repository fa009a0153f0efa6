import { defineConfig } from '@playwright/test';
import { stateFor } from './tests/e2e/users';

// The test runner (scripts/test.ts) starts the app, with demo data and no user, on a fresh database
// and passes BASE_URL and DATABASE_URL; there is deliberately no webServer block. Chromium is the
// system one, not a downloaded build.
//
// Three projects, run in this order through their declared dependencies (a spec may rely on what
// an earlier project made, never on another spec):
// 1. first-start (tests/e2e/first-start.setup.ts): the setup page against the empty users table —
//    refused without the token and with a wrong one, then the live token (issueSetupToken, as
//    npm start prints it) creates the first admin, whose storage state it saves.
// 2. roles (tests/e2e/roles.setup.ts): a viewer, an engineer and a finance account made with the
//    product's createUser and signed in through /sign-in; their storage states.
// 3. chromium (tests/e2e/*.spec.ts): the specs, as the admin unless a spec chooses another role
//    with test.use({ storageState: stateFor(role) }) or none (SIGNED_OUT in tests/e2e/users.ts).
//    A spec that needs an account of its own (sign-out, rate limits) creates it with createUser.
// 4. after-run (tests/e2e/audit-trail.after.ts): /audit shows what the projects above did. It
//    reads what those files did, so Playwright skips it when one of them failed.
// So the whole suite needs a database without users: `npx tsx scripts/test.ts e2e` makes one per
// run; `playwright test some.spec.ts` runs the two setup projects first, as dependencies.
export default defineConfig({
  testDir: 'tests/e2e',
  projects: [
    { name: 'first-start', testMatch: 'first-start.setup.ts' },
    { name: 'roles', testMatch: 'roles.setup.ts', dependencies: ['first-start'] },
    { name: 'chromium', testMatch: '*.spec.ts', dependencies: ['roles'] },
    { name: 'after-run', testMatch: '*.after.ts', dependencies: ['chromium'] },
  ],
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
