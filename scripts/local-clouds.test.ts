// npm run demo:clouds end to end, minus the terminal: s3rver and Azurite with the fixture
// deliveries, the two sources registered, and a real worker (the one `npm start` runs) syncing
// them; the overview's own query functions then show the fixtures' months.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker, type Worker } from '../jobs/worker';
import { getMonthlySpendByProvider } from '../lib/queries/monthly-by-provider';
import type { CostMetric } from '../lib/schema';
import { canonicalDecimal as canon, sumDecimals } from '../tests/helpers/bigint-decimal';
import { sql, useTestDatabase } from '../tests/helpers/db';
import {
  LOCAL_AZURE_SOURCE,
  LOCAL_CLOUD_FIXTURES,
  LOCAL_S3_SOURCE,
  type LocalClouds,
  registerLocalCloudSources,
  startLocalClouds,
} from './local-clouds';

/** Column sums of a fixture CSV, exact (csv-parse + decimal addition), independent of the readers. */
function columnSum(file: string, column: string): string {
  const [header = [], ...rows] = parse(readFileSync(file), { bom: true }) as string[][];
  const i = header.indexOf(column);
  if (i < 0) throw new Error(`${file} has no ${column} column`);
  return canon(sumDecimals(rows.map((r) => r[i] || '0')));
}

// AWS legacy CUR: billed = unblended cost; its rows are all SavingsPlanCoveredUsage, whose
// amortized cost is the Savings Plan effective cost. Azure: billed = the actual export, amortized =
// the amortized export (tests/fixtures/azure/SOURCE.md: 730.50 and 106.50).
const EXPECTED: { month: string; currency: string; billed: string; amortized: string }[] = [
  {
    month: LOCAL_CLOUD_FIXTURES.awsMonth,
    currency: 'NOK',
    billed: columnSum(LOCAL_CLOUD_FIXTURES.awsCur, 'lineItem/UnblendedCost'),
    amortized: columnSum(LOCAL_CLOUD_FIXTURES.awsCur, 'savingsPlan/SavingsPlanEffectiveCost'),
  },
  {
    month: LOCAL_CLOUD_FIXTURES.azureMonth,
    currency: 'USD',
    billed: columnSum(LOCAL_CLOUD_FIXTURES.azureActual, 'CostInBillingCurrency'),
    amortized: columnSum(LOCAL_CLOUD_FIXTURES.azureAmortized, 'CostInBillingCurrency'),
  },
];

let url: string;
let dir: string;
let clouds: LocalClouds | undefined;
let worker: Worker | undefined;
const savedKey = process.env.BURNRATE_SECRET_KEY;
const log: string[] = [];

beforeAll(async () => {
  url = await useTestDatabase();
  process.env.BURNRATE_SECRET_KEY = randomBytes(32).toString('base64');
  dir = await mkdtemp(path.join(os.tmpdir(), 'burnrate-local-clouds-'));
  clouds = await startLocalClouds({ dir: path.join(dir, 'local-clouds') });
  // No cron schedules: only the syncs the registration enqueues run.
  worker = await startWorker(url, (line) => log.push(line), { schedules: false });
});

afterAll(async () => {
  await worker?.stop();
  await clouds?.stop();
  await rm(dir, { recursive: true, force: true });
  if (savedKey === undefined) delete process.env.BURNRATE_SECRET_KEY;
  else process.env.BURNRATE_SECRET_KEY = savedKey;
});

async function syncStatuses(): Promise<Map<string, string>> {
  const rows = await sql<{ name: string; status: string; error: string | null }>(
    url,
    `SELECT DISTINCT ON (s.name) s.name, r.status, r.error
       FROM sync_runs r JOIN billing_sources s ON s.id = r.source_id
      ORDER BY s.name, r.id DESC`,
  );
  return new Map(rows.map((r) => [r.name, r.error ? `${r.status}: ${r.error}` : r.status]));
}

describe('local clouds demo', () => {
  it('registers both sources with encrypted credentials and a manual sync each, which the worker runs', async () => {
    if (!worker || !clouds) throw new Error('setup failed');
    const registered = await registerLocalCloudSources(clouds, worker.boss);
    expect(registered.jobs.every((id) => typeof id === 'string')).toBe(true);

    const sources = await sql<{ name: string; kind: string; secret: string; config: Record<string, unknown> }>(
      url,
      'SELECT name, kind, secret_ciphertext AS secret, config FROM billing_sources ORDER BY name',
    );
    expect(sources.map((s) => [s.name, s.kind])).toEqual([
      [LOCAL_AZURE_SOURCE, 'azure_blob'],
      [LOCAL_S3_SOURCE, 'aws_s3'],
    ]);
    for (const s of sources) {
      expect(s.secret).toMatch(/^v1:/);
      expect(s.secret).not.toContain('S3RVER');
    }
    expect(sources[1]?.config).toMatchObject({ forcePathStyle: true, exportType: 'cur-legacy' });

    const deadline = Date.now() + 60_000;
    let statuses = await syncStatuses();
    while ([LOCAL_S3_SOURCE, LOCAL_AZURE_SOURCE].some((n) => statuses.get(n) !== 'succeeded') && Date.now() < deadline) {
      if ([...statuses.values()].some((s) => s.startsWith('failed'))) break;
      await new Promise((r) => setTimeout(r, 250));
      statuses = await syncStatuses();
    }
    expect(Object.fromEntries(statuses), log.join('\n')).toEqual({ [LOCAL_S3_SOURCE]: 'succeeded', [LOCAL_AZURE_SOURCE]: 'succeeded' });
    const triggers = await sql<{ trigger: string }>(url, 'SELECT DISTINCT trigger FROM sync_runs');
    expect(triggers).toEqual([{ trigger: 'manual' }]);
  });

  it.each(['billed', 'amortized'] as CostMetric[])('the overview shows the fixtures’ months (%s)', async (metric) => {
    for (const e of EXPECTED) {
      const series = await getMonthlySpendByProvider({ months: [e.month], metric });
      const inCurrency = series.find((s) => s.currency === e.currency);
      expect(
        series.map((s) => s.currency),
        e.month,
      ).toEqual([e.currency]);
      expect(inCurrency?.points.map((p) => ({ month: p.month, total: canon(p.total) }))).toEqual([
        { month: e.month, total: metric === 'billed' ? e.billed : e.amortized },
      ]);
    }
  });

  it('every cost row came through a sync of the two local sources, none through the ingest CLI', async () => {
    const rows = await sql<{ name: string; via_sync: boolean; n: number }>(
      url,
      `SELECT s.name, i.sync_run_id IS NOT NULL AS via_sync, count(*)::int AS n
         FROM cost_line_items c
         JOIN billing_sources s ON s.id = c.source_id
         JOIN ingest_runs i ON i.id = c.ingest_run_id
        GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    expect(rows.map((r) => [r.name, r.via_sync])).toEqual([
      [LOCAL_AZURE_SOURCE, true],
      [LOCAL_S3_SOURCE, true],
    ]);
    expect(rows.every((r) => r.n > 0)).toBe(true);
  });
});
