import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalDecimal as canon, sumDecimals } from '../../../tests/helpers/bigint-decimal';
import { sql, useTestDatabase } from '../../../tests/helpers/db';

import { ingestFile } from '../pipeline';

const FIXTURES = path.resolve(import.meta.dirname, '../../../tests/fixtures/gcp');
const fixture = (name: string) => path.join(FIXTURES, name);

/** Same number however it is spelled: exponent expanded, no trailing fraction zeros, no "-0". */

interface Expected {
  rows: number;
  /** cost + every credit amount: what BilledCost and EffectiveCost must sum to (Google's FOCUS view). */
  billed: string;
  /** cost alone (ContractedCost). */
  cost: string;
}

/**
 * Totals straight from the CSV with csv-parse and a regular expression over the credits text,
 * independent of the reader: per currency, the cost column and the credit amounts added exactly.
 */
function fileTotals(name: string): { byCurrency: Map<string, Expected>; months: string[] } {
  const records = parse(readFileSync(fixture(name)), { columns: true }) as Record<string, string>[];
  const groups = new Map<string, { all: string[]; cost: string[]; rows: number }>();
  const months = new Set<string>();
  for (const r of records) {
    const cur = (r.currency ?? '').toUpperCase();
    const g = groups.get(cur) ?? { all: [], cost: [], rows: 0 };
    g.rows++;
    g.cost.push(r.cost as string);
    g.all.push(r.cost as string);
    for (const m of (r.credits ?? '').matchAll(/["']amount["']\s*:\s*(-?[\d.]+(?:[eE][+-]?\d+)?)/g)) g.all.push(m[1] as string);
    groups.set(cur, g);
    const month = r['invoice.month'] as string;
    months.add(`${month.slice(0, 4)}-${month.slice(4, 6)}-01`);
  }
  return {
    byCurrency: new Map(
      [...groups].map(([cur, g]) => [
        cur,
        { rows: g.rows, billed: canon(sumDecimals(g.all)) as string, cost: canon(sumDecimals(g.cost)) as string },
      ]),
    ),
    months: [...months].sort(),
  };
}

let url: string;

async function dbTotals(sourceName: string) {
  const rows = await sql<{ currency: string; n: string; billed: string; effective: string; contracted: string }>(
    url,
    `SELECT billing_currency AS currency, count(*)::text AS n, sum(billed_cost)::text AS billed, sum(effective_cost)::text AS effective,
            sum(contracted_cost)::text AS contracted
       FROM cost_line_items c JOIN billing_sources s ON s.id = c.source_id
      WHERE s.name = $1 GROUP BY 1 ORDER BY 1`,
    [sourceName],
  );
  return new Map(
    rows.map((r) => [r.currency, { rows: Number(r.n), billed: canon(r.billed), effective: canon(r.effective), cost: canon(r.contracted) }]),
  );
}

beforeAll(async () => {
  url = await useTestDatabase();
});

describe('GCP billing export CSVs through the ingest pipeline', () => {
  for (const name of ['koku-2022-08-01_5.csv', 'koku-202011-credits.csv', 'detailed-usage-multi-currency.csv']) {
    it(`${name}: detected as gcp, every row stored, sums per currency equal cost + credits`, async () => {
      const { byCurrency, months } = fileTotals(name);
      const sourceName = `gcp-it:${name}`;
      const summary = await ingestFile({ file: fixture(name), format: 'auto', sourceName });
      expect(summary.format).toBe('gcp');
      expect(summary.rows).toBe([...byCurrency.values()].reduce((n, e) => n + e.rows, 0));
      expect(summary.billingPeriods).toEqual(months);
      const db = await dbTotals(sourceName);
      expect([...db.keys()].sort()).toEqual([...byCurrency.keys()].sort());
      for (const [cur, e] of byCurrency) {
        expect(db.get(cur)).toEqual({ rows: e.rows, billed: e.billed, effective: e.billed, cost: e.cost });
        const total = summary.totals.find((t) => t.currency === cur);
        expect(canon(total?.billedCost)).toBe(e.billed);
        expect(canon(total?.effectiveCost)).toBe(e.billed);
      }
    });
  }

  it('stores an 18-digit credit exactly, with the project as sub-account and merged labels as tags', async () => {
    const [vm] = await sql<{
      billed: string;
      provider: string;
      sub: string;
      tags: Record<string, string>;
      extras: Record<string, string>;
      bp: string;
    }>(
      url,
      `SELECT billed_cost::text AS billed, provider_name AS provider, sub_account_id AS sub, tags, extras,
              to_char(billing_period_start AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS bp
         FROM cost_line_items WHERE resource_name = 'vm-1'`,
    );
    expect(vm).toMatchObject({
      billed: '1.111111101111111111',
      provider: 'Google Cloud',
      sub: 'shop-prod',
      tags: { 'cost-center': 'cc-100', env: 'prod-eu', '123/team': 'payments', app: 'checkout' },
      bp: '2024-11-01',
    });
    expect(vm?.extras.credits).toContain('-0.123456789012345678');
    const [source] = await sql<{ provider: string }>(
      url,
      `SELECT provider FROM billing_sources WHERE name = 'gcp-it:detailed-usage-multi-currency.csv'`,
    );
    expect(source?.provider).toBe('gcp');
  });
});
