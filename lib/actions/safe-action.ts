/**
 * The one wrapper every server action goes through: read the form, validate it with the action's
 * zod schema (issues become per-field messages), run the handler, revalidate the pages it changed,
 * and log a line. An ActionError is a message for the user; any other error is logged (its message
 * only, never the input: forms carry credentials) and reported as a failure without internals.
 *
 * Audit trail (lib/audit/record.ts): a handler records its own success, in the transaction of its
 * change; this wrapper records the attempts that did not happen or broke — refused by the
 * permission table, refused by the handler (an ActionError: outcome 'refused', or 'failed' when the
 * error says so) and failed (any other error; the line carries the log's ref) — under the action's
 * `audit` name. Input that fails validation is a typing mistake, not an attempt, and is not recorded.
 *
 * Authorization: before anything else, the request's user (session cookie) must hold a role the
 * permission table (lib/auth/permissions.ts) lists for the action's name; an action without an
 * entry is refused. The handler gets that user as `ctx.actor`, for the audit trail.
 */

import { randomUUID } from 'node:crypto';
import { revalidatePath } from 'next/cache';
import { redirect, unstable_rethrow } from 'next/navigation';
import type { z } from 'zod';
import { type AuditOutcome, recordAudit } from '../audit/record';
import type { Actor } from '../auth/actor';
import { type ActionKey, can, isPublic } from '../auth/permissions';
import { currentActor } from '../auth/session';
import { getPool } from '../db/pool';

export type FieldErrors = Record<string, string[]>;

/** What a form shows after an action: `at` makes two identical results distinct (a repeated message re-announces). */
export type ActionState<T = null> =
  | { status: 'idle' }
  | { status: 'success'; message: string; data: T; at: number }
  | { status: 'error'; message: string; fieldErrors: FieldErrors; at: number; code?: 'UNAUTHENTICATED' | 'FORBIDDEN' };

export const IDLE: { status: 'idle' } = { status: 'idle' };

/** A failure the user can act on: shown as is, optionally next to fields. */
export class ActionError extends Error {
  constructor(
    message: string,
    readonly fieldErrors: FieldErrors = {},
    /** How the audit trail records it: 'refused' (the action said no), or 'failed' (it tried, e.g. a connection test). */
    readonly auditOutcome: 'refused' | 'failed' = 'refused',
  ) {
    super(message);
    this.name = 'ActionError';
  }
}

export interface ActionResult<T> {
  message: string;
  data: T;
  /** What the audit line names (e.g. "source 12"); never input values. */
  subject?: string;
}

/** What the audit trail names for an attempt of the action: 'source.update' on source 12. */
export interface AuditTarget {
  action: string;
  objectType?: string;
  objectId?: string | number;
}

export interface ActionContext {
  /** Who runs the action: the signed-in user (anonymous only for public actions such as sign-in). */
  actor: Actor;
}

interface FormActionDefinition<S extends z.ZodType, T> {
  /** The action's entry in lib/auth/permissions.ts. */
  name: ActionKey;
  schema: S;
  /** FormData → the schema's input. Default: the form's string entries as an object. */
  fromForm?: (form: FormData) => unknown;
  handler: (input: z.output<S>, ctx: ActionContext) => Promise<ActionResult<T>>;
  /** Paths whose rendering depends on what the action changes. */
  revalidate?: readonly string[];
  /** Where to go after success (e.g. the page of what was created, the list after a delete); null: stay. */
  redirect?: (data: NoInfer<T>) => string | null;
  /**
   * The audit line of a refused or failed attempt; `input` is undefined when the form did not
   * validate (a refusal by role comes before validation). Default: `action.<name>`, no object.
   */
  audit?: (input: z.output<S> | undefined) => AuditTarget;
}

/** The message zod gives for a rule, made readable where its default is generic. */
export function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) return 'required';
  if (issue.code === 'too_small' && issue.origin === 'string' && Number(issue.minimum) === 1) return 'required';
  return issue.message;
}

export function fieldErrorsOf(issues: readonly z.core.$ZodIssue[]): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of issues) {
    const key = issue.path.map(String).join('.') || '_form';
    const list = out[key] ?? [];
    const message = issueMessage(issue);
    if (!list.includes(message)) list.push(message);
    out[key] = list;
  }
  return out;
}

function defaultFromForm(form: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of form.entries()) {
    // React adds $ACTION_* entries to progressively enhanced forms.
    if (typeof value === 'string' && !key.startsWith('$ACTION')) out[key] = value;
  }
  return out;
}

function audit(name: string, outcome: string, subject?: string): void {
  console.info(`[burnrate] action ${name}${subject ? ` ${subject}` : ''}: ${outcome}`);
}

/**
 * Records an attempt that changed nothing (the handler's transaction, if any, rolled back). A
 * failure to record is logged, not thrown: the user's answer is already decided.
 */
async function recordAttempt<S extends z.ZodType, T>(
  def: FormActionDefinition<S, T>,
  input: z.output<S> | undefined,
  actor: ActionContext['actor'],
  outcome: Exclude<AuditOutcome, 'ok'>,
  detail: Record<string, string>,
): Promise<void> {
  const target = def.audit?.(input) ?? { action: `action.${def.name}` };
  try {
    await recordAudit(getPool(), { actor, ...target, outcome, detail });
  } catch (error) {
    console.error(
      `[burnrate] action ${def.name}: the audit line (${outcome}) was not written: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

export function formAction<S extends z.ZodType, T>(
  def: FormActionDefinition<S, T>,
): (prev: ActionState<T>, form: FormData) => Promise<ActionState<T>> {
  return async (_prev, form) => {
    const at = Date.now();
    const actor = await currentActor();
    const role = actor.kind === 'user' ? actor.role : null;
    if (!can(role, 'action', def.name)) {
      audit(def.name, `refused (${role ?? 'not signed in'})`);
      // Parsed only to name what was attempted in the audit line; nothing else reads it.
      const attempted = def.schema.safeParse((def.fromForm ?? defaultFromForm)(form));
      await recordAttempt(def, attempted.success ? attempted.data : undefined, actor, 'refused', {
        reason: role === null ? 'not signed in' : `the ${role} role may not run ${def.name}`,
      });
      if (role === null && !isPublic('action', def.name)) {
        return {
          status: 'error',
          message: 'Your session has ended. Sign in again, then retry.',
          fieldErrors: {},
          at,
          code: 'UNAUTHENTICATED',
        };
      }
      return { status: 'error', message: `Your role (${role}) does not allow this. Ask an admin.`, fieldErrors: {}, at, code: 'FORBIDDEN' };
    }
    const parsed = def.schema.safeParse((def.fromForm ?? defaultFromForm)(form));
    if (!parsed.success) {
      const fieldErrors = fieldErrorsOf(parsed.error.issues);
      const fields = Object.keys(fieldErrors).length;
      return {
        status: 'error',
        message: fields === 1 ? 'One field needs attention.' : `${fields} fields need attention.`,
        fieldErrors,
        at,
      };
    }
    let result: ActionResult<T>;
    try {
      result = await def.handler(parsed.data, { actor });
      for (const path of def.revalidate ?? []) revalidatePath(path, 'layout');
      audit(def.name, 'ok', result.subject);
    } catch (error) {
      unstable_rethrow(error);
      if (error instanceof ActionError) {
        audit(def.name, error.auditOutcome);
        await recordAttempt(def, parsed.data, actor, error.auditOutcome, { message: error.message });
        return { status: 'error', message: error.message, fieldErrors: error.fieldErrors, at };
      }
      const ref = randomUUID().slice(0, 8);
      console.error(`[burnrate] action ${def.name} failed (ref ${ref}): ${error instanceof Error ? error.message : String(error)}`);
      await recordAttempt(def, parsed.data, actor, 'failed', { ref });
      return {
        status: 'error',
        message: `The change could not be saved because of a server error (ref ${ref}; details are in the server log). Try again.`,
        fieldErrors: {},
        at,
      };
    }
    // Outside the try: redirect() throws Next's navigation signal. The revalidated page the
    // action would otherwise re-render may no longer exist (a deleted source).
    const target = def.redirect?.(result.data);
    if (target) redirect(target);
    return { status: 'success', message: result.message, data: result.data, at };
  };
}
