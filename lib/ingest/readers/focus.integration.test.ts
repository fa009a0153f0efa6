import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ColumnSpec, writeParquet } from '../../../tests/fixtures/focus/parquet-writer';
import { canonicalDecimal as canon, sumDecimals, unscaledText } from '../../../tests/helpers/bigint-decimal';
import { sql, useTestDatabase } from '../../../tests/helpers/db';
import { removeTempDirs, tempDir } from '../../../tests/helpers/temp-dir';
import { ingestFile } from '../pipeline';
import { openRecordSource } from '../source';
import { detectReader } from '.';

afterAll(removeTempDirs);

const FIXTURES = path.resolve(import.meta.dirname, '../../../tests/fixtures/focus');
const fixture = (name: string) => path.join(FIXTURES, name);

/** Same number however it is spelled: exponent expanded, no trailing fraction zeros, no "-0". */

interface Totals {
  rows: number;
  billed: string;
  effective: string | null;
}

/** Per-currency sums read straight from the CSV with csv-parse, independent of the reader. */
function csvTotals(name: string, columns: { currency: string; billed: string; effective: string }): Map<string, Totals> {
  const records = parse(readFileSync(fixture(name)), { bom: true, columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const groups = new Map<string, { billed: string[]; effective: string[] }>();
  for (const r of records) {
    const cur = (r[columns.currency] ?? '').trim().toUpperCase();
    const g = groups.get(cur) ?? { billed: [], effective: [] };
    g.billed.push((r[columns.billed] ?? '').trim());
    const eff = (r[columns.effective] ?? '').trim();
    if (eff && eff !== 'NULL') g.effective.push(eff);
    groups.set(cur, g);
  }
  return new Map(
    [...groups].map(([cur, g]) => [
      cur,
      {
        rows: g.billed.length,
        billed: canon(sumDecimals(g.billed)) as string,
        effective: g.effective.length ? canon(sumDecimals(g.effective)) : null,
      },
    ]),
  );
}

async function dbTotals(url: string, sourceName: string): Promise<Map<string, Totals>> {
  const rows = await sql<{ currency: string; n: string; billed: string; effective: string | null }>(
    url,
    `SELECT billing_currency AS currency, count(*)::text AS n, sum(billed_cost)::text AS billed, sum(effective_cost)::text AS effective
       FROM cost_line_items c JOIN billing_sources s ON s.id = c.source_id
      WHERE s.name = $1 GROUP BY 1 ORDER BY 1`,
    [sourceName],
  );
  return new Map(rows.map((r) => [r.currency, { rows: Number(r.n), billed: canon(r.billed) as string, effective: canon(r.effective) }]));
}

async function detected(file: string): Promise<string> {
  const source = await openRecordSource(file);
  try {
    return detectReader(file, source.headers).id;
  } finally {
    await source.close();
  }
}

let url: string;
let dir: string;

beforeAll(async () => {
  url = await useTestDatabase();
  dir = await tempDir('burnrate-focus-');
});

describe('FOCUS files through the ingest pipeline', () => {
  const CSV_CASES = [
    {
      name: 'focus-1.2-multi-currency.csv',
      columns: { currency: 'BillingCurrency', billed: 'BilledCost', effective: 'EffectiveCost' },
      periods: ['2024-11-01', '2024-12-01'],
    },
    {
      name: 'validator-all_pass.csv',
      columns: { currency: 'BilledCurrency', billed: 'BilledCost', effective: 'AmortizedCost' },
      periods: ['2023-06-30'],
    },
    {
      // has both BilledCurrency and BillingCurrency; the current name wins
      name: 'validator-all_pass_0.5.csv',
      columns: { currency: 'BillingCurrency', billed: 'BilledCost', effective: 'AmortizedCost' },
      periods: ['2023-06-30'],
    },
  ];

  for (const c of CSV_CASES) {
    it(`${c.name}: detected as FOCUS, every row stored, sums per currency equal the file's`, async () => {
      const file = fixture(c.name);
      const expected = csvTotals(c.name, c.columns);
      const summary = await ingestFile({ file, format: 'auto', sourceName: `focus-it:${c.name}` });
      expect(summary.format).toBe('focus');
      expect(summary.rows).toBe([...expected.values()].reduce((n, t) => n + t.rows, 0));
      expect(summary.billingPeriods).toEqual(c.periods);
      expect(await dbTotals(url, `focus-it:${c.name}`)).toEqual(expected);
      for (const t of summary.totals) {
        expect(canon(t.billedCost)).toBe(expected.get(t.currency)?.billed);
        expect(canon(t.effectiveCost)).toBe(expected.get(t.currency)?.effective);
      }
    });
  }

  it('keeps tags, normalized tags, extras and the exact decimals of a FOCUS 1.2 row', async () => {
    const [vm] = await sql<{
      billed: string;
      effective: string;
      tags: unknown;
      norm: unknown;
      extras: Record<string, string>;
      region: string;
      cores: string;
      meter: string;
    }>(
      url,
      `SELECT billed_cost::text AS billed, effective_cost::text AS effective, tags, tags_normalized AS norm, extras, region_id AS region,
              sku_price_details->>'CoreCount' AS cores, sku_meter AS meter
         FROM cost_line_items WHERE resource_name = 'vm1'`,
    );
    expect(vm).toMatchObject({
      billed: '12.3456789012',
      effective: '10.0000000001',
      tags: { env: 'prod', team: 'data' },
      norm: { env: 'prod', team: 'data' },
      region: 'eastus',
      cores: '4',
      meter: 'D4s v5',
    });
    expect(vm?.extras).toEqual({ x_CostCenter: 'CC-100', x_SkuDescription: 'D4s v5 Linux' });
    const [tiny] = await sql<{ billed: string }>(
      url,
      `SELECT billed_cost::text AS billed FROM cost_line_items WHERE charge_description = 'Blob storage transactions'`,
    );
    expect(tiny?.billed).toBe('0.0000000123456789');
  });

  it('a Parquet FOCUS file with DECIMAL(38,10) costs lands exactly', async () => {
    const n = 3_000;
    const billed = Array.from({ length: n }, (_, i) => BigInt(i) * 10_000_000_001n + 1n); // i * 1.0000000001 + 0.0000000001
    const effective = billed.map((b, i) => (i % 7 === 0 ? null : -b / 3n));
    const currencies = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 'EUR' : 'USD'));
    const day = (i: number) => BigInt(Date.UTC(2025, 0, 1 + (i % 31))) * 1000n; // micros
    const columns: ColumnSpec[] = [
      { name: 'BilledCost', type: { kind: 'decimal', precision: 38, scale: 10, physical: 'FIXED_LEN_BYTE_ARRAY' }, values: billed },
      { name: 'EffectiveCost', type: { kind: 'decimal', precision: 38, scale: 10, physical: 'FIXED_LEN_BYTE_ARRAY' }, values: effective },
      { name: 'BillingCurrency', type: { kind: 'string' }, values: currencies },
      {
        name: 'BillingPeriodStart',
        type: { kind: 'timestamp', unit: 'MICROS' },
        values: billed.map(() => BigInt(Date.UTC(2025, 0, 1)) * 1000n),
      },
      {
        name: 'BillingPeriodEnd',
        type: { kind: 'timestamp', unit: 'MICROS' },
        values: billed.map(() => BigInt(Date.UTC(2025, 1, 1)) * 1000n),
      },
      { name: 'ChargePeriodStart', type: { kind: 'timestamp', unit: 'MICROS' }, values: billed.map((_, i) => day(i)) },
      { name: 'ChargePeriodEnd', type: { kind: 'timestamp', unit: 'MICROS' }, values: billed.map((_, i) => day(i) + 86_400_000_000n) },
      { name: 'ChargeCategory', type: { kind: 'string' }, values: billed.map(() => 'Usage') },
      { name: 'ProviderName', type: { kind: 'string' }, values: billed.map(() => 'Parquet Cloud') },
      { name: 'BillingAccountId', type: { kind: 'string' }, values: billed.map(() => 'pq-1') },
      { name: 'ConsumedQuantity', type: { kind: 'double' }, values: billed.map((_, i) => i / 10) },
      { name: 'Tags', type: { kind: 'map' }, values: billed.map((_, i) => (i % 2 ? { env: 'prod', Team: 'A' } : null)) },
      { name: 'x_Note', type: { kind: 'string' }, values: billed.map((_, i) => (i % 5 ? null : `note ${i}`)) },
    ];
    const file = path.join(dir, 'focus-decimal38.parquet');
    await writeFile(file, writeParquet(columns, 1_000));
    expect(await detected(file)).toBe('focus');

    const summary = await ingestFile({ file, sourceName: 'focus-it:parquet' });
    expect(summary.format).toBe('focus');
    expect(summary.rows).toBe(n);
    expect(summary.billingPeriods).toEqual(['2025-01-01']);

    const expected = new Map<string, Totals>();
    for (const cur of ['EUR', 'USD']) {
      const idx = currencies.flatMap((c, i) => (c === cur ? [i] : []));
      const eff = idx.map((i) => effective[i]).filter((v): v is bigint => v !== null);
      expected.set(cur, {
        rows: idx.length,
        billed: canon(sumDecimals(idx.map((i) => unscaledText(billed[i] as bigint, 10)))) as string,
        effective: canon(sumDecimals(eff.map((v) => unscaledText(v, 10)))),
      });
    }
    expect(await dbTotals(url, 'focus-it:parquet')).toEqual(expected);

    const [one] = await sql<{
      billed: string;
      effective: string | null;
      qty: string;
      tags: unknown;
      norm: unknown;
      extras: unknown;
      cps: string;
    }>(
      url,
      `SELECT billed_cost::text AS billed, effective_cost::text AS effective, consumed_quantity::text AS qty, tags, tags_normalized AS norm, extras,
              to_char(charge_period_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS cps
         FROM cost_line_items c JOIN billing_sources s ON s.id = c.source_id
        WHERE s.name = 'focus-it:parquet' AND billed_cost = 1234.0000001235`,
    );
    // row 1234: 1234 * 1.0000000001 + 0.0000000001
    expect(one).toEqual({
      billed: '1234.0000001235',
      effective: '-411.3333333745',
      qty: '123.4',
      tags: null,
      norm: null,
      extras: null,
      cps: '2025-01-26T00:00:00',
    });
    const [tagged] = await sql<{ tags: unknown; norm: unknown; extras: unknown }>(
      url,
      `SELECT tags, tags_normalized AS norm, extras FROM cost_line_items c JOIN billing_sources s ON s.id = c.source_id
        WHERE s.name = 'focus-it:parquet' AND billed_cost = 5.0000000006`,
    );
    expect(tagged).toEqual({ tags: { env: 'prod', Team: 'A' }, norm: { env: 'prod', team: 'A' }, extras: { x_Note: 'note 5' } });
  });

  it('the FOCUS validator Parquet sample is recognized as FOCUS and rejected for its missing columns', async () => {
    const file = fixture('validator-sample.parquet');
    expect(await detected(file)).toBe('focus');
    await expect(ingestFile({ file, sourceName: 'focus-it:sample-parquet' })).rejects.toThrow(
      /validator-sample\.parquet: missing mandatory FOCUS columns ProviderName.*BilledCost.*BillingCurrency/,
    );
  });

  it('the specification examples are detected but rejected, naming the column and value at fault', async () => {
    const cases: [string, RegExp][] = [
      // no ProviderName, no BillingCurrency
      ['spec-commitment_discount_usage_scenario_4.csv', /missing mandatory FOCUS columns ProviderName.*BillingCurrency/],
      // UTF-8 BOM; dates as 4/1/25 are not ISO 8601
      ['spec-virtual_currency_pricing_model_a1.csv', /line 2: BillingPeriodStart: not a date\/time: "4\/1\/25"/],
      // the same dates, and amounts as "$10,000.00 " (the first bad value in column order is reported)
      ['spec-simple_saas_agreements_a1.csv', /line 2: BillingPeriodStart: not a date\/time: "4\/1\/25"/],
    ];
    for (const [name, message] of cases) {
      expect(await detected(fixture(name))).toBe('focus');
      await expect(ingestFile({ file: fixture(name), sourceName: `focus-it:${name}` })).rejects.toThrow(message);
    }
    const [count] = await sql<{ n: string }>(
      url,
      `SELECT count(*)::text AS n FROM cost_line_items c JOIN billing_sources s ON s.id = c.source_id WHERE s.name LIKE 'focus-it:spec-%'`,
    );
    expect(count?.n).toBe('0');
  });
});
