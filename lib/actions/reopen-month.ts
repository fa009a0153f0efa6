'use server';

import { MonthCloseError, type MonthCloseResult, reopenMonth as reopen } from '../close/close';
import { ReopenMonthSchema } from '../close/schemas';
import { ActionError, type ActionState, formAction } from './safe-action';

const run = formAction({
  name: 'reopenMonth',
  schema: ReopenMonthSchema,
  // A blank reason reaches the schema as '' so that its own message ("a reason is required…") answers.
  fromForm: (form) => ({ month: form.get('month') ?? undefined, reason: String(form.get('reason') ?? '') }),
  audit: (input) => ({ action: 'close.reopen', objectType: 'month', objectId: input?.month }),
  revalidate: ['/close', '/explorer'],
  handler: async ({ month, reason }, { actor }) => {
    try {
      const result = await reopen(month, reason, actor);
      return { message: `Reopened ${month}.`, data: result, subject: `month ${month}` };
    } catch (error) {
      if (error instanceof MonthCloseError) throw new ActionError(error.message);
      throw error;
    }
  },
});

/** Reopens a closed billing month with a reason (finance, admins). */
export async function reopenMonth(prev: ActionState<MonthCloseResult>, form: FormData): Promise<ActionState<MonthCloseResult>> {
  return run(prev, form);
}
