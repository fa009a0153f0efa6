'use client';

import { useActionState } from 'react';
import type { ActionState } from '@/lib/actions/safe-action';
import styles from './account.module.css';

/** "Sign in with <provider>": the action sends the browser to the identity provider. */
export function SsoButton({
  action,
  name,
  next,
}: {
  action: (prev: ActionState<{ url: string }>, form: FormData) => Promise<ActionState<{ url: string }>>;
  name: string;
  next: string;
}) {
  const [state, dispatch, pending] = useActionState(action, { status: 'idle' });
  return (
    <form action={dispatch} className={styles.form} data-testid="sso">
      <input type="hidden" name="next" value={next} />
      {state.status === 'error' ? (
        <p role="alert" className={styles.alert} data-testid="sso-message">
          {state.message}
        </p>
      ) : null}
      <button type="submit" className="btn" disabled={pending} data-testid="sso-button">
        {pending ? `Continuing to ${name}…` : `Sign in with ${name}`}
      </button>
    </form>
  );
}
