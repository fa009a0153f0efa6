import type { ActionState } from '@/lib/actions/safe-action';

/** An action's outcome under its form: announced politely on success, as an alert on failure. */
export function ActionMessage({ state, testId, className }: { state: ActionState<unknown>; testId: string; className?: string }) {
  if (state.status === 'idle') return null;
  const ok = state.status === 'success';
  return (
    <p
      role={ok ? 'status' : 'alert'}
      className={className}
      style={{ margin: '6px 0 0', fontSize: 13, color: ok ? 'var(--down)' : 'var(--up)' }}
      data-testid={testId}
      data-outcome={state.status}
    >
      {state.message}
    </p>
  );
}
