'use client';

import { useActionState } from 'react';
import { closeMonth } from '@/lib/actions/close-month';
import { reopenMonth } from '@/lib/actions/reopen-month';
import type { ActionState } from '@/lib/actions/safe-action';
import type { MonthCloseResult } from '@/lib/close/close';
import { ActionMessage } from '../ui/action-message';
import styles from '../ui/controls.module.css';

const IDLE: ActionState<MonthCloseResult> = { status: 'idle' };

/** Closes one month (its row's button). */
export function CloseMonthForm({ month }: { month: string }) {
  const [state, action, pending] = useActionState(closeMonth, IDLE);
  return (
    <form action={action} data-testid="close-form" data-month={month}>
      <input type="hidden" name="month" value={month} />
      <button type="submit" className="btn btn-primary" disabled={pending} data-testid="close-submit">
        {pending ? 'Closing…' : `Close ${month}`}
      </button>
      <ActionMessage state={state} testId="close-message" />
    </form>
  );
}

/** Reopens one closed month; the reason is required and goes into the audit trail. */
export function ReopenMonthForm({ month }: { month: string }) {
  const [state, action, pending] = useActionState(reopenMonth, IDLE);
  const errors = state.status === 'error' ? state.fieldErrors : {};
  return (
    <form action={action} data-testid="reopen-form" data-month={month}>
      <input type="hidden" name="month" value={month} />
      <label className={styles.label} htmlFor={`reopen-reason-${month}`}>
        Reason to reopen
      </label>
      <input
        id={`reopen-reason-${month}`}
        name="reason"
        className={styles.input}
        maxLength={1000}
        aria-invalid={errors.reason ? 'true' : undefined}
        data-testid="reopen-reason"
      />
      {errors.reason ? <p className={styles.error}>{errors.reason[0]}</p> : null}
      <button type="submit" className="btn" disabled={pending} data-testid="reopen-submit">
        {pending ? 'Reopening…' : `Reopen ${month}`}
      </button>
      <ActionMessage state={state} testId="reopen-message" />
    </form>
  );
}
