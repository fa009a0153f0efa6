import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeJobClient } from '../../jobs/client';
import { insertDaily } from '../../tests/helpers/cost-daily';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { getPool } from '../db/pool';
import { openLockedRun } from '../db/run-lock';
import { encryptSecret } from '../secrets';
import { getPendingSyncs } from './pending-syncs';
import { canStoreSecrets, FAILING_AFTER, getSource, getSyncHistory, listSources } from './sources';

let url: string;
let s3Id: number;
let fileId: number;

beforeAll(async () => {
  url = await useTestDatabase();
  // A file source with cost data (insertDaily creates the source 'test', kind 'file').
  await insertDaily(url, [
    { day: '2026-11-01', billed: '10', lineItems: 120 },
    { day: '2026-11-02', billed: '12', lineItems: 80 },
  ]);
  await sql(
    url,
    `INSERT INTO ingest_runs (source_id, file_name, status, started_at) VALUES (1, 'old.csv', 'failed', '2026-11-01T00:00:00Z'),
                                                                                      (1, 'new.csv', 'succeeded', '2026-11-02T00:00:00Z')`,
  );
  fileId = 1;
  const [row] = await sql<{ id: number }>(
    url,
    `INSERT INTO billing_sources (name, provider, kind, config, schedule, secret_ciphertext, last_sync_at, last_sync_status, consecutive_failures, created_at)
     VALUES ('aws-payer', 'aws', 'aws_s3', $1::jsonb, '30 */2 * * *', $2, '2026-11-24T10:45:00Z', 'failed', $3, '2026-11-01T00:00:00Z') RETURNING id`,
    [
      JSON.stringify({ bucket: 'acme', prefix: 'cur', region: 'us-east-1', exportType: 'cur2', forcePathStyle: false }),
      encryptSecret('{"accessKeyId":"AKIAEXAMPLE","secretAccessKey":"plaintext-secret"}', Buffer.alloc(32, 1)),
      FAILING_AFTER,
    ],
  );
  s3Id = row?.id ?? 0;
});

afterAll(async () => {
  await closeJobClient();
});

describe('listSources / getSource', () => {
  it('lists file and connector sources with their state; a source failing 3 times in a row is flagged', async () => {
    const list = await listSources();
    expect(list.map((s) => [s.name, s.kind, s.kindLabel, s.isConnector, s.rows])).toEqual([
      ['aws-payer', 'aws_s3', 'AWS S3 (CUR / Data Exports)', true, '0'],
      ['test', 'file', 'File (npm run ingest)', false, '200'],
    ]);
    const [s3, file] = list;
    expect(s3).toMatchObject({
      providerLabel: 'AWS',
      schedule: '30 */2 * * *',
      effectiveSchedule: '30 */2 * * *',
      nextSyncAt: new Date('2026-11-24T12:30:00Z'),
      lastSyncStatus: 'failed',
      consecutiveFailures: 3,
      failing: true,
      hasSecret: true,
    });
    expect(file).toMatchObject({
      effectiveSchedule: null,
      nextSyncAt: null,
      failing: false,
      hasSecret: false,
      lastIngestStatus: 'succeeded',
      lastIngestAt: new Date('2026-11-02T00:00:00Z'),
    });
  });

  it('returns the stored config for the edit form, and nothing of the secret', async () => {
    const detail = await getSource(s3Id);
    expect(detail?.config).toEqual({ bucket: 'acme', prefix: 'cur', region: 'us-east-1', exportType: 'cur2', forcePathStyle: false });
    const [{ secret_ciphertext: ciphertext } = { secret_ciphertext: '' }] = await sql<{ secret_ciphertext: string }>(
      url,
      'SELECT secret_ciphertext FROM billing_sources WHERE id = $1',
      [s3Id],
    );
    const everything = JSON.stringify([detail, await listSources()]);
    expect(everything).not.toContain(ciphertext);
    expect(everything).not.toContain('plaintext-secret');
    expect(everything).not.toMatch(/secret_?ciphertext/i);
    expect(await getSource(999)).toBeNull();
    expect((await getSource(fileId))?.config).toEqual({});
  });

  it('says whether credentials can be stored (BURNRATE_SECRET_KEY)', () => {
    const saved = process.env.BURNRATE_SECRET_KEY;
    try {
      delete process.env.BURNRATE_SECRET_KEY;
      expect(canStoreSecrets()).toEqual({ ok: false, reason: expect.stringMatching(/^BURNRATE_SECRET_KEY is not set/) });
      process.env.BURNRATE_SECRET_KEY = Buffer.alloc(32, 2).toString('base64');
      expect(canStoreSecrets()).toEqual({ ok: true });
    } finally {
      if (saved === undefined) delete process.env.BURNRATE_SECRET_KEY;
      else process.env.BURNRATE_SECRET_KEY = saved;
    }
  });
});

describe('getSyncHistory', () => {
  it('returns runs newest first with duration and exact totals per currency summed over the deliveries', async () => {
    const totals = [
      {
        key: 'a/Manifest.json',
        totals: [
          { currency: 'USD', rows: 2, billedCost: '0.1', effectiveCost: '0.2', effectiveCostMissing: 0, listCost: null },
          { currency: 'EUR', rows: 1, billedCost: '5', effectiveCost: null, effectiveCostMissing: 1, listCost: null },
        ],
      },
      {
        key: 'b/Manifest.json',
        totals: [{ currency: 'USD', rows: 1, billedCost: '0.2', effectiveCost: '0.1', effectiveCostMissing: 0, listCost: null }],
      },
    ];
    await sql(
      url,
      `INSERT INTO sync_runs (source_id, trigger, status, started_at, finished_at, deliveries_seen, deliveries_ingested, row_count, billing_periods, totals, error)
       VALUES ($1, 'schedule', 'succeeded', '2026-11-24T06:00:00Z', '2026-11-24T06:01:02.5Z', 3, 2, 4, '{2026-10-01,2026-11-01}', $2::jsonb, NULL),
              ($1, 'manual', 'failed', '2026-11-24T08:00:00Z', '2026-11-24T08:00:00.25Z', 0, 0, 0, '{}', '[]', 'AWS rejected the credentials')`,
      [s3Id, JSON.stringify(totals)],
    );
    // A sync in progress holds its run lock (else the query marks it failed: its process died).
    const running = await openLockedRun(getPool(), 'sync_runs', { source_id: s3Id, trigger: 'schedule' });
    await sql(url, `UPDATE sync_runs SET started_at = '2026-11-24T10:45:00Z' WHERE id = $1`, [running.id]);
    const history = await getSyncHistory(s3Id).finally(running.release);
    expect(history.map((r) => [r.status, r.trigger, r.durationMs, r.error])).toEqual([
      ['running', 'schedule', null, null],
      ['failed', 'manual', 250, 'AWS rejected the credentials'],
      ['succeeded', 'schedule', 62_500, null],
    ]);
    expect(history[2]).toMatchObject({
      deliveriesSeen: 3,
      deliveriesIngested: 2,
      rows: '4',
      billingPeriods: ['2026-10-01', '2026-11-01'],
      totals: [
        { currency: 'EUR', billedCost: '5', effectiveCost: null },
        { currency: 'USD', billedCost: '0.3', effectiveCost: '0.3' },
      ],
    });
    expect(await getSyncHistory(s3Id, 1)).toHaveLength(1);
  });

  it('has no pending syncs for a source nobody queued', async () => {
    expect(await getPendingSyncs(s3Id)).toEqual([]);
  });
});
