'use server';

import type { LifecycleResult } from '../recommendations/lifecycle';
import { applyLifecycleChange, lifecycleAudit, RecommendationIdSchema } from './recommendation-lifecycle';
import { type ActionState, formAction } from './safe-action';

const run = formAction({
  name: 'reopenRecommendation',
  schema: RecommendationIdSchema,
  audit: lifecycleAudit('recommendation.reopen'),
  revalidate: ['/recommendations', '/'],
  handler: ({ id }, { actor }) => applyLifecycleChange(id, { to: 'open' }, actor),
});

/** Reopens an accepted, snoozed or dismissed recommendation. */
export async function reopenRecommendation(prev: ActionState<LifecycleResult>, form: FormData): Promise<ActionState<LifecycleResult>> {
  return run(prev, form);
}
