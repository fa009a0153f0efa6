// The data version and the answers cached for it, on a real PostgreSQL with bills ingested through
// the pipeline. An answer is reused while the version stands (a change written behind the
// product's back, without a bump, stays unseen: proof that nothing was asked again); an ingest, a
// tag rule's save and a month close each move the version in their own transaction, and the next
// answer is the new data's, checked against SQL over the line items written here, not against
// the functions under test. A failed ingest moves nothing. Errors are not kept, a missing answer
// is computed once for concurrent callers, and the cache stays within its bound.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { removeTempDirs, tempDir } from '../../tests/helpers/temp-dir';
import type { Actor } from '../auth/actor';
import { closeMonth } from '../close/close';
import { closedMonthsInRange } from '../close/status';
import { getPool, withTransaction } from '../db/pool';
import { type ExplorerQueryInput, type ExplorerResult, runExplorerQuery } from '../explorer/query';
import { ingestFile } from '../ingest/pipeline';
import { getSpendSummary } from '../queries/spend-summary';
import { parseRuleForm, saveTagRule } from '../tags/rules';
import { answerCacheStats, bumpDataVersion, cachedAnswer, readDataVersion, resetAnswerCache } from './data-version';

afterAll(removeTempDirs);

const HEADER =
  'ProviderName,BillingAccountId,SubAccountId,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ServiceName,ServiceCategory,RegionId,ResourceId,ConsumedQuantity,ConsumedUnit,BilledCost,EffectiveCost,ListCost,ContractedCost,BillingCurrency,Tags';

// [day of January 2026, service, billed, tags]
type Line = [string, string, string, string];
const JANUARY: Line[] = [
  ['03', 'EC2', '10.00', '{"team":"ml"}'],
  ['04', 'EC2', '20.50', '{"Team":"ML"}'],
  ['05', 'S3', '5.25', '{"team":"web"}'],
  ['06', 'S3', '1.10', ''],
];
// The provider restates January: EC2 on the 4th is 22.75 and a new RDS line appears.
const RESTATED: Line[] = [
  ['03', 'EC2', '10.00', '{"team":"ml"}'],
  ['04', 'EC2', '22.75', '{"Team":"ML"}'],
  ['05', 'S3', '5.25', '{"team":"web"}'],
  ['06', 'S3', '1.10', ''],
  ['07', 'RDS', '8.00', '{"team":"web"}'],
];

function csv(lines: Line[]): string {
  const rows = lines.map(([day, svc, billed, tags]) =>
    [
      'AWS',
      'a1',
      's1',
      '2026-01-01T00:00:00Z',
      '2026-02-01T00:00:00Z',
      `2026-01-${day}T00:00:00Z`,
      `2026-01-${day}T23:59:59Z`,
      'Usage',
      svc,
      'Compute',
      'us-east-1',
      `r-${svc}`,
      '1',
      'Hrs',
      billed,
      billed,
      billed,
      billed,
      'USD',
      tags ? `"${tags.replaceAll('"', '""')}"` : '',
    ].join(','),
  );
  return `${HEADER}\n${rows.join('\n')}\n`;
}

const JAN = { from: '2026-01-01', to: '2026-01-31' };
const BY_SERVICE: ExplorerQueryInput = { range: JAN, granularity: 'total', groupBy: 'service', metric: 'billed' };
const BY_TEAM: ExplorerQueryInput = { range: JAN, granularity: 'total', groupBy: 'team', metric: 'billed' };
const FEB_15 = new Date('2026-02-15T12:00:00Z');
const cli: Actor = { kind: 'cli', osUser: 'cache-test' };

let url: string;
let dir: string;
async function ingest(name: string, content: string) {
  const file = path.join(dir, name);
  await writeFile(file, content);
  return ingestFile({ file, sourceName: 'cache-test' });
}

/** The version as the database holds it (not through the module under test). */
async function storedVersion(): Promise<number> {
  const [row] = await sql<{ version: string }>(url, 'SELECT version::text AS version FROM data_version');
  return Number(row?.version);
}

/** Two decimals, for comparing sums whatever their scale ('30.5' and '30.50'). */
const cents = (v: string | undefined) => Number(v).toFixed(2);

/** Billed cost of January per service, straight from the line items. */
async function billedByService(): Promise<Record<string, string>> {
  const rows = await sql<{ service: string; billed: string }>(
    url,
    `SELECT service_name AS service, sum(billed_cost)::text AS billed FROM cost_line_items
      WHERE charge_period_start >= '2026-01-01' AND charge_period_start < '2026-02-01' GROUP BY 1`,
  );
  return Object.fromEntries(rows.map((r) => [r.service, cents(r.billed)]));
}

function byKey(result: ExplorerResult): Record<string, string> {
  return Object.fromEntries(result.rows.map((r) => [r.key, cents(r.amounts.find((a) => a.unit === 'USD')?.amount)]));
}

beforeAll(async () => {
  url = await useTestDatabase();
  // The suite runs with the cache off (vitest.config.ts); this file is about it.
  process.env.BURNRATE_ANSWER_CACHE = '1';
  resetAnswerCache();
  dir = await tempDir('burnrate-cache-');
  await ingest('jan.csv', csv(JANUARY));
});

describe('answers per data version', () => {
  it('an answer is reused within a version: a change written without a bump stays unseen', async () => {
    const version = await storedVersion();
    const first = await runExplorerQuery(getPool(), BY_SERVICE);
    expect(byKey(first)).toEqual(await billedByService());
    expect(byKey(first)).toEqual({ EC2: '30.50', S3: '6.35' });
    const hits = answerCacheStats().hits;
    const again = await runExplorerQuery(getPool(), { ...BY_SERVICE });
    expect(again).toBe(first);
    expect(answerCacheStats().hits).toBe(hits + 1);

    // Behind the product's back (no path writes this way): the rollup the answer came from changes.
    await sql(url, `UPDATE ${first.answeredFrom} SET billed_cost = billed_cost + 100 WHERE service_name = 'S3'`);
    try {
      const stale = await runExplorerQuery(getPool(), BY_SERVICE);
      expect(stale).toBe(first);
      expect(byKey(stale).S3).toBe('6.35');
      // A transaction's client is never answered from the cache: it sees its own data.
      await withTransaction(async (client) => {
        const own = await runExplorerQuery(client, BY_SERVICE);
        expect(own).not.toBe(first);
        expect(byKey(own).S3).toBe('206.35');
      });
    } finally {
      await sql(url, `UPDATE ${first.answeredFrom} SET billed_cost = billed_cost - 100 WHERE service_name = 'S3'`);
    }
    expect(await storedVersion()).toBe(version);

    const summary = await getSpendSummary({ current: JAN, comparison: { from: '2025-12-01', to: '2025-12-31' }, metric: 'billed' });
    expect(await getSpendSummary({ current: JAN, comparison: { from: '2025-12-01', to: '2025-12-31' }, metric: 'billed' })).toBe(summary);
    // Another input is another answer.
    const effective = await getSpendSummary({ current: JAN, comparison: { from: '2025-12-01', to: '2025-12-31' }, metric: 'amortized' });
    expect(effective).not.toBe(summary);
  });

  it('an ingest moves the version in its transaction; the next answer is the restated data', async () => {
    const before = await storedVersion();
    const old = await runExplorerQuery(getPool(), BY_SERVICE);
    await ingest('jan-restated.csv', csv(RESTATED));
    expect(await storedVersion()).toBe(before + 1);
    const fresh = await runExplorerQuery(getPool(), BY_SERVICE);
    expect(fresh).not.toBe(old);
    // EC2 10.00 + 22.75 = 32.75; S3 5.25 + 1.10 = 6.35; RDS 8.00.
    expect(byKey(fresh)).toEqual({ EC2: '32.75', S3: '6.35', RDS: '8.00' });
    expect(byKey(fresh)).toEqual(await billedByService());
    const [total] = await sql<{ billed: string }>(
      url,
      `SELECT sum(billed_cost)::text AS billed FROM cost_line_items WHERE charge_period_start >= '2026-01-01' AND charge_period_start < '2026-02-01'`,
    );
    const summary = await getSpendSummary({ current: JAN, comparison: { from: '2025-12-01', to: '2025-12-31' }, metric: 'billed' });
    expect(cents(summary[0]?.current)).toBe(cents(total?.billed));
  });

  it('a failed ingest moves nothing, and the answer stands', async () => {
    const before = await storedVersion();
    const answer = await runExplorerQuery(getPool(), BY_SERVICE);
    const bad = csv(RESTATED).replace('22.75', 'twenty');
    await expect(ingest('jan-bad.csv', bad)).rejects.toThrow();
    expect(await storedVersion()).toBe(before);
    expect(await runExplorerQuery(getPool(), BY_SERVICE)).toBe(answer);
  });

  it("a tag rule's save moves the version; the explorer's teams follow the new rule", async () => {
    const before = await storedVersion();
    const old = await runExplorerQuery(getPool(), BY_TEAM);
    expect(Object.keys(byKey(old))).not.toContain('data-science');
    await withTransaction((client) =>
      saveTagRule(client, parseRuleForm({ concept: 'team', keys: 'team', caseFold: true, mappings: 'ml => data-science' }), 'test'),
    );
    expect(await storedVersion()).toBe(before + 1);
    const fresh = await runExplorerQuery(getPool(), BY_TEAM);
    const rows = await sql<{ team: string; billed: string }>(
      url,
      `SELECT CASE WHEN lower(btrim(tags_normalized ->> 'team')) = 'ml' THEN 'data-science'
                   ELSE coalesce(lower(nullif(btrim(tags_normalized ->> 'team'), '')), '') END AS team,
              sum(billed_cost)::text AS billed
         FROM cost_line_items
        WHERE charge_period_start >= '2026-01-01' AND charge_period_start < '2026-02-01'
        GROUP BY 1`,
    );
    expect(byKey(fresh)).toEqual(Object.fromEntries(rows.map((r) => [r.team, cents(r.billed)])));
    // ml: 10.00 + 22.75; web: 5.25 + 8.00; untagged: 1.10.
    expect(byKey(fresh)).toEqual({ 'data-science': '32.75', web: '13.25', '': '1.10' });
  });

  it("a month's close moves the version; the explorer's closed-month answer appears", async () => {
    expect(await closedMonthsInRange(JAN)).toBeNull();
    const before = await storedVersion();
    await closeMonth('2026-01', cli, FEB_15);
    expect(await storedVersion()).toBe(before + 1);
    const [status] = await sql<{ status: string }>(url, "SELECT status FROM month_closes WHERE month = '2026-01-01'");
    expect(status?.status).toBe('closed');
    const closed = await closedMonthsInRange(JAN);
    expect(closed?.map((c) => c.month)).toEqual(['2026-01']);
    const [total] = await sql<{ billed: string }>(
      url,
      "SELECT sum(billed_cost)::text AS billed FROM cost_line_items WHERE billing_currency = 'USD'",
    );
    expect(cents(closed?.[0]?.totals.find((t) => t.currency === 'USD')?.closedBilled)).toBe(cents(total?.billed));
  });

  it('bumpDataVersion outside the product paths: the row counts, with its reason', async () => {
    const before = await readDataVersion();
    await withTransaction((client) => bumpDataVersion(client, 'allocation rule'));
    const after = await readDataVersion();
    expect(Number(after.version)).toBe(Number(before.version) + 1);
    expect(after.reason).toBe('allocation rule');
    expect(after.epoch).toBe(before.epoch);
    // A rolled-back bump is no bump.
    await expect(
      withTransaction(async (client) => {
        await bumpDataVersion(client, 'rolled back');
        throw new Error('abandon');
      }),
    ).rejects.toThrow('abandon');
    expect((await readDataVersion()).version).toBe(after.version);
  });
});

describe('cachedAnswer', () => {
  it('keeps no error: the next call computes again', async () => {
    let calls = 0;
    const failing = () => {
      calls += 1;
      return Promise.reject(new Error(`failure ${calls}`));
    };
    await expect(cachedAnswer('failing', { n: 1 }, failing)).rejects.toThrow('failure 1');
    await expect(cachedAnswer('failing', { n: 1 }, failing)).rejects.toThrow('failure 2');
    expect(await cachedAnswer('failing', { n: 1 }, async () => 'recovered')).toBe('recovered');
  });

  it('computes a missing answer once for concurrent callers; keys ignore the order of object keys', async () => {
    let calls = 0;
    const compute = async () => {
      calls += 1;
      await new Promise((r) => setTimeout(r, 20));
      return { value: 42 };
    };
    const answers = await Promise.all([
      cachedAnswer('shared', { a: 1, b: 2 }, compute),
      cachedAnswer('shared', { b: 2, a: 1 }, compute),
      cachedAnswer('shared', { a: 1, b: 2 }, compute),
    ]);
    expect(calls).toBe(1);
    expect(answers[1]).toBe(answers[0]);
    expect(Object.isFrozen(answers[0])).toBe(true);
  });

  it('stays within BURNRATE_ANSWER_CACHE_MB, dropping the least recently used', async () => {
    process.env.BURNRATE_ANSWER_CACHE_MB = '1';
    resetAnswerCache();
    try {
      const big = (i: number) => async () => ({ i, text: 'x'.repeat(100_000) });
      const first = await cachedAnswer('big', 0, big(0));
      for (let i = 1; i < 30; i++) await cachedAnswer('big', i, big(i));
      const stats = answerCacheStats();
      expect(stats.bytes).toBeLessThanOrEqual(1024 * 1024);
      expect(stats.evictions).toBeGreaterThan(0);
      expect(await cachedAnswer('big', 0, big(0))).not.toBe(first);
    } finally {
      delete process.env.BURNRATE_ANSWER_CACHE_MB;
      resetAnswerCache();
    }
  });

  it('BURNRATE_ANSWER_CACHE=0 computes every time', async () => {
    process.env.BURNRATE_ANSWER_CACHE = '0';
    resetAnswerCache();
    try {
      let calls = 0;
      const compute = async () => ++calls;
      await cachedAnswer('off', null, compute);
      await cachedAnswer('off', null, compute);
      expect(calls).toBe(2);
    } finally {
      process.env.BURNRATE_ANSWER_CACHE = '1';
      resetAnswerCache();
    }
  });
});
