'use client';

import { useActionState } from 'react';
import { createApiToken, type NewApiToken } from '@/lib/actions/create-api-token';
import { revokeApiToken } from '@/lib/actions/revoke-api-token';
import type { ActionState } from '@/lib/actions/safe-action';
import { ActionMessage } from '../../ui/action-message';
import { OneTimeSecret } from '../../ui/one-time-secret';
import styles from '../../users/_components/users.module.css';

const IDLE: ActionState<NewApiToken> = { status: 'idle' };

/** Name a new token; the answer holds the token itself, shown here once. */
export function CreateApiTokenForm() {
  const [state, action, pending] = useActionState(createApiToken, IDLE);
  const error = state.status === 'error' ? state.fieldErrors.name?.[0] : undefined;
  return (
    <div className={styles.stack}>
      <form action={action} className={styles.invite} data-testid="create-token-form">
        <div className={styles.field}>
          <label className={styles.label} htmlFor="token-name">
            Token name
          </label>
          <input
            id="token-name"
            name="name"
            className={styles.input}
            placeholder="monthly report script"
            aria-invalid={error ? 'true' : undefined}
            required
          />
          {error ? <p className={styles.error}>{error}</p> : null}
        </div>
        <button type="submit" className="btn btn-primary" disabled={pending} data-testid="create-token">
          {pending ? 'Creating…' : 'Create token'}
        </button>
      </form>
      <ActionMessage state={state} testId="create-token-message" />
      {state.status === 'success' ? (
        <OneTimeSecret key={state.at} label={`Token "${state.data.name}"`} value={state.data.token} testId="new-token" />
      ) : null}
    </div>
  );
}

export function RevokeApiTokenButton({ id, name }: { id: string; name: string }) {
  const [state, action, pending] = useActionState(revokeApiToken, { status: 'idle' });
  return (
    <form
      action={action}
      onSubmit={(event) => {
        if (!window.confirm(`Revoke the token "${name}"? Scripts using it stop working at once.`)) event.preventDefault();
      }}
    >
      <input type="hidden" name="id" value={id} />
      <button type="submit" className={`btn ${styles.danger}`} disabled={pending} data-testid="revoke-token">
        {pending ? 'Revoking…' : 'Revoke'}
      </button>
      <ActionMessage state={state} testId="revoke-token-message" />
    </form>
  );
}
