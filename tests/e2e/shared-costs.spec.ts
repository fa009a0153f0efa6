import { expect, type Page, test } from '@playwright/test';
import { bumpDataVersion } from '../../lib/cache/data-version';
import { addMonths, closeDb, db, monthEnd, utcToday } from './expected';
import { emailFor, stateFor } from './users';

// Showback with shared costs: finance applies a tag rule (/settings/tags), previews and saves a
// shared-cost rule (/settings/allocation: untagged spend split across teams in proportion to their
// direct spend), and the explorer's allocated view by team adds up exactly. Every figure is
// checked against SQL over cost_line_items written here: the month's total per currency, the
// untagged pool, and each team's direct spend under the same tag rule; sums of the page's cells
// are taken by PostgreSQL (numeric), so nothing is rounded on either side.

const month = addMonths(utcToday().slice(0, 7), -1);
const range = { from: `${month}-01`, to: monthEnd(month) };
const RULE = 'Untagged by direct spend';

test.afterAll(async () => {
  // Shared state: later specs read tag:team and the unallocated explorer as tagged.
  const c = await db();
  await c.query('DELETE FROM shared_cost_rules');
  await c.query("DELETE FROM tag_rules WHERE concept = 'team'");
  await bumpDataVersion(c, 'e2e: shared-cost and team rules removed');
  await closeDb();
});

/** Billed cost per currency and team under the rule the test saves (keys team, then app; lower case); '' untagged. */
async function billedByTeam(): Promise<Map<string, Map<string, string>>> {
  const { rows } = await (await db()).query<{ team: string; currency: string; amount: string }>(
    `SELECT lower(coalesce(nullif(btrim(tags_normalized ->> 'team'), ''), nullif(btrim(tags_normalized ->> 'app'), ''), '')) AS team,
            billing_currency AS currency, sum(billed_cost)::text AS amount
       FROM cost_line_items
      WHERE charge_period_start >= ($1::date)::timestamp AT TIME ZONE 'UTC'
        AND charge_period_start < ($2::date + 1)::timestamp AT TIME ZONE 'UTC'
      GROUP BY 1, 2`,
    [range.from, range.to],
  );
  const out = new Map<string, Map<string, string>>();
  for (const r of rows) {
    const m = out.get(r.currency) ?? new Map<string, string>();
    m.set(r.team, r.amount);
    out.set(r.currency, m);
  }
  return out;
}

/** Exact arithmetic in PostgreSQL: the sum of decimal strings, and whether two are equal. */
async function sum(values: string[]): Promise<string> {
  const { rows } = await (await db()).query<{ s: string }>('SELECT coalesce(sum(v), 0)::text AS s FROM unnest($1::numeric[]) v', [values]);
  return rows[0]?.s ?? '0';
}
async function equal(a: string, b: string): Promise<boolean> {
  const { rows } = await (await db()).query<{ eq: boolean }>('SELECT $1::numeric = $2::numeric AS eq', [a, b]);
  return rows[0]?.eq === true;
}

/** The explorer table's amount and shared part per team, in one currency. */
async function allocatedRows(page: Page, currency: string): Promise<Map<string, { amount: string; shared: string }>> {
  const out = new Map<string, { amount: string; shared: string }>();
  for (const row of await page.getByTestId('explorer-row').all()) {
    const key = (await row.getAttribute('data-key')) ?? '';
    const amount = await row.locator(`td[data-unit="${currency}"]`).getAttribute('data-amount');
    if (!amount) continue;
    const shared = row.getByTestId('shared-cell').locator(`[data-unit="${currency}"]`);
    out.set(key, { amount, shared: (await shared.count()) ? ((await shared.getAttribute('data-amount')) ?? '0') : '0' });
  }
  return out;
}

test.describe('as finance', () => {
  test.use({ storageState: stateFor('finance') });

  test('applies a tag rule and a shared-cost rule; the allocated view adds up exactly', async ({ page }) => {
    // The tag rule: team, else app, case-folded.
    await page.goto('/settings/tags');
    const tagForm = page.getByTestId('tag-rule-form-team');
    await tagForm.getByTestId('tag-keys-team').fill('team\napp');
    await tagForm.getByTestId('tag-casefold-team').check();
    await tagForm.getByTestId('tag-save-team').click();
    await expect(tagForm.getByTestId('tag-message-team')).toContainText('Saved the team rule');

    const expected = await billedByTeam();
    // A currency's pool is split when some team has direct spend in it (a sign test, not arithmetic).
    const hasBasis = (teams: Map<string, string>) => [...teams].some(([team, amount]) => team !== '' && Number(amount) > 0);
    const untagged = [...expected].filter(([, teams]) => teams.has('') && hasBasis(teams));
    expect(untagged.length, 'the demo month has untagged spend to share').toBeGreaterThan(0);

    // A preview first: nothing is saved, the untagged row gives up its spend, the totals stay.
    await page.goto('/settings/allocation');
    await expect(page.getByRole('heading', { level: 1, name: 'Shared costs' })).toBeVisible();
    await expect(page.getByTestId('allocation-rules-empty')).toBeVisible();
    const form = page.getByTestId('allocation-form');
    await form.getByTestId('allocation-name').fill(RULE);
    await form.getByTestId('allocation-pool').selectOption('untagged');
    await form.getByTestId('allocation-method').selectOption('proportional');
    await expect(form.getByTestId('allocation-month')).toHaveValue(month);
    await form.getByTestId('allocation-preview-button').click();
    await expect(form.getByTestId('allocation-preview-message')).toContainText(
      'the totals are unchanged, to the last digit. Not saved yet.',
    );
    await expect(form.getByTestId('allocation-preview-balance')).toHaveAttribute('data-balanced', 'yes');
    for (const [currency, teams] of untagged) {
      const change = await form
        .locator('[data-testid="allocation-preview-row"][data-key=""]')
        .locator(`td[data-unit="${currency}"][data-col="change"]`)
        .getAttribute('data-amount');
      expect(await equal(change ?? 'NaN', `-${teams.get('')}`), `${currency}: untagged gives up ${teams.get('')}`).toBe(true);
    }
    expect((await (await db()).query('SELECT 1 FROM shared_cost_rules')).rowCount).toBe(0);

    // A bad line is refused and names the problem; nothing is saved.
    await form.getByTestId('allocation-method').selectOption('fixed');
    await form.getByTestId('allocation-targets').fill('ml = 50\nweb = 40');
    await form.getByTestId('allocation-save').click();
    await expect(form.getByTestId('allocation-message')).toHaveText('Nothing was saved. Teams: the percentages add up to 90, not 100');
    expect((await (await db()).query('SELECT 1 FROM shared_cost_rules')).rowCount).toBe(0);

    await form.getByTestId('allocation-method').selectOption('proportional');
    await form.getByTestId('allocation-targets').fill('');
    await form.getByTestId('allocation-save').click();
    await expect(form.getByTestId('allocation-message')).toContainText(`Saved “${RULE}”`);
    await page.reload();
    await expect(page.locator(`[data-testid="allocation-rule"][data-name="${RULE}"]`)).toContainText(
      'untagged spend → every team with direct spend',
    );
    const audit = await (await db()).query<{ after: { name: string; pool: string; method: string }; actor_email: string }>(
      `SELECT after, actor_email FROM audit_log WHERE action = 'settings.update' AND object_type = 'shared_cost_rule' ORDER BY id DESC LIMIT 1`,
    );
    expect(audit.rows[0]).toMatchObject({
      after: { name: RULE, pool: 'untagged', method: 'proportional' },
      actor_email: emailFor('finance'),
    });

    // The allocated view, by team, for the month: the explorer's own form switches it on.
    await page.goto(`/explorer?from=${range.from}&to=${range.to}&g=total&by=team&m=billed`);
    await page.getByTestId('explorer-allocated').check();
    await page.getByTestId('explorer-settings').getByRole('button', { name: 'Apply' }).click();
    await expect(page).toHaveURL(/[?&]al=1(&|$)/);
    await expect(page.getByTestId('explorer-allocation')).toContainText(RULE);
    for (const [currency, teams] of expected) {
      const shown = await allocatedRows(page, currency);
      const pool = teams.get('') ?? '0';
      const direct = [...teams].filter(([team]) => team !== '');
      const split = hasBasis(teams);
      // Every cent of the month is there: the teams add up to the line items' total.
      const total = await sum([...teams.values()]);
      expect(await equal(await sum([...shown.values()].map((r) => r.amount)), total), `${currency}: teams add up to ${total}`).toBe(true);
      const totalCell = await page.getByTestId('explorer-total').locator(`td[data-unit="${currency}"]`).getAttribute('data-amount');
      expect(await equal(totalCell ?? 'NaN', total), `${currency}: the total row`).toBe(true);
      if (split) {
        // The whole untagged pool went to teams, and each team kept exactly its direct spend.
        expect(shown.has(''), `${currency}: no untagged row left`).toBe(false);
        expect(
          await equal(await sum([...shown.values()].map((r) => r.shared)), pool),
          `${currency}: shares add up to the pool ${pool}`,
        ).toBe(true);
        for (const [team, amount] of direct) {
          const row = shown.get(team);
          expect(row, `${currency} ${team}`).toBeDefined();
          const own = await (await db()).query<{ d: string }>('SELECT ($1::numeric - $2::numeric)::text AS d', [row?.amount, row?.shared]);
          expect(await equal(own.rows[0]?.d ?? 'NaN', amount), `${currency} ${team}: direct ${amount}`).toBe(true);
        }
      } else {
        expect(await equal(shown.get('')?.amount ?? '0', pool), `${currency}: no team to follow, the pool stays`).toBe(true);
      }
    }

    // The unallocated view still shows untagged spend as it is.
    await page.goto(`/explorer?from=${range.from}&to=${range.to}&g=total&by=team&m=billed`);
    for (const [currency, teams] of untagged) {
      const cell = page.locator('[data-testid="explorer-row"][data-key=""]').locator(`td[data-unit="${currency}"]`);
      await expect(cell).toHaveAttribute('data-amount', teams.get('') as string);
    }
  });
});

test.describe('as a viewer', () => {
  test.use({ storageState: stateFor('viewer') });

  test('sees the rules but no form', async ({ page }) => {
    await page.goto('/settings/allocation');
    await expect(page.getByRole('heading', { level: 1, name: 'Shared costs' })).toBeVisible();
    await expect(page.getByTestId('allocation-rules')).toBeVisible();
    await expect(page.getByTestId('allocation-form')).toHaveCount(0);
  });
});
