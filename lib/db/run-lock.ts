// Runs (ingest runs, connector sync runs) are 'running' only while the process doing them is alive.
// A run's row is inserted on a connection that also takes a session-level advisory lock keyed on
// the run id, and that connection is held until the run is recorded as succeeded or failed. When
// the process dies (kill -9, a crash, a machine reboot), PostgreSQL ends its session and drops the
// lock; reapDeadRuns then marks every 'running' run without its lock as failed. No age is involved,
// so a long run is never reaped and a dead one is reaped as soon as anyone looks.
import type pg from 'pg';

/** The tables whose runs hold a run lock, and what each run row is inserted with. */
export interface LockedRunValues {
  ingest_runs: { source_id: number; file_name: string; format: string; dataset: string | null; bytes: number };
  sync_runs: { source_id: number; trigger: string };
  inventory_runs: { source_id: number; trigger: string };
}
export type LockedRunTable = keyof LockedRunValues;

interface TableSpec {
  /** Advisory lock class (the first int4 key); the object id is the run id. Distinct per table. */
  lockClass: number;
  /** The error a reaped run gets. */
  error: string;
  /** Further SET assignments of the reaping UPDATE (alias r). */
  set: string;
  /** Further statements run on the reaped rows (a CTE named `reaped` with id, source_id, started_at). */
  after: string;
}

const TABLES: Record<LockedRunTable, TableSpec> = {
  ingest_runs: {
    lockClass: 0x72756e73, // 'runs'
    error: 'the ingest process stopped (killed or crashed) before finishing; nothing from this run was stored',
    set: ', duration_ms = COALESCE(r.duration_ms, (extract(epoch FROM now() - r.started_at) * 1000)::int)',
    after: '',
  },
  sync_runs: {
    lockClass: 0x73796e63, // 'sync'
    error:
      'the sync process stopped (killed or crashed) before finishing; deliveries it had finished ingesting are kept, the rest are ingested by the next sync',
    set: '',
    // The source shows it like any failed sync (last status, the failing count), unless a later
    // sync has finished since this one started.
    after: `, source AS (
       UPDATE billing_sources s
          SET last_sync_at = now(), last_sync_status = 'failed', consecutive_failures = s.consecutive_failures + 1
         FROM (SELECT source_id, max(started_at) AS started_at FROM reaped GROUP BY source_id) d
        WHERE s.id = d.source_id AND (s.last_sync_at IS NULL OR s.last_sync_at < d.started_at)
     )`,
  },
  inventory_runs: {
    lockClass: 0x696e7673, // 'invs'
    // One transaction (lib/inventory/sync.ts): a run that died wrote nothing.
    error:
      'the inventory sync stopped (killed or crashed) before finishing; nothing from this run was stored, the next sync fetches its window again',
    set: '',
    after: '',
  },
};

export const LOCKED_RUN_TABLES = Object.keys(TABLES) as LockedRunTable[];

/** Run ids map to the int4 lock key by this modulus (two runs 2^31 ids apart would share a key). */
const RUN_LOCK_MOD = 2147483647;

/** The error text a run of this table gets when its process died. */
export function deadRunError(table: LockedRunTable): string {
  return TABLES[table].error;
}

export interface RunHandle {
  id: string;
  /** Drops the run's lock; call after its final status is written. */
  release: () => Promise<void>;
}

/** Inserts a 'running' run into `table` and holds its lock on a connection of its own until `release()`. */
export async function openLockedRun<T extends LockedRunTable>(pool: pg.Pool, table: T, values: LockedRunValues[T]): Promise<RunHandle> {
  const { lockClass } = TABLES[table];
  // Column names come from the typed keys above, never from input.
  const columns = Object.keys(values);
  const params: unknown[] = Object.values(values);
  const client = await pool.connect();
  try {
    // One statement: the row becomes visible (at commit) with its lock already held, so a reaper
    // never sees a live run unlocked. A session-level lock outlives the statement's transaction.
    const { rows } = await client.query<{ id: string }>(
      `WITH run AS (
         INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id
       )
       SELECT id, pg_advisory_lock($${columns.length + 1}, (id % $${columns.length + 2})::int) FROM run`,
      [...params, lockClass, RUN_LOCK_MOD],
    );
    const id = rows[0]?.id;
    if (id === undefined) throw new Error(`could not record the run in ${table}`);
    let released = false;
    return {
      id,
      release: async () => {
        if (released) return;
        released = true;
        try {
          await client.query('SELECT pg_advisory_unlock($1, ($2::bigint % $3)::int)', [lockClass, id, RUN_LOCK_MOD]);
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
 * Marks failed every 'running' run of `table` in this database whose lock no session holds (its
 * process is gone). Returns the ids marked. Cheap: it reads pg_locks and the runs with status 'running'.
 */
export async function reapDeadRuns(db: pg.Pool | pg.PoolClient, table: LockedRunTable): Promise<string[]> {
  const spec = TABLES[table];
  const { rows } = await db.query<{ id: string }>(
    `WITH reaped AS (
       UPDATE ${table} r
          SET status = 'failed', finished_at = now(), error = $3${spec.set}
        WHERE r.status = 'running'
          AND NOT EXISTS (
            SELECT 1 FROM pg_locks l
             WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
               AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
               AND l.classid::bigint = $1 AND l.objid::bigint = r.id % $2
          )
        RETURNING r.id, r.source_id, r.started_at
     )${spec.after}
     SELECT id FROM reaped`,
    [spec.lockClass, RUN_LOCK_MOD, spec.error],
  );
  return rows.map((r) => r.id);
}
