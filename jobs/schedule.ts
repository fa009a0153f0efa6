/**
 * Sync schedules: a 5-field cron expression in UTC per source (billing_sources.schedule), checked
 * by the schedule-source-syncs job (definitions.ts) and shown on the sources page.
 */
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';

export const DEFAULT_SYNC_SCHEDULE = '0 */6 * * *';

/** A cron expression (minute hour day-of-month month day-of-week, UTC), or empty for the default. */
export const SyncScheduleSchema = z
  .string()
  .trim()
  .transform((s) => s.replace(/\s+/g, ' '))
  .refine((s) => s === '' || isValidCron(s), {
    error: 'must be a cron expression with 5 fields (minute hour day month weekday, UTC), e.g. 0 */6 * * *',
  })
  .transform((s) => (s === '' ? null : s));

function isValidCron(expression: string): boolean {
  if (expression.split(' ').length !== 5) return false;
  try {
    CronExpressionParser.parse(expression, { tz: 'UTC', strict: false });
    return true;
  } catch {
    return false;
  }
}

/** The first time the schedule fires after `after`. */
export function nextScheduledSync(schedule: string | null, after: Date): Date {
  return CronExpressionParser.parse(schedule ?? DEFAULT_SYNC_SCHEDULE, { tz: 'UTC', currentDate: after })
    .next()
    .toDate();
}

/**
 * A source is due when its schedule fired since its last sync (a never-synced source is due at
 * once). A sync that was missed while no worker ran is therefore made up once, not once per
 * missed slot.
 */
export function isSyncDue(schedule: string | null, lastSyncAt: Date | null, now: Date): boolean {
  if (lastSyncAt === null) return true;
  return nextScheduledSync(schedule, lastSyncAt).getTime() <= now.getTime();
}
