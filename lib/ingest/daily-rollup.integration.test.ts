// The daily rollup (and the explorer's rollups) the pipeline writes must equal what SQL computes from the stored line items, for
// every format: computed while streaming (FOCUS CSV, the fast path) or by SQL after the swap (the
// generic path: AWS CUR, Azure, GCP, Parquet).
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../tests/helpers/db';
import { daily, dailyFromLineItems, expectExplorerRollupsMatch } from '../../tests/helpers/rollup';
import { ingestFile } from './pipeline';

let url: string;

beforeAll(async () => {
  url = await useTestDatabase();
});

async function csvs(dir: string): Promise<string[]> {
  const root = path.resolve('tests/fixtures', dir);
  const out: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && /\.csv(\.gz)?$/.test(entry.name)) out.push(path.join(entry.parentPath, entry.name));
  }
  return out.sort();
}

/**
 * Fixtures that are rejected on purpose, with the reason their own tests check in detail. Every
 * other fixture must land: a reader regression fails here instead of being skipped.
 */
const REJECTED: Record<string, RegExp> = {
  'azure/opencost-values/MissingBrackets.csv': /has no billing currency column/,
  'azure/opencost-values/Template.csv': /has no billing currency column/,
  'azure/opencost-values/VirtualMachine.csv': /has no billing currency column/,
  'azure/opencost-headersets/BOM.csv': /line 2: missing billed_cost/,
  'azure/koku/azure_version_2.csv': /line 2: not an ISO 4217 currency code: "MC"/,
  'focus/spec-commitment_discount_usage_scenario_4.csv': /missing mandatory FOCUS columns/,
  'focus/spec-simple_saas_agreements_a1.csv': /line 2: BillingPeriodStart: not a date\/time: "4\/1\/25"/,
  'focus/spec-virtual_currency_pricing_model_a1.csv': /line 2: BillingPeriodStart: not a date\/time: "4\/1\/25"/,
};

describe('daily and explorer rollups = SQL over the line items, every fixture', () => {
  for (const dir of ['aws-cur', 'gcp', 'azure', 'focus']) {
    it(`${dir} exports`, async () => {
      let landed = 0;
      for (const file of await csvs(dir)) {
        const name = path.relative('tests/fixtures', file);
        const source = `rollup:${name}`;
        const rejected = REJECTED[name];
        if (rejected) {
          await expect(ingestFile({ file, sourceName: source }), name).rejects.toThrow(rejected);
          continue;
        }
        await ingestFile({ file, sourceName: source });
        const rollup = await daily(url, source);
        expect(rollup, file).toEqual(await dailyFromLineItems(url, source));
        await expectExplorerRollupsMatch(url, source, (actual, expected, table) => expect(actual, `${file} ${table}`).toEqual(expected));
        if (rollup.length) landed++;
      }
      expect(landed).toBeGreaterThanOrEqual(2);
    });
  }

  it('names only fixtures that exist', async () => {
    const all = new Set<string>();
    for (const dir of ['aws-cur', 'gcp', 'azure', 'focus']) for (const f of await csvs(dir)) all.add(path.relative('tests/fixtures', f));
    expect(Object.keys(REJECTED).filter((name) => !all.has(name))).toEqual([]);
  });
});
