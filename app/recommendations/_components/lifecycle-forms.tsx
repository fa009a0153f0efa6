'use client';

import { useActionState } from 'react';
import { acceptRecommendation } from '@/lib/actions/accept-recommendation';
import { dismissRecommendation } from '@/lib/actions/dismiss-recommendation';
import { reopenRecommendation } from '@/lib/actions/reopen-recommendation';
import type { ActionState } from '@/lib/actions/safe-action';
import { snoozeRecommendation } from '@/lib/actions/snooze-recommendation';
import type { LifecycleResult } from '@/lib/recommendations/lifecycle';
import type { RecommendationStatus } from '@/lib/recommendations/types';
import { ActionMessage } from '../../ui/action-message';
import styles from './recommendations.module.css';

const IDLE = { status: 'idle' } as const;
type State = ActionState<LifecycleResult>;

function FieldError({ state, field }: { state: State; field: string }) {
  const messages = state.status === 'error' ? state.fieldErrors[field] : undefined;
  return messages?.length ? (
    <p className={styles.error} data-testid={`error-${field}`}>
      {messages.join('; ')}
    </p>
  ) : null;
}

/**
 * Accept, snooze until a date, dismiss with a reason, reopen: the changes the status allows. The
 * server decides (role, transition, a future date, a reason); these forms only ask.
 */
export function LifecycleForms({ id, status, tomorrow }: { id: string; status: RecommendationStatus; tomorrow: string }) {
  const [acceptState, accept, accepting] = useActionState<State, FormData>(acceptRecommendation, IDLE);
  const [snoozeState, snooze, snoozing] = useActionState<State, FormData>(snoozeRecommendation, IDLE);
  const [dismissState, dismiss, dismissing] = useActionState<State, FormData>(dismissRecommendation, IDLE);
  const [reopenState, reopen, reopening] = useActionState<State, FormData>(reopenRecommendation, IDLE);
  const idField = <input type="hidden" name="id" value={id} />;
  const canDecide = status === 'open' || status === 'snoozed';
  const canReopen = status === 'accepted' || status === 'snoozed' || status === 'dismissed';
  return (
    <div data-testid="lifecycle">
      <div className={styles.lifecycle}>
        {canDecide ? (
          <form action={accept}>
            {idField}
            <button type="submit" className="btn btn-primary" disabled={accepting} data-testid="accept">
              {accepting ? 'Accepting…' : 'Accept'}
            </button>
          </form>
        ) : null}
        {canDecide ? (
          <form action={snooze} noValidate>
            {idField}
            <div className={styles.field}>
              <label htmlFor="snooze-until" className={styles.label}>
                Snooze until
              </label>
              <input
                id="snooze-until"
                type="date"
                name="until"
                min={tomorrow}
                className={styles.input}
                aria-invalid={snoozeState.status === 'error' && snoozeState.fieldErrors.until ? true : undefined}
              />
              <FieldError state={snoozeState} field="until" />
            </div>
            <button type="submit" className="btn" disabled={snoozing} data-testid="snooze">
              {snoozing ? 'Snoozing…' : 'Snooze'}
            </button>
          </form>
        ) : null}
        {canDecide ? (
          <form action={dismiss} noValidate>
            {idField}
            <div className={styles.field}>
              <label htmlFor="dismiss-reason" className={styles.label}>
                Reason for dismissing
              </label>
              <input
                id="dismiss-reason"
                name="reason"
                maxLength={500}
                size={32}
                className={styles.input}
                placeholder="e.g. kept warm for the failover drill"
                aria-invalid={dismissState.status === 'error' && dismissState.fieldErrors.reason ? true : undefined}
              />
              <FieldError state={dismissState} field="reason" />
            </div>
            <button type="submit" className="btn" disabled={dismissing} data-testid="dismiss">
              {dismissing ? 'Dismissing…' : 'Dismiss'}
            </button>
          </form>
        ) : null}
        {canReopen ? (
          <form action={reopen}>
            {idField}
            <button type="submit" className="btn" disabled={reopening} data-testid="reopen">
              {reopening ? 'Reopening…' : 'Reopen'}
            </button>
          </form>
        ) : null}
      </div>
      <ActionMessage state={acceptState} testId="accept-message" />
      <ActionMessage state={snoozeState} testId="snooze-message" />
      <ActionMessage state={dismissState} testId="dismiss-message" />
      <ActionMessage state={reopenState} testId="reopen-message" />
    </div>
  );
}
