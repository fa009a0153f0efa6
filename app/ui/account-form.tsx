'use client';

import { useActionState, useState } from 'react';
import type { ActionState } from '@/lib/actions/safe-action';
import styles from './account.module.css';

export interface AccountField {
  name: string;
  label: string;
  type: 'text' | 'email' | 'password';
  autoComplete: string;
  help?: string;
}

/**
 * The forms of the sign-in, setup and password pages: labelled fields with the server's message
 * under each, the outcome announced. Typed values are kept (controlled inputs) when the server
 * refuses, except passwords, which are typed again.
 */
export function AccountForm<T>({
  action,
  fields,
  hidden = {},
  submitLabel,
  pendingLabel,
  testId,
}: {
  action: (prev: ActionState<T>, form: FormData) => Promise<ActionState<T>>;
  fields: AccountField[];
  hidden?: Record<string, string>;
  submitLabel: string;
  pendingLabel: string;
  testId: string;
}) {
  const [state, dispatch, pending] = useActionState(action, { status: 'idle' });
  const [values, setValues] = useState<Record<string, string>>({});
  // Each answer from the server empties the password fields (adjusting state while rendering,
  // as React documents for state that follows a prop), so a typed password never lingers.
  const [answeredAt, setAnsweredAt] = useState(0);
  const at = state.status === 'idle' ? 0 : state.at;
  if (at !== answeredAt) {
    setAnsweredAt(at);
    setValues((v) => Object.fromEntries(Object.entries(v).filter(([name]) => fields.find((f) => f.name === name)?.type !== 'password')));
  }
  const errors = state.status === 'error' ? state.fieldErrors : {};
  return (
    <form action={dispatch} className={styles.form} data-testid={testId} noValidate>
      {Object.entries(hidden).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      {fields.map((f) => {
        const id = `${testId}-${f.name}`;
        const error = errors[f.name]?.[0];
        return (
          <div key={f.name} className={styles.field}>
            <label htmlFor={id} className={styles.label}>
              {f.label}
            </label>
            <input
              id={id}
              name={f.name}
              type={f.type}
              autoComplete={f.autoComplete}
              className={styles.input}
              value={values[f.name] ?? ''}
              onChange={(e) => setValues((v) => ({ ...v, [f.name]: e.target.value }))}
              aria-invalid={error ? 'true' : undefined}
              aria-describedby={error ? `${id}-error` : f.help ? `${id}-help` : undefined}
              required
            />
            {f.help && !error ? (
              <p id={`${id}-help`} className={styles.help}>
                {f.help}
              </p>
            ) : null}
            {error ? (
              <p id={`${id}-error`} className={styles.error}>
                {error}
              </p>
            ) : null}
          </div>
        );
      })}
      {state.status !== 'idle' ? (
        <p
          role={state.status === 'error' ? 'alert' : 'status'}
          className={state.status === 'error' ? styles.alert : styles.ok}
          data-testid={`${testId}-message`}
        >
          {state.message}
        </p>
      ) : null}
      <button type="submit" className="btn btn-primary" disabled={pending}>
        {pending ? pendingLabel : submitLabel}
      </button>
    </form>
  );
}
