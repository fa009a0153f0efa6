import type pg from 'pg';
import { recordAudit } from '../audit/record';
import type { Actor } from '../auth/actor';
import { bumpDataVersion } from '../cache/data-version';
import { utcToday } from '../calendar';
import { trimDecimal } from '../decimal';
import { computeRealizedSavings } from './engine';
import type { RecommendationStatus } from './types';

/**
 * The status changes people make (engineers and admins, through lib/actions/*-recommendation.ts):
 * accept, snooze until a date, dismiss with a reason, reopen. Resolution is the engine's, when
 * later data shows the change. Each change locks the row, checks the transition, writes the new
 * status and its audit line in the caller's transaction, so the line commits with the change.
 *
 * Accepting records when and by whom (accepted_at/accepted_by, which realized savings start from)
 * and the baseline: the resource's cost per day over the 30 days before, computed by the engine's
 * own realized-savings step (computeRealizedSavings) so the page and every recompute agree. Each
 * change holds the engine's lock, so a recompute never writes over a status it read before it.
 */

export type LifecycleChange = { to: 'accepted' } | { to: 'snoozed'; until: string } | { to: 'dismissed'; reason: string } | { to: 'open' };

export const LIFECYCLE_AUDIT_ACTIONS = {
  accepted: 'recommendation.accept',
  snoozed: 'recommendation.snooze',
  dismissed: 'recommendation.dismiss',
  open: 'recommendation.reopen',
} as const satisfies Record<LifecycleChange['to'], string>;

/** From which statuses each change may be made. Resolved ones are the data's verdict: nothing to change. */
const ALLOWED_FROM: Record<LifecycleChange['to'], readonly RecommendationStatus[]> = {
  accepted: ['open', 'snoozed'],
  snoozed: ['open', 'snoozed'],
  dismissed: ['open', 'snoozed'],
  open: ['accepted', 'snoozed', 'dismissed'],
};

/** A change that cannot be made, with the sentence the user reads. */
export class LifecycleError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'LifecycleError';
  }
}

interface Row {
  id: string;
  kind: string;
  provider: string;
  resource_id: string;
  status: RecommendationStatus;
  snoozed_until: string | null;
  dismiss_reason: string | null;
  currency: string | null;
  baseline_daily_cost: string | null;
}

function view(r: Pick<Row, 'status' | 'snoozed_until' | 'dismiss_reason' | 'baseline_daily_cost'>) {
  return {
    status: r.status,
    snoozedUntil: r.snoozed_until,
    dismissReason: r.dismiss_reason,
    baselineDailyCost: r.baseline_daily_cost === null ? null : trimDecimal(r.baseline_daily_cost),
  };
}

const VERB: Record<LifecycleChange['to'], string> = { accepted: 'accepted', snoozed: 'snoozed', dismissed: 'dismissed', open: 'reopened' };

export interface LifecycleResult {
  id: string;
  status: RecommendationStatus;
  /** Cost per day before acceptance (accept only; null when the bills hold none for the resource). */
  baselineDailyCost: string | null;
}

/**
 * Applies one change to recommendation `id` as `actor`, on `client` inside the caller's
 * transaction, at `now` (the snooze date must be after its UTC day; the baseline is the 30 days
 * before it).
 */
export async function changeRecommendationStatus(
  client: pg.PoolClient,
  args: { id: string; change: LifecycleChange; actor: Actor; now: Date },
): Promise<LifecycleResult> {
  const { id, change, actor, now } = args;
  const today = utcToday(now);
  await client.query("SELECT pg_advisory_xact_lock(hashtext('burnrate recommendations'))");
  const { rows } = await client.query<Row>(
    `SELECT id, kind, provider, resource_id, status, snoozed_until, dismiss_reason, currency, baseline_daily_cost::text
       FROM recommendations WHERE id = $1 FOR UPDATE`,
    [id],
  );
  const row = rows[0];
  if (!row) throw new LifecycleError(`There is no recommendation ${id}.`);
  if (!ALLOWED_FROM[change.to].includes(row.status)) {
    if (row.status === change.to) throw new LifecycleError(`Recommendation ${id} is already ${row.status}.`);
    if (row.status === 'resolved') throw new LifecycleError(`Recommendation ${id} was resolved by later data; its status cannot change.`);
    throw new LifecycleError(`Recommendation ${id} is ${row.status}: it cannot be ${VERB[change.to]}.`);
  }
  if (change.to === 'snoozed' && !(change.until > today)) {
    throw new LifecycleError(`Snooze until a date after today (${today}); ${change.until} is not.`, 'until');
  }
  if (change.to === 'dismissed' && change.reason.trim() === '') throw new LifecycleError('Say why it is dismissed.', 'reason');

  const by = actor.kind === 'user' ? actor.email : actor.kind;
  const accepting = change.to === 'accepted';
  await client.query(
    `UPDATE recommendations
        SET status = $2,
            snoozed_until = $3,
            dismiss_reason = $4,
            accepted_at = CASE WHEN $5 THEN $6::timestamptz END,
            accepted_by = CASE WHEN $5 THEN $7 END,
            baseline_daily_cost = NULL,
            realized_daily_savings = NULL,
            status_changed_at = $6,
            status_changed_by = $7
      WHERE id = $1`,
    [
      id,
      change.to,
      change.to === 'snoozed' ? change.until : null,
      change.to === 'dismissed' ? change.reason.trim() : null,
      accepting,
      now.toISOString(),
      by,
    ],
  );
  if (accepting) await computeRealizedSavings(client, now, [id]);
  const { rows: updated } = await client.query<Row>(
    `SELECT id, kind, provider, resource_id, status, snoozed_until, dismiss_reason, currency, baseline_daily_cost::text
       FROM recommendations WHERE id = $1`,
    [id],
  );
  const after = updated[0];
  if (!after) throw new Error(`recommendation ${id} vanished under its row lock`);
  await recordAudit(client, {
    actor,
    action: LIFECYCLE_AUDIT_ACTIONS[change.to],
    objectType: 'recommendation',
    objectId: id,
    before: view(row),
    after: view(after),
    detail: { kind: row.kind, provider: row.provider, resourceId: row.resource_id },
  });
  // The overview's open-savings card counts open recommendations.
  await bumpDataVersion(client, `recommendation ${change.to}`);
  return { id, status: after.status, baselineDailyCost: view(after).baselineDailyCost };
}
