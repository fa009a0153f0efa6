import { expect, type Page, test } from '@playwright/test';
import { bumpDataVersion } from '../../lib/cache/data-version';
import { addMonths, closeDb, db, monthEnd, utcToday } from './expected';
import { emailFor, stateFor } from './users';

// /settings/tags: finance edits the team rule on the page (adds an alias and a mapping, after a
// refused line), then /explorer?by=team shows the merged team, each figure checked against SQL over
// cost_line_items with the same rule written here in SQL; a viewer sees the rules without a form.
// The demo data (loaded by the test server) tags teams with `team`/`Team`; `search` is mapped to `data`.

const month = addMonths(utcToday().slice(0, 7), -1);
const range = { from: `${month}-01`, to: monthEnd(month) };

test.afterAll(async () => {
  // The rule is shared state: later specs read tag:team and the monthly report as tagged.
  await (await db()).query("DELETE FROM tag_rules WHERE concept = 'team'");
  // Written behind the product's back: the server's answers must learn of it (lib/cache).
  await bumpDataVersion(await db(), 'e2e: team rule removed');
  await closeDb();
});

/** Billed cost per currency and team under the rule: team, then app; lower case; search -> data; '' untagged. */
async function billedByTeamRule(): Promise<Map<string, Map<string, string>>> {
  const { rows } = await (await db()).query<{ team: string; currency: string; amount: string }>(
    `WITH v AS (
       SELECT lower(coalesce(nullif(btrim(tags_normalized ->> 'team'), ''), nullif(btrim(tags_normalized ->> 'app'), ''), '')) AS raw,
              billing_currency, billed_cost
         FROM cost_line_items
        WHERE charge_period_start >= $1::timestamptz AND charge_period_start < (($2::date + 1)::timestamp AT TIME ZONE 'UTC'))
     SELECT CASE raw WHEN 'search' THEN 'data' ELSE raw END AS team, billing_currency AS currency, sum(billed_cost)::text AS amount
       FROM v GROUP BY 1, 2`,
    [`${range.from}T00:00:00Z`, range.to],
  );
  const out = new Map<string, Map<string, string>>();
  for (const r of rows) {
    const m = out.get(r.currency) ?? new Map<string, string>();
    m.set(r.team, r.amount);
    out.set(r.currency, m);
  }
  return out;
}

async function tableAmounts(page: Page, currency: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const row of await page.getByTestId('explorer-row').all()) {
    const key = (await row.getAttribute('data-key')) ?? '';
    const amount = await row.locator(`td[data-unit="${currency}"]`).getAttribute('data-amount');
    if (amount) out.set(key, amount);
  }
  return out;
}

test.describe('as finance', () => {
  test.use({ storageState: stateFor('finance') });

  test('edits the team rule, and the explorer groups by it', async ({ page }) => {
    await page.goto('/settings/tags');
    await expect(page.getByRole('heading', { level: 1, name: 'Tag rules' })).toBeVisible();
    const form = page.getByTestId('tag-rule-form-team');
    await expect(form.getByTestId('tag-keys-team')).toHaveValue('team');

    await form.getByTestId('tag-mappings-team').fill('search => data\nnot a mapping');
    await form.getByTestId('tag-save-team').click();
    await expect(form.getByTestId('tag-message-team')).toHaveText(
      'Nothing was saved. Value mappings, line 2: write "from => to" (got "not a mapping")',
    );

    await form.getByTestId('tag-keys-team').fill('team\napp');
    await form.getByTestId('tag-casefold-team').check();
    await form.getByTestId('tag-mappings-team').fill('search => data');
    await form.getByTestId('tag-save-team').click();
    await expect(form.getByTestId('tag-message-team')).toContainText('Saved the team rule');
    await expect(page.getByTestId('tag-rule-team')).toContainText(`by ${emailFor('finance')}`);

    const audit = await (await db()).query<{ before: unknown; after: unknown; actor_email: string }>(
      `SELECT before, after, actor_email FROM audit_log WHERE action = 'settings.update' AND object_type = 'tag_rule' AND object_id = 'team'
        ORDER BY id DESC LIMIT 1`,
    );
    expect(audit.rows).toEqual([
      {
        before: { keys: ['team'], caseFold: false, mappings: [] },
        after: { keys: ['team', 'app'], caseFold: true, mappings: ['search => data'] },
        actor_email: emailFor('finance'),
      },
    ]);

    await page.goto(`/explorer?from=${range.from}&to=${range.to}&g=month&by=team&m=billed`);
    await expect(page.getByTestId('explorer-heading')).toContainText('by Team');
    const expected = await billedByTeamRule();
    expect(expected.size).toBeGreaterThan(0);
    let merged = false;
    for (const [currency, teams] of expected) {
      const shown = await tableAmounts(page, currency);
      expect(shown.has('search'), `${currency}: search is mapped to data`).toBe(false);
      expect(new Set(shown.keys()), currency).toEqual(new Set(teams.keys()));
      for (const [team, amount] of teams) expect(shown.get(team), `${currency} ${team}`).toBe(amount);
      if (teams.has('data')) merged = true;
    }
    expect(merged).toBe(true);
  });
});

test.describe('as a viewer', () => {
  test.use({ storageState: stateFor('viewer') });

  test('sees the rules and the preview but no form', async ({ page }) => {
    await page.goto('/settings/tags');
    await expect(page.getByRole('heading', { level: 1, name: 'Tag rules' })).toBeVisible();
    await expect(page.getByTestId('tag-rule-view-team')).toBeVisible();
    await expect(page.getByTestId('tag-rule-form-team')).toHaveCount(0);
    await expect(page.getByRole('button', { name: /Save the/ })).toHaveCount(0);
  });
});
