// FOCUS 1.3 and 1.4 Cost and Usage files (tests/fixtures/focus/SOURCE.md) through both ingest paths
// into PostgreSQL: every FOCUS column lands in its own typed column and can be queried as the
// specification's examples do; totals equal sums worked out by hand from the fixtures.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sumDecimals } from '../../../tests/helpers/bigint-decimal';
import { sql, useTestDatabase } from '../../../tests/helpers/db';
import { lineItems } from '../../../tests/helpers/rollup';
import { FOCUS_COLUMNS } from '../../focus/columns';
import { ingestFile } from '../pipeline';

const FIXTURES = path.resolve(import.meta.dirname, '../../../tests/fixtures/focus');
const F13 = path.join(FIXTURES, 'focus-1.3-cost-and-usage.csv');
const F14 = path.join(FIXTURES, 'focus-1.4-cost-and-usage.csv');

let url: string;

async function rows<T extends Record<string, unknown>>(query: string, source: string): Promise<T[]> {
  return sql<T>(url, query.replace('$SOURCE', '(SELECT id FROM billing_sources WHERE name = $1)'), [source]);
}

beforeAll(async () => {
  url = await useTestDatabase();
  for (const [name, file] of [
    ['v1.3', F13],
    ['v1.4', F14],
  ] as const) {
    await ingestFile({ file, sourceName: `${name}-generic`, fastPath: false });
    await ingestFile({ file, sourceName: `${name}-fast` });
  }
});

describe('FOCUS 1.3 and 1.4 Cost and Usage files', () => {
  it('cover every FOCUS column Burnrate stores, and no column of theirs but x_ ones is left in extras', () => {
    const headers = [F13, F14].flatMap((f) => (readFileSync(f, 'utf8').split('\n')[0] as string).split(','));
    const known = new Set([...FOCUS_COLUMNS.map((c) => c.focus), 'Tags']);
    expect(FOCUS_COLUMNS.map((c) => c.focus).filter((f) => !headers.includes(f))).toEqual([]);
    expect([...new Set(headers.filter((h) => !known.has(h)))]).toEqual(['x_Operation']);
  });

  it('store the same rows through the fast path and the generic path', async () => {
    for (const v of ['v1.3', 'v1.4']) {
      const fast = await lineItems(url, `${v}-fast`);
      expect(fast.length).toBe(v === 'v1.3' ? 6 : 7);
      expect(fast).toEqual(await lineItems(url, `${v}-generic`));
    }
  });

  it('give every column its type, and each holds a value in at least one row', async () => {
    const types = await sql<{ column_name: string; data_type: string }>(
      url,
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'cost_line_items'`,
    );
    const typeOf = new Map(types.map((t) => [t.column_name, t.data_type]));
    const expected = { text: 'text', numeric: 'numeric', json: 'jsonb', timestamp: 'timestamp with time zone' };
    for (const c of FOCUS_COLUMNS) expect(`${c.column} ${typeOf.get(c.column)}`).toBe(`${c.column} ${expected[c.kind]}`);
    const counts = FOCUS_COLUMNS.map((c) => `count(${c.column}) AS ${c.column}`).join(', ');
    const [filled] = await sql<Record<string, string>>(
      url,
      `SELECT ${counts} FROM cost_line_items WHERE source_id IN (SELECT id FROM billing_sources WHERE name IN ('v1.3-fast', 'v1.4-fast'))`,
    );
    expect(Object.entries(filled ?? {}).filter(([, n]) => Number(n) === 0)).toEqual([]);
    const extras = await sql<{ key: string }>(
      url,
      `SELECT DISTINCT jsonb_object_keys(extras) AS key FROM cost_line_items WHERE extras IS NOT NULL ORDER BY 1`,
    );
    expect(extras.map((e) => e.key)).toEqual(['x_Operation']);
  });

  it('sum per currency to the totals worked out by hand', async () => {
    // 1.3: USD 200.00 + 0.00 + 50.125 + 14.40 billed, 200.00 + 150.00 + 50.125 + 14.40 effective;
    //      EUR 120.50 + 1000.00 billed, 118.75 + 0.00 effective.
    // 1.4: USD 100.00 + 100.00 + 200.00 + 0.00 + 50.00 - 20.00 billed, 100.00 + 100.00 + 200.00 + 150.00 + 50.00 - 20.00 effective;
    //      JPY 12345 both.
    const expected = {
      'v1.3': [
        { currency: 'EUR', billed: '1120.50', effective: '118.75', rows: 2 },
        { currency: 'USD', billed: '264.525', effective: '414.525', rows: 4 },
      ],
      'v1.4': [
        { currency: 'JPY', billed: '12345', effective: '12345', rows: 1 },
        { currency: 'USD', billed: '430.00', effective: '580.00', rows: 6 },
      ],
    };
    expect(sumDecimals(['200.00', '0.00', '50.125', '14.40'])).toBe('264.525');
    expect(sumDecimals(['100.00', '100.00', '200.00', '0.00', '50.00', '-20.00'])).toBe('430.00');
    expect(sumDecimals(['100.00', '100.00', '200.00', '150.00', '50.00', '-20.00'])).toBe('580.00');
    for (const v of ['v1.3', 'v1.4'] as const) {
      for (const path of ['fast', 'generic']) {
        const got = await rows<{ currency: string; billed: string; effective: string; rows: number }>(
          `SELECT billing_currency AS currency, sum(billed_cost)::text AS billed, sum(effective_cost)::text AS effective, count(*)::int AS rows
             FROM cost_line_items WHERE source_id = $SOURCE GROUP BY 1 ORDER BY 1`,
          `${v}-${path}`,
        );
        expect(got, `${v}-${path}`).toEqual(expected[v]);
      }
      const [run] = await rows<{ totals: { currency: string; billedCost: string; effectiveCost: string; rows: number }[] }>(
        `SELECT totals FROM ingest_runs WHERE source_id = $SOURCE`,
        `${v}-fast`,
      );
      expect(run?.totals.map((t) => ({ currency: t.currency, billed: t.billedCost, effective: t.effectiveCost, rows: t.rows }))).toEqual(
        expected[v],
      );
    }
  });

  it('1.4 (no ProviderName): provider_name comes from ServiceProviderName; marketplace spend groups by host provider', async () => {
    const byHost = await rows<{ host: string; service: string; provider: string; currency: string; billed: string }>(
      `SELECT host_provider_name AS host, service_provider_name AS service, provider_name AS provider, billing_currency AS currency,
              sum(billed_cost)::text AS billed
         FROM cost_line_items WHERE source_id = $SOURCE GROUP BY 1, 2, 3, 4 ORDER BY 1, 2`,
      'v1.4-fast',
    );
    expect(byHost).toEqual([
      { host: 'Aura Web', service: 'Aura Web', provider: 'Aura Web', currency: 'USD', billed: '250.00' },
      { host: 'Aura Web', service: 'StackLens', provider: 'StackLens', currency: 'USD', billed: '180.00' },
      { host: 'LatticeScale', service: 'LatticeScale', provider: 'LatticeScale', currency: 'JPY', billed: '12345' },
    ]);
    const [publisher] = await rows<{ n: number }>(
      `SELECT count(publisher_name)::int AS n FROM cost_line_items WHERE source_id = $SOURCE`,
      'v1.4-fast',
    );
    expect(publisher?.n).toBe(0);
  });

  it('1.4: uncovered eligible spend by commitment program, as the spec example queries it', async () => {
    // CommitmentProgramEligibilityDetails "Uncovered Eligible Spend by Program Type": rows with no
    // commitment discount, each eligible program counted on its own.
    const got = await rows<{ provider: string; program: string; cost: string }>(
      `SELECT service_provider_name AS provider, p->>'ProgramType' AS program, sum(billed_cost)::text AS cost
         FROM cost_line_items, jsonb_array_elements(commitment_program_eligibility_details->'CommitmentPrograms') p
        WHERE source_id = $SOURCE AND commitment_discount_id IS NULL
        GROUP BY 1, 2 ORDER BY 1, 2`,
      'v1.4-fast',
    );
    expect(got).toEqual([
      { provider: 'Aura Web', program: 'FlexibleSpendPlan', cost: '200.00' },
      { provider: 'Aura Web', program: 'ResourceReservation', cost: '200.00' },
      { provider: 'StackLens', program: 'AnnualIntervalSpendCommitment', cost: '200.00' },
      { provider: 'StackLens', program: 'MonthlyIntervalSpendCommitment', cost: '200.00' },
    ]);
  });

  it('JSON columns are jsonb: SKU specs, allocation, contract application and allocated tags can be queried', async () => {
    const [sku] = await rows<{ core_hours: string; cores: string; memory: string }>(
      `SELECT sum((sku_price_details->>'CoreCount')::numeric * pricing_quantity)::text AS core_hours,
              string_agg(DISTINCT sku_price_details->>'CoreCount', ',') AS cores, max(sku_price_details->>'MemorySize') AS memory
         FROM cost_line_items WHERE source_id = $SOURCE AND sku_price_details ? 'CoreCount'`,
      'v1.4-fast',
    );
    expect(sku).toEqual({ core_hours: '384', cores: '8', memory: '32' }); // 8 cores x 24 h, twice
    const [split] = await rows<{ ratio: string; quantity: string; team: string; cost: string; resource: string }>(
      `SELECT allocated_method_details->'Elements'->0->>'AllocatedRatio' AS ratio,
              allocated_method_details->'Elements'->0->>'UsageQuantity' AS quantity,
              allocated_tags->>'コスト' AS cost, allocated_tags->>'team' AS team, allocated_resource_name AS resource
         FROM cost_line_items WHERE source_id = $SOURCE AND allocated_method_id = 'bytes-stored'`,
      'v1.4-fast',
    );
    expect(split).toEqual({ ratio: '0.5', quantity: '2500', team: 'a', cost: '共有', resource: 'team-a' });
    // 1.3 spells the contract keys ContractID/ContractCommitmentID, 1.4 ContractId/ContractCommitmentId; jsonb keeps 120.50 as written.
    const [c13] = await rows<{ id: string; cost: string }>(
      `SELECT contract_applied->'Elements'->0->>'ContractCommitmentID' AS id, contract_applied->'Elements'->0->>'ContractCommitmentAppliedCost' AS cost
         FROM cost_line_items WHERE source_id = $SOURCE AND contract_applied IS NOT NULL`,
      'v1.3-fast',
    );
    expect(c13).toEqual({ id: 'CC-0001', cost: '120.50' });
    const [c14] = await rows<{ id: string; cost: string }>(
      `SELECT contract_applied->'Elements'->0->>'ContractCommitmentId' AS id, contract_applied->'Elements'->0->>'ContractCommitmentAppliedCost' AS cost
         FROM cost_line_items WHERE source_id = $SOURCE AND contract_applied IS NOT NULL`,
      'v1.4-fast',
    );
    expect(c14).toEqual({ id: 'CC-0007', cost: '150.00' });
    const teams = await rows<{ team: string; billed: string }>(
      `SELECT allocated_tags->>'team' AS team, sum(billed_cost)::text AS billed
         FROM cost_line_items WHERE source_id = $SOURCE AND allocated_tags IS NOT NULL GROUP BY 1`,
      'v1.3-fast',
    );
    expect(teams).toEqual([{ team: 'payments', billed: '50.125' }]);
  });

  it("a provider's split rows follow their workload: tags_normalized adds AllocatedTags, the tags column stays Tags", async () => {
    for (const path of ['fast', 'generic']) {
      const got = await rows<{ tags: unknown; normalized: unknown }>(
        `SELECT tags, tags_normalized AS normalized FROM cost_line_items WHERE source_id = $SOURCE AND allocated_tags IS NOT NULL`,
        `v1.3-${path}`,
      );
      // Tags {"env": "prod", "cluster": "pool-a"}, AllocatedTags {"team": "payments", "env": "prod"}.
      expect(got, path).toEqual([
        { tags: { env: 'prod', cluster: 'pool-a' }, normalized: { cluster: 'pool-a', env: 'prod', team: 'payments' } },
      ]);
      const v14 = await rows<{ normalized: unknown }>(
        `SELECT tags_normalized AS normalized FROM cost_line_items WHERE source_id = $SOURCE AND allocated_tags IS NOT NULL`,
        `v1.4-${path}`,
      );
      expect(v14, path).toEqual([{ normalized: { env: 'prod', team: 'a', コスト: '共有' } }]);
    }
    // The explorer's rollups group the split row by the workload's team.
    const [team] = await rows<{ billed: string }>(
      `SELECT sum(billed_cost)::text AS billed FROM cost_monthly WHERE source_id = $SOURCE AND tags_normalized ->> 'team' = 'payments'`,
      'v1.3-fast',
    );
    expect(team?.billed).toBe('50.125');
  });

  it('numeric 1.1/1.2 columns sum exactly: pricing-currency cost, commitment quantity', async () => {
    const got = await rows<{ currency: string; cost: string }>(
      `SELECT pricing_currency AS currency, sum(pricing_currency_effective_cost)::text AS cost
         FROM cost_line_items WHERE source_id = $SOURCE GROUP BY 1 ORDER BY 1`,
      'v1.4-fast',
    );
    // USD: 100.00 + 100.00 + 200.00 + 150.00 + 50.00 + 82.30 - 20.00 (the JPY row is priced in USD)
    expect(sumDecimals(['100.00', '100.00', '200.00', '150.00', '50.00', '82.30', '-20.00'])).toBe('662.30');
    expect(got).toEqual([{ currency: 'USD', cost: '662.30' }]);
    const [commitment] = await rows<{ quantity: string; unit: string; reservation: string; status: string }>(
      `SELECT commitment_discount_quantity::text AS quantity, commitment_discount_unit AS unit, capacity_reservation_id AS reservation,
              capacity_reservation_status AS status
         FROM cost_line_items WHERE source_id = $SOURCE AND commitment_discount_quantity IS NOT NULL`,
      'v1.3-fast',
    );
    expect(commitment).toEqual({ quantity: '24', unit: 'Hours', reservation: 'cr-0001', status: 'Used' });
  });
});
