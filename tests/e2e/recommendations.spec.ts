import { type Browser, expect, type Page, test } from '@playwright/test';
import { addDays, utcToday } from '../../lib/calendar';
import { closePool, getPool } from '../../lib/db/pool';
import { recomputeRecommendations } from '../../lib/recommendations/engine';
import { resourceProvider } from '../../lib/resources/normalize';
import { type BillLine, ingestBill } from '../helpers/recommendations';
import { E2E_ACCOUNT, resourceIdOf, seedIdleInstances, uniqueTeam } from './recommendations-seed';
import { emailFor, stateFor } from './users';

// A recommendation's lifecycle in the browser, on recommendations the rules engine made from an
// inventory, metrics and a bill written through the product's own paths (recommendations-seed.ts):
// an engineer accepts one, snoozes one and dismisses one with a reason; a viewer sees no buttons
// and the action posted directly is refused; /audit shows each change with its user; and an
// accepted recommendation whose later bills show the lower cost gets its realized savings on its
// page and in the totals.

test.afterAll(async () => {
  await closePool();
});

async function openRecommendation(page: Page, team: string, resourceId: string): Promise<void> {
  await page.goto(`/recommendations?team=${team}&status=all`);
  const row = page.locator(`[data-testid="recommendation-row"][data-resource-id="${resourceId}"]`);
  await expect(row).toBeVisible();
  await row.getByRole('link').click();
  await expect(page.getByTestId('recommendation-resource')).toHaveText(resourceId);
}

async function statusOf(id: string): Promise<{ status: string; snoozed_until: string | null; dismiss_reason: string | null }> {
  const { rows } = await getPool().query<{ status: string; snoozed_until: string | null; dismiss_reason: string | null }>(
    'SELECT status, snoozed_until, dismiss_reason FROM recommendations WHERE id = $1',
    [id],
  );
  if (!rows[0]) throw new Error(`no recommendation ${id}`);
  return rows[0];
}

/** The audit lines about a recommendation as /audit shows them to an admin, newest first. */
async function auditLines(browser: Browser, id: string): Promise<{ action: string; outcome: string; who: string }[]> {
  const admin = await browser.newContext({ storageState: stateFor('admin') });
  try {
    const page = await admin.newPage();
    await page.goto(`/audit?objectType=recommendation&objectId=${id}`);
    await expect(page.getByRole('heading', { level: 1, name: 'Audit trail' })).toBeVisible();
    await expect(page.getByTestId('audit-table')).toBeVisible();
    return page.getByTestId('audit-row').evaluateAll((rows) =>
      rows.map((row) => ({
        action: row.getAttribute('data-action') ?? '',
        outcome: row.getAttribute('data-outcome') ?? '',
        who: (row.querySelectorAll(':scope > td')[1]?.textContent ?? '').replace(/\s+/g, ' ').trim(),
      })),
    );
  } finally {
    await admin.close();
  }
}

test.describe('as an engineer', () => {
  test.use({ storageState: stateFor('engineer') });

  test('accept one, snooze one until a date, dismiss one with a reason; the list, the pages and /audit show it', async ({
    page,
    browser,
  }) => {
    const team = uniqueTeam('life');
    const recs = await seedIdleInstances(team, ['accept', 'snooze', 'dismiss'], '4.80');
    const [accept, snooze, dismiss] = ['accept', 'snooze', 'dismiss'].map((n) => resourceIdOf(team, n)) as [string, string, string];
    const id = (resourceId: string) => recs.get(resourceId) as string;

    // The list, filtered to this run's team through the form: three open idle instances, each USD 96.00
    // a month (20 billed days × 4.80 in the last 30 days, all saved by stopping it).
    await page.goto('/recommendations');
    await page.getByLabel('Team').selectOption(team);
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect(page).toHaveURL(new RegExp(`[?&]team=${team}(&|$)`));
    const rows = page.getByTestId('recommendation-row');
    await expect(rows).toHaveCount(3);
    await expect(page.getByTestId('recommendation-savings')).toHaveText(['USD 96.00', 'USD 96.00', 'USD 96.00']);
    await expect(page.getByTestId('open-savings-USD')).toContainText('USD 288.00');

    // Accept: the evidence first (chart with the threshold, the statistic, coverage, parameters).
    await openRecommendation(page, team, accept);
    await expect(page.getByTestId('recommendation-action')).toHaveText('Stop or terminate the instance');
    await expect(page.getByTestId('evidence-chart')).toHaveAttribute('data-threshold', '5');
    await expect(page.getByTestId('evidence-chart')).toHaveAttribute('data-source', 'hourly');
    await expect(page.getByTestId('evidence-statistic')).toContainText('p95 of cpu utilization');
    await expect(page.getByTestId('evidence-coverage')).toContainText('hours with data');
    await expect(page.getByTestId('parameter-windowDays')).toHaveAttribute('data-value', '7');
    await expect(page.getByTestId('parameter-windowDays')).toHaveText('7 days');
    await page.getByTestId('accept').click();
    await expect(page.getByTestId('accept-message')).toHaveText(`Accepted recommendation ${id(accept)}.`);
    await expect(page.getByTestId('history').getByTestId('recommendation-status')).toHaveText('Accepted');
    // 20 days of 4.80 in the 30 days before today: the baseline is 4.80 a day.
    await expect(page.getByTestId('realized-pending')).toContainText('Baseline: USD 4.80 a day');
    await expect(page.getByTestId('history-row').first()).toHaveAttribute('data-action', 'recommendation.accept');

    // Snooze: a date that is not in the future is refused next to the field; then a real one.
    await openRecommendation(page, team, snooze);
    const today = utcToday();
    await page.getByLabel('Snooze until').fill(today);
    await page.getByTestId('snooze').click();
    await expect(page.getByTestId('error-until')).toHaveText(`Snooze until a date after today (${today}); ${today} is not.`);
    expect((await statusOf(id(snooze))).status).toBe('open');
    const until = addDays(today, 21);
    await page.getByLabel('Snooze until').fill(until);
    await page.getByTestId('snooze').click();
    await expect(page.getByTestId('snooze-message')).toHaveText(`Snoozed recommendation ${id(snooze)} until ${until}.`);
    await expect(page.getByTestId('history').getByTestId('recommendation-status')).toHaveText(`Snoozed until ${until}`);

    // Dismiss: a reason is required.
    await openRecommendation(page, team, dismiss);
    await page.getByTestId('dismiss').click();
    await expect(page.getByTestId('error-reason')).toHaveText('required');
    await page.getByLabel('Reason for dismissing').fill('Kept warm for the failover drill');
    await page.getByTestId('dismiss').click();
    await expect(page.getByTestId('dismiss-message')).toHaveText(`Dismissed recommendation ${id(dismiss)}.`);
    await expect(page.getByTestId('dismiss-reason')).toHaveText('Kept warm for the failover drill');

    expect(await statusOf(id(accept))).toMatchObject({ status: 'accepted' });
    expect(await statusOf(id(snooze))).toMatchObject({ status: 'snoozed', snoozed_until: until });
    expect(await statusOf(id(dismiss))).toMatchObject({ status: 'dismissed', dismiss_reason: 'Kept warm for the failover drill' });

    // The list by status; open savings now count none of the three.
    await page.goto(`/recommendations?team=${team}&status=all`);
    for (const [resourceId, shown] of [
      [accept, 'Accepted'],
      [snooze, `Snoozed until ${until}`],
      [dismiss, 'Dismissed'],
    ]) {
      await expect(
        page.locator(`[data-testid="recommendation-row"][data-resource-id="${resourceId}"]`).getByTestId('recommendation-status'),
      ).toHaveText(shown as string);
    }
    await expect(page.getByTestId('open-savings')).toContainText('No open recommendation');

    // The audit trail, read by an admin: each change with the engineer who made it.
    const who = emailFor('engineer');
    expect(await auditLines(browser, id(accept))).toEqual([{ action: 'recommendation.accept', outcome: 'ok', who }]);
    expect(await auditLines(browser, id(snooze))).toEqual([
      { action: 'recommendation.snooze', outcome: 'ok', who },
      { action: 'recommendation.snooze', outcome: 'refused', who },
    ]);
    expect(await auditLines(browser, id(dismiss))).toEqual([{ action: 'recommendation.dismiss', outcome: 'ok', who }]);
  });

  test('realized savings: accepted, then later bills at a lower cost show on its page and in the totals', async ({ page }) => {
    const team = uniqueTeam('real');
    const recs = await seedIdleInstances(team, ['resized'], '4.80');
    const [resourceId, id] = [...recs.entries()][0] as [string, string];

    await openRecommendation(page, team, resourceId);
    await page.getByTestId('accept').click();
    await expect(page.getByTestId('accept-message')).toHaveText(`Accepted recommendation ${id}.`);
    await expect(page.getByTestId('realized-pending')).toBeVisible();

    // Bills arrive days after the change they show, which a test cannot wait for: the acceptance
    // is moved ten days back, as if made then, and the later bills are those ten days' lines.
    const today = utcToday();
    const acceptedDay = addDays(today, -10);
    await getPool().query(
      `UPDATE recommendations SET accepted_at = ($2::date + time '12:00') AT TIME ZONE 'UTC',
              status_changed_at = ($2::date + time '12:00') AT TIME ZONE 'UTC' WHERE id = $1`,
      [id, acceptedDay],
    );
    // After the change the instance costs 1.20 a day (from the day after the acceptance to yesterday).
    const later: BillLine[] = [];
    for (let n = 9; n >= 1; n--) later.push({ day: addDays(today, -n), resourceId, billed: '1.20', account: E2E_ACCOUNT });
    await ingestBill(`e2e-later-${team}`, later);
    await recomputeRecommendations(getPool());

    // By hand, with the change on day D-10: before, D-29..D-11 billed 19 × 4.80 / 19 days = 4.80 a day
    // (the change's own day counts on neither side); after, the provider's bills cover
    // the nine days from the day after the acceptance to yesterday (the demo's bills end yesterday,
    // as ours do), 9 × 1.20 / 9 = 1.20 a day; realized 3.60 a day, 108.00 per 30 days.
    const { rows } = await getPool().query<{ provider_name: string; until: Date }>(
      'SELECT provider_name, max(charge_period_end) AS until FROM cost_line_items WHERE charge_period_start < now() GROUP BY 1',
    );
    const awsUntil = rows.filter((r) => resourceProvider(r.provider_name) === 'aws').map((r) => r.until.toISOString().slice(0, 10));
    expect(awsUntil.sort().at(-1)).toBe(today);
    await page.reload();
    await expect(page.getByTestId('realized-monthly')).toHaveText('USD 108.00');
    await expect(page.getByTestId('realized-daily')).toContainText('USD 3.60 a day: USD 4.80 a day in the 30 days before acceptance');

    await page.goto(`/recommendations?team=${team}`);
    await expect(page.getByTestId('realized-savings-USD')).toContainText('USD 108.00');
  });
});

test.describe('as a viewer', () => {
  test.use({ storageState: stateFor('viewer') });

  test('no buttons on a recommendation, and the accept action posted directly is refused and recorded', async ({ page, browser }) => {
    const team = uniqueTeam('view');
    const recs = await seedIdleInstances(team, ['watched'], '2.00');
    const [resourceId, id] = [...recs.entries()][0] as [string, string];

    await openRecommendation(page, team, resourceId);
    await expect(page.getByTestId('read-only')).toBeVisible();
    await expect(page.getByTestId('accept')).toHaveCount(0);
    await expect(page.getByTestId('snooze')).toHaveCount(0);
    await expect(page.getByTestId('dismiss')).toHaveCount(0);

    // The engineer's real Accept request, captured without letting it through...
    const engineer = await browser.newContext({ storageState: stateFor('engineer') });
    let captured: { headers: Record<string, string>; body: Buffer } | undefined;
    try {
      const ep = await engineer.newPage();
      await ep.goto(`/recommendations/${id}`);
      await ep.route(`**/recommendations/${id}`, async (route) => {
        const request = route.request();
        if (request.method() !== 'POST') return route.continue();
        captured = { headers: await request.allHeaders(), body: request.postDataBuffer() ?? Buffer.alloc(0) };
        await route.abort();
      });
      await ep.getByTestId('accept').click();
      await expect.poll(() => captured !== undefined).toBe(true);
    } finally {
      await engineer.close();
    }
    // ...posted with the viewer's session: refused, nothing changes, and the trail names the viewer.
    const res = await page.request.post(`/recommendations/${id}`, {
      headers: {
        'next-action': captured?.headers['next-action'] ?? '',
        'content-type': captured?.headers['content-type'] ?? '',
        accept: 'text/x-component',
      },
      data: captured?.body,
      maxRedirects: 0,
    });
    expect(res.status()).toBe(200);
    expect(await res.text()).toContain('Your role (viewer) does not allow this.');
    expect((await statusOf(id)).status).toBe('open');
    expect(await auditLines(browser, id)).toEqual([{ action: 'recommendation.accept', outcome: 'refused', who: emailFor('viewer') }]);
  });
});

test('the Overview card: open savings per currency and the three largest open recommendations, each linking to its page', async ({
  page,
}) => {
  const team = uniqueTeam('card');
  await seedIdleInstances(team, ['big'], '1000.00');
  // What the card should show, read straight from the table: the open estimates summed per
  // currency, and the three open ones with the largest estimate.
  const { rows: totals } = await getPool().query<{ currency: string; amount: string }>(
    `SELECT currency, sum(monthly_savings)::text AS amount FROM recommendations
      WHERE status = 'open' AND monthly_savings IS NOT NULL GROUP BY currency`,
  );
  const { rows: top } = await getPool().query<{ id: string }>(
    `SELECT id FROM recommendations WHERE status = 'open' ORDER BY monthly_savings DESC NULLS LAST, id LIMIT 3`,
  );
  expect(totals.length).toBeGreaterThan(0);
  await page.goto('/');
  const card = page.getByTestId('recommendations-card');
  await expect(card).toBeVisible();
  for (const t of totals) await expect(card.getByTestId(`card-open-savings-${t.currency}`)).toHaveAttribute('data-amount', t.amount);
  const links = card.getByTestId('top-recommendation');
  await expect(links).toHaveCount(top.length);
  expect(await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')))).toEqual(top.map((r) => `/recommendations/${r.id}`));
  await links.first().click();
  await expect(page).toHaveURL(new RegExp(`/recommendations/${top[0]?.id}$`));
  await expect(page.getByTestId('recommendation-action')).toBeVisible();
});
