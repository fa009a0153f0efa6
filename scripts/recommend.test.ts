// `npm run recommend -- --json` as a shell runs it (a child process on a real PostgreSQL): an idle
// instance from NAB's recorded CPU series and its bill ingested through the pipeline come out as the
// issue's JSON objects, with exactly its fields; the human table names the same recommendation.
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../tests/helpers/db';
import { days, ingestBill, nearestRank, readSeries, seedInstance } from '../tests/helpers/recommendations';

let url: string;
const IDLE = readSeries('ec2_cpu_utilization_53ea38.csv');
const NOW = '2014-03-01T00:00:00.000Z';

beforeAll(async () => {
  url = await useTestDatabase();
  await seedInstance(
    { resourceId: 'i-0cli', state: 'running', resourceType: 'm5.large', regionId: 'us-east-1' },
    { cpu_utilization: IDLE },
  );
  await ingestBill(
    'cli',
    days('2014-01-30', 30).map((day) => ({ resourceId: 'i-0cli', day, billed: '2.304' })),
  );
});

function recommend(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/recommend.ts', ...args], {
    env: { ...process.env, DATABASE_URL: url },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('npm run recommend', () => {
  it('--json prints the open recommendations with the issue’s fields', () => {
    const r = recommend('--json', '--now', NOW);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as Record<string, unknown>[];
    const idle = out.filter((o) => o.resourceId === 'i-0cli' && o.kind === 'idle-instance');
    expect(idle).toHaveLength(1);
    const [o] = idle as [Record<string, unknown>];
    expect(Object.keys(o).sort()).toEqual(
      ['currentType', 'evidence', 'kind', 'monthlySavings', 'proposedType', 'provider', 'resourceId', 'status', 'subResourceId'].sort(),
    );
    // 30 × 2.304 = 69.12 a month, all saved by stopping it.
    expect(o).toMatchObject({
      provider: 'aws',
      subResourceId: null,
      currentType: 'm5.large',
      proposedType: null,
      monthlySavings: { currency: 'USD', amount: '69.12' },
      status: 'open',
    });
    const ev = o.evidence as { window: { start: string; end: string }; statistic: string; value: number; threshold: number };
    expect(ev.window).toEqual({ start: '2014-02-22T00:00:00.000Z', end: NOW });
    expect(ev.statistic).toBe('p95');
    expect(ev.threshold).toBe(5);
    const truth = nearestRank(IDLE, 0.95, new Date(ev.window.start), new Date(NOW));
    expect(Math.abs(ev.value - truth)).toBeLessThanOrEqual(truth * 0.01 + 0.001);
    // Every object has the same shape; savings are a decimal string with a currency, or null.
    for (const x of out) {
      const s = x.monthlySavings as { currency: string; amount: string } | null;
      if (s !== null) expect(s.amount).toMatch(/^-?\d+(\.\d+)?$/);
    }
  });

  it('prints a table without --json, and refuses a bad --now', () => {
    const r = recommend('--now', NOW);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^idle-instance\s+aws i-0cli\s+m5\.large\s+69\.12 USD\/month\s+p95 [\d.]+ \(threshold 5\)$/m);
    const bad = recommend('--now', 'yesterday');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--now: not a date/time: "yesterday"');
  });
});
