// The full-size demo (what `npm start` loads into an empty database) plants every scenario of
// lib/demo/inventory.ts: each recommendation kind it is built to show is there, open, with its
// evidence, and priced from the resource's own bill in that bill's currency.
import { beforeAll, describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { getPool } from '../db/pool';
import { recomputeRecommendations } from '../recommendations/engine';
import { loadDemoData } from './load';

const END = '2026-06-15';
const DEMO_KINDS = [
  'gpu-bursty',
  'gpu-idle',
  'gpu-memory-held',
  'gpu-underused',
  'idle-address',
  'idle-instance',
  'idle-load-balancer',
  'old-snapshot',
  'rightsize',
  'unattached-volume',
];

interface Rec {
  kind: string;
  provider: string;
  sub_resource_id: string | null;
  current_type: string | null;
  proposed_type: string | null;
  monthly_savings: string | null;
  currency: string | null;
  evidence: { window?: { start: string; end: string }; statistic?: string; threshold?: number; coverageHours?: number };
}

let url: string;
let recs: Rec[];
beforeAll(async () => {
  url = await useTestDatabase();
  await loadDemoData({ endDate: END });
  recs = await sql<Rec>(
    url,
    `SELECT kind, provider, sub_resource_id, current_type, proposed_type, monthly_savings::text, currency, evidence
       FROM recommendations WHERE status = 'open'`,
  );
}, 300_000);

describe('the full-size demo', () => {
  it('shows every kind it plants, on more than one cloud', () => {
    expect([...new Set(recs.map((r) => r.kind))].sort()).toEqual(expect.arrayContaining(DEMO_KINDS));
    expect(new Set(recs.map((r) => r.provider))).toEqual(new Set(['aws', 'azure', 'gcp']));
  });

  it('gives GPU recommendations their GPU, and metric-based ones a window, a statistic and hours of data', () => {
    const perGpu = recs.filter((r) => r.kind.startsWith('gpu-') && r.sub_resource_id);
    expect(perGpu.length).toBeGreaterThan(0);
    for (const r of perGpu) expect(r.sub_resource_id).toMatch(/^GPU-[0-9a-f-]{36}$/);
    for (const r of recs.filter((x) => ['rightsize', 'idle-instance', 'gpu-idle', 'gpu-memory-held', 'gpu-bursty'].includes(x.kind))) {
      expect(r.evidence.window, r.kind).toBeDefined();
      expect(r.evidence.statistic, r.kind).toBeTruthy();
      expect(r.evidence.coverageHours, r.kind).toBeGreaterThanOrEqual(30);
    }
  });

  it('prices recommendations in the currency of the resource’s bill, and never resizes a GPU machine to another GPU', () => {
    const priced = recs.filter((r) => r.monthly_savings !== null);
    expect(priced.length).toBeGreaterThan(recs.length / 2);
    for (const r of priced) {
      expect(r.currency).toMatch(/^(USD|EUR)$/);
      expect(Number(r.monthly_savings)).toBeGreaterThan(0);
    }
    // Rightsizing keeps a GPU machine's GPUs: an ND96isr H100 v5 is never proposed an A100 type.
    for (const r of recs.filter((x) => x.kind === 'rightsize' && /H100|A100|^p5|^g5|^a3|^g2/.test(x.current_type ?? ''))) {
      expect(`${r.current_type} → ${r.proposed_type}`).not.toMatch(/H100.*→.*A100|A100.*→.*T4|g5.*→ g4dn/);
    }
  });

  it('keeps the bursty training box bursty, and only bursty, when recomputed a day later', async () => {
    const p5 = () =>
      sql<{ kind: string; n: number }>(
        url,
        `SELECT r.kind, count(*)::int AS n FROM recommendations r
           JOIN resources m ON m.provider = r.provider AND m.resource_id = r.resource_id AND m.sub_resource_id = ''
          WHERE r.status = 'open' AND r.kind LIKE 'gpu-%' AND m.resource_type = 'p5.48xlarge' GROUP BY 1`,
      );
    const atLoad = await p5();
    expect(atLoad.map((k) => k.kind)).toEqual(['gpu-bursty']);
    await recomputeRecommendations(getPool(), { now: new Date(Date.parse(`${END}T00:00:00Z`) + 86_400_000) });
    expect(await p5()).toEqual(atLoad);
  });
});
