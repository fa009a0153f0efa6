import type pg from 'pg';
import { addDays } from '../calendar';
import { getPool } from '../db/pool';
import { DaySchema, type RawSearchParams } from '../schema';
import { AUDIT_OUTCOMES, type AuditOutcome } from './record';
import type { JsonValue } from './redact';

/**
 * Reads the audit trail for /audit and its CSV export: newest first, filtered, paged by keyset
 * (at, id) so a page costs the same at any depth and lines written meanwhile do not shift it.
 */

export interface AuditFilters {
  /** A user id or an email (any case). */
  actor?: string;
  /** An exact action ('source.update'), or a prefix when it ends with '.' or '*' ('source.', 'auth.sign_in*'). */
  action?: string;
  objectType?: string;
  objectId?: string;
  outcome?: AuditOutcome;
  /** Inclusive UTC days, 'YYYY-MM-DD'. */
  from?: string;
  to?: string;
}

export interface AuditRow {
  id: string;
  at: Date;
  actorKind: 'user' | 'anonymous' | 'cli' | 'system';
  actorUserId: string | null;
  actorEmail: string | null;
  actorDetail: string | null;
  ip: string | null;
  action: string;
  objectType: string | null;
  objectId: string | null;
  outcome: AuditOutcome;
  before: JsonValue | null;
  after: JsonValue | null;
  detail: JsonValue | null;
}

export interface AuditPage {
  rows: AuditRow[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export const AUDIT_PAGE_SIZE = 50;
export const AUDIT_MAX_PAGE_SIZE = 1000;

// The cursor carries `at` to the microsecond (a JS Date would round it to the millisecond and skip
// or repeat lines written within one millisecond) and the id that breaks ties.
const CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)~(\d{1,19})$/;

function parseCursor(cursor: string): { at: string; id: string } {
  const m = CURSOR.exec(cursor);
  if (!m) throw new Error(`audit cursor "${cursor}" is not a cursor this page gave`);
  return { at: m[1] as string, id: m[2] as string };
}

/** LIKE's wildcards in a literal prefix, escaped (with LIKE's default escape character, backslash). */
function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function actionMatch(action: string | undefined): { exact: string | null; like: string | null } {
  if (action === undefined) return { exact: null, like: null };
  if (action.endsWith('*')) return { exact: null, like: likePrefix(action.slice(0, -1)) };
  if (action.endsWith('.')) return { exact: null, like: likePrefix(action) };
  return { exact: action, like: null };
}

interface Row {
  id: string;
  at: Date;
  at_key: string;
  actor_kind: AuditRow['actorKind'];
  actor_user_id: string | null;
  actor_email: string | null;
  actor_detail: string | null;
  ip: string | null;
  action: string;
  object_type: string | null;
  object_id: string | null;
  outcome: AuditOutcome;
  before: JsonValue | null;
  after: JsonValue | null;
  detail: JsonValue | null;
}

/**
 * One page of lines, newest first. One fixed statement: an absent filter is a null parameter that
 * PostgreSQL folds away when it plans the (unnamed, so per-call) statement with the values.
 */
export async function queryAudit(
  filters: AuditFilters,
  options: { cursor?: string | null; limit?: number; db?: pg.Pool | pg.PoolClient } = {},
): Promise<AuditPage> {
  const limit = Math.min(Math.max(1, Math.trunc(options.limit ?? AUDIT_PAGE_SIZE)), AUDIT_MAX_PAGE_SIZE);
  const after = options.cursor ? parseCursor(options.cursor) : null;
  const action = actionMatch(filters.action);
  const { rows } = await (options.db ?? getPool()).query<Row>(
    `SELECT id, at, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_key,
            actor_kind, actor_user_id, actor_email, actor_detail, ip, action, object_type, object_id, outcome,
            before, after, detail
       FROM audit_log
      WHERE ($1::text IS NULL OR actor_user_id = $1 OR actor_email = lower($1))
        AND ($2::text IS NULL OR action = $2)
        AND ($3::text IS NULL OR action LIKE $3)
        AND ($4::text IS NULL OR object_type = $4)
        AND ($5::text IS NULL OR object_id = $5)
        AND ($6::text IS NULL OR outcome = $6)
        AND ($7::date IS NULL OR at >= $7::date::timestamp AT TIME ZONE 'UTC')
        AND ($8::date IS NULL OR at < $8::date::timestamp AT TIME ZONE 'UTC')
        AND ($9::timestamptz IS NULL OR (at, id) < ($9::timestamptz, $10::bigint))
      ORDER BY at DESC, id DESC
      LIMIT $11`,
    [
      filters.actor ?? null,
      action.exact,
      action.like,
      filters.objectType ?? null,
      filters.objectId ?? null,
      filters.outcome ?? null,
      filters.from ?? null,
      filters.to === undefined ? null : addDays(filters.to, 1),
      after?.at ?? null,
      after?.id ?? null,
      limit + 1,
    ],
  );
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    rows: page.map((r) => ({
      id: r.id,
      at: r.at,
      actorKind: r.actor_kind,
      actorUserId: r.actor_user_id,
      actorEmail: r.actor_email,
      actorDetail: r.actor_detail,
      ip: r.ip,
      action: r.action,
      objectType: r.object_type,
      objectId: r.object_id,
      outcome: r.outcome,
      before: r.before,
      after: r.after,
      detail: r.detail,
    })),
    nextCursor: rows.length > limit && last ? `${last.at_key}~${last.id}` : null,
  };
}

/** Every matching line, newest first, a page at a time (the CSV export streams these). */
export async function* allAuditRows(filters: AuditFilters, pageSize = AUDIT_MAX_PAGE_SIZE): AsyncGenerator<AuditRow> {
  let cursor: string | null = null;
  do {
    const page: AuditPage = await queryAudit(filters, { cursor, limit: pageSize });
    yield* page.rows;
    cursor = page.nextCursor;
  } while (cursor !== null);
}

export interface AuditSearch {
  filters: AuditFilters;
  cursor: string | null;
  /** One phrase per parameter that was left out, for the page to show and the CSV route to refuse. */
  problems: string[];
}

function single(raw: RawSearchParams, key: string): string | undefined {
  const v = raw[key];
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined || first.trim() === '' ? undefined : first.trim();
}

const TEXT_LIMIT = 320;

/**
 * The /audit URL's filters (`actor`, `action`, `objectType`, `objectId`, `outcome`, `from`, `to`,
 * `cursor`), shared by the page and the CSV route. Never throws: a bad value is named in
 * `problems` (a phrase each) and left out, so a mistyped link still shows the trail; the CSV route
 * refuses it instead.
 */
export function parseAuditSearchParams(raw: RawSearchParams): AuditSearch {
  const problems: string[] = [];
  const filters: AuditFilters = {};
  for (const key of ['actor', 'objectType', 'objectId'] as const) {
    const value = single(raw, key);
    if (value === undefined) continue;
    if (value.length > TEXT_LIMIT) problems.push(`${key} is longer than ${TEXT_LIMIT} characters`);
    else filters[key] = value;
  }
  const action = single(raw, 'action');
  if (action !== undefined) {
    if (/^[A-Za-z0-9_.]{1,100}\*?$/.test(action)) filters.action = action;
    else
      problems.push(
        `action=${action.slice(0, 100)} is not an action name or prefix (letters, digits, _ and ., e.g. source. or source.update)`,
      );
  }
  const outcome = single(raw, 'outcome');
  if (outcome !== undefined) {
    if ((AUDIT_OUTCOMES as readonly string[]).includes(outcome)) filters.outcome = outcome as AuditOutcome;
    else problems.push(`outcome=${outcome.slice(0, 20)} is not one of ${AUDIT_OUTCOMES.join(', ')}`);
  }
  for (const key of ['from', 'to'] as const) {
    const value = single(raw, key);
    if (value === undefined) continue;
    const parsed = DaySchema.safeParse(value);
    if (parsed.success) filters[key] = parsed.data;
    else problems.push(`${key}=${value.slice(0, 20)} must be a date written YYYY-MM-DD`);
  }
  if (filters.from !== undefined && filters.to !== undefined && filters.from > filters.to) {
    problems.push(`from (${filters.from}) is after to (${filters.to})`);
    delete filters.from;
    delete filters.to;
  }
  let cursor: string | null = null;
  const rawCursor = single(raw, 'cursor');
  if (rawCursor !== undefined) {
    if (CURSOR.test(rawCursor)) cursor = rawCursor;
    else problems.push('cursor is not a page link this page gave');
  }
  return { filters, cursor, problems };
}

/** The URL search string of a set of filters (and a cursor), for links and the CSV link. */
export function auditSearchString(filters: AuditFilters, cursor?: string | null): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value !== undefined) params.set(key, value);
  if (cursor) params.set('cursor', cursor);
  const s = params.toString();
  return s ? `?${s}` : '';
}
