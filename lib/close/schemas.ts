import { z } from 'zod';
import { MONTH_PATTERN } from './close';

/** The /close forms' inputs, shared by the actions and the page. */
export const MonthSchema = z.string().regex(MONTH_PATTERN, { error: 'choose a month (YYYY-MM)' });

export const CloseMonthSchema = z.object({ month: MonthSchema });

export const ReopenMonthSchema = z.object({
  month: MonthSchema,
  reason: z
    .string({ error: 'a reason is required to reopen a closed month' })
    .trim()
    // refine, not min(1): safe-action rewrites a min(1) message to a bare "required".
    .refine((reason) => reason.length > 0, { error: 'a reason is required to reopen a closed month' })
    .max(1000, { error: 'keep the reason under 1,000 characters' }),
});
