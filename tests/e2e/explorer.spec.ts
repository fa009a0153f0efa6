import { readFile } from 'node:fs/promises';
import { expect, type Page, test } from '@playwright/test';
import ExcelJS from 'exceljs';
import { bumpDataVersion } from '../../lib/cache/data-version';
import { CsvParser, type CsvRecord } from '../../lib/ingest/csv';
import { readPdf } from '../helpers/pdf-text';
import { addMonths, closeDb, db, monthEnd, utcToday } from './expected';
import { emailFor, stateFor } from './users';

// The cost explorer as people use it, every figure checked against SQL over cost_line_items (not
// against the rollups the explorer reads): group, filter, share the URL, save a view, drill down,
// the region view and month-over-month movers. The demo data is loaded by the test server.

test.afterAll(async () => {
  await closeDb();
});

const month = addMonths(utcToday().slice(0, 7), -1);
const range = { from: `${month}-01`, to: monthEnd(month) };

/** Billed cost per currency and group over the line items, by an SQL expression for the group. */
async function billedBy(groupSql: string, where = 'TRUE', params: unknown[] = []): Promise<Map<string, Map<string, string>>> {
  const client = await db();
  const { rows } = await client.query<{ grp: string; currency: string; amount: string }>(
    `SELECT ${groupSql} AS grp, billing_currency AS currency, sum(billed_cost)::text AS amount
       FROM cost_line_items
      WHERE charge_period_start >= $1::timestamptz AND charge_period_start < (($2::date + 1)::timestamp AT TIME ZONE 'UTC') AND ${where}
      GROUP BY 1, 2`,
    [`${range.from}T00:00:00Z`, range.to, ...params],
  );
  const out = new Map<string, Map<string, string>>();
  for (const r of rows) {
    const m = out.get(r.currency) ?? new Map<string, string>();
    m.set(r.grp, r.amount);
    out.set(r.currency, m);
  }
  return out;
}

const same = (a: string | null | undefined, b: string | undefined) => expect(Number(a ?? 'NaN')).toBeCloseTo(Number(b ?? 'NaN'), 6);

/** The table's rows as key -> amount in one currency (exact strings from data-amount). */
async function tableAmounts(page: Page, currency: string): Promise<Map<string, string>> {
  const rows = page.getByTestId('explorer-row');
  const out = new Map<string, string>();
  for (const row of await rows.all()) {
    const key = (await row.getAttribute('data-key')) ?? '';
    const amount = await row.locator(`td[data-unit="${currency}"]`).getAttribute('data-amount');
    if (amount) out.set(key, amount);
  }
  return out;
}

test.describe('as a viewer', () => {
  test.use({ storageState: stateFor('viewer') });

  test('groups a month by service and matches SQL over the line items, currency by currency', async ({ page }) => {
    await page.goto(`/explorer?from=${range.from}&to=${range.to}&g=month&by=service&m=billed`);
    await expect(page.getByTestId('explorer-heading')).toContainText('Billed cost');
    await expect(page.getByTestId('explorer-chart')).toBeVisible();
    const expected = await billedBy("coalesce(service_name, '')");
    expect(expected.size).toBeGreaterThan(0);
    for (const [currency, groups] of expected) {
      const shown = await tableAmounts(page, currency);
      expect([...shown.keys()].sort()).toEqual([...groups.keys()].sort());
      for (const [k, v] of groups) expect(shown.get(k), `${currency} ${k}`).toBe(v);
      const total = await page.getByTestId('explorer-total').locator(`td[data-unit="${currency}"]`).getAttribute('data-amount');
      same(total, [...groups.values()].reduce((s, v) => s + Number(v), 0).toFixed(10));
    }
    await expect(page.getByTestId('explorer-source')).toContainText('answered from cost_monthly');
  });

  test('adds a filter through the form; the URL carries it and a new visitor sees the same figures', async ({ page, browser }) => {
    await page.goto(`/explorer?from=${range.from}&to=${range.to}&g=day&by=region&m=billed`);
    await page.getByLabel('Where').selectOption('provider');
    await page.getByLabel('value').fill('AWS');
    await page.getByRole('button', { name: 'Add filter' }).click();
    await expect(page).toHaveURL(/f\.provider=AWS/);
    await expect(page.getByTestId('filter-chip')).toHaveText(/Provider is AWS/);
    const expected = await billedBy("coalesce(region_id, '')", 'provider_name = $3', ['AWS']);
    const [[currency, groups]] = [...expected] as [[string, Map<string, string>]];
    const shown = await tableAmounts(page, currency);
    for (const [k, v] of groups) expect(shown.get(k), k).toBe(v);
    // The link is the view: an admin opening it sees exactly the same table.
    const other = await browser.newContext({ storageState: stateFor('admin') });
    const second = await other.newPage();
    await second.goto(page.url());
    expect(await tableAmounts(second, currency)).toEqual(shown);
    await other.close();
  });

  test('by tag team: untagged spend is its own row; a row drills down to what makes it up', async ({ page }) => {
    await page.goto(`/explorer?from=${range.from}&to=${range.to}&g=total&by=tag:team&m=billed`);
    const expected = await billedBy("coalesce(tags_normalized->>'team', '')");
    const usd = expected.get('USD') as Map<string, string>;
    const shown = await tableAmounts(page, 'USD');
    for (const [k, v] of usd) expect(shown.get(k), k || 'untagged').toBe(v);
    if (usd.has('')) await expect(page.locator('[data-testid="explorer-row"][data-key=""]')).toContainText('(untagged)');
    const team = [...usd.keys()].find((k) => k !== '') as string;
    await page.locator(`[data-testid="explorer-row"][data-key="${team}"] a`).click();
    await expect(page).toHaveURL(/by=service/);
    await expect(page).toHaveURL(new RegExp(`f\\.tag%3Ateam=${team}|f\\.tag:team=${team}`));
    const drilled = await tableAmounts(page, 'USD');
    const sum = [...drilled.values()].reduce((s, v) => s + Number(v), 0);
    expect(sum).toBeCloseTo(Number(usd.get(team)), 6);
  });

  test('saves a shared view that another user opens; a private one stays private', async ({ page, browser }) => {
    const name = `GPU by team ${Date.now()}`;
    await page.goto(`/explorer?from=${range.from}&to=${range.to}&g=month&by=tag:team&m=effective`);
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Share with the team').check();
    await page.getByRole('button', { name: 'Save view' }).click();
    await expect(page.getByTestId('save-view-message')).toContainText('shared with the team');
    await page.getByLabel('Name').fill(`${name} (mine)`);
    await page.getByRole('button', { name: 'Save view' }).click();
    await expect(page.getByTestId('save-view-message')).toContainText(`Saved “${name} (mine)”`);

    const other = await browser.newContext({ storageState: stateFor('finance') });
    const second = await other.newPage();
    await second.goto('/explorer');
    await expect(second.getByTestId('saved-view').filter({ hasText: name }).first()).toContainText('shared by');
    await expect(second.getByTestId('saved-view').filter({ hasText: `${name} (mine)` })).toHaveCount(0);
    await second.getByRole('link', { name, exact: true }).click();
    await expect(second).toHaveURL(/by=tag%3Ateam|by=tag:team/);
    await expect(second.getByTestId('explorer-heading')).toContainText('by Tag: team');
    await other.close();
  });

  test('a bad link names what it could not use instead of guessing', async ({ page }) => {
    await page.goto('/explorer?from=2026-13-01&by=colour&m=profit');
    const problems = page.getByTestId('param-problems');
    await expect(problems).toContainText('Dates');
    await expect(problems).toContainText('unknown dimension "colour"');
    await expect(problems).toContainText('Metric "profit"');
  });

  test('the region view groups every provider’s regions by geography and country', async ({ page }) => {
    await page.goto(`/explorer/regions?from=${range.from}&to=${range.to}&m=billed`);
    await expect(page.getByTestId('region-chart')).toBeVisible();
    const geographies = await page.getByTestId('geography-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-geography')));
    expect(geographies).toEqual(expect.arrayContaining(['Americas', 'Europe', 'Asia Pacific']));
    const regions = await billedBy("coalesce(region_id, '')");
    for (const region of regions.get('USD')?.keys() ?? []) {
      if (region) await expect(page.locator(`[data-testid="region-row"][data-region="${region}"]`)).toHaveCount(1);
    }
  });

  test('month over month lists the largest movers, and Explain opens the explorer view behind one', async ({ page }) => {
    await page.goto(`/explorer/movers?month=${month}&by=service`);
    const first = page.getByTestId('mover-row').first();
    await expect(first).toBeVisible();
    const key = (await first.getAttribute('data-key')) as string;
    const change = (await first.getAttribute('data-change')) as string;
    const unit = (await first.getAttribute('data-unit')) as string;
    const client = await db();
    const { rows } = await client.query<{ change: string }>(
      `SELECT (coalesce(sum(effective_cost) FILTER (WHERE charge_period_start >= $2::timestamptz), 0)
             - coalesce(sum(effective_cost) FILTER (WHERE charge_period_start < $2::timestamptz), 0))::text AS change
         FROM cost_line_items
        WHERE charge_period_start >= $1::timestamptz AND charge_period_start < $3::timestamptz
          AND coalesce(service_name, '') = $4 AND billing_currency = $5`,
      [`${addMonths(month, -1)}-01T00:00:00Z`, `${month}-01T00:00:00Z`, `${addMonths(month, 1)}-01T00:00:00Z`, key, unit],
    );
    same(change, rows[0]?.change);
    await first.getByTestId('mover-explain').click();
    await expect(page).toHaveURL(/\/explorer\?/);
    await expect(page.getByTestId('filter-chip')).toContainText(`Service is ${key}`);
  });
});

test.describe('as finance', () => {
  test.use({ storageState: stateFor('finance') });

  test('loads daily EUR/USD rates, then sees the month converted to USD day by day, matching SQL', async ({ page }) => {
    const days: string[] = [];
    for (let d = new Date(`${range.from}T00:00:00Z`); d.toISOString().slice(0, 10) <= range.to; d = new Date(d.getTime() + 86_400_000)) {
      days.push(d.toISOString().slice(0, 10));
    }
    // Weekends left out, as the ECB publishes none: those days take Friday's rate.
    const weekdays = days.filter((d) => ![0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay()));
    const rate = (d: string) => (1.05 + (Number(d.slice(8)) % 10) / 100).toFixed(2);
    const csv = `date,from,to,rate\n${weekdays.map((d) => `${d},EUR,USD,${rate(d)}`).join('\n')}\n`;
    await page.goto('/settings/fx');
    await page
      .getByLabel('Rates file (CSV)')
      .setInputFiles({ name: `eurusd-${month}.csv`, mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByTestId('fx-load').click();
    await expect(page.getByTestId('fx-message')).toContainText(`Loaded eurusd-${month}.csv`);

    // The rate each day uses: its own, else the latest weekday before it; a month starting on a weekend has none for its first days.
    const used = (d: string) => [...weekdays].reverse().find((w) => w <= d) ?? null;
    const client = await db();
    const { rows } = await client.query<{ day: string; currency: string; amount: string }>(
      `SELECT to_char((charge_period_start AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day, billing_currency AS currency, sum(billed_cost)::text AS amount
         FROM cost_line_items
        WHERE charge_period_start >= $1::timestamptz AND charge_period_start < (($2::date + 1)::timestamp AT TIME ZONE 'UTC')
        GROUP BY 1, 2`,
      [`${range.from}T00:00:00Z`, range.to],
    );
    expect(rows.some((r) => r.currency === 'EUR')).toBe(true);
    let expected = 0;
    const missing: string[] = [];
    for (const r of rows) {
      if (r.currency === 'USD') expected += Number(r.amount);
      else if (r.currency === 'EUR') {
        const w = used(r.day);
        if (w) expected += Number(r.amount) * Number(rate(w));
        else missing.push(r.day);
      } else missing.push(`${r.day} ${r.currency}`);
    }
    await page.goto(`/explorer?from=${range.from}&to=${range.to}&g=month&by=provider&m=billed&rc=USD`);
    const total = page.getByTestId('converted-total');
    await expect(total).toBeVisible();
    expect(Number(await total.getAttribute('data-amount'))).toBeCloseTo(expected, 4);
    await expect(page.getByTestId('conversion-rates')).toContainText('EUR → USD (direct)');
    if (missing.length) await expect(page.getByTestId('missing-rates')).toBeVisible();
    else await expect(page.getByTestId('missing-rates')).toHaveCount(0);
    // Leave the rates table as the other specs expect it (fx.spec reads EUR/USD's loaded range).
    await client.query('DELETE FROM fx_rates WHERE source_file = $1', [`eurusd-${month}.csv`]);
    // Written behind the product's back: the server's answers must learn of it (lib/cache).
    await bumpDataVersion(client, 'e2e: EUR/USD rates removed');
  });
});

test.describe('finance exports', () => {
  test.use({ storageState: stateFor('finance') });

  test('downloads the view as CSV and XLSX whose totals equal SQL over the line items, and the month as PDF', async ({ page }) => {
    await page.goto(`/explorer?from=${range.from}&to=${range.to}&g=day&by=service&m=billed`);
    const expected = await billedBy("coalesce(service_name, '')");
    const sums = new Map([...expected].map(([c, groups]) => [c, [...groups.values()].reduce((s, v) => s + Number(v), 0)]));

    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    expect(csvDownload.suggestedFilename()).toMatch(/^burnrate-explorer-.*\.csv$/);
    const parser = new CsvParser();
    const parsed: CsvRecord[] = [];
    parser.push(await readFile(await csvDownload.path(), 'utf8'), parsed);
    parser.end(parsed);
    const [header, ...rows] = parsed.map((r) => r.fields);
    expect(header).toEqual(['Period start', 'Service', 'Service (id)', 'Currency', 'Billed cost']);
    const csvSums = new Map<string, number>();
    for (const r of rows) csvSums.set(r[3] as string, (csvSums.get(r[3] as string) ?? 0) + Number(r[4]));
    for (const [c, v] of sums) expect(csvSums.get(c), c).toBeCloseTo(v, 6);

    const [xlsxDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-xlsx').click()]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await readFile(await xlsxDownload.path())) as unknown as ArrayBuffer);
    const data = workbook.getWorksheet('Data');
    const totals = new Map<string, number>();
    data?.eachRow((row) => {
      const first = String(row.getCell(1).value ?? '');
      if (/^Total/.test(first)) totals.set(String(row.getCell(4).value), Number(row.getCell(5).value));
    });
    for (const [c, v] of sums) expect(totals.get(c), `XLSX total ${c}`).toBeCloseTo(v, 2);
    const filters = workbook.getWorksheet('Filters');
    const filterText: string[] = [];
    filters?.eachRow((row) => {
      filterText.push(row.values?.toString() ?? '');
    });
    expect(filterText.join('\n')).toContain('Service');
    expect(filterText.join('\n')).toContain(range.from);

    await page.goto(`/explorer/movers?month=${month}`);
    const [pdfDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-pdf').click()]);
    const pdf = await readPdf(await readFile(await pdfDownload.path()));
    const usd = sums.get('USD') ?? 0;
    const shown = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(usd);
    expect(pdf.text).toContain(shown);

    // Each download is in the audit trail, with the view it exported.
    const { rows: audit } = await (await db()).query<{ detail: { format: string } }>(
      `SELECT detail FROM audit_log WHERE action = 'export.download' AND actor_email = $1 ORDER BY id DESC LIMIT 3`,
      [emailFor('finance')],
    );
    expect(audit.map((a) => a.detail.format).sort()).toEqual(['csv', 'pdf', 'xlsx']);
  });

  test('a viewer has no export buttons and the route refuses them', async ({ browser }) => {
    const viewer = await browser.newContext({ storageState: stateFor('viewer') });
    const page = await viewer.newPage();
    await page.goto(`/explorer?from=${range.from}&to=${range.to}`);
    await expect(page.getByTestId('export-csv')).toHaveCount(0);
    const res = await page.request.get(`/explorer/export?format=csv&from=${range.from}&to=${range.to}`);
    expect(res.status()).toBe(403);
    await viewer.close();
  });
});
