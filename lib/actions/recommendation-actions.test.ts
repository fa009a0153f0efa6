// A recommendation's lifecycle actions called as its page calls them (a signed-in user's session
// cookie, a form) on a real PostgreSQL: accept (with the baseline from bills ingested through the
// real pipeline), snooze until a future date, dismiss with a reason, reopen; each change and each
// refusal in the audit trail with its user. Roles other than engineer and admin are also walked
// by the permission table test; here a viewer's attempt is checked to change nothing.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { expectError, expectSuccess, form } from '../../tests/helpers/actions';
import { as, type TestUser, userWithRole } from '../../tests/helpers/auth';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { type BillLine, ingestBill, insertRecommendation, seedInstance } from '../../tests/helpers/recommendations';
import { addDays, utcToday } from '../calendar';
import { acceptRecommendation } from './accept-recommendation';
import { dismissRecommendation } from './dismiss-recommendation';
import { reopenRecommendation } from './reopen-recommendation';
import { IDLE } from './safe-action';
import { snoozeRecommendation } from './snooze-recommendation';

vi.mock('next/cache', () => ({ revalidatePath: vi.fn() }));

let url: string;
let engineer: TestUser;
let admin: TestUser;
let viewer: TestUser;
beforeAll(async () => {
  url = await useTestDatabase();
  engineer = await userWithRole('engineer');
  admin = await userWithRole('admin');
  viewer = await userWithRole('viewer');
});

interface RecRow {
  status: string;
  snoozed_until: string | null;
  dismiss_reason: string | null;
  status_changed_by: string | null;
  baseline_daily_cost: string | null;
}
async function rec(id: string): Promise<RecRow> {
  const [row] = await sql<RecRow>(
    url,
    'SELECT status, snoozed_until, dismiss_reason, status_changed_by, baseline_daily_cost FROM recommendations WHERE id = $1',
    [id],
  );
  if (!row) throw new Error(`no recommendation ${id}`);
  return row;
}

interface AuditLine {
  action: string;
  outcome: string;
  actor_email: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  detail: Record<string, unknown> | null;
}
async function auditOf(id: string): Promise<AuditLine[]> {
  return sql<AuditLine>(
    url,
    `SELECT action, outcome, actor_email, before, after, detail FROM audit_log
      WHERE object_type = 'recommendation' AND object_id = $1 ORDER BY id`,
    [id],
  );
}

describe('accept', () => {
  it("records who and when, and the baseline: the resource's cost per day over the 30 days before, in the recommendation's currency", async () => {
    const today = utcToday();
    const day = (n: number) => addDays(today, -n);
    const pk = await seedInstance({ resourceId: 'i-baseline', resourceType: 'm5.large', state: 'running' });
    // 2.50 a day from D-20 to D-11 (10 days with lines); 100 on D-35 is before the window, 7 EUR is
    // another currency and today's 50 is not before the acceptance day: none of them counts.
    const lines: BillLine[] = [{ day: day(35), resourceId: 'i-baseline', billed: '100' }];
    for (let n = 20; n >= 11; n--) lines.push({ day: day(n), resourceId: 'i-baseline', billed: '2.50' });
    lines.push({ day: day(12), resourceId: 'i-baseline', billed: '7', currency: 'EUR' });
    lines.push({ day: today, resourceId: 'i-baseline', billed: '50' });
    await ingestBill('baseline-test', lines);

    const id = await insertRecommendation(url, { resourceId: 'i-baseline', resourcePk: pk, currency: 'USD' });
    const before = Date.now();
    const state = expectSuccess(await as(engineer, acceptRecommendation)(IDLE, form({ id })));
    expect(state.message).toBe(`Accepted recommendation ${id}.`);
    // 10 × 2.50 / 10 days = 2.50 a day.
    expect(state.data).toEqual({ id, status: 'accepted', baselineDailyCost: '2.5' });
    expect(await rec(id)).toMatchObject({ status: 'accepted', status_changed_by: engineer.email, baseline_daily_cost: '2.5000000000' });
    const [accepted] = await sql<{ accepted_at: Date; accepted_by: string; realized_daily_savings: string | null }>(
      url,
      'SELECT accepted_at, accepted_by, realized_daily_savings FROM recommendations WHERE id = $1',
      [id],
    );
    expect(accepted?.accepted_by).toBe(engineer.email);
    expect(accepted?.accepted_at.getTime()).toBeGreaterThanOrEqual(before - 1000);
    // No bill covers a whole day after the acceptance yet.
    expect(accepted?.realized_daily_savings).toBeNull();
    expect(await auditOf(id)).toEqual([
      {
        action: 'recommendation.accept',
        outcome: 'ok',
        actor_email: engineer.email,
        before: { status: 'open', snoozedUntil: null, dismissReason: null, baselineDailyCost: null },
        after: { status: 'accepted', snoozedUntil: null, dismissReason: null, baselineDailyCost: '2.5' },
        detail: { kind: 'rightsize', provider: 'aws', resourceId: 'i-baseline' },
      },
    ]);

    // Accepting twice is refused with the reason, and the refusal is in the trail too.
    expect(expectError(await as(engineer, acceptRecommendation)(IDLE, form({ id }))).message).toBe(
      `Recommendation ${id} is already accepted.`,
    );
    expect((await auditOf(id)).map((l) => [l.action, l.outcome])).toEqual([
      ['recommendation.accept', 'ok'],
      ['recommendation.accept', 'refused'],
    ]);
  });

  it('a resource without charges in the 30 days before keeps no baseline', async () => {
    const pk = await seedInstance({ resourceId: 'i-never-billed', state: 'running' });
    const id = await insertRecommendation(url, { resourceId: 'i-never-billed', resourcePk: pk });
    expect(expectSuccess(await as(admin, acceptRecommendation)(IDLE, form({ id }))).data.baselineDailyCost).toBeNull();
  });
});

describe('snooze', () => {
  it('needs a date after today, with the reason next to the field; then keeps the date', async () => {
    const id = await insertRecommendation(url);
    const today = utcToday();
    const missing = expectError(await as(engineer, snoozeRecommendation)(IDLE, form({ id })));
    expect(missing.fieldErrors.until).toEqual(['required']);
    const malformed = expectError(await as(engineer, snoozeRecommendation)(IDLE, form({ id, until: '03/12/2027' })));
    expect(malformed.fieldErrors.until).toEqual(['must be a calendar date written YYYY-MM-DD, e.g. 2026-11-23']);
    for (const until of [today, addDays(today, -1)]) {
      const past = expectError(await as(engineer, snoozeRecommendation)(IDLE, form({ id, until })));
      expect(past.fieldErrors.until).toEqual([`Snooze until a date after today (${today}); ${until} is not.`]);
    }
    expect((await rec(id)).status).toBe('open');

    const until = addDays(today, 14);
    const ok = expectSuccess(await as(engineer, snoozeRecommendation)(IDLE, form({ id, until })));
    expect(ok.message).toBe(`Snoozed recommendation ${id} until ${until}.`);
    expect(await rec(id)).toMatchObject({ status: 'snoozed', snoozed_until: until, status_changed_by: engineer.email });
    const lines = await auditOf(id);
    expect(lines.map((l) => [l.action, l.outcome, l.actor_email])).toEqual([
      ['recommendation.snooze', 'refused', engineer.email],
      ['recommendation.snooze', 'refused', engineer.email],
      ['recommendation.snooze', 'ok', engineer.email],
    ]);
    expect(lines[2]?.after).toMatchObject({ status: 'snoozed', snoozedUntil: until });
  });
});

describe('dismiss and reopen', () => {
  it('dismissing needs a reason, which is kept; reopening clears it; a resolved one cannot change', async () => {
    const id = await insertRecommendation(url);
    expect(expectError(await as(engineer, dismissRecommendation)(IDLE, form({ id, reason: '   ' }))).fieldErrors.reason).toEqual([
      'required',
    ]);
    expect((await rec(id)).status).toBe('open');
    expectSuccess(await as(engineer, dismissRecommendation)(IDLE, form({ id, reason: ' kept for the DR drill ' })));
    expect(await rec(id)).toMatchObject({ status: 'dismissed', dismiss_reason: 'kept for the DR drill' });

    expect(expectError(await as(engineer, snoozeRecommendation)(IDLE, form({ id, until: '2999-01-01' }))).message).toBe(
      `Recommendation ${id} is dismissed: it cannot be snoozed.`,
    );
    expectSuccess(await as(admin, reopenRecommendation)(IDLE, form({ id })));
    expect(await rec(id)).toMatchObject({ status: 'open', dismiss_reason: null, status_changed_by: admin.email });
    expect((await auditOf(id)).filter((l) => l.outcome === 'ok').map((l) => [l.action, l.actor_email, l.after?.status])).toEqual([
      ['recommendation.dismiss', engineer.email, 'dismissed'],
      ['recommendation.reopen', admin.email, 'open'],
    ]);

    const resolved = await insertRecommendation(url, { status: 'resolved' });
    expect(expectError(await as(engineer, acceptRecommendation)(IDLE, form({ id: resolved }))).message).toBe(
      `Recommendation ${resolved} was resolved by later data; its status cannot change.`,
    );
    expect(expectError(await as(engineer, reopenRecommendation)(IDLE, form({ id: resolved }))).message).toBe(
      `Recommendation ${resolved} was resolved by later data; its status cannot change.`,
    );
    expect(expectError(await as(engineer, acceptRecommendation)(IDLE, form({ id: '987654321' }))).message).toBe(
      'There is no recommendation 987654321.',
    );
  });

  it('reopening an accepted one drops its acceptance, baseline and realized savings', async () => {
    const id = await insertRecommendation(url, { status: 'accepted', baselineDailyCost: '3.5', realizedDailySavings: '1' });
    await sql(url, "UPDATE recommendations SET accepted_at = now() - interval '3 days', accepted_by = 'someone' WHERE id = $1", [id]);
    expectSuccess(await as(engineer, reopenRecommendation)(IDLE, form({ id })));
    expect(await rec(id)).toMatchObject({ status: 'open', baseline_daily_cost: null });
    const [row] = await sql<{ realized_daily_savings: string | null; accepted_at: Date | null; accepted_by: string | null }>(
      url,
      'SELECT realized_daily_savings, accepted_at, accepted_by FROM recommendations WHERE id = $1',
      [id],
    );
    // Realized savings start from an acceptance: a reopened one has none, and no recompute gives it one.
    expect(row).toEqual({ realized_daily_savings: null, accepted_at: null, accepted_by: null });
  });
});

describe('roles', () => {
  it("a viewer's accept is refused before anything changes, and the refusal is in the trail with the viewer", async () => {
    const id = await insertRecommendation(url);
    const state = expectError(await as(viewer, acceptRecommendation)(IDLE, form({ id })));
    expect(state.message).toBe('Your role (viewer) does not allow this. Ask an admin.');
    expect((await rec(id)).status).toBe('open');
    expect((await auditOf(id)).map((l) => [l.action, l.outcome, l.actor_email, l.detail])).toEqual([
      ['recommendation.accept', 'refused', viewer.email, { reason: 'the viewer role may not run acceptRecommendation' }],
    ]);
  });
});
