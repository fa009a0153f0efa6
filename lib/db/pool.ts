import pg from 'pg';
import { requireDatabaseUrl } from '../env';

// DATE columns stay 'YYYY-MM-DD' strings: turning them into local-midnight Dates shifts days across
// time zones. numeric and int8 already arrive as strings, which keeps money exact.
pg.types.setTypeParser(pg.types.builtins.DATE, (v: string) => v);

const globalForPool = globalThis as unknown as { burnratePool?: pg.Pool; burnratePoolUrl?: string };

/** The one pg pool of the process (COPY streams, SQL aggregates, the migration runner). */
export function getPool(): pg.Pool {
  const url = requireDatabaseUrl();
  if (!globalForPool.burnratePool || globalForPool.burnratePoolUrl !== url) {
    const pool = new pg.Pool({ connectionString: url, max: 8, application_name: 'burnrate' });
    // An idle connection dropped by the server (restart, Ctrl-C reaching PostgreSQL first) must
    // not crash the process; the next query opens a new one.
    // A connection being closed by closePool() that the server drops first is expected, not news.
    pool.on('error', (error) => {
      if (!pool.ending) console.error(`[burnrate] database connection lost: ${error.message}`);
    });
    // A connection that is checked out but between queries has no listener of pg-pool's: its
    // termination (the server stopping under Ctrl-C) would crash the process with a stack trace.
    // The error still reaches whoever uses the client next ("Client was closed and is not queryable").
    pool.on('connect', (client) => client.on('error', () => {}));
    globalForPool.burnratePool = pool;
    globalForPool.burnratePoolUrl = url;
  }
  return globalForPool.burnratePool;
}

export async function closePool(): Promise<void> {
  const pool = globalForPool.burnratePool;
  globalForPool.burnratePool = undefined;
  globalForPool.burnratePoolUrl = undefined;
  if (pool) await pool.end();
}

/** Runs `fn` in one transaction on one connection; rolls back on any error. */
export async function withTransaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await getPool().connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
