import { beforeAll, describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { getIngestStatus } from './ingest-status';

let url: string;
beforeAll(async () => {
  url = await useTestDatabase();
});

describe('getIngestStatus', () => {
  it('lists only running ingests, oldest first, with their source', async () => {
    expect(await getIngestStatus()).toEqual({ running: [] });
    await sql(url, `INSERT INTO billing_sources (name, provider) VALUES ('aws-main', 'aws')`);
    await sql(
      url,
      `INSERT INTO ingest_runs (source_id, file_name, status, row_count, started_at) VALUES
         (1, 'old.csv', 'succeeded', 10, '2026-11-24T10:00:00Z'),
         (1, 'b.csv.gz', 'running', 1500, '2026-11-24T12:00:00Z'),
         (1, 'a.parquet', 'running', 0, '2026-11-24T11:00:00Z'),
         (1, 'bad.csv', 'failed', 0, '2026-11-24T09:00:00Z')`,
    );
    const status = await getIngestStatus();
    expect(status.running.map((r) => [r.sourceName, r.fileName, r.rowCount, r.startedAt.toISOString()])).toEqual([
      ['aws-main', 'a.parquet', '0', '2026-11-24T11:00:00.000Z'],
      ['aws-main', 'b.csv.gz', '1500', '2026-11-24T12:00:00.000Z'],
    ]);
  });
});
