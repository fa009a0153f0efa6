const EVERY_N_HOURS = /^0 \*\/(\d+) \* \* \*$/;
const EVERY_N_MINUTES = /^\*\/(\d+) \* \* \* \*$/;
const DAILY = /^(\d+) (\d+) \* \* \*$/;

/** A few common cron shapes in words; anything else is shown as the expression itself. */
export function describeSchedule(cron: string): string {
  let m = EVERY_N_HOURS.exec(cron);
  if (m) return Number(m[1]) === 1 ? 'every hour' : `every ${m[1]} hours`;
  m = EVERY_N_MINUTES.exec(cron);
  if (m) return `every ${m[1]} minutes`;
  if (cron === '0 * * * *') return 'every hour';
  m = DAILY.exec(cron);
  if (m) return `daily at ${m[2]?.padStart(2, '0')}:${m[1]?.padStart(2, '0')} UTC`;
  return cron;
}
