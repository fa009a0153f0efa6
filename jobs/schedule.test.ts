import { describe, expect, it } from 'vitest';
import { isSyncDue, nextScheduledSync, SyncScheduleSchema } from './schedule';

describe('sync schedules', () => {
  it('accepts 5-field cron expressions in UTC; empty means the default', () => {
    expect(SyncScheduleSchema.parse('')).toBeNull();
    expect(SyncScheduleSchema.parse('  0   */6 * * * ')).toBe('0 */6 * * *');
    expect(SyncScheduleSchema.parse('30 2 * * 1-5')).toBe('30 2 * * 1-5');
    for (const bad of ['every 6 hours', '0 0 */6 * * *', '61 * * * *', '* * *']) {
      const r = SyncScheduleSchema.safeParse(bad);
      expect(r.success, bad).toBe(false);
      expect(r.error?.issues[0]?.message).toMatch(/^must be a cron expression with 5 fields/);
    }
  });

  it('computes the next run after the last sync (default: every 6 hours at 00, 06, 12, 18 UTC)', () => {
    expect(nextScheduledSync(null, new Date('2026-11-24T11:00:00Z')).toISOString()).toBe('2026-11-24T12:00:00.000Z');
    expect(nextScheduledSync(null, new Date('2026-11-24T12:00:00Z')).toISOString()).toBe('2026-11-24T18:00:00.000Z');
    expect(nextScheduledSync('30 2 * * *', new Date('2026-11-24T03:00:00Z')).toISOString()).toBe('2026-11-25T02:30:00.000Z');
  });

  it('is due when the schedule fired since the last sync, or when it never synced', () => {
    const now = new Date('2026-11-24T12:05:00Z');
    expect(isSyncDue(null, null, now)).toBe(true);
    expect(isSyncDue(null, new Date('2026-11-24T11:59:59Z'), now)).toBe(true);
    expect(isSyncDue(null, new Date('2026-11-24T12:00:00Z'), now)).toBe(false);
    expect(isSyncDue(null, new Date('2026-11-24T12:04:00Z'), now)).toBe(false);
    expect(isSyncDue('*/5 * * * *', new Date('2026-11-24T12:04:00Z'), now)).toBe(true);
    expect(isSyncDue('0 3 1 * *', new Date('2026-11-01T03:00:00Z'), now)).toBe(false);
    expect(isSyncDue('0 3 1 * *', new Date('2026-10-31T03:00:00Z'), now)).toBe(true);
  });
});
