import { expect, type Page, test } from '@playwright/test';
import { closeDb, db } from './expected';
import { emailFor } from './users';

// Project "after-run" (playwright.config.ts): runs once every spec has, and reads on /audit, as the
// admin, what the run did — the first admin made through the setup link (first-start), each
// role's sign-in (roles), the failed and rate-limited sign-ins (rate-limit.spec), the S3 source
// sources.spec created, synced, disabled and deleted, accounts.spec's invitation and disable, and
// user-roles.spec's role changes and its refused demotion of the last admin. Each is a literal fact of those
// files, so a change there that this no longer matches fails here, not silently.

test.afterAll(async () => {
  await closeDb();
});

interface Line {
  action: string;
  outcome: string;
  who: string;
  from: string;
  object: string;
  changes: string;
}

/** The audit lines a filter shows (newest first), as text, after opening /audit with it. */
async function lines(page: Page, query: string): Promise<Line[]> {
  await page.goto(`/audit?${query}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Audit trail' })).toBeVisible();
  await expect(page.getByTestId('audit-table').or(page.getByTestId('audit-empty'))).toBeVisible();
  return page.getByTestId('audit-row').evaluateAll((rows) =>
    rows.map((row) => {
      const cells = [...row.querySelectorAll(':scope > td')].map((td) =>
        (td.textContent ?? '')
          .replace(/\s+/g, ' ')
          .replace(/\s*→\s*/g, ' → ')
          .trim(),
      );
      return {
        action: row.getAttribute('data-action') ?? '',
        outcome: row.getAttribute('data-outcome') ?? '',
        who: cells[1] ?? '',
        from: cells[2] ?? '',
        object: cells[4] ?? '',
        changes: cells[6] ?? '',
      };
    }),
  );
}

test('the audit page shows what the run did: the first admin, sign-ins, failed and refused sign-ins, a source created, synced, disabled and deleted, an invitation, a disable, role changes', async ({
  page,
}) => {
  // The first admin, by a visitor who was not signed in, through the setup link.
  const created = await lines(page, 'action=user.create');
  const first = created.find((l) => l.changes.includes(emailFor('admin')));
  expect(first, 'the first admin').toMatchObject({ outcome: 'ok', who: 'not signed in', from: '127.0.0.1' });
  expect(first?.changes).toContain('first admin, through the setup link');
  expect(first?.changes).toContain('admin');

  // Each role the roles project signed in through /sign-in; filtered with the page's own form.
  await page.goto('/audit');
  await page.getByLabel('Action').fill('auth.sign_in');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/[?&]action=auth\.sign_in(&|$)/);
  const signIns = await lines(page, 'action=auth.sign_in');
  expect(signIns.every((l) => l.action === 'auth.sign_in' && l.outcome === 'ok')).toBe(true);
  for (const role of ['viewer', 'engineer', 'finance'] as const) {
    expect(
      signIns.some((l) => l.who === emailFor(role) && l.from === '127.0.0.1'),
      `${role} signed in`,
    ).toBe(true);
  }

  // rate-limit.spec's locked account: five wrong passwords, then the right one refused.
  const failed = await lines(page, 'action=auth.sign_in_failed');
  const limited = failed.find((l) => /^email limited-[0-9a-f]{8}@e2e\.burnrate\.test$/.test(l.object));
  expect(limited, 'the rate-limited account').toBeDefined();
  const email = (limited?.object ?? '').replace(/^email /, '');
  const attempts = await lines(page, `objectType=email&objectId=${encodeURIComponent(email)}`);
  expect(attempts.map((l) => [l.action, l.outcome, l.who, l.from])).toEqual(
    Array(6).fill(['auth.sign_in_failed', 'refused', 'not signed in', '127.0.0.1']),
  );
  // Newest first: the refusal of the right password, then the five wrong ones.
  expect(attempts[0]?.changes).toMatch(/message: Too many failed sign-ins\. Try again in 1[45] minutes\./);
  for (const l of attempts.slice(1)) expect(l.changes).toBe('message: Wrong email or password.');

  // sources.spec's S3 source, from creation to deletion, by the admin.
  const sources = await lines(page, 'action=source.');
  const create = sources.find((l) => l.action === 'source.create' && /name: e2e-s3-\d+/.test(l.changes));
  expect(create, "sources.spec's source was created").toBeDefined();
  const object = create?.object ?? '';
  expect(object).toMatch(/^source \d+$/);
  const lifecycle = sources.filter((l) => l.object === object);
  expect(lifecycle.every((l) => l.who === emailFor('admin') && l.from === '127.0.0.1')).toBe(true);
  const actions = lifecycle.map((l) => `${l.action} ${l.outcome}`);
  expect(actions[0], 'deleted last').toBe('source.delete ok');
  expect(actions.at(-1), 'created first').toBe('source.create ok');
  expect(actions).toContain('source.sync ok');
  expect(actions).toContain('source.disable ok');

  // accounts.spec's invitation by the admin, and the disable that ended it.
  const invites = await lines(page, 'action=user.invite');
  const invite = invites.find((l) => /email: invitee-[0-9a-f]{6}@e2e\.burnrate\.test/.test(l.changes));
  expect(invite, "accounts.spec's invitation").toMatchObject({ outcome: 'ok', who: emailFor('admin'), from: '127.0.0.1' });
  expect(invite?.changes).toContain('role: engineer');
  const invitee = (invite?.object ?? '').replace(/^user /, '');
  const disables = await lines(page, `action=user.disable&objectType=user&objectId=${encodeURIComponent(invitee)}`);
  expect(disables.map((l) => [l.outcome, l.who])).toEqual([['ok', emailFor('admin')]]);
  expect(disables[0]?.changes).toContain('disabled: false → true');

  // user-roles.spec's account, viewer → finance → admin → viewer (newest first), and the refused demotion of the last admin.
  const ids = await (await db()).query<{ id: string; email: string }>(
    `SELECT id, email FROM users WHERE email LIKE 'promoted-%@e2e.burnrate.test' OR email = $1`,
    [emailFor('admin')],
  );
  const promoted = ids.rows.find((r) => r.email !== emailFor('admin'));
  const admin = ids.rows.find((r) => r.email === emailFor('admin'));
  if (!promoted || !admin) throw new Error("user-roles.spec's account or the admin is missing from users");
  const roleLines = await lines(page, `action=user.role_change&objectType=user&objectId=${encodeURIComponent(promoted.id)}`);
  expect(roleLines.map((l) => [l.outcome, l.who, l.changes])).toEqual([
    ['ok', emailFor('admin'), 'role: admin → viewer'],
    ['ok', emailFor('admin'), 'role: finance → admin'],
    ['ok', emailFor('admin'), 'role: viewer → finance'],
  ]);
  const lastAdmin = await lines(page, `action=user.role_change&objectType=user&objectId=${encodeURIComponent(admin.id)}`);
  expect(lastAdmin.map((l) => [l.outcome, l.changes])).toEqual([
    ['refused', `message: ${emailFor('admin')} is the last enabled admin: make another user an admin first.`],
  ]);
});
