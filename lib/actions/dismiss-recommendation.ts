'use server';

import type { LifecycleResult } from '../recommendations/lifecycle';
import { applyLifecycleChange, DismissRecommendationSchema, lifecycleAudit } from './recommendation-lifecycle';
import { type ActionState, formAction } from './safe-action';

const run = formAction({
  name: 'dismissRecommendation',
  schema: DismissRecommendationSchema,
  audit: lifecycleAudit('recommendation.dismiss'),
  revalidate: ['/recommendations', '/'],
  handler: ({ id, reason }, { actor }) => applyLifecycleChange(id, { to: 'dismissed', reason }, actor),
});

/** Dismisses a recommendation with a reason (required), kept with it and in the audit trail. */
export async function dismissRecommendation(prev: ActionState<LifecycleResult>, form: FormData): Promise<ActionState<LifecycleResult>> {
  return run(prev, form);
}
