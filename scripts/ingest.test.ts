import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../tests/helpers/db';
import { removeTempDirs, tempDir } from '../tests/helpers/temp-dir';
import { runIngest } from './ingest-command';

afterAll(removeTempDirs);

const CSV = `BillingAccountId,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ProviderName,ServiceName,BilledCost,EffectiveCost,BillingCurrency
acct,2024-05-01T00:00:00Z,2024-06-01T00:00:00Z,2024-05-02T00:00:00Z,2024-05-03T00:00:00Z,Usage,AWS,Amazon S3,1.10,1.00,USD
acct,2024-05-01T00:00:00Z,2024-06-01T00:00:00Z,2024-05-03T00:00:00Z,2024-05-04T00:00:00Z,Usage,AWS,Amazon S3,2.20,2.00,USD
`;

describe('npm run ingest', () => {
  let url: string;
  let dir: string;
  beforeAll(async () => {
    url = await useTestDatabase();
    dir = await tempDir('burnrate-cli-');
  });

  it('--json prints the summary: rows, billing periods, totals per currency, peak RSS', async () => {
    const file = path.join(dir, 'focus.csv');
    await writeFile(file, CSV);
    const res = await runIngest(['--json', '--source', 'cli-test', file], { DATABASE_URL: url });
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout) as {
      ok: boolean;
      peakRssBytes: number;
      files: {
        rows: number;
        format: string;
        billingPeriods: string[];
        totals: { currency: string; billedCost: string; effectiveCost: string }[];
      }[];
    };
    expect(out.ok).toBe(true);
    expect(out.files[0]).toMatchObject({ rows: 2, format: 'focus', billingPeriods: ['2024-05-01'] });
    expect(out.files[0]?.totals).toEqual([expect.objectContaining({ currency: 'USD', billedCost: '3.30', effectiveCost: '3.00' })]);
    expect(out.peakRssBytes).toBeGreaterThan(1e6);
    const [row] = await sql<{ n: string }>(url, `SELECT count(*)::text AS n FROM cost_line_items`);
    expect(row?.n).toBe('2');
  });

  it('a malformed file exits non-zero, names file, line and value, and stores nothing', async () => {
    const file = path.join(dir, 'broken.csv');
    await writeFile(file, CSV.replace('2.20', '2.2O'));
    const res = await runIngest(['--source', 'cli-test', file], { DATABASE_URL: url });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/broken\.csv, line 3: .*"2\.2O"/);
    expect(res.stderr).toMatch(/nothing from .*broken\.csv was stored/);
    const [row] = await sql<{ billed: string }>(url, `SELECT sum(billed_cost)::text AS billed FROM cost_line_items`);
    expect(row?.billed).toBe('3.30');
  });

  it('a FOCUS Invoice Detail file: the summary names the dataset and its totals per currency', async () => {
    const file = path.resolve('tests/fixtures/focus-datasets/invoice-detail-1.4-january-restated.csv');
    const res = await runIngest(['--source', 'cli-invoices', file], { DATABASE_URL: url });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/invoice-detail-1\.4-january-restated\.csv: FOCUS invoice-detail → source "cli-invoices"/);
    expect(res.stderr).toMatch(/ {2}3 rows in \d+\.\d s, billing periods: 2025-01\n/);
    expect(res.stderr).toMatch(/ {2}BilledCost USD: 1528\.63, 3 rows\n/);
    const [row] = await sql<{ n: string }>(url, `SELECT count(*)::text AS n FROM focus_invoice_details`);
    expect(row?.n).toBe('3');
  });

  it('prints a summary people read: rows, days, periods, totals per currency (singular for one)', async () => {
    const file = path.join(dir, 'one-row.csv');
    await writeFile(file, CSV.split('\n').slice(0, 2).join('\n').replace('acct,', 'acct-one,'));
    const res = await runIngest([file], { DATABASE_URL: url });
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/one-row\.csv: focus → source "focus:acct-one"/);
    expect(res.stderr).toMatch(/ {2}1 row in \d+\.\d s \(\d[\d,]* rows\/s\), 1 day\n/);
    expect(res.stderr).toMatch(/ {2}billing periods: 2024-05\n/);
    expect(res.stderr).toMatch(/ {2}USD: billed 1\.10, effective 1\.00, 1 row\n/);
  });

  it('queues a recommendations refresh for the worker after new bills, one at most', async () => {
    const file = path.join(dir, 'refresh.csv');
    await writeFile(file, CSV.replaceAll('acct,', 'acct-refresh,'));
    const res = await runIngest([file], { DATABASE_URL: url });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain('recommendations: a refresh is queued for the worker\n');
    expect(res.stderr).not.toContain('warning');
    await runIngest([file], { DATABASE_URL: url });
    const jobs = await sql<{ state: string; data: unknown }>(
      url,
      "SELECT state, data FROM pgboss.job WHERE name = 'recommendations-refresh'",
    );
    expect(jobs).toEqual([{ state: 'created', data: { trigger: 'billing' } }]);
  });

  it('bad arguments are explained', async () => {
    const res = await runIngest(['--format', 'excel', 'x.csv'], { DATABASE_URL: url });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/format: Invalid option/i);
    expect(res.stderr).toMatch(/usage: npm run ingest/);
  });
});
