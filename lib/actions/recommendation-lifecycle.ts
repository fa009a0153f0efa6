/**
 * What the four lifecycle actions (accept, snooze, dismiss, reopen a recommendation) share: their
 * inputs, one zod schema each, named by the forms' fields, and the call into
 * lib/recommendations/lifecycle.ts in one transaction with its audit line. The snooze date's
 * format is checked here; that it lies after today is the lifecycle's rule (the clock is read once).
 */
import { z } from 'zod';
import type { Actor } from '../auth/actor';
import { withTransaction } from '../db/pool';
import { changeRecommendationStatus, type LifecycleChange, LifecycleError, type LifecycleResult } from '../recommendations/lifecycle';
import { DaySchema } from '../schema';
import { ActionError, type ActionResult, type AuditTarget } from './safe-action';

const RecommendationId = z
  .string()
  .trim()
  .regex(/^[1-9]\d{0,17}$/, 'not a recommendation id');

export const RecommendationIdSchema = z.object({ id: RecommendationId });
export const SnoozeRecommendationSchema = z.object({
  id: RecommendationId,
  until: z.string().trim().min(1, 'required').pipe(DaySchema),
});
export const DismissRecommendationSchema = z.object({
  id: RecommendationId,
  reason: z.string().trim().min(1, 'required').max(500, 'at most 500 characters'),
});

/** The audit line of a refused or failed attempt names the recommendation. */
export function lifecycleAudit(action: string): (input: { id: string } | undefined) => AuditTarget {
  return (input) => ({ action, objectType: 'recommendation', objectId: input?.id });
}

const DONE: Record<LifecycleChange['to'], string> = {
  accepted: 'Accepted',
  snoozed: 'Snoozed',
  dismissed: 'Dismissed',
  open: 'Reopened',
};

/** Runs the change in one transaction (the row, its audit line); a refused change becomes the form's message. */
export async function applyLifecycleChange(id: string, change: LifecycleChange, actor: Actor): Promise<ActionResult<LifecycleResult>> {
  const now = new Date();
  try {
    const result = await withTransaction((client) => changeRecommendationStatus(client, { id, change, actor, now }));
    const until = change.to === 'snoozed' ? ` until ${change.until}` : '';
    return { message: `${DONE[change.to]} recommendation ${id}${until}.`, data: result, subject: `recommendation ${id}` };
  } catch (error) {
    if (error instanceof LifecycleError) throw new ActionError(error.message, error.field ? { [error.field]: [error.message] } : {});
    throw error;
  }
}
