'use server';

import type { LifecycleResult } from '../recommendations/lifecycle';
import { applyLifecycleChange, lifecycleAudit, RecommendationIdSchema } from './recommendation-lifecycle';
import { type ActionState, formAction } from './safe-action';

const run = formAction({
  name: 'acceptRecommendation',
  schema: RecommendationIdSchema,
  audit: lifecycleAudit('recommendation.accept'),
  revalidate: ['/recommendations', '/'],
  handler: ({ id }, { actor }) => applyLifecycleChange(id, { to: 'accepted' }, actor),
});

/** Accepts a recommendation: the resource's cost per day over the 30 days before is kept as the baseline for realized savings. */
export async function acceptRecommendation(prev: ActionState<LifecycleResult>, form: FormData): Promise<ActionState<LifecycleResult>> {
  return run(prev, form);
}
