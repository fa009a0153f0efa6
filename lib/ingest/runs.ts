// Ingest run bookkeeping shared by the pipeline and the supporting FOCUS datasets' ingest: the
// billing source a file's rows belong to, and the run recorded for it (held by its run lock while
// the ingest lives; see lib/db/run-lock.ts).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type pg from 'pg';
import { openLockedRun, type RunHandle } from '../db/run-lock';

/** The billing source's id, created (with this provider) if the name is new. */
export async function upsertSource(pool: pg.Pool, name: string, provider: string): Promise<number> {
  const { rows } = await pool.query<{ id: number }>(
    `INSERT INTO billing_sources (name, provider) VALUES ($1, $2)
     ON CONFLICT (name) DO UPDATE SET updated_at = billing_sources.updated_at
     RETURNING id`,
    [name, provider],
  );
  const id = rows[0]?.id;
  if (id === undefined) throw new Error(`could not create billing source ${name}`);
  return id;
}

/** A FOCUS provider name as billing_sources.provider spells providers (lower case, dashes); 'focus' when there is none. */
export function providerSlug(name: string | null | undefined): string {
  return name ? name.toLowerCase().replace(/\s+/g, '-') : 'focus';
}

/** How a run names its files: the first, and how many parts follow it. */
export function runFileName(files: readonly string[]): string {
  return files.length === 1 ? (files[0] as string) : `${files[0]} (+${files.length - 1} more parts)`;
}

/** The files' total size in bytes. */
export async function totalBytes(files: readonly string[]): Promise<number> {
  let bytes = 0;
  for (const f of files) bytes += (await stat(f)).size;
  return bytes;
}

/** Records a 'running' run of these files, held (its lock) until `release()`. */
export async function startRun(
  pool: pg.Pool,
  sourceId: number,
  files: string[],
  format: string,
  dataset: string | null,
): Promise<RunHandle> {
  const bytes = await totalBytes(files);
  return openLockedRun(pool, 'ingest_runs', { source_id: sourceId, file_name: runFileName(files), format, dataset, bytes });
}

/** The run's checksum of a one-file ingest. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
