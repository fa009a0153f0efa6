'use server';

import type { LifecycleResult } from '../recommendations/lifecycle';
import { applyLifecycleChange, lifecycleAudit, SnoozeRecommendationSchema } from './recommendation-lifecycle';
import { type ActionState, formAction } from './safe-action';

const run = formAction({
  name: 'snoozeRecommendation',
  schema: SnoozeRecommendationSchema,
  audit: lifecycleAudit('recommendation.snooze'),
  revalidate: ['/recommendations', '/'],
  handler: ({ id, until }, { actor }) => applyLifecycleChange(id, { to: 'snoozed', until }, actor),
});

/** Snoozes a recommendation until a date after today; it comes back open then. */
export async function snoozeRecommendation(prev: ActionState<LifecycleResult>, form: FormData): Promise<ActionState<LifecycleResult>> {
  return run(prev, form);
}
