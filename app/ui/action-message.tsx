import type { ActionState } from '@/lib/actions/safe-action';
import styles from './controls.module.css';

/** An action's outcome under its form: announced politely on success, as an alert on failure. */
export function ActionMessage({ state, testId, className }: { state: ActionState<unknown>; testId: string; className?: string }) {
  if (state.status === 'idle') return null;
  const ok = state.status === 'success';
  return (
    <p
      role={ok ? 'status' : 'alert'}
      className={`${styles.message} ${ok ? styles.messageOk : styles.messageError}${className ? ` ${className}` : ''}`}
      data-testid={testId}
      data-outcome={state.status}
    >
      {state.message}
    </p>
  );
}
