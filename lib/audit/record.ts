import type pg from 'pg';
import type { Actor } from '../auth/actor';
import { redact } from './redact';

/**
 * Writes one line of the audit trail (migration 0009's append-only `audit_log`). Pass the
 * transaction's client when the change is transactional, so the line commits or rolls back with
 * the change it records; a Pool otherwise (a queued job, a connection test).
 *
 * Who records what: an action's handler records its own success (outcome 'ok', with before/after);
 * lib/actions/safe-action.ts records the attempts that did not happen ('refused': the role may not,
 * or the action said no with a message for the user) and those that broke ('failed').
 */

export const AUDIT_OUTCOMES = ['ok', 'refused', 'failed'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** Dotted verbs, object first: 'source.update', 'auth.sign_in_failed'. The table's CHECK says the same. */
export const AUDIT_ACTION_PATTERN = /^[a-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$/;

export interface AuditEntry {
  actor: Actor;
  action: string;
  objectType?: string;
  objectId?: string | number | bigint;
  outcome?: AuditOutcome;
  /** The object before and after the change; both are redacted (lib/audit/redact.ts). */
  before?: unknown;
  after?: unknown;
  /** Anything else worth reading later (changed fields, a reason, a job id); redacted too. */
  detail?: unknown;
}

export type AuditDb = pg.Pool | pg.PoolClient | pg.Client;

export interface ActorColumns {
  actorKind: Actor['kind'];
  actorUserId: string | null;
  actorEmail: string | null;
  actorDetail: string | null;
  ip: string | null;
}

/** How an Actor is stored: its kind, the user's id and email, the one other thing that names it, the address. */
export function actorColumns(actor: Actor): ActorColumns {
  switch (actor.kind) {
    case 'user':
      return {
        actorKind: 'user',
        actorUserId: actor.userId,
        actorEmail: actor.email,
        actorDetail: actor.via === 'api-token' ? 'api-token' : null,
        ip: actor.ip,
      };
    case 'anonymous':
      return { actorKind: 'anonymous', actorUserId: null, actorEmail: null, actorDetail: null, ip: actor.ip };
    case 'cli':
      return { actorKind: 'cli', actorUserId: null, actorEmail: null, actorDetail: actor.osUser, ip: null };
    case 'system':
      return { actorKind: 'system', actorUserId: null, actorEmail: null, actorDetail: actor.component, ip: null };
  }
}

function jsonParam(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(redact(value));
}

/** Inserts the line; returns its id (a decimal string: bigserial). */
export async function recordAudit(db: AuditDb, entry: AuditEntry): Promise<string> {
  if (!AUDIT_ACTION_PATTERN.test(entry.action)) {
    throw new Error(`audit action "${entry.action}" is not a dotted verb such as "source.update"`);
  }
  const who = actorColumns(entry.actor);
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO audit_log
       (actor_kind, actor_user_id, actor_email, actor_detail, ip, action, object_type, object_id, outcome, before, after, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::jsonb, $12::jsonb)
     RETURNING id`,
    [
      who.actorKind,
      who.actorUserId,
      who.actorEmail,
      who.actorDetail,
      who.ip,
      entry.action,
      entry.objectType ?? null,
      entry.objectId === undefined ? null : String(entry.objectId),
      entry.outcome ?? 'ok',
      jsonParam(entry.before),
      jsonParam(entry.after),
      jsonParam(entry.detail),
    ],
  );
  const id = rows[0]?.id;
  if (id === undefined) throw new Error('audit_log insert returned no id');
  return id;
}
