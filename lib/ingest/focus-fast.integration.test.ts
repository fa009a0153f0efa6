// The FOCUS fast path through the real pipeline and PostgreSQL: the stored rows, the daily rollup it
// computes while streaming, and the summary must equal the generic path's, and the rollup must equal
// what the SQL rollup computes from cost_line_items.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { FOCUS_CASES, FOCUS_CASES_HEADER } from '../../tests/helpers/focus-cases';
import {
  daily,
  dailyFromLineItems,
  EXPLORER_ROLLUP_NAMES,
  expectExplorerRollupsMatch,
  explorerRollup,
  lineItems,
} from '../../tests/helpers/rollup';
import { removeTempDirs, tempDir } from '../../tests/helpers/temp-dir';
import { withCsvFile, writeBenchCsv } from '../demo/generate';
import { ingestFile } from './pipeline';

afterAll(removeTempDirs);

let url: string;
let dir: string;

beforeAll(async () => {
  url = await useTestDatabase();
  dir = await tempDir('burnrate-fast-db-');
});

const HEADER =
  'ProviderName,BillingAccountId,SubAccountId,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ServiceName,RegionId,BilledCost,EffectiveCost,ListCost,ContractedCost,BillingCurrency,Tags,x_Note';

/** Two billing periods, late charges of January billed in February, currencies, nulls, odd spellings. */
function awkwardCsv(scale = 1): string {
  const lines: string[] = [];
  for (let i = 0; i < 40 * scale; i++) {
    const day = String(1 + (i % 28)).padStart(2, '0');
    const feb = i % 5 === 0;
    lines.push(
      [
        i % 7 === 0 ? 'Microsoft' : 'AWS',
        i % 3 === 0 ? '' : `acct-${i % 4}`,
        i % 6 === 0 ? 'null' : `sub ${i % 3}`,
        feb ? '2024-02-01T00:00:00Z' : '2024-01-01',
        feb ? '2024-03-01T00:00:00Z' : '2024-02-01',
        // February's bill carries some January charges: the same days under two billing periods
        i % 10 === 0
          ? `2024-01-${day}T00:00:00Z`
          : feb
            ? `2024-02-${day}T00:00:00Z`
            : `2024-01-${day}T${i % 2 ? '00:00:00Z' : '06:00:00+05:00'}`,
        feb ? `2024-02-${day}T01:00:00Z` : `2024-01-${day}T23:00:00Z`,
        i % 9 === 0 ? 'Purchase' : 'Usage',
        i % 8 === 0 ? '"Compute, ""Spot"""' : 'Storage',
        ['us-east-1', 'EastUS', 'East US', 'global', '', 'westeurope'][i % 6],
        i % 11 === 0 ? '-0.5' : `${i}.${String(i * 37).padStart(4, '0')}`,
        i % 4 === 0 ? '' : i % 13 === 0 ? '1e-3' : `${i}.5`,
        i % 5 === 0 ? 'null' : '100',
        i % 3 === 0 ? '12345678901234567890.123456789' : '0.000000001',
        i % 12 === 0 ? 'eur' : 'USD',
        i % 2 ? '"{""Team"":""core ""}"' : '',
        i % 4 === 1 ? '"with ""quotes"""' : '',
      ].join(','),
    );
  }
  return `${HEADER}\n${lines.join('\n')}\n`;
}

async function both(name: string, file: string): Promise<void> {
  const g = await ingestFile({ file, sourceName: `${name}-generic`, fastPath: false });
  const f = await ingestFile({ file, sourceName: `${name}-fast` });
  expect(f.rows).toBe(g.rows);
  expect(f.billingPeriods).toEqual(g.billingPeriods);
  expect(f.days).toBe(g.days);
  expect(f.totals).toEqual(g.totals);
  expect(f.rows).toBeGreaterThan(0);
  expect(await lineItems(url, `${name}-fast`)).toEqual(await lineItems(url, `${name}-generic`));
  const rollup = await daily(url, `${name}-fast`);
  expect(rollup).toEqual(await daily(url, `${name}-generic`));
  expect(rollup).toEqual(await dailyFromLineItems(url, `${name}-fast`));
  expect(rollup.length).toBeGreaterThan(0);
  // The monthly detail is streamed on the fast path and summed in SQL on the generic one.
  for (const table of EXPLORER_ROLLUP_NAMES) {
    expect(await explorerRollup(url, `${name}-fast`, table), table).toEqual(await explorerRollup(url, `${name}-generic`, table));
  }
  await expectExplorerRollupsMatch(url, `${name}-fast`, (actual, expected, table) => expect(actual, table).toEqual(expected));
}

describe('FOCUS fast path through PostgreSQL', () => {
  it('stores the same rows, rollup and totals as the generic path (awkward file)', async () => {
    const file = path.join(dir, 'awkward.csv');
    await writeFile(file, awkwardCsv());
    await both('awkward', file);
  });

  it('stores the same rows, rollup and totals as the generic path (demo data, FOCUS fixture)', async () => {
    const demo = path.join(dir, 'demo.csv');
    await withCsvFile(demo, (out) => writeBenchCsv(out, { rows: 3000 }));
    await both('demo', demo);
    await both('fixture', path.resolve('tests/fixtures/focus/focus-1.2-multi-currency.csv'));
  });

  it('stores the same values as the generic path for every special case (sub-microsecond times, exponents, nulls, quoting)', async () => {
    const file = path.join(dir, 'cases.csv');
    await writeFile(file, `${FOCUS_CASES_HEADER.join(',')}\n${FOCUS_CASES.join('\n')}\n`);
    await both('cases', file);
  });

  it('a restated file replaces its periods; the rollup still equals the SQL rollup', async () => {
    const first = path.join(dir, 'restate-1.csv');
    const second = path.join(dir, 'restate-2.csv');
    await writeFile(first, awkwardCsv(2));
    await writeFile(second, awkwardCsv(1));
    await ingestFile({ file: first, sourceName: 'restate' });
    const again = await ingestFile({ file: second, sourceName: 'restate' });
    expect(again.replacedRows).toBe(80);
    expect(await daily(url, 'restate')).toEqual(await dailyFromLineItems(url, 'restate'));
    await expectExplorerRollupsMatch(url, 'restate', (actual, expected, table) => expect(actual, table).toEqual(expected));
    const [count] = await sql<{ n: string }>(
      url,
      "SELECT count(*) AS n FROM cost_line_items WHERE source_id = (SELECT id FROM billing_sources WHERE name = 'restate')",
    );
    expect(Number(count?.n)).toBe(40);
  });
});
