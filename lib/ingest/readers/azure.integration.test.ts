import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalDecimal as canon, sumDecimals } from '../../../tests/helpers/bigint-decimal';
import { sql, useTestDatabase } from '../../../tests/helpers/db';

import { ingestFile } from '../pipeline';

const FIXTURES = path.resolve(__dirname, '../../../tests/fixtures/azure');
const fixture = (name: string) => path.join(FIXTURES, name);

/** Same number however it is spelled: no trailing fraction zeros, no "-0". */

interface FileTotals {
  rows: number;
  /** Per currency: the sum of the file's cost column, added here without the reader. */
  cost: Map<string, string>;
}

/**
 * Totals read straight from the CSV with csv-parse, independent of the Azure reader: the cost
 * column (CostInBillingCurrency, Cost or PreTaxCost, also as "Name (English)") summed per currency.
 */
function fileTotals(name: string): FileTotals {
  const records = parse(readFileSync(fixture(name)), { bom: true }) as string[][];
  const [header = [], ...rows] = records;
  const names = header.map((h) => (/\(([A-Za-z0-9]+)\)\s*$/.exec(h)?.[1] ?? h).trim().toLowerCase());
  const find = (candidates: string[]) => {
    for (const c of candidates) {
      const i = names.indexOf(c);
      if (i >= 0) return i;
    }
    throw new Error(`${name}: no column ${candidates.join('/')}`);
  };
  const costAt = find(['costinbillingcurrency', 'cost', 'pretaxcost']);
  const currencyAt = find(['billingcurrencycode', 'billingcurrency', 'currency']);
  const parts = new Map<string, string[]>();
  for (const row of rows) {
    const cur = (row[currencyAt] ?? '').trim().toUpperCase();
    const list = parts.get(cur) ?? [];
    list.push((row[costAt] ?? '').trim());
    parts.set(cur, list);
  }
  return { rows: rows.length, cost: new Map([...parts].map(([cur, list]) => [cur, sumDecimals(list)])) };
}

interface DbTotal {
  currency: string;
  rows: number;
  billed: string;
  effective: string | null;
  missing: number;
}

async function dbTotals(url: string, sourceName: string): Promise<DbTotal[]> {
  return sql<DbTotal>(
    url,
    `SELECT c.billing_currency AS currency, count(*)::int AS rows, sum(c.billed_cost)::text AS billed,
            sum(c.effective_cost)::text AS effective, (count(*) FILTER (WHERE c.effective_cost IS NULL))::int AS missing
       FROM cost_line_items c JOIN billing_sources s ON s.id = c.source_id
      WHERE s.name = $1
      GROUP BY c.billing_currency ORDER BY c.billing_currency`,
    [sourceName],
  );
}

describe('Azure exports through the ingest pipeline', () => {
  let url: string;
  beforeAll(async () => {
    url = await useTestDatabase();
  });

  // Actual-cost exports (the default dataset): BilledCost is the cost column, and so is
  // EffectiveCost wherever no commitment is involved.
  const clean = [
    'sample-anonymous-ea-export-dataset.csv',
    'koku/camel_azure_version_2.csv',
    'koku/azure_camelCased.csv',
    'koku/costreport_a243c6f2-199f-4074-9a2c-40e671cf1584.csv',
    'opencost-values/test_azure_billing.csv',
    'opencost-headersets/EnterpriseCamel.csv',
    'opencost-headersets/PayAsYouGo.csv',
    'opencost-headersets/German.csv',
    'opencost-headersets/YA.csv',
  ];
  it.each(clean)('%s: detected as Azure; DB sums per currency equal the file’s', async (name) => {
    const expected = fileTotals(name);
    const summary = await ingestFile({ file: fixture(name), format: 'auto', sourceName: `fixture:${name}` });
    expect(summary).toMatchObject({ format: 'azure', dataset: 'actual', rows: expected.rows });
    const db = await dbTotals(url, `fixture:${name}`);
    expect(db.map((t) => t.currency)).toEqual([...expected.cost.keys()].sort());
    for (const t of db) {
      const cost = expected.cost.get(t.currency);
      expect(canon(t.billed)).toBe(canon(cost));
      expect(canon(t.effective)).toBe(canon(cost));
      expect(t.missing).toBe(0);
      const run = summary.totals.find((x) => x.currency === t.currency);
      expect(canon(run?.billedCost)).toBe(canon(cost));
    }
  });

  it('a reservation-covered row of an actual export keeps BilledCost and leaves EffectiveCost unknown', async () => {
    const name = 'opencost-headersets/Enterprise.csv';
    const expected = fileTotals(name);
    const summary = await ingestFile({ file: fixture(name), sourceName: `fixture:${name}` });
    const [t] = await dbTotals(url, `fixture:${name}`);
    expect(canon(t?.billed)).toBe(canon(expected.cost.get('CAD')));
    expect(t).toMatchObject({ currency: 'CAD', effective: null, missing: 1 });
    expect(summary.totals[0]?.effectiveCostMissing).toBe(1);
  });

  it('an empty export (header only) is a successful ingest of zero rows', async () => {
    // A month without usage exports just the header; that is data, not an error.
    const summary = await ingestFile({ file: fixture('EA_NoRows.csv'), format: 'auto', sourceName: 'fixture:EA_NoRows' });
    expect(summary).toMatchObject({ format: 'azure', rows: 0, billingPeriods: [], totals: [] });
    expect(await dbTotals(url, 'fixture:EA_NoRows')).toEqual([]);
  });

  it.each([
    ['koku/azure_version_2.csv', /line 2: not an ISO 4217 currency code: "MC"/],
    ['opencost-headersets/BOM.csv', /line 2: missing billed_cost/],
    ['opencost-values/VirtualMachine.csv', /no billing currency column/],
    ['opencost-values/MissingBrackets.csv', /no billing currency column/],
    ['opencost-values/Template.csv', /no billing currency column/],
  ])('%s fails clearly and writes nothing', async (name, message) => {
    await expect(ingestFile({ file: fixture(name), sourceName: `fixture:${name}` })).rejects.toThrow(message);
    expect(await dbTotals(url, `fixture:${name}`)).toEqual([]);
  });

  describe('actual + amortized of the same charges (synthetic pair)', () => {
    const actual = fileTotals('synthetic-actual.csv').cost.get('USD');
    const amortized = fileTotals('synthetic-amortized.csv').cost.get('USD');

    async function sums(source: string) {
      const [t] = await dbTotals(url, source);
      const [purchase] = await sql<{ dataset: string; billed: string; effective: string }>(
        url,
        `SELECT c.cost_dataset AS dataset, c.billed_cost::text AS billed, c.effective_cost::text AS effective
           FROM cost_line_items c JOIN billing_sources s ON s.id = c.source_id
          WHERE s.name = $1 AND c.charge_category = 'Purchase'`,
        [source],
      );
      return { rows: t?.rows, billed: canon(t?.billed), effective: canon(t?.effective), purchase };
    }

    it('the fixture totals are what SOURCE.md says', () => {
      expect(canon(actual)).toBe('730.5');
      expect(canon(amortized)).toBe('106.5');
    });

    it('actual then amortized: BilledCost sums to the actual total, EffectiveCost to the amortized total', async () => {
      const a = await ingestFile({ file: fixture('synthetic-actual.csv'), sourceName: 'merge:actual-first' });
      const b = await ingestFile({ file: fixture('synthetic-amortized.csv'), sourceName: 'merge:actual-first' });
      expect(a.dataset).toBe('actual');
      expect(b.dataset).toBe('amortized');
      const s = await sums('merge:actual-first');
      expect(s).toMatchObject({ rows: 6, billed: canon(actual), effective: canon(amortized) });
      expect(s.purchase).toMatchObject({ dataset: 'actual', billed: '720.00', effective: '0' });
    });

    it('amortized then actual gives the same sums', async () => {
      await ingestFile({ file: fixture('synthetic-amortized.csv'), sourceName: 'merge:amortized-first' });
      await ingestFile({ file: fixture('synthetic-actual.csv'), sourceName: 'merge:amortized-first' });
      expect(await sums('merge:amortized-first')).toEqual(await sums('merge:actual-first'));
    });

    it('re-ingesting either file changes nothing', async () => {
      const before = await sums('merge:actual-first');
      await ingestFile({ file: fixture('synthetic-amortized.csv'), sourceName: 'merge:actual-first' });
      expect(await sums('merge:actual-first')).toEqual(before);
      await ingestFile({ file: fixture('synthetic-actual.csv'), sourceName: 'merge:actual-first' });
      expect(await sums('merge:actual-first')).toEqual(before);
      await ingestFile({ file: fixture('synthetic-actual.csv'), sourceName: 'merge:actual-first' });
      expect(await sums('merge:actual-first')).toEqual(before);
    });

    it('an explicit dataset overrides the file name', async () => {
      const summary = await ingestFile({ file: fixture('synthetic-amortized.csv'), sourceName: 'merge:explicit', dataset: 'amortized' });
      expect(summary.dataset).toBe('amortized');
      const [unused] = await sql<{ billed: string; effective: string; status: string }>(
        url,
        `SELECT c.billed_cost::text AS billed, c.effective_cost::text AS effective, c.commitment_discount_status AS status
           FROM cost_line_items c JOIN billing_sources s ON s.id = c.source_id
          WHERE s.name = 'merge:explicit' AND c.charge_period_start = '2024-06-04T00:00:00Z'`,
      );
      expect(unused).toEqual({ billed: '0', effective: '24.00', status: 'Unused' });
    });
  });
});
