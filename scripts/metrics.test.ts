import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../tests/helpers/db';
import { removeTempDirs, tempDir } from '../tests/helpers/temp-dir';
import { runIngest } from './ingest-command';

afterAll(removeTempDirs);

const run = (args: string[], url: string) => runIngest(args, { DATABASE_URL: url }, 'metrics');

describe('npm run metrics -- import', () => {
  let url: string;
  let dir: string;
  beforeAll(async () => {
    url = await useTestDatabase();
    dir = await tempDir('burnrate-metrics-cli-');
  });

  it('--json prints one result per file: format, samples, series, GPUs, time range, peak RSS', async () => {
    const res = await run(
      ['import', '--json', '--provider', 'aws', '--resource-id', 'i-0cli', 'tests/fixtures/metrics/nvidia-smi-h100-80gb-hbm3.csv'],
      url,
    );
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout) as { ok: boolean; files: Record<string, unknown>[]; failures: unknown[]; peakRssBytes: number };
    expect(out.ok).toBe(true);
    expect(out.failures).toEqual([]);
    expect(out.files[0]).toMatchObject({
      format: 'nvidia-smi',
      samples: 6,
      series: 3,
      resources: ['i-0cli'],
      gpus: ['GPU-00000000-0000-0000-0000-000000000000'],
      start: '2026-07-14T08:12:38.696Z',
      end: '2026-07-14T08:12:53.353Z',
    });
    expect(out.peakRssBytes).toBeGreaterThan(1e6);
    const [row] = await sql<{ n: string }>(
      url,
      `SELECT count(*)::text AS n FROM metric_samples m JOIN metric_series s ON s.id = m.series_id JOIN resources r ON r.id = s.resource_pk WHERE r.resource_id = 'i-0cli'`,
    );
    expect(row?.n).toBe('6');
  });

  it('a summary people read per file; a bad file exits 1 naming line and value, stores nothing, and the good file is kept', async () => {
    const bad = path.join(dir, 'cpu-bad.csv');
    await writeFile(bad, 'timestamp,value\n2024-05-01 00:00:00,3.5\n2024-05-01 00:05:00,n/a\n');
    const res = await run(
      ['import', '--metric', 'cpu_utilization', '--resource-id', 'i-0mixed', bad, 'tests/fixtures/metrics/ec2_cpu_utilization_24ae8d.csv'],
      url,
    );
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/cpu-bad\.csv, line 3, column value: "n\/a" is not a number\n {2}nothing from .*cpu-bad\.csv was stored\./);
    expect(res.stderr).toMatch(
      /ec2_cpu_utilization_24ae8d\.csv: csv → i-0mixed\n {2}4,032 samples in 1 series in \d+\.\d s \([\d,]+ samples\/s\), 337 hours aggregated\n/,
    );
    expect(res.stderr).toMatch(/ {2}2014-02-14T14:30:00\.000Z to 2014-02-28T14:25:00\.000Z\n {2}metrics: cpu_utilization \(percent\)/);
    const [row] = await sql<{ n: string }>(
      url,
      `SELECT count(*)::text AS n FROM metric_samples m JOIN metric_series s ON s.id = m.series_id JOIN resources r ON r.id = s.resource_pk WHERE r.resource_id = 'i-0mixed'`,
    );
    expect(row?.n).toBe('4032');
  });

  it('bad arguments are explained', async () => {
    const res = await run(['import', '--metric', 'cpu', 'x.csv'], url);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/metric: Invalid option/i);
    expect(res.stderr).toMatch(/usage: npm run metrics -- import/);
    const none = await run(['export', 'x.csv'], url);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/command: the only command is import/);
  });
});
