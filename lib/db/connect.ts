import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readEnv } from '../env';
import { EMBEDDED_MARKER } from '../secrets';
import { embeddedClusterDir, startEmbeddedPostgres } from './embedded';
import { migrate } from './migrate';

export interface ResolvedDatabase {
  url: string;
  /** What the database is, for a log line (never includes the password). */
  description: string;
  embedded: boolean;
  stop: () => Promise<void>;
}

/** The URL of an embedded PostgreSQL that `npm start` is running on this data directory, if any. */
export function runningEmbeddedUrl(dataDir: string): string | null {
  const root = path.resolve(dataDir);
  const pidFile = path.join(embeddedClusterDir(root), 'postmaster.pid');
  const secretFile = path.join(root, 'pg-password');
  if (!existsSync(pidFile) || !existsSync(secretFile)) return null;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  try {
    process.kill(pid, 0);
  } catch {
    return null;
  }
  if (!port) return null;
  const password = readFileSync(secretFile, 'utf8').trim();
  return `postgresql://burnrate:${password}@127.0.0.1:${port}/burnrate`;
}

/**
 * DATABASE_URL when set; otherwise the embedded PostgreSQL under BURNRATE_DATA_DIR, reusing the one
 * a running `npm start` owns or starting it. Pending migrations are applied either way.
 */
export async function resolveDatabase(log: (line: string) => void = () => {}): Promise<ResolvedDatabase> {
  const env = readEnv();
  if (env.DATABASE_URL) {
    await migrate(env.DATABASE_URL, { log });
    return { url: env.DATABASE_URL, description: 'DATABASE_URL', embedded: false, stop: async () => {} };
  }
  // Child processes (the web server) inherit this: lib/secrets.ts keeps its key beside the embedded data.
  process.env[EMBEDDED_MARKER] = '1';
  const running = runningEmbeddedUrl(env.BURNRATE_DATA_DIR);
  if (running) {
    await migrate(running, { log });
    return {
      url: running,
      description: `embedded PostgreSQL (already running, ${env.BURNRATE_DATA_DIR})`,
      embedded: true,
      stop: async () => {},
    };
  }
  const db = await startEmbeddedPostgres({ dataDir: env.BURNRATE_DATA_DIR });
  try {
    await migrate(db.url, { log });
  } catch (error) {
    await db.stop();
    throw error;
  }
  const dataDir = path.resolve(env.BURNRATE_DATA_DIR);
  const placed = !db.clusterDir.startsWith(`${dataDir}${path.sep}`);
  return {
    url: db.url,
    description: `embedded PostgreSQL 127.0.0.1:${db.port} (data in ${dataDir}${placed ? `; cluster in ${db.clusterDir}, where the postgres user can reach it` : ''})`,
    embedded: true,
    stop: db.stop,
  };
}
