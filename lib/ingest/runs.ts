// Run bookkeeping: an ingest run is 'running' only while the process that ingests it is alive.
// The run's row is inserted on a connection that also takes a session-level advisory lock keyed on
// the run id, and that connection is held until the run is recorded as succeeded or failed. When
// the process dies (kill -9, a crash, a machine reboot), PostgreSQL ends its session and drops the
// lock; reapDeadRuns then marks every 'running' run without its lock as failed. No age is involved,
// so a long ingest is never reaped and a dead one is reaped as soon as anyone looks.
import type pg from 'pg';

/** Advisory lock class of ingest runs ('runs'); the object id is the run id. */
const RUN_LOCK_CLASS = 0x72756e73;
/** Run ids map to the int4 lock key by this modulus (two runs 2^31 ids apart would share a key). */
const RUN_LOCK_MOD = 2147483647;

export const DEAD_RUN_ERROR = 'the ingest process stopped (killed or crashed) before finishing; nothing from this run was stored';

export interface RunHandle {
  id: string;
  /** Drops the run's lock; call after its final status is written. */
  release: () => Promise<void>;
}

/** Inserts a 'running' run and holds its lock on a connection of its own until `release()`. */
export async function openRun(
  pool: pg.Pool,
  values: { sourceId: number; fileName: string; format: string; dataset: string | null; bytes: number },
): Promise<RunHandle> {
  const client = await pool.connect();
  try {
    // One statement: the row becomes visible (at commit) with its lock already held, so a reaper
    // never sees a live run unlocked. A session-level lock outlives the statement's transaction.
    const { rows } = await client.query<{ id: string }>(
      `WITH run AS (
         INSERT INTO ingest_runs (source_id, file_name, format, dataset, bytes) VALUES ($1, $2, $3, $4, $5) RETURNING id
       )
       SELECT id, pg_advisory_lock($6, (id % $7)::int) FROM run`,
      [values.sourceId, values.fileName, values.format, values.dataset, values.bytes, RUN_LOCK_CLASS, RUN_LOCK_MOD],
    );
    const id = rows[0]?.id;
    if (id === undefined) throw new Error('could not record the ingest run');
    let released = false;
    return {
      id,
      release: async () => {
        if (released) return;
        released = true;
        try {
          await client.query('SELECT pg_advisory_unlock($1, ($2::bigint % $3)::int)', [RUN_LOCK_CLASS, id, RUN_LOCK_MOD]);
          client.release();
        } catch (error) {
          // The connection is gone (and the lock with it): do not return it to the pool.
          client.release(error as Error);
        }
      },
    };
  } catch (error) {
    client.release(error as Error);
    throw error;
  }
}

/**
 * Marks failed every 'running' run of this database whose lock no session holds (its process is
 * gone). Returns the ids marked. Cheap: it reads pg_locks and the runs index on status.
 */
export async function reapDeadRuns(db: pg.Pool | pg.PoolClient): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `UPDATE ingest_runs r
        SET status = 'failed', finished_at = now(), error = $3,
            duration_ms = COALESCE(r.duration_ms, (extract(epoch FROM now() - r.started_at) * 1000)::int)
      WHERE r.status = 'running'
        AND NOT EXISTS (
          SELECT 1 FROM pg_locks l
           WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
             AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
             AND l.classid::bigint = $1 AND l.objid::bigint = r.id % $2
        )
      RETURNING r.id`,
    [RUN_LOCK_CLASS, RUN_LOCK_MOD, DEAD_RUN_ERROR],
  );
  return rows.map((r) => r.id);
}
