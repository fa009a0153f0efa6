// The recommendations' read side on a real PostgreSQL: the list's filters and order, totals per
// currency (never summed across currencies), the CSV export through its route handler, one
// recommendation with its history, and the evidence chart's series read back from samples
// imported through the metrics write path. Expected figures are literals worked out by hand.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GET as exportCsv } from '../../app/recommendations/export/route';
import { userWithRole } from '../../tests/helpers/auth';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { insertRecommendation } from '../../tests/helpers/recommendations';
import { recordAudit } from '../audit/record';
import { getPool, withTransaction } from '../db/pool';
import { importSamples } from '../metrics/store';
import {
  allRecommendations,
  getEvidenceSeries,
  getFilterOptions,
  getRecommendation,
  getRecommendationsSummary,
  getRecommendationTotals,
  listRecommendations,
  parseRecommendationSearchParams,
  recommendationSearchString,
} from './recommendations';

let url: string;
beforeAll(async () => {
  url = await useTestDatabase();
});
beforeEach(async () => {
  await sql(url, 'DELETE FROM recommendations');
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('listRecommendations', () => {
  it('sorts by monthly savings, largest first, unpriced last, and applies each filter', async () => {
    const a = await insertRecommendation(url, { monthlySavings: '30.00', team: 'data' });
    const b = await insertRecommendation(url, { monthlySavings: '120.50', provider: 'azure', region: 'westeurope', currency: 'EUR' });
    const c = await insertRecommendation(url, { monthlySavings: null, currency: null, kind: 'old-snapshot', team: null });
    const d = await insertRecommendation(url, { monthlySavings: '99.99', account: '999988887777', team: 'web', kind: 'idle-instance' });
    const e = await insertRecommendation(url, { monthlySavings: '500', status: 'dismissed', dismissReason: 'kept for DR' });

    const open = await listRecommendations({ status: 'open' });
    expect(open.items.map((r) => r.id)).toEqual([b, d, a, c]);
    expect(open.total).toBe(4);
    expect(open.items[0]).toMatchObject({
      provider: 'azure',
      regionId: 'westeurope',
      monthlySavings: { amount: '120.50', currency: 'EUR' },
    });
    expect(open.items[3]?.monthlySavings).toBeNull();

    expect((await listRecommendations({})).items.map((r) => r.id)).toEqual([e, b, d, a, c]);
    expect((await listRecommendations({ provider: 'azure' })).items.map((r) => r.id)).toEqual([b]);
    expect((await listRecommendations({ account: '999988887777' })).items.map((r) => r.id)).toEqual([d]);
    expect((await listRecommendations({ region: 'westeurope' })).items.map((r) => r.id)).toEqual([b]);
    expect((await listRecommendations({ team: 'web' })).items.map((r) => r.id)).toEqual([d]);
    expect((await listRecommendations({ kind: 'old-snapshot' })).items.map((r) => r.id)).toEqual([c]);
    expect((await listRecommendations({ status: 'dismissed' })).items.map((r) => r.id)).toEqual([e]);
    expect((await listRecommendations({ status: 'open', team: 'data', provider: 'aws' })).items.map((r) => r.id)).toEqual([a]);

    const limited = await listRecommendations({ status: 'open' }, { limit: 2 });
    expect(limited.items.map((r) => r.id)).toEqual([b, d]);
    expect(limited.total).toBe(4);

    expect(await getFilterOptions()).toEqual({
      providers: ['aws', 'azure'],
      accounts: ['111122223333', '999988887777'],
      regions: ['us-east-1', 'westeurope'],
      teams: ['data', 'web'],
    });
  });

  it('the export iterator walks every row in the same order across batches, unpriced ones included', async () => {
    const ids: string[] = [];
    for (const s of ['10', '10', null, '7.5', null, '300', '10']) ids.push(await insertRecommendation(url, { monthlySavings: s }));
    // By hand: 300, then the three 10s by id, 7.5, then the two unpriced by id.
    const expected = [ids[5], ids[0], ids[1], ids[6], ids[3], ids[2], ids[4]];
    expect((await collect(allRecommendations({}, 2))).map((r) => r.id)).toEqual(expected);
    expect((await collect(allRecommendations({}, 3))).map((r) => r.id)).toEqual(expected);
    expect((await collect(allRecommendations({}, 1000))).map((r) => r.id)).toEqual(expected);
  });
});

describe('getRecommendationTotals', () => {
  it('sums open savings and realized savings per currency, never across currencies, exactly', async () => {
    await insertRecommendation(url, { monthlySavings: '0.1' });
    await insertRecommendation(url, { monthlySavings: '0.2' });
    await insertRecommendation(url, { monthlySavings: '1000000000000000.01', currency: 'EUR', provider: 'azure' });
    await insertRecommendation(url, { monthlySavings: null, currency: null });
    // Not open: no part of the open total; accepted with realized savings counts in realized.
    await insertRecommendation(url, { monthlySavings: '50', status: 'accepted', baselineDailyCost: '4', realizedDailySavings: '1.10' });
    await insertRecommendation(url, { monthlySavings: '20', status: 'resolved', realizedDailySavings: '0.05' });
    await insertRecommendation(url, { monthlySavings: '20', status: 'accepted' });
    await insertRecommendation(url, { monthlySavings: '8', status: 'snoozed', snoozedUntil: '2099-01-01' });
    await insertRecommendation(url, {
      monthlySavings: '9',
      status: 'accepted',
      currency: 'EUR',
      realizedDailySavings: '-0.5',
      provider: 'azure',
    });

    const totals = await getRecommendationTotals({});
    expect(totals.open).toEqual([
      { currency: 'EUR', amount: '1000000000000000.01', count: 1 },
      { currency: 'USD', amount: '0.3', count: 2 },
    ]);
    // 30 × (1.10 + 0.05) = 34.50; EUR: 30 × -0.5 = -15.0 (a change that cost more shows as such).
    expect(totals.realized).toEqual([
      { currency: 'USD', amount: '34.50', count: 2 },
      { currency: 'EUR', amount: '-15.0', count: 1 },
    ]);
    expect(await getRecommendationTotals({ provider: 'azure' })).toEqual({
      open: [{ currency: 'EUR', amount: '1000000000000000.01', count: 1 }],
      realized: [{ currency: 'EUR', amount: '-15.0', count: 1 }],
    });

    const summary = await getRecommendationsSummary();
    expect(summary.open).toEqual(totals.open);
    expect(summary.top.map((r) => r.monthlySavings)).toEqual([
      { currency: 'EUR', amount: '1000000000000000.01' },
      { currency: 'USD', amount: '0.2' },
      { currency: 'USD', amount: '0.1' },
    ]);
  });
});

describe('getRecommendation', () => {
  it('returns the evidence, the parameters as they were and the audit lines about it, newest first', async () => {
    const id = await insertRecommendation(url, {
      parameters: { windowDays: 14, cpuTarget: 80 },
      evidence: { statistic: 'p99', value: 12.5, threshold: 80, coverageHours: 300 },
    });
    const engineer = await userWithRole('engineer');
    await recordAudit(getPool(), {
      actor: { kind: 'user', userId: engineer.id, email: engineer.email, role: 'engineer', via: 'session', ip: '127.0.0.1' },
      action: 'recommendation.snooze',
      objectType: 'recommendation',
      objectId: id,
      after: { status: 'snoozed' },
    });
    const rec = await getRecommendation(id);
    expect(rec).toMatchObject({
      id,
      parameters: { windowDays: 14, cpuTarget: 80 },
      evidence: { statistic: 'p99', value: 12.5, threshold: 80, coverageHours: 300, metric: 'cpu_utilization' },
    });
    expect(rec?.history.map((h) => [h.action, h.actorEmail])).toEqual([['recommendation.snooze', engineer.email]]);
    expect(await getRecommendation('999999999')).toBeNull();
    expect(await getRecommendation('not-a-number')).toBeNull();
  });
});

describe('getEvidenceSeries', () => {
  it('reads hourly mean and max over a long window, raw samples over a short one', async () => {
    const base = Date.UTC(2026, 10, 20, 0, 0, 0);
    const minute = 60_000;
    // Hour 0: 10, 20, 60 (mean 30, max 60); hour 1: 5, 7 (mean 6, max 7); hour 3: 90 (mean 90). Hour 2 has none.
    const timestamps = [base, base + 20 * minute, base + 40 * minute, base + 60 * minute, base + 90 * minute, base + 180 * minute];
    const values = [10, 20, 60, 5, 7, 90];
    await withTransaction((client) =>
      importSamples(client, [{ provider: 'aws', resourceId: 'i-evidence', metric: 'cpu_utilization', timestamps, values }], {
        label: 'test',
      }),
    );
    const [res] = await sql<{ id: string }>(url, `SELECT id FROM resources WHERE resource_id = 'i-evidence'`);
    const pk = res?.id as string;

    const long = await getEvidenceSeries({
      resourcePk: pk,
      metric: 'cpu_utilization',
      start: new Date(base - 13 * 24 * 3_600_000),
      end: new Date(base + 24 * 3_600_000),
    });
    expect(long).toEqual({
      metric: 'cpu_utilization',
      source: 'hourly',
      points: [
        { t: base, value: 30, max: 60 },
        { t: base + 3_600_000, value: 6, max: 7 },
        { t: base + 3 * 3_600_000, value: 90, max: 90 },
      ],
      gpus: 1,
    });
    // Within two days: the samples themselves, from start (inclusive) to end (exclusive).
    const short = await getEvidenceSeries({
      resourcePk: pk,
      metric: 'cpu_utilization',
      start: new Date(base + minute),
      end: new Date(base + 180 * minute),
    });
    expect(short).toEqual({
      metric: 'cpu_utilization',
      source: 'raw',
      points: [
        { t: base + 20 * minute, value: 20, max: null },
        { t: base + 40 * minute, value: 60, max: null },
        { t: base + 60 * minute, value: 5, max: null },
        { t: base + 90 * minute, value: 7, max: null },
      ],
      gpus: 1,
    });
    expect(
      await getEvidenceSeries({ resourcePk: pk, metric: 'memory_utilization', start: new Date(base), end: new Date(base + minute) }),
    ).toBeNull();
    expect(
      await getEvidenceSeries({ resourcePk: pk, metric: 'no_such_metric', start: new Date(base), end: new Date(base + minute) }),
    ).toBeNull();
  });

  it('draws a machine’s GPU recommendation from its GPUs: the hourly mean over them and the highest max', async () => {
    const base = Date.UTC(2026, 10, 21, 0, 0, 0);
    const minute = 60_000;
    // GPU a: hour 0 → 0, 10 (mean 5, max 10); GPU b: hour 0 → 50, 70 (mean 60, max 70), hour 1 → 20.
    await withTransaction((client) =>
      importSamples(
        client,
        [
          {
            provider: 'aws',
            resourceId: 'i-gpubox',
            subResourceId: 'GPU-a',
            metric: 'gpu_utilization',
            timestamps: [base, base + 30 * minute],
            values: [0, 10],
          },
          {
            provider: 'aws',
            resourceId: 'i-gpubox',
            subResourceId: 'GPU-b',
            metric: 'gpu_utilization',
            timestamps: [base, base + 30 * minute, base + 60 * minute],
            values: [50, 70, 20],
          },
        ],
        { label: 'test' },
      ),
    );
    const [machine] = await sql<{ id: string }>(
      url,
      `INSERT INTO resources (provider, resource_id, kind) VALUES ('aws', 'i-gpubox', 'instance') RETURNING id`,
    );
    const series = await getEvidenceSeries({
      resourcePk: machine?.id as string,
      metric: 'gpu_utilization',
      start: new Date(base - 7 * 24 * 3_600_000),
      end: new Date(base + 24 * 3_600_000),
    });
    // Hour 0: (0 + 10 + 50 + 70) / 4 = 32.5, max 70; hour 1: GPU b alone, 20.
    expect(series).toEqual({
      metric: 'gpu_utilization',
      source: 'hourly',
      points: [
        { t: base, value: 32.5, max: 70 },
        { t: base + 3_600_000, value: 20, max: 20 },
      ],
      gpus: 2,
    });
  });
});

describe('search parameters', () => {
  it('defaults to open, reads every filter, names what it leaves out, and writes back the same string', () => {
    expect(parseRecommendationSearchParams({})).toEqual({ filters: { status: 'open' }, problems: [] });
    expect(parseRecommendationSearchParams({ status: 'all', provider: 'aws', kind: 'gpu-idle', team: ' ml ' })).toEqual({
      filters: { provider: 'aws', kind: 'gpu-idle', team: 'ml' },
      problems: [],
    });
    const bad = parseRecommendationSearchParams({ status: 'closed', kind: 'resize', region: 'x'.repeat(201) });
    expect(bad.filters).toEqual({});
    expect(bad.problems).toEqual([
      'region is longer than 200 characters',
      expect.stringMatching(/^kind=resize is not one of rightsize, idle-instance, /),
      'status=closed is not one of all, open, accepted, snoozed, dismissed, resolved',
    ]);
    expect(recommendationSearchString({ status: 'open' })).toBe('');
    expect(recommendationSearchString({})).toBe('?status=all');
    expect(recommendationSearchString({ provider: 'aws', team: 'a b', status: 'accepted' })).toBe('?provider=aws&team=a+b&status=accepted');
  });
});

describe('GET /recommendations/export', () => {
  it('answers the filtered list as CSV in the list order, amounts exact, typed text neutralized; a bad filter is a 400', async () => {
    const viewer = await userWithRole('viewer');
    const a = await insertRecommendation(url, {
      monthlySavings: '12.345',
      team: '=cmd|calc',
      action: 'Delete the volume, then the snapshot',
    });
    const b = await insertRecommendation(url, { monthlySavings: '99', team: 'web' });
    await insertRecommendation(url, { monthlySavings: '5', status: 'dismissed', dismissReason: 'no' });
    await insertRecommendation(url, { monthlySavings: '7', provider: 'gcp' });

    const res = await exportCsv(
      new Request('http://localhost/recommendations/export?provider=aws', { headers: { cookie: viewer.cookie } }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="burnrate-recommendations-\d{4}-\d{2}-\d{2}-\d{6}\.csv"$/,
    );
    const lines = (await res.text()).split('\r\n');
    expect(lines[0]).toBe(
      'id,kind,status,provider,account_id,region_id,team,resource_id,sub_resource_id,current_type,proposed_type,action,currency,monthly_savings,monthly_cost,realized_monthly_savings,snoozed_until,first_detected_at_utc,last_detected_at_utc',
    );
    expect(lines).toHaveLength(4); // header, two rows, the empty string after the last CRLF
    expect(lines[1]?.split(',').slice(0, 7)).toEqual([b, 'rightsize', 'open', 'aws', '111122223333', 'us-east-1', 'web']);
    expect(lines[2]).toContain(`${a},rightsize,open,aws,111122223333,us-east-1,'=cmd|calc,`);
    expect(lines[2]).toContain(',"Delete the volume, then the snapshot",USD,12.345,40.00,,,');

    const bad = await exportCsv(
      new Request('http://localhost/recommendations/export?status=closed', { headers: { cookie: viewer.cookie } }),
    );
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'BAD_FILTER',
      message: expect.stringContaining('status=closed is not one of'),
    });
  });
});
