import { describe, expect, it } from 'vitest';
import { addDays, addMonths, clampedDayOfMonth, daysBetween, daysInMonth, isCalendarDay, monthEnd, utcToday } from './calendar';

describe('calendar (UTC days as strings)', () => {
  it('knows month lengths, leap years included', () => {
    expect(daysInMonth('2026-02')).toBe(28);
    expect(daysInMonth('2028-02')).toBe(29);
    expect(daysInMonth('2100-02')).toBe(28);
    expect(daysInMonth('2026-09')).toBe(30);
    expect(monthEnd('2026-12')).toBe('2026-12-31');
  });

  it('steps months across year ends', () => {
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(addMonths('2025-12', 1)).toBe('2026-01');
    expect(addMonths('2026-11', -12)).toBe('2025-11');
  });

  it('clamps a day number to a shorter month instead of spilling into the next one', () => {
    expect(clampedDayOfMonth('2026-09', 31)).toBe('2026-09-30');
    expect(clampedDayOfMonth('2026-02', 30)).toBe('2026-02-28');
    expect(clampedDayOfMonth('2028-02', 31)).toBe('2028-02-29');
    expect(clampedDayOfMonth('2026-10', 23)).toBe('2026-10-23');
  });

  it('adds days across month and year boundaries and across DST-free UTC', () => {
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(daysBetween('2026-03-01', '2026-04-01')).toBe(31);
  });

  it('rejects impossible dates', () => {
    expect(isCalendarDay('2026-02-29')).toBe(false);
    expect(isCalendarDay('2028-02-29')).toBe(true);
    expect(isCalendarDay('2026-13-01')).toBe(false);
    expect(isCalendarDay('2026-1-01')).toBe(false);
  });

  it('takes today in UTC, not local time', () => {
    expect(utcToday(new Date('2026-11-24T23:30:00-05:00'))).toBe('2026-11-25');
  });
});
