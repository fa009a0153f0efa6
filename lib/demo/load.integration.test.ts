import { beforeAll, describe, expect, it } from 'vitest';
import { sumDecimals } from '../../tests/helpers/bigint-decimal';
import { sql, useTestDatabase } from '../../tests/helpers/db';

import { resolveDemoSpikes } from './generate';
import { type DemoLoadResult, isDatabaseEmpty, loadDemoData } from './load';

const END = '2025-11-20';
// The GPU recommendations a small demo (5,000 rows) already plants; the full-size demo's every kind
// is checked in demo-recommendations.integration.test.ts.
const SMALL_DEMO_KINDS = ['gpu-bursty', 'gpu-idle', 'gpu-memory-held', 'gpu-underused', 'idle-instance'];

let url: string;

/** Exact decimal comparison: "12.50" and "12.5" are the same amount. */
function same(a: string | null | undefined, b: string | null | undefined): boolean {
  const norm = (v: string) => (v.includes('.') ? v.replace(/0+$/, '').replace(/\.$/, '') : v);
  return a != null && b != null && norm(a) === norm(b);
}

interface Totals {
  currency: string;
  rows: string;
  billed: string;
  effective: string;
  list: string;
}

function generatedTotals(result: DemoLoadResult): Map<string, { rows: number; billed: string; effective: string; list: string }> {
  const out = new Map<string, { rows: number; billed: string[]; effective: string[]; list: string[] }>();
  for (const { generated } of result.files) {
    for (const t of generated.totals) {
      const acc = out.get(t.currency) ?? { rows: 0, billed: [], effective: [], list: [] };
      acc.rows += t.rows;
      acc.billed.push(t.billedCost);
      acc.effective.push(t.effectiveCost);
      acc.list.push(t.listCost);
      out.set(t.currency, acc);
    }
  }
  return new Map(
    [...out].map(([c, a]) => [
      c,
      { rows: a.rows, billed: sumDecimals(a.billed), effective: sumDecimals(a.effective), list: sumDecimals(a.list) },
    ]),
  );
}

describe('loadDemoData (integration)', () => {
  let result: DemoLoadResult;
  const lines: string[] = [];

  beforeAll(async () => {
    url = await useTestDatabase();
    expect(await isDatabaseEmpty()).toBe(true);
    result = await loadDemoData({ endDate: END, rowsTarget: 5_000, log: (l) => lines.push(l) });
  }, 180_000);

  it('loads three demo sources and the database is no longer empty', async () => {
    expect(await isDatabaseEmpty()).toBe(false);
    const sources = await sql<{ name: string; provider: string }>(url, 'SELECT name, provider FROM billing_sources ORDER BY name');
    expect(sources.map((s) => s.name)).toEqual(['demo-aws', 'demo-azure', 'demo-gcp']);
    expect(result.files.map((f) => f.ingested.rows)).toEqual(result.files.map((f) => f.generated.rows));
    expect(lines.some((l) => l.startsWith('loaded demo-gcp'))).toBe(true);
  });

  it("stores exactly the generator's totals per currency, in the line items and in the daily rollup", async () => {
    const expected = generatedTotals(result);
    expect([...expected.keys()].sort()).toEqual(['EUR', 'USD']);
    const items = await sql<Totals>(
      url,
      `SELECT billing_currency AS currency, count(*)::text AS rows, sum(billed_cost)::text AS billed,
              sum(effective_cost)::text AS effective, sum(list_cost)::text AS list
         FROM cost_line_items GROUP BY 1 ORDER BY 1`,
    );
    const daily = await sql<Totals>(
      url,
      `SELECT billing_currency AS currency, sum(line_items)::text AS rows, sum(billed_cost)::text AS billed,
              sum(effective_cost)::text AS effective, sum(list_cost)::text AS list
         FROM cost_daily GROUP BY 1 ORDER BY 1`,
    );
    for (const table of [items, daily]) {
      expect(table.map((r) => r.currency)).toEqual(['EUR', 'USD']);
      for (const r of table) {
        const e = expected.get(r.currency);
        expect(Number(r.rows)).toBe(e?.rows);
        expect(same(r.billed, e?.billed), `${r.currency} billed ${r.billed} vs ${e?.billed}`).toBe(true);
        expect(same(r.effective, e?.effective), `${r.currency} effective ${r.effective} vs ${e?.effective}`).toBe(true);
        expect(same(r.list, e?.list), `${r.currency} list ${r.list} vs ${e?.list}`).toBe(true);
      }
    }
  });

  it('spans 13 month partitions and shows the planted GPU burst', async () => {
    const months = await sql<{ m: string }>(
      url,
      `SELECT DISTINCT to_char(charge_period_start AT TIME ZONE 'UTC', 'YYYY-MM') AS m FROM cost_line_items ORDER BY 1`,
    );
    expect(months).toHaveLength(13);
    const [inDefault] = await sql<{ n: string }>(url, 'SELECT count(*)::text AS n FROM cost_line_items_default');
    expect(inDefault?.n).toBe('0');
    const gpu = resolveDemoSpikes(END).find((s) => s.id === 'gpu-training-burst-apne2');
    const [burst] = await sql<{ n: string }>(
      url,
      `SELECT count(*)::text AS n FROM cost_line_items
        WHERE region_id = 'ap-northeast-2' AND extras->>'x_UsageType' = 'APN2-BoxUsage:p5.48xlarge'
          AND charge_period_start >= $1::timestamptz AND charge_period_start <= $2::timestamptz`,
      [`${gpu?.from}T00:00:00Z`, `${gpu?.to}T00:00:00Z`],
    );
    expect(Number(burst?.n)).toBeGreaterThanOrEqual(8 * 6);
  });

  // GPUs per machine type, from the providers' published specs (independent of lib/catalog's files).
  const GPUS: Record<string, number> = {
    'p5.48xlarge': 8,
    'g5.12xlarge': 4,
    'g5.xlarge': 1,
    Standard_ND96isr_H100_v5: 8,
    Standard_NC24ads_A100_v4: 1,
    'a3-highgpu-8g': 8,
    'g2-standard-8': 1,
  };

  it('gives every billed machine an inventory row at the billed type, with one row per GPU of the GPU machines', async () => {
    const machines = await sql<{ provider: string; resource_type: string; gpus: number; billed: boolean }>(
      url,
      `SELECT r.provider, r.resource_type,
              (SELECT count(*)::int FROM resources g WHERE g.kind = 'gpu' AND g.provider = r.provider AND g.resource_id = r.resource_id) AS gpus,
              EXISTS (SELECT 1 FROM cost_line_items c
                       WHERE c.charge_period_start >= $1::timestamptz - interval '14 days' AND c.charge_period_start < $1::timestamptz
                         AND (c.resource_id = r.resource_id OR lower(c.resource_id) = r.resource_id OR c.resource_id LIKE '%/' || r.resource_id)
                         AND (replace(c.extras->>'x_UsageType', ' ', '_') LIKE '%' || replace(r.resource_type, 'Standard_', '')
                              OR c.extras->>'x_UsageType' = r.resource_type || ' running')) AS billed
         FROM resources r WHERE r.kind = 'instance'`,
      [`${END}T00:00:00Z`],
    );
    expect(machines.length).toBeGreaterThan(10);
    expect(machines.filter((m) => !m.billed)).toEqual([]);
    for (const m of machines) expect(m.gpus, `${m.provider} ${m.resource_type}`).toBe(GPUS[m.resource_type] ?? 0);
    expect(machines.filter((m) => m.gpus > 0).length).toBeGreaterThanOrEqual(4);
  });

  it('has 14 days of 15-minute samples for every series, ending where the bills end', async () => {
    const series = await sql<{ n: string; first: string; last: string }>(
      url,
      `SELECT count(*)::text AS n, min(ts)::text AS first, max(ts)::text AS last FROM metric_samples GROUP BY series_id`,
    );
    expect(series.length).toBeGreaterThan(40);
    for (const s of series) expect(s).toEqual({ n: String(14 * 96), first: '2025-11-06 00:00:00+00', last: '2025-11-19 23:45:00+00' });
  });

  it('computes the recommendations the demo plants: idle, oversized and unused resources, and idle, memory-held and bursty GPUs', async () => {
    const kinds = await sql<{ kind: string }>(url, "SELECT DISTINCT kind FROM recommendations WHERE status = 'open' ORDER BY 1");
    expect(kinds.map((k) => k.kind)).toEqual(expect.arrayContaining(SMALL_DEMO_KINDS));
    expect(result.recommendations).toBeGreaterThan(0);
  });

  it('loading again replaces the same billing periods instead of adding to them', async () => {
    const before = await sql<{ n: string; billed: string }>(
      url,
      'SELECT count(*)::text AS n, sum(billed_cost)::text AS billed FROM cost_line_items',
    );
    await loadDemoData({ endDate: END, rowsTarget: 5_000 });
    const after = await sql<{ n: string; billed: string }>(
      url,
      'SELECT count(*)::text AS n, sum(billed_cost)::text AS billed FROM cost_line_items',
    );
    expect(after).toEqual(before);
    const [samples] = await sql<{ n: string; per: string }>(
      url,
      'SELECT count(*)::text AS n, (count(*) / count(DISTINCT series_id))::text AS per FROM metric_samples',
    );
    expect(samples?.per).toBe(String(14 * 96));
  });
});
