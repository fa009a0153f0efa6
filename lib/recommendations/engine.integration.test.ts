// The recommendations engine against a real database: NAB's recorded CloudWatch CPU series imported
// through the metrics store, bills through the real ingest pipeline (FOCUS CSVs written here), and
// expectations computed independently (nearest-rank quantiles from the files, costs added by hand).
import { beforeAll, describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { days, ingestBill, nearestRank, readSeries, type Series, seedInstance } from '../../tests/helpers/recommendations';
import { getPool } from '../db/pool';
import { ALPHA } from '../metrics/sketch';
import { markGone, upsertResources } from '../resources/store';
import { recomputeRecommendations } from './engine';
import { setRuleParameter } from './params';
import { RULES } from './rules';
import { rightsizeRule } from './rules/rightsize';

const IDLE = readSeries('ec2_cpu_utilization_53ea38.csv');
const QUIET = readSeries('ec2_cpu_utilization_24ae8d.csv');
const BUSY = readSeries('ec2_cpu_utilization_5f5533.csv');
// The series end on 2014-02-28 14:25; the 7-day idle window is [02-22, 03-01).
const NOW = new Date('2014-03-01T00:00:00Z');
const WEEK_AGO = new Date('2014-02-22T00:00:00Z');

interface Rec {
  id: string;
  status: string;
  currency: string | null;
  monthly_cost: string | null;
  monthly_savings: string | null;
  evidence: {
    statistic: string;
    value: number;
    threshold: number;
    coverageHours: number;
    notes: string[];
    details: Record<string, unknown>;
  };
  resolved_reason: string | null;
  baseline_daily_cost: string | null;
  realized_daily_savings: string | null;
  parameters: Record<string, unknown>;
}

let url: string;
beforeAll(async () => {
  url = await useTestDatabase();
});

async function rec(resourceId: string, kind = 'idle-instance'): Promise<Rec | undefined> {
  const [row] = await sql<Rec>(
    url,
    `SELECT id, status, currency, monthly_cost::text, monthly_savings::text, evidence, resolved_reason, baseline_daily_cost::text,
            realized_daily_savings::text, parameters
       FROM recommendations WHERE resource_id = $1 AND kind = $2`,
    [resourceId, kind],
  );
  return row;
}

const plus = (s: Series, d: number): Series => ({ t: s.t, v: s.v.map((v) => v + d) });

describe('recomputeRecommendations', () => {
  it('flags the idle series and not the busy one, with the p95 of the file over the window, priced from its own 30-day bill', async () => {
    await seedInstance(
      { resourceId: 'i-idle', state: 'running', resourceType: 'm5.large', regionId: 'us-east-1' },
      { cpu_utilization: IDLE },
    );
    await seedInstance(
      { resourceId: 'i-busy', state: 'running', resourceType: 'm5.large', regionId: 'us-east-1' },
      { cpu_utilization: BUSY },
    );
    // 30 days in the window at 2.304 effective (2.40 billed), one by ARN; a day before the window that must not count.
    await ingestBill('rules:priced', [
      { resourceId: 'i-idle', day: '2014-01-29', billed: '100' },
      ...days('2014-01-30', 29).map((day) => ({ resourceId: 'i-idle', day, billed: '2.40', effective: '2.304' })),
      { resourceId: 'arn:aws:ec2:us-east-1:123456789012:instance/i-idle', day: '2014-02-28', billed: '2.40', effective: '2.304' },
      ...days('2014-01-30', 30).map((day) => ({ resourceId: 'i-busy', day, billed: '2.40' })),
    ]);
    const summary = await recomputeRecommendations(getPool(), { now: NOW });
    expect(summary.rules.find((r) => r.id === 'idle-instance')?.error).toBeNull();

    const truth = nearestRank(IDLE, 0.95, WEEK_AGO, NOW);
    expect(truth).toBeLessThanOrEqual(5);
    const idle = await rec('i-idle');
    expect(idle?.status).toBe('open');
    expect(idle?.evidence.statistic).toBe('p95');
    expect(idle?.evidence.threshold).toBe(5);
    expect(Math.abs((idle?.evidence.value as number) - truth)).toBeLessThanOrEqual(truth * ALPHA + 0.001);
    // Hours of the window with samples, counted from the file.
    const hours = new Set(IDLE.t.filter((t) => t >= WEEK_AGO.getTime() && t < NOW.getTime()).map((t) => Math.floor(t / 3_600_000))).size;
    expect(idle?.evidence.coverageHours).toBe(hours);
    expect(idle?.evidence.notes).toContain('Network traffic was not measured: this rests on CPU alone.');
    // 30 × 2.304 = 69.12, in USD; deleting saves all of it.
    expect(idle).toMatchObject({ currency: 'USD', monthly_cost: '69.120', monthly_savings: '69.12' });
    expect(idle?.parameters).toEqual({ rule: 'idle-instance', windowDays: 7, cpuP95Max: 5, networkMeanMax: 1000, minHours: 30 });

    expect(nearestRank(BUSY, 0.95, WEEK_AGO, NOW)).toBeGreaterThan(5);
    expect(await rec('i-busy')).toBeUndefined();
  });

  it('keeps identity and status across recomputations, and reopens a snooze whose date has come', async () => {
    await seedInstance({ resourceId: 'i-kept', state: 'running', resourceType: 'm5.large' }, { cpu_utilization: QUIET });
    await seedInstance({ resourceId: 'i-snoozed', state: 'running', resourceType: 'm5.large' }, { cpu_utilization: QUIET });
    await recomputeRecommendations(getPool(), { now: NOW });
    const first = await rec('i-kept');
    await sql(url, "UPDATE recommendations SET status = 'dismissed', dismiss_reason = 'batch host, idle by design' WHERE id = $1", [
      first?.id,
    ]);
    await sql(url, "UPDATE recommendations SET status = 'snoozed', snoozed_until = '2014-03-01' WHERE resource_id = 'i-snoozed'");
    const summary = await recomputeRecommendations(getPool(), { now: NOW });
    expect(summary.snoozesEnded).toBeGreaterThanOrEqual(1);
    const again = await rec('i-kept');
    expect(again?.id).toBe(first?.id);
    expect(again?.status).toBe('dismissed');
    expect((await rec('i-snoozed'))?.status).toBe('open');
    const [n] = await sql<{ n: string }>(url, "SELECT count(*) AS n FROM recommendations WHERE resource_id = 'i-kept'");
    expect(n?.n).toBe('1');
  });

  it('resolves by itself when the type changes, the resource goes, or utilization rises; and reopens the same row when idle again', async () => {
    await seedInstance({ resourceId: 'i-resized', state: 'running', resourceType: 'm5.large' }, { cpu_utilization: QUIET });
    await seedInstance(
      { resourceId: 'i-deleted', accountId: '210987654321', state: 'running', resourceType: 'm5.large' },
      { cpu_utilization: QUIET },
    );
    await seedInstance({ resourceId: 'i-woke', state: 'running', resourceType: 'm5.large' }, { cpu_utilization: IDLE });
    await seedInstance({ resourceId: 'i-stopped', state: 'running', resourceType: 'm5.large' }, { cpu_utilization: QUIET });
    await recomputeRecommendations(getPool(), { now: NOW });
    const woke = await rec('i-woke');
    for (const id of ['i-resized', 'i-deleted', 'i-woke', 'i-stopped']) expect((await rec(id))?.status, id).toBe('open');
    await sql(
      url,
      "UPDATE recommendations SET status = 'accepted', status_changed_at = '2014-02-28T12:00:00Z' WHERE resource_id = 'i-resized'",
    );

    // Resized to a smaller type, which it now keeps busy (still idle, it would stay accepted: same finding).
    await seedInstance({ resourceId: 'i-resized', state: 'running', resourceType: 'm6i.large' }, { cpu_utilization: plus(QUIET, 40) });
    await upsertResources(getPool(), [{ provider: 'aws', resourceId: 'i-stopped', kind: 'instance', state: 'stopped' }], {
      origin: 'inventory',
    });
    await sql(url, "UPDATE resources SET last_seen = '2014-01-01' WHERE resource_id = 'i-deleted'");
    await markGone(getPool(), { provider: 'aws', accountIds: ['210987654321'], listedBefore: new Date('2014-02-01') });
    await seedInstance({ resourceId: 'i-woke', state: 'running', resourceType: 'm5.large' }, { cpu_utilization: plus(IDLE, 40) });
    await recomputeRecommendations(getPool(), { now: NOW });

    expect(await rec('i-resized')).toMatchObject({ status: 'resolved', resolved_reason: 'type changed: m5.large → m6i.large' });
    expect(await rec('i-deleted')).toMatchObject({ status: 'resolved', resolved_reason: 'resource gone' });
    expect(await rec('i-woke')).toMatchObject({ status: 'resolved', resolved_reason: 'utilization up' });
    expect(await rec('i-stopped')).toMatchObject({ status: 'resolved', resolved_reason: 'state changed: stopped' });

    await seedInstance({ resourceId: 'i-woke', state: 'running', resourceType: 'm5.large' }, { cpu_utilization: IDLE });
    await recomputeRecommendations(getPool(), { now: NOW });
    expect(await rec('i-woke')).toMatchObject({ id: woke?.id, status: 'open', resolved_reason: null });
  });

  it('leaves a metric recommendation alone when its resource stopped reporting metrics', async () => {
    const cut = Date.parse('2014-02-22T00:00:00Z');
    const n = QUIET.t.filter((t) => t < cut).length;
    await seedInstance(
      { resourceId: 'i-silent', state: 'running', resourceType: 'm5.large' },
      { cpu_utilization: { t: QUIET.t.slice(0, n), v: QUIET.v.slice(0, n) } },
    );
    await recomputeRecommendations(getPool(), { now: new Date(cut) });
    const first = await rec('i-silent');
    expect(first?.status).toBe('open');
    // Six days later the window holds 18 hours of data (under 30): no verdict, and no data is no change.
    await recomputeRecommendations(getPool(), { now: new Date('2014-02-28T06:00:00Z') });
    expect(await rec('i-silent')).toMatchObject({ id: first?.id, status: 'open', resolved_reason: null });
  });

  it('uses an admin’s parameter value, and the default when a stored value is out of bounds', async () => {
    await seedInstance({ resourceId: 'i-threshold', state: 'running', resourceType: 'm5.large' }, { cpu_utilization: IDLE });
    const truth = nearestRank(IDLE, 0.95, WEEK_AGO, NOW);
    // A threshold just under the p95 (beyond the sketch's 1 % error) hides it.
    await setRuleParameter(getPool(), RULES, { rule: 'idle-instance', parameter: 'cpuP95Max', value: truth * 0.95, updatedBy: 'admin' });
    await recomputeRecommendations(getPool(), { now: NOW });
    expect(await rec('i-threshold')).toBeUndefined();
    await expect(
      setRuleParameter(getPool(), RULES, { rule: 'idle-instance', parameter: 'cpuP95Max', value: 80, updatedBy: 'admin' }),
    ).rejects.toThrow('idle-instance.cpuP95Max: 80 is outside 0–50 (percent; default 5)');
    await sql(url, "UPDATE rule_settings SET value = '80' WHERE rule = 'idle-instance' AND parameter = 'cpuP95Max'");
    const summary = await recomputeRecommendations(getPool(), { now: NOW });
    expect(summary.warnings).toContain('idle-instance.cpuP95Max: 80 is outside 0–50 (percent; default 5): the default 5 applies');
    expect((await rec('i-threshold'))?.evidence.threshold).toBe(5);
    await setRuleParameter(getPool(), RULES, { rule: 'idle-instance', parameter: 'cpuP95Max', value: null, updatedBy: 'admin' });
  });

  it('keeps one course of action per instance: an idle instance that could also be resized shows the stop only', async () => {
    await seedInstance(
      { resourceId: 'i-idle-and-big', state: 'running', resourceType: 'm5.xlarge', regionId: 'us-east-1' },
      { cpu_utilization: IDLE },
    );
    // The resize alone first (as when the idle rule's window had too little data): it is open.
    await recomputeRecommendations(getPool(), { now: NOW, rules: [rightsizeRule] });
    expect((await rec('i-idle-and-big', 'rightsize'))?.status).toBe('open');
    await recomputeRecommendations(getPool(), { now: NOW });
    expect((await rec('i-idle-and-big'))?.status).toBe('open');
    expect(await rec('i-idle-and-big', 'rightsize')).toMatchObject({ status: 'resolved', resolved_reason: 'superseded by idle-instance' });
  });

  it('gives no savings figure for a resource billed in two currencies, and says so', async () => {
    await seedInstance({ resourceId: 'i-two-currencies', state: 'running', resourceType: 'm5.large' }, { cpu_utilization: QUIET });
    await ingestBill(
      'rules:usd',
      days('2014-01-30', 15).map((day) => ({ resourceId: 'i-two-currencies', day, billed: '1' })),
    );
    await ingestBill(
      'rules:eur',
      days('2014-02-14', 15).map((day) => ({ resourceId: 'i-two-currencies', day, billed: '0.9', currency: 'EUR', account: '999' })),
    );
    await recomputeRecommendations(getPool(), { now: NOW });
    const r = await rec('i-two-currencies');
    expect(r).toMatchObject({ currency: null, monthly_cost: null, monthly_savings: null });
    expect(r?.evidence.details).toMatchObject({ cost30d_EUR: '13.5', cost30d_USD: '15' });
    expect(r?.evidence.notes).toContain(
      'Billed in EUR and USD over the last 30 days: amounts in different currencies are not added, so there is no savings figure.',
    );
  });

  it('computes realized savings of an accepted recommendation from later bills: cost per day before minus after', async () => {
    await seedInstance({ resourceId: 'i-accepted', state: 'running', resourceType: 'm5.large' }, { cpu_utilization: QUIET });
    // 30 days at 3.00 before the change day (02-19), 1.00 on it, 0.25 a day for the 9 days after (to 02-28).
    await ingestBill('rules:realized', [
      ...days('2014-01-20', 30).map((day) => ({ resourceId: 'i-accepted', day, billed: '3.00' })),
      { resourceId: 'i-accepted', day: '2014-02-19', billed: '1.00' },
      ...days('2014-02-20', 9).map((day) => ({ resourceId: 'i-accepted', day, billed: '0.25' })),
    ]);
    await recomputeRecommendations(getPool(), { now: NOW });
    expect(await rec('i-accepted')).toMatchObject({ status: 'open', realized_daily_savings: null });
    await sql(
      url,
      "UPDATE recommendations SET status = 'accepted', status_changed_at = '2014-02-19T10:00:00Z', status_changed_by = 'u1' WHERE resource_id = 'i-accepted'",
    );
    await recomputeRecommendations(getPool(), { now: NOW });
    // Baseline 30 × 3 / 30 = 3 a day; after 9 × 0.25 / 9 = 0.25 a day; realized 2.75 a day.
    // The 30-day cost (01-30 … 02-28): 20 × 3 + 1 + 9 × 0.25 = 63.25.
    const r = await rec('i-accepted');
    expect(r).toMatchObject({ status: 'accepted', monthly_cost: '63.25' });
    expect(Number(r?.baseline_daily_cost)).toBe(3);
    expect(Number(r?.realized_daily_savings)).toBe(2.75);
    const [acc] = await sql<{ accepted_at: Date; accepted_by: string }>(
      url,
      "SELECT accepted_at, accepted_by FROM recommendations WHERE resource_id = 'i-accepted'",
    );
    expect(acc).toEqual({ accepted_at: new Date('2014-02-19T10:00:00Z'), accepted_by: 'u1' });
  });
  it('computes realized savings of a recommendation resolved because its resource went, without acceptance', async () => {
    await seedInstance(
      { resourceId: 'i-deleted-later', accountId: '333333333333', state: 'running', resourceType: 'm5.large' },
      { cpu_utilization: QUIET },
    );
    // 30 days at 3.00 before 02-20, none after; another resource's line shows the bills cover to 02-28.
    await ingestBill('rules:gone', [
      ...days('2014-01-21', 30).map((day) => ({ resourceId: 'i-deleted-later', day, billed: '3.00' })),
      { resourceId: 'i-still-here', day: '2014-02-28', billed: '1' },
    ]);
    await recomputeRecommendations(getPool(), { now: new Date('2014-02-20T12:00:00Z') });
    expect((await rec('i-deleted-later'))?.status).toBe('open');
    await sql(url, "UPDATE resources SET last_seen = '2014-01-01' WHERE resource_id = 'i-deleted-later'");
    await markGone(getPool(), { provider: 'aws', accountIds: ['333333333333'], listedBefore: new Date('2014-02-01') });
    await recomputeRecommendations(getPool(), { now: new Date('2014-02-20T13:00:00Z') });
    expect(await rec('i-deleted-later')).toMatchObject({
      status: 'resolved',
      resolved_reason: 'resource gone',
      realized_daily_savings: null,
    });
    await recomputeRecommendations(getPool(), { now: NOW });
    // Baseline 30 × 3 / 30 = 3 a day; nothing billed from 02-21 to 02-28: all 3 a day saved.
    const r = await rec('i-deleted-later');
    expect(Number(r?.baseline_daily_cost)).toBe(3);
    expect(Number(r?.realized_daily_savings)).toBe(3);
  });
});
