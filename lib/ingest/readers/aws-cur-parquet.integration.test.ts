// CUR 2.0 / Data Exports deliver Parquet by default. This writes one with the CUR 2.0 column
// names (costs as DECIMAL(38,10), maps for product and resource_tags, TIMESTAMP micros) and checks
// that auto-detection picks the AWS reader and every cost lands exactly.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ColumnSpec, writeParquet } from '../../../tests/fixtures/focus/parquet-writer';
import { sumDecimals, unscaledText } from '../../../tests/helpers/bigint-decimal';
import { sql, useTestDatabase } from '../../../tests/helpers/db';
import { removeTempDirs, tempDir } from '../../../tests/helpers/temp-dir';
import { ingestFile } from '../pipeline';

afterAll(removeTempDirs);

describe('AWS CUR 2.0 in Parquet', () => {
  let url: string;
  let dir: string;
  beforeAll(async () => {
    url = await useTestDatabase();
    dir = await tempDir('burnrate-cur-parquet-');
  });

  it('is detected as aws-cur and its DECIMAL costs land exactly, with tags and product names', async () => {
    const n = 2_500;
    const unblended = Array.from({ length: n }, (_, i) => BigInt(i) * 12_345_678_901n + 7n); // scale 10
    const micros = (ms: number) => BigInt(ms) * 1000n;
    const day = (i: number) => micros(Date.UTC(2024, 8, 1 + (i % 30)));
    const decimal = { kind: 'decimal', precision: 38, scale: 10, physical: 'FIXED_LEN_BYTE_ARRAY' } as const;
    const columns: ColumnSpec[] = [
      { name: 'identity_line_item_id', type: { kind: 'string' }, values: unblended.map((_, i) => `li-${i}`) },
      { name: 'bill_payer_account_id', type: { kind: 'string' }, values: unblended.map(() => '123456789012') },
      {
        name: 'bill_billing_period_start_date',
        type: { kind: 'timestamp', unit: 'MICROS' },
        values: unblended.map(() => micros(Date.UTC(2024, 8, 1))),
      },
      {
        name: 'bill_billing_period_end_date',
        type: { kind: 'timestamp', unit: 'MICROS' },
        values: unblended.map(() => micros(Date.UTC(2024, 9, 1))),
      },
      {
        name: 'line_item_usage_account_id',
        type: { kind: 'string' },
        values: unblended.map((_, i) => (i % 2 ? '210987654321' : '123456789012')),
      },
      { name: 'line_item_line_item_type', type: { kind: 'string' }, values: unblended.map(() => 'Usage') },
      { name: 'line_item_usage_start_date', type: { kind: 'timestamp', unit: 'MICROS' }, values: unblended.map((_, i) => day(i)) },
      {
        name: 'line_item_usage_end_date',
        type: { kind: 'timestamp', unit: 'MICROS' },
        values: unblended.map((_, i) => day(i) + 3_600_000_000n),
      },
      { name: 'line_item_product_code', type: { kind: 'string' }, values: unblended.map(() => 'AmazonEC2') },
      { name: 'line_item_usage_amount', type: { kind: 'double' }, values: unblended.map((_, i) => i / 4) },
      { name: 'line_item_currency_code', type: { kind: 'string' }, values: unblended.map(() => 'USD') },
      { name: 'line_item_unblended_cost', type: decimal, values: unblended },
      {
        name: 'product',
        type: { kind: 'map' },
        values: unblended.map(() => ({ product_name: 'Amazon Elastic Compute Cloud', region: 'ap-northeast-2' })),
      },
      { name: 'product_region_code', type: { kind: 'string' }, values: unblended.map(() => 'ap-northeast-2') },
      { name: 'resource_tags', type: { kind: 'map' }, values: unblended.map((_, i) => (i % 3 ? { user_team: 'ml' } : null)) },
    ];
    const file = path.join(dir, 'cur2.parquet');
    await writeFile(file, writeParquet(columns, 1_000));

    const summary = await ingestFile({ file, sourceName: 'cur2-parquet' });
    expect(summary.format).toBe('aws-cur');
    expect(summary.rows).toBe(n);
    expect(summary.billingPeriods).toEqual(['2024-09-01']);

    const expected = sumDecimals(unblended.map((v) => unscaledText(v, 10)));
    const [row] = await sql<{ billed: string; effective: string; tagged: string; named: string; region: string }>(
      url,
      `SELECT sum(billed_cost)::text AS billed, sum(effective_cost)::text AS effective,
              count(*) FILTER (WHERE tags ->> 'user_team' = 'ml')::text AS tagged,
              count(*) FILTER (WHERE service_name = 'Amazon Elastic Compute Cloud')::text AS named,
              min(region_id) AS region
         FROM cost_line_items c JOIN billing_sources s ON s.id = c.source_id WHERE s.name = 'cur2-parquet'`,
    );
    // numeric keeps the trailing zeros of scale 10; compare the values, not the spelling.
    const [same] = await sql<{ eq: boolean }>(url, 'SELECT $1::numeric = $2::numeric AND $1::numeric = $3::numeric AS eq', [
      row?.billed,
      expected,
      row?.effective,
    ]);
    expect(same?.eq).toBe(true);
    expect(row?.tagged).toBe(String(unblended.filter((_, i) => i % 3).length));
    expect(row?.named).toBe(String(n));
    expect(row?.region).toBe('ap-northeast-2');
  });
});
