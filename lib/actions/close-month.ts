'use server';

import { closeMonth as close, MonthCloseError, type MonthCloseResult } from '../close/close';
import { CloseMonthSchema } from '../close/schemas';
import { ActionError, type ActionState, formAction } from './safe-action';

const run = formAction({
  name: 'closeMonth',
  schema: CloseMonthSchema,
  audit: (input) => ({ action: 'close.month', objectType: 'month', objectId: input?.month }),
  revalidate: ['/close', '/explorer'],
  handler: async ({ month }, { actor }) => {
    try {
      const result = await close(month, actor);
      const totals = result.totals.map((t) => `${t.billedCost} ${t.currency}`).join(', ') || 'no cost data';
      return { message: `Closed ${month}: billed ${totals}.`, data: result, subject: `month ${month}` };
    } catch (error) {
      if (error instanceof MonthCloseError) throw new ActionError(error.message);
      throw error;
    }
  },
});

/** Closes a billing month: its figures are kept as they are now (finance, admins). */
export async function closeMonth(prev: ActionState<MonthCloseResult>, form: FormData): Promise<ActionState<MonthCloseResult>> {
  return run(prev, form);
}
