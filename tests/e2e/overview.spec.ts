import { expect, type Locator, type Page, test } from '@playwright/test';
import {
  addMonths,
  closeDb,
  latestDataMonth,
  latestDay,
  type Metric,
  minorDigits,
  missingEffective,
  monthEnd,
  parseMoney,
  roundDecimal,
  spendByCurrency,
  topRegion,
  topService,
  utcToday,
} from './expected';

// Reads the Overview as a user sees it and checks each key figure against SQL over cost_line_items.

test.afterAll(async () => {
  await closeDb();
});

test.beforeAll(() => {
  if (!process.env.BASE_URL) throw new Error('BASE_URL must point at the running app (e.g. http://127.0.0.1:3000)');
});

async function displayedAmount(locator: Locator): Promise<{ currency: string; amount: string }> {
  return parseMoney((await locator.textContent()) ?? '');
}

/** The displayed figure equals the exact SQL sum rounded to the currency's minor unit. */
async function expectFigure(locator: Locator, currency: string, exact: string): Promise<void> {
  const shown = await displayedAmount(locator);
  expect(shown.currency).toBe(currency);
  expect(shown.amount).toBe(await roundDecimal(exact, minorDigits(currency)));
}

async function shownWindow(page: Page, testId: 'spend-card' | 'comparison-card'): Promise<{ from: string; to: string }> {
  const card = page.getByTestId(testId);
  await expect(card).toBeVisible();
  return { from: (await card.getAttribute('data-from')) ?? '', to: (await card.getAttribute('data-to')) ?? '' };
}

/** Checks the headline figures of whatever window the page shows, for every currency. */
async function checkHeadline(page: Page, metric: Metric): Promise<Map<string, string>> {
  const current = await shownWindow(page, 'spend-card');
  const comparison = await shownWindow(page, 'comparison-card');
  const now = await spendByCurrency(current.from, current.to, metric);
  const before = await spendByCurrency(comparison.from, comparison.to, metric);
  const currencies = new Set([...now.keys(), ...before.keys()]);
  expect(currencies.size, 'the demo data has spend around the shown period').toBeGreaterThan(0);
  for (const c of currencies) {
    await expectFigure(page.getByTestId(`mtd-total-${c}`), c, now.get(c) ?? '0');
    await expectFigure(page.getByTestId(`comparison-total-${c}`), c, before.get(c) ?? '0');
  }
  // One figure per currency: no more figures than currencies, so nothing was added across them.
  await expect(page.locator('[data-testid^="mtd-total-"]')).toHaveCount(currencies.size);
  return now;
}

/** Top service and top region rows of the currency the tables show. */
async function checkTopTables(page: Page, metric: Metric): Promise<void> {
  const current = await shownWindow(page, 'spend-card');
  const services = page.getByTestId('top-services');
  await expect(services).toBeVisible();
  const currency = (await services.getAttribute('data-currency')) ?? '';
  expect(currency).toMatch(/^[A-Z]{3}$/);

  const svc = await topService(current.from, current.to, metric, currency);
  expect(svc).toBeDefined();
  if (!svc) return;
  const svcRow = page.getByTestId('top-services-row-0');
  const shownName = (await svcRow.locator('[data-testid="service-name"] .cell-main').textContent())?.trim();
  expect(shownName).toBe(svc.label === '' ? 'No service (e.g. tax, support)' : svc.label);
  await expectFigure(page.getByTestId('top-services-amount-0'), currency, svc.amount);
  const totals = await spendByCurrency(current.from, current.to, metric);
  await expectFigure(page.getByTestId('top-services-total'), currency, totals.get(currency) ?? '0');

  const reg = await topRegion(current.from, current.to, metric, currency);
  expect(reg).toBeDefined();
  if (!reg) return;
  const regRow = page.getByTestId('top-regions-row-0');
  await expect(regRow.getByTestId('region-name')).toHaveAttribute('data-region-id', reg.key);
  const regionLabel = ((await regRow.locator('[data-testid="region-name"] .cell-main').textContent()) ?? '').trim();
  expect(regionLabel.length).toBeGreaterThan(0);
  await expectFigure(page.getByTestId('top-regions-amount-0'), currency, reg.amount);
  await expectFigure(page.getByTestId('top-regions-total'), currency, totals.get(currency) ?? '0');
}

test('Overview shows month-to-date, top services and regions, and the 13-month chart, matching the line items', async ({ page }) => {
  const today = utcToday();
  const month = today.slice(0, 7);
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible();
  await expect(page.getByTestId('empty-state'), 'the app under test must have cost data loaded').toHaveCount(0);

  // The month-to-date window: from the 1st to the latest delivered day (today at most), compared
  // with the same days of the previous month (clamped to its length).
  const current = await shownWindow(page, 'spend-card');
  const latest = await latestDay(`${month}-01`, today);
  expect(current).toEqual({ from: `${month}-01`, to: latest ?? today });
  const prev = addMonths(month, -1);
  const day = Number(current.to.slice(8));
  const clampedTo = `${prev}-${String(Math.min(day, Number(monthEnd(prev).slice(8)))).padStart(2, '0')}`;
  expect(await shownWindow(page, 'comparison-card')).toEqual({ from: `${prev}-01`, to: clampedTo });
  await expect(page.getByTestId('metric-amortized')).toHaveAttribute('aria-current', 'true');

  let shownMonth = month;
  if (latest === null) {
    // Demo data that stops before this month: the page says so and links to the latest data.
    await expect(page.getByTestId('no-data-note')).toBeVisible();
    shownMonth = (await latestDataMonth(today)) ?? month;
    await page.getByTestId('latest-data-link').click();
    await expect(page).toHaveURL(new RegExp(`month=${shownMonth}`));
    expect(await shownWindow(page, 'spend-card')).toEqual({ from: `${shownMonth}-01`, to: monthEnd(shownMonth) });
  } else {
    await expect(page.getByTestId('forecast-card')).toBeVisible();
    await expect(page.getByTestId('forecast-method')).toContainText('7-day average');
  }

  const totals = await checkHeadline(page, 'amortized');
  await checkTopTables(page, 'amortized');

  const shown = await shownWindow(page, 'spend-card');
  const missing = await missingEffective(shown.from, shown.to);
  if (missing > 0) await expect(page.getByTestId('effective-missing-note')).toHaveAttribute('data-count', String(missing));
  else await expect(page.getByTestId('effective-missing-note')).toHaveCount(0);

  // 13-month stacked chart: rendered bars, and its table's total for the shown month matches SQL.
  const chart = page.locator('[data-testid^="monthly-chart-"]');
  await expect(chart).toHaveCount(1);
  await expect(chart.locator('.recharts-wrapper > svg.recharts-surface')).toBeVisible();
  expect(await chart.locator('.recharts-bar-rectangle').count()).toBeGreaterThan(0);
  const chartCurrency = ((await chart.getAttribute('data-testid')) ?? '').replace('monthly-chart-', '');
  await expect(page.locator('[data-testid="trend-table"] tbody tr')).toHaveCount(13);
  const monthTotals = await spendByCurrency(`${shownMonth}-01`, monthEnd(shownMonth), 'amortized');
  const trendCell = page.getByTestId(`trend-total-${shownMonth}`);
  expect(parseMoney((await trendCell.textContent()) ?? '').amount).toBe(
    await roundDecimal(monthTotals.get(chartCurrency) ?? '0', minorDigits(chartCurrency)),
  );

  // Several billing currencies: one chart and table at a time, switched through the URL.
  const currencies = [...totals.keys()];
  if (currencies.length > 1) {
    await expect(page.getByTestId('currency-bar')).toBeVisible();
    const other = currencies.find((c) => c !== chartCurrency) ?? currencies[0];
    await page.getByTestId(`currency-${other}`).click();
    await expect(page).toHaveURL(new RegExp(`currency=${other}`));
    await expect(page.getByTestId(`monthly-chart-${other}`)).toBeVisible();
    await expect(page.getByTestId('top-services')).toHaveAttribute('data-currency', other);
    await checkTopTables(page, 'amortized');
  }
});

/** '/' when this month has data, else the latest month that has (demo data may end earlier). */
async function dataPath(): Promise<string> {
  const today = utcToday();
  const month = (await latestDataMonth(today)) ?? today.slice(0, 7);
  return month === today.slice(0, 7) ? '/' : `/?month=${month}`;
}

test('the cost metric toggle lives in the URL and changes the figures', async ({ page }) => {
  await page.goto(await dataPath());
  const amortized = await checkHeadline(page, 'amortized');

  await page.getByTestId('metric-billed').click();
  await expect(page).toHaveURL(/[?&]metric=billed(&|$)/);
  await expect(page.getByTestId('metric-billed')).toHaveAttribute('aria-current', 'true');
  await expect(page.getByTestId('period-heading')).toContainText('billed cost');
  const billed = await checkHeadline(page, 'billed');
  await checkTopTables(page, 'billed');
  // The figure changes whenever amortized and billed differ for the period (they do in the demo data).
  for (const [currency, value] of billed) {
    if (value !== amortized.get(currency)) {
      const shown = await displayedAmount(page.getByTestId(`mtd-total-${currency}`));
      expect(shown.amount).not.toBe(await roundDecimal(amortized.get(currency) ?? '0', minorDigits(currency)));
    }
  }
  await expect(page.getByTestId('effective-missing-note')).toHaveCount(0);

  await page.getByTestId('metric-amortized').click();
  await expect(page).toHaveURL(/[?&]metric=amortized(&|$)/);
  await checkHeadline(page, 'amortized');

  // A reload of the URL reproduces the view.
  await page.goto(page.url().replace('metric=amortized', 'metric=billed'));
  await expect(page.getByTestId('metric-billed')).toHaveAttribute('aria-current', 'true');
  await checkHeadline(page, 'billed');
});

test('a previous month opened by URL shows the whole month against the month before', async ({ page }) => {
  const month = addMonths((await latestDataMonth(utcToday())) ?? utcToday().slice(0, 7), -1);
  await page.goto(`/?month=${month}&metric=amortized`);
  expect(await shownWindow(page, 'spend-card')).toEqual({ from: `${month}-01`, to: monthEnd(month) });
  const before = addMonths(month, -1);
  expect(await shownWindow(page, 'comparison-card')).toEqual({ from: `${before}-01`, to: monthEnd(before) });
  await expect(page.getByTestId('forecast-card')).toHaveCount(0);
  await checkHeadline(page, 'amortized');
  await checkTopTables(page, 'amortized');
  await expect(page.locator('[data-testid^="monthly-chart-"] .recharts-wrapper > svg.recharts-surface')).toBeVisible();

  // The stepper links keep the rest of the state.
  await expect(page.getByTestId('month-prev')).toHaveAttribute('href', `/?month=${before}&metric=amortized`);
  await page.getByTestId('month-prev').click();
  await expect(page).toHaveURL(new RegExp(`month=${before}`));
  expect(await shownWindow(page, 'spend-card')).toEqual({ from: `${before}-01`, to: monthEnd(before) });
  await checkHeadline(page, 'amortized');
});

test('the month picker and the custom range form write the URL', async ({ page }) => {
  const month = addMonths((await latestDataMonth(utcToday())) ?? utcToday().slice(0, 7), -2);
  await page.goto('/?metric=billed');
  await page.locator('#month-input').fill(month);
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(new RegExp(`month=${month}.*metric=billed|metric=billed.*month=${month}`));
  expect(await shownWindow(page, 'spend-card')).toEqual({ from: `${month}-01`, to: monthEnd(month) });
  await checkHeadline(page, 'billed');

  // A 10-day range is compared with the 10 days before it.
  const from = `${month}-05`;
  const to = `${month}-14`;
  await page.locator('#from-input').fill(from);
  await page.locator('#to-input').fill(to);
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(new RegExp(`from=${from}&to=${to}`));
  expect(await shownWindow(page, 'spend-card')).toEqual({ from, to });
  const before = addMonths(month, -1);
  expect(await shownWindow(page, 'comparison-card')).toEqual({
    from: `${before}-${String(Number(monthEnd(before).slice(8)) - 5).padStart(2, '0')}`,
    to: `${month}-04`,
  });
  await checkHeadline(page, 'billed');
  await checkTopTables(page, 'billed');
});

test('a bad URL value is explained, not a crash', async ({ page }) => {
  const res = await page.goto('/?month=2026-13&metric=net');
  expect(res?.status()).toBe(200);
  const problems = page.getByTestId('param-problems');
  await expect(problems).toContainText('month=2026-13');
  await expect(problems).toContainText('metric=net');
  await expect(page.getByTestId('spend-card')).toBeVisible();

  const range = await page.goto('/?from=2026-02-30&to=2026-03-01');
  expect(range?.status()).toBe(200);
  await expect(page.getByTestId('param-problems')).toContainText('calendar date');
});

test('static files from public/ are served: the favicon and robots.txt', async ({ request }) => {
  const favicon = await request.get('/favicon.ico');
  expect(favicon.status()).toBe(200);
  expect([...(await favicon.body()).subarray(0, 4)]).toEqual([0, 0, 1, 0]);
  const robots = await request.get('/robots.txt');
  expect(robots.status()).toBe(200);
  expect(await robots.text()).toContain('Disallow: /');
});
