import { request as httpRequest } from 'node:http';
import { expect, type Page, test } from '@playwright/test';

// Every response carries the security headers (next.config.ts), and the pages render under the
// Content-Security-Policy without a single violation: the browser reports each one both as a
// console error and as a `securitypolicyviolation` event, and both are collected.

test.beforeAll(() => {
  if (!process.env.BASE_URL) throw new Error('BASE_URL must point at the running app (e.g. http://127.0.0.1:3000)');
});

const EXPECTED = {
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
};

for (const path of ['/', '/sources', '/api/health', '/robots.txt']) {
  test(`security headers on ${path}`, async ({ request }) => {
    const response = await request.get(path);
    expect(response.status()).toBeLessThan(500);
    const headers = response.headers();
    expect(headers).toMatchObject(EXPECTED);
    const csp = headers['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    // The suite runs a production build: no eval.
    expect(csp).not.toContain('unsafe-eval');
  });
}

/** Collects CSP violations of everything the page does until `stop()`. */
async function watchViolations(page: Page): Promise<() => Promise<string[]>> {
  const seen: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && message.text().includes('Content Security Policy')) seen.push(`console: ${message.text()}`);
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __cspViolations: string[] };
    w.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      w.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return async () => [
    ...seen,
    ...(await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations)).map((v) => `event: ${v}`),
  ];
}

test('the overview and the sources pages render without a Content-Security-Policy violation', async ({ page }) => {
  const violations = await watchViolations(page);
  // Each document has its own event list: check it before leaving the page.
  const settled = async () => {
    await page.waitForLoadState('networkidle');
    expect(await violations()).toEqual([]);
  };
  await page.goto('/');
  await expect(page.getByTestId('spend-card').first()).toBeVisible();
  await settled();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sources' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Sources' })).toBeVisible();
  await settled();
  await page.locator('[data-testid="source-row"][data-source-name="demo-aws"]').getByRole('link', { name: 'demo-aws' }).click();
  await expect(page.getByTestId('source-name')).toHaveText('demo-aws');
  await settled();
  await page.goto('/sources/new?kind=azure_blob');
  await expect(page.getByTestId('source-form')).toBeVisible();
  await settled();

  // The watch itself works: an image from another origin is refused by img-src and reported.
  await page.evaluate(() => {
    const img = document.createElement('img');
    img.src = 'http://192.0.2.1/pixel.png';
    document.body.append(img);
  });
  await expect.poll(async () => (await violations()).length).toBeGreaterThan(0);
  expect((await violations()).join('\n')).toContain('img-src');
});

/** A GET with a Host header of our choosing (a browser following a rebound DNS name sends its name). */
function getWithHost(path: string, host: string): Promise<{ status: number; body: string }> {
  const base = new URL(process.env.BASE_URL ?? '');
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname: base.hostname, port: base.port, path, headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('a request for another Host name is refused with 421 and the error body; loopback names and /api/health are answered', async () => {
  const port = new URL(process.env.BASE_URL ?? '').port;
  for (const path of ['/', '/sources']) {
    const refused = await getWithHost(path, `rebound.example:${port}`);
    expect(refused.status, path).toBe(421);
    expect(JSON.parse(refused.body)).toEqual({
      error: {
        message: 'This server does not answer to this host name. Open it at its configured address (BURNRATE_PUBLIC_URL) or on loopback.',
        code: 'MISDIRECTED_REQUEST',
        ref: expect.stringMatching(/^[0-9a-f]{8}$/),
      },
    });
  }
  expect((await getWithHost('/api/health', `rebound.example:${port}`)).status).not.toBe(421);
  expect((await getWithHost('/robots.txt', `localhost:${port}`)).status).toBe(200);
  expect((await getWithHost('/robots.txt', `127.0.0.1:${port}`)).status).toBe(200);
});
