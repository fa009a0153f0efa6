import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalDecimal as canonical, sumDecimals } from '../../../tests/helpers/bigint-decimal';
import { sql, useTestDatabase } from '../../../tests/helpers/db';

import { type IngestSummary, ingestFile } from '../pipeline';

const FIXTURES = path.resolve(__dirname, '../../../tests/fixtures/aws-cur');

/** Column names of one CUR dialect, spelled out here rather than taken from the reader. */
interface Dialect {
  type: string;
  cost: string;
  currency: string;
  savingsPlanEffectiveCost: string;
}
const LEGACY: Dialect = {
  type: 'lineItem/LineItemType',
  cost: 'lineItem/UnblendedCost',
  currency: 'lineItem/CurrencyCode',
  savingsPlanEffectiveCost: 'savingsPlan/SavingsPlanEffectiveCost',
};
const SNAKE: Dialect = {
  type: 'line_item_line_item_type',
  cost: 'line_item_unblended_cost',
  currency: 'line_item_currency_code',
  savingsPlanEffectiveCost: 'savings_plan_savings_plan_effective_cost',
};

interface Totals {
  rows: number;
  /** currency → [billed, effective] */
  byCurrency: Map<string, [string, string]>;
}

/**
 * Totals straight from the CSV, independent of the reader: csv-parse, the cost column, exact
 * decimal addition. EffectiveCost follows AWS's amortized-cost rule for the line item types these
 * files contain; any other type fails the test rather than being guessed here.
 */
function expectedTotals(file: string, d: Dialect): Totals {
  const raw = readFileSync(path.join(FIXTURES, file));
  const [headers = [], ...records] = parse(file.endsWith('.gz') ? gunzipSync(raw) : raw, { bom: true }) as string[][];
  const at = (name: string) => {
    const i = headers.indexOf(name);
    if (i < 0) throw new Error(`${file}: no ${name} column`);
    return i;
  };
  const [iType, iCost, iCurrency] = [at(d.type), at(d.cost), at(d.currency)];
  const sums = new Map<string, { billed: string[]; effective: string[] }>();
  for (const r of records) {
    const currency = r[iCurrency] ?? '';
    const cost = r[iCost] ?? '';
    const entry = sums.get(currency) ?? { billed: [], effective: [] };
    sums.set(currency, entry);
    entry.billed.push(cost);
    const type = r[iType];
    if (type === 'Usage') entry.effective.push(cost);
    else if (type === 'SavingsPlanCoveredUsage') entry.effective.push(r[at(d.savingsPlanEffectiveCost)] ?? '');
    else throw new Error(`${file}: line item type ${type} is not covered by this test's effective-cost rule`);
  }
  return {
    rows: records.length,
    byCurrency: new Map([...sums].map(([c, s]) => [c, [sumDecimals(s.billed), sumDecimals(s.effective)]])),
  };
}

/** The same number however many trailing zeros: numeric sums keep the largest scale, so compare values. */

async function dbTotals(url: string, summary: IngestSummary) {
  const rows = await sql<{ currency: string; billed: string; effective: string | null; n: string }>(
    url,
    `SELECT billing_currency AS currency, sum(billed_cost)::text AS billed, sum(effective_cost)::text AS effective, count(*)::text AS n
       FROM cost_line_items WHERE source_id = $1 AND ingest_run_id = $2 GROUP BY 1 ORDER BY 1`,
    [summary.sourceId, summary.runId],
  );
  return new Map(rows.map((r) => [r.currency, { billed: canonical(r.billed), effective: canonical(r.effective), rows: Number(r.n) }]));
}

const CASES: { file: string; dialect: Dialect; rows: number; periods: string[]; periodEnd: string; currencies: string[] }[] = [
  {
    file: 'keboola-cur1/sample_billing_data.csv',
    dialect: LEGACY,
    rows: 3,
    periods: ['2024-01-01'],
    periodEnd: '2024-02-01T00:00:00+00',
    currencies: ['USD'],
  },
  {
    file: 'keboola-cur2/sample_billing_data_v2.csv',
    dialect: SNAKE,
    rows: 4,
    periods: ['2024-09-01'],
    periodEnd: '2024-10-01T00:00:00+00',
    currencies: ['USD'],
  },
  {
    file: 'keboola-cur2/MockTestReportV2-00001.csv.gz',
    dialect: SNAKE,
    rows: 4,
    periods: ['2024-09-01'],
    periodEnd: '2024-10-01T00:00:00+00',
    currencies: ['USD'],
  },
  {
    file: 'koku/2023-06-01.csv',
    dialect: LEGACY,
    rows: 3,
    periods: ['2023-06-01'],
    periodEnd: '2023-07-01T00:00:00+00',
    currencies: ['NOK'],
  },
  {
    file: 'koku/2023-06-01-not-final.csv',
    dialect: LEGACY,
    rows: 3,
    periods: ['2023-06-01'],
    periodEnd: '2023-07-01T00:00:00+00',
    currencies: ['NOK'],
  },
  {
    file: 'koku/2022-07-01-alt-columns.csv',
    dialect: SNAKE,
    rows: 2,
    periods: ['2022-07-01'],
    periodEnd: '2022-08-01T00:00:00+00',
    currencies: ['USD'],
  },
  {
    file: 'koku/test_cur.csv',
    dialect: LEGACY,
    rows: 19,
    periods: ['2018-06-01'],
    periodEnd: '2018-07-01T00:00:00+00',
    currencies: ['USD'],
  },
  {
    file: 'koku/test_cur.csv.gz',
    dialect: LEGACY,
    rows: 19,
    periods: ['2018-06-01'],
    periodEnd: '2018-07-01T00:00:00+00',
    currencies: ['USD'],
  },
];

describe('AWS CUR files through the ingest pipeline', () => {
  let url: string;
  const summaries = new Map<string, IngestSummary>();

  beforeAll(async () => {
    url = await useTestDatabase();
  });

  it.each(CASES)('$file: detected, every record stored, totals per currency equal the CSV', async (c) => {
    const expected = expectedTotals(c.file, c.dialect);
    expect(expected.rows).toBe(c.rows);
    // One source per file, so that the plain and gzipped copies do not replace each other.
    const summary = await ingestFile({ file: path.join(FIXTURES, c.file), format: 'auto', sourceName: `aws-cur-it:${c.file}` });
    summaries.set(c.file, summary);

    expect(summary.format).toBe('aws-cur');
    expect(summary.rows).toBe(c.rows);
    expect(summary.billingPeriods).toEqual(c.periods);

    const stored = await dbTotals(url, summary);
    expect([...stored.keys()]).toEqual(c.currencies);
    for (const [currency, [billed, effective]] of expected.byCurrency) {
      expect(stored.get(currency)).toEqual({ billed: canonical(billed), effective: canonical(effective), rows: c.rows });
      const reported = summary.totals.find((t) => t.currency === currency);
      expect(canonical(reported?.billedCost)).toBe(canonical(billed));
      expect(canonical(reported?.effectiveCost)).toBe(canonical(effective));
    }

    // FOCUS billing periods end exclusively, at the first instant of the next month.
    const ends = await sql<{ end: string }>(
      url,
      `SELECT DISTINCT to_char(billing_period_end AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00"') AS end FROM cost_line_items WHERE ingest_run_id = $1`,
      [summary.runId],
    );
    expect(ends.map((e) => e.end)).toEqual([c.periodEnd]);
  });

  it.each([
    ['koku/test_cur.csv', 'koku/test_cur.csv.gz'],
    ['keboola-cur2/sample_billing_data_v2.csv', 'keboola-cur2/MockTestReportV2-00001.csv.gz'],
  ])('%s and its gzipped copy give the same rows and totals', async (plain, gz) => {
    const a = summaries.get(plain);
    const b = summaries.get(gz);
    if (!a || !b) throw new Error('the per-file ingests above must run first');
    expect(b.rows).toBe(a.rows);
    expect(b.totals).toEqual(a.totals);
    expect(await dbTotals(url, b)).toEqual(await dbTotals(url, a));
  });

  it('stores the exact decimals of the file, digit for digit', async () => {
    const summary = summaries.get('koku/test_cur.csv');
    if (!summary) throw new Error('the per-file ingests above must run first');
    const rows = await sql<{ billed: string; quantity: string }>(
      url,
      `SELECT billed_cost::text AS billed, pricing_quantity::text AS quantity FROM cost_line_items
        WHERE ingest_run_id = $1 AND resource_id = 'i-16847552'`,
      [summary.runId],
    );
    expect(rows).toEqual([{ billed: '0.00165303109242778', quantity: '0.01001837025713806' }]);
  });

  it('stores the FOCUS columns of a savings-plan-covered row', async () => {
    const summary = summaries.get('koku/2023-06-01.csv');
    if (!summary) throw new Error('the per-file ingests above must run first');
    const rows = await sql<Record<string, string | null>>(
      url,
      `SELECT DISTINCT provider_name, charge_category, pricing_category, billed_cost::text AS billed, effective_cost::text AS effective,
              billing_currency, region_id, service_category, extras->>'lineItemType' AS line_item_type
         FROM cost_line_items WHERE ingest_run_id = $1`,
      [summary.runId],
    );
    expect(rows).toEqual([
      {
        provider_name: 'AWS',
        charge_category: 'Usage',
        pricing_category: 'Committed',
        billed: '10',
        effective: '0.1',
        billing_currency: 'NOK',
        region_id: 'us-west-1',
        service_category: 'Compute',
        line_item_type: 'SavingsPlanCoveredUsage',
      },
    ]);
  });
});
