import { getPool } from '../db/pool';
import { reapDeadRuns } from '../db/run-lock';
import type { IngestStatus } from '../schema';

interface Row {
  id: string;
  source_name: string;
  file_name: string;
  started_at: Date;
  row_count: string;
}

/**
 * Ingest runs still in status 'running' (the banner), oldest first. Runs whose process died are
 * marked failed first, so the banner never shows an ingest that is no longer happening.
 */
export async function getIngestStatus(): Promise<IngestStatus> {
  await reapDeadRuns(getPool(), 'ingest_runs');
  const { rows } = await getPool().query<Row>(
    `SELECT r.id, s.name AS source_name, r.file_name, r.started_at, r.row_count
       FROM ingest_runs r JOIN billing_sources s ON s.id = r.source_id
      WHERE r.status = 'running'
      ORDER BY r.started_at, r.id`,
  );
  return {
    running: rows.map((r) => ({
      id: r.id,
      sourceName: r.source_name,
      fileName: r.file_name,
      startedAt: r.started_at,
      rowCount: r.row_count,
    })),
  };
}
