/**
 * The data version and the answers cached for it (issue 10, serving many readers).
 *
 * Data changes only when an ingest, a tag rule, a month close, an FX load, an invoice total or a
 * recommendations run (…) commits. Each such write calls `bumpDataVersion(client, reason)` in its
 * own transaction, last, just before COMMIT: the `data_version` row (migration 0024) then changes
 * exactly when the data does, and every server process sees it on its next read, however many
 * processes share the database. Readers wrap a query in `cachedAnswer(name, input, compute)`: the
 * answer is computed once per (data version, name, input) and shared by every request until the
 * version moves on.
 *
 * - The version is read once per page render (React's per-request `cache`), and reads that overlap
 *   share one query; so a whole page is answered from one version.
 * - An answer computed from one version is never served for another. An answer that failed is not
 *   kept (the next request computes it again); concurrent requests for the same missing answer
 *   share one computation.
 * - The cache is process-local and bounded (BURNRATE_ANSWER_CACHE_MB, least recently used first
 *   out); BURNRATE_ANSWER_CACHE=0 turns it off (every call computes: `npm run bench:web`'s baseline).
 * - Whatever an answer depends on must be in `input`: the user-visible parameters, "today" where
 *   the answer depends on it, the user or role where it does. Answers are shared between users,
 *   so pages keep authorizing every request themselves (requirePage), before asking.
 * - Only answers read through the process's pool are cached: a query on a transaction's client
 *   may see that transaction's uncommitted writes.
 * - Cached answers are shared objects, frozen: callers copy before they change anything.
 */
import type pg from 'pg';
import { cache } from 'react';
import { getPool } from '../db/pool';
import { readEnv } from '../env';

/** What `bumpDataVersion` can write through: a pg client in a transaction, or a Prisma transaction. */
export type DataVersionWriter =
  | Pick<pg.PoolClient, 'query'>
  | { $executeRaw(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<number> };

/** Why the data changed, for the row (and a person reading it): 'ingest', 'tag-rule', 'close', … */
export type DataChangeReason = string;

/**
 * Marks the data as changed, in the caller's transaction: call it last, just before COMMIT (the row
 * lock it takes serializes writers from here to their COMMIT). Outside a transaction it commits at
 * once, before the change it announces is visible: the cache could then keep an answer computed
 * from the old data under the new version.
 */
export async function bumpDataVersion(client: DataVersionWriter, reason: DataChangeReason): Promise<void> {
  const why = reason.slice(0, 200) || 'unspecified';
  if ('query' in client) {
    await client.query('UPDATE data_version SET version = version + 1, changed_at = now(), reason = $1', [why]);
  } else {
    await client.$executeRaw`UPDATE data_version SET version = version + 1, changed_at = now(), reason = ${why}`;
  }
}

export interface DataVersion {
  /** Drawn once per database: answers of another database are never reused. */
  epoch: string;
  version: string;
  changedAt: Date;
  reason: string;
}

/** The version as stored now (one query). */
export async function readDataVersion(db: pg.Pool | pg.PoolClient = getPool()): Promise<DataVersion> {
  const { rows } = await db.query<{ epoch: string; version: string; changed_at: Date; reason: string }>(
    'SELECT epoch, version::text AS version, changed_at, reason FROM data_version',
  );
  const row = rows[0];
  if (!row) throw new Error('data_version has no row: apply the migrations (npm run db:migrate)');
  return { epoch: row.epoch, version: row.version, changedAt: row.changed_at, reason: row.reason };
}

interface Settings {
  enabled: boolean;
  maxBytes: number;
}

let settings: Settings | undefined;
function cacheSettings(): Settings {
  if (!settings) {
    const env = readEnv();
    settings = { enabled: env.BURNRATE_ANSWER_CACHE, maxBytes: env.BURNRATE_ANSWER_CACHE_MB * 1024 * 1024 };
  }
  return settings;
}

/** Reads that overlap share one query: a read begun while another is in flight waits for that one. */
let inFlight: Promise<string> | null = null;
function coalescedVersionKey(): Promise<string> {
  if (!inFlight) {
    const read = readDataVersion().then((v) => `${v.epoch}:${v.version}`);
    inFlight = read;
    const clear = () => {
      if (inFlight === read) inFlight = null;
    };
    read.then(clear, clear);
  }
  return inFlight;
}

// One read per server render: every panel of a page answers from the same version. Outside a
// React server render (tests, shell commands) cache() does not memoize and each call reads.
const versionKeyOfRequest = cache(coalescedVersionKey);

interface Entry {
  version: string;
  promise: Promise<unknown>;
  /** Estimated once the answer arrived (UTF-16 bytes of its JSON). */
  bytes: number;
}

// Insertion order is recency order: a hit moves its entry to the end; the first entries go first.
const entries = new Map<string, Entry>();
let totalBytes = 0;
let latestVersion: string | null = null;
const counters = { hits: 0, misses: 0, computeErrors: 0, evictions: 0 };

function drop(key: string, entry: Entry): void {
  if (entries.get(key) !== entry) return;
  entries.delete(key);
  totalBytes -= entry.bytes;
}

/** A newer version makes every answer of the older ones useless: drop them at once. */
function noteVersion(version: string): void {
  if (version === latestVersion) return;
  latestVersion = version;
  for (const [key, entry] of entries) if (entry.version !== version) drop(key, entry);
}

function evictOverBudget(maxBytes: number): void {
  for (const [key, entry] of entries) {
    if (totalBytes <= maxBytes) return;
    if (entry.bytes === 0) continue; // still computing: its size is not known yet
    drop(key, entry);
    counters.evictions += 1;
  }
}

function estimateBytes(value: unknown): number {
  try {
    return 2 * (JSON.stringify(value)?.length ?? 16) + 64;
  } catch {
    return 64 * 1024;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** JSON with object keys sorted, so the same input always makes the same key. */
function stableKey(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return typeof v === 'bigint' ? `${v}n` : v;
  });
}

/**
 * The answer `compute` gives for `input`, computed once per data version and shared until the data
 * changes. `name` names the question (one per query function); `input` must hold everything the
 * answer depends on besides the data (see the header).
 */
export async function cachedAnswer<T>(name: string, input: unknown, compute: () => Promise<T>): Promise<T> {
  const { enabled, maxBytes } = cacheSettings();
  if (!enabled) return compute();
  const version = await versionKeyOfRequest();
  noteVersion(version);
  const key = `${version}\u0000${name}\u0000${stableKey(input)}`;
  const hit = entries.get(key);
  if (hit) {
    counters.hits += 1;
    entries.delete(key);
    entries.set(key, hit);
    return hit.promise as Promise<T>;
  }
  counters.misses += 1;
  const entry: Entry = { version, promise: Promise.resolve(), bytes: 0 };
  entry.promise = compute().then(
    (value) => {
      if (entries.get(key) === entry) {
        entry.bytes = estimateBytes(value);
        totalBytes += entry.bytes;
        evictOverBudget(maxBytes);
      }
      return deepFreeze(value);
    },
    (error: unknown) => {
      // Never kept: the next request tries again.
      counters.computeErrors += 1;
      drop(key, entry);
      throw error;
    },
  );
  entries.set(key, entry);
  return entry.promise as Promise<T>;
}

/** Whether answers read through `db` may be cached: the process's pool only, never a transaction's client. */
export function isSharedPool(db: pg.Pool | pg.PoolClient): boolean {
  return db === getPool();
}

/** The cache's state, for tests and diagnostics. */
export function answerCacheStats(): { entries: number; bytes: number; version: string | null } & typeof counters {
  return { entries: entries.size, bytes: totalBytes, version: latestVersion, ...counters };
}

/** Empties the cache and forgets the settings (tests change BURNRATE_ANSWER_CACHE between cases). */
export function resetAnswerCache(): void {
  entries.clear();
  totalBytes = 0;
  latestVersion = null;
  inFlight = null;
  settings = undefined;
  for (const k of Object.keys(counters) as (keyof typeof counters)[]) counters[k] = 0;
}
