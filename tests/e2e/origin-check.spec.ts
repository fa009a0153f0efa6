import { expect, test } from '@playwright/test';
import { closeDb, db } from './expected';

// Server actions keep Next.js's origin check: a signed-in admin's real action request, replayed by
// another site (a foreign Origin, as a page elsewhere would send it with the admin's cookie), is
// refused and changes nothing; the same request from the dashboard's own origin works — so the
// refusal is the origin check, not a malformed replay.

test.afterAll(async () => {
  await closeDb();
});

test('a server action posted with another site’s Origin is refused; from the dashboard’s origin it runs', async ({ page, baseURL }) => {
  const client = await db();
  const { rows } = await client.query<{ id: number }>(
    `INSERT INTO billing_sources (name, provider, kind, config, enabled)
     VALUES ('origin-check', 'aws', 'aws_s3', $1::jsonb, true) RETURNING id`,
    [JSON.stringify({ bucket: 'acme-billing', prefix: 'cur/', region: 'us-east-1', exportType: 'cur2' })],
  );
  const id = rows[0]?.id;
  const enabled = async () =>
    (await client.query<{ enabled: boolean }>('SELECT enabled FROM billing_sources WHERE id = $1', [id])).rows[0]?.enabled;

  // Capture the "Disable" action's request as the browser would send it, without letting it through.
  await page.goto(`/sources/${id}`);
  let captured: { headers: Record<string, string>; body: Buffer } | undefined;
  await page.route(`**/sources/${id}`, async (route) => {
    const request = route.request();
    if (request.method() !== 'POST') return route.continue();
    captured = { headers: await request.allHeaders(), body: request.postDataBuffer() ?? Buffer.alloc(0) };
    await route.abort();
  });
  await page.getByTestId('toggle-enabled').click();
  await expect.poll(() => captured !== undefined).toBe(true);
  if (!captured) throw new Error('no action request was captured');
  expect(captured.headers['next-action']).toMatch(/^[0-9a-f]{40,}$/);
  expect(await enabled()).toBe(true);

  const replay = (origin: string) =>
    page.request.post(`/sources/${id}`, {
      headers: {
        'next-action': captured?.headers['next-action'] ?? '',
        'content-type': captured?.headers['content-type'] ?? '',
        accept: 'text/x-component',
        origin,
      },
      data: captured?.body,
      maxRedirects: 0,
    });

  const foreign = await replay('https://evil.example');
  expect(foreign.status()).toBeGreaterThanOrEqual(400);
  expect(await enabled()).toBe(true);

  const own = await replay(new URL(baseURL ?? '').origin);
  expect(own.status()).toBe(200);
  await expect.poll(enabled).toBe(false);

  await client.query('DELETE FROM billing_sources WHERE id = $1', [id]);
});
