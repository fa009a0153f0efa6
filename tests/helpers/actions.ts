// What the server-action tests share: a form as the browser posts it, the two outcomes of an
// ActionState, and BURNRATE_SECRET_KEY put back after each test that sets it.
import { afterEach } from 'vitest';
import type { ActionState } from '../../lib/actions/safe-action';

/** The FormData a form with these fields posts. */
export function form(fields: Record<string, string>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
}

export function expectError<T>(state: ActionState<T>): { message: string; fieldErrors: Record<string, string[]> } {
  if (state.status !== 'error') throw new Error(`expected an error, got ${JSON.stringify(state)}`);
  return state;
}

export function expectSuccess<T>(state: ActionState<T>): { message: string; data: T } {
  if (state.status !== 'success') throw new Error(`expected success, got ${JSON.stringify(state)}`);
  return state;
}

/** Call at a test file's top level: each test may set BURNRATE_SECRET_KEY; it is restored after it. */
export function restoreSecretKeyAfterEach(): void {
  const saved = process.env.BURNRATE_SECRET_KEY;
  afterEach(() => {
    if (saved === undefined) delete process.env.BURNRATE_SECRET_KEY;
    else process.env.BURNRATE_SECRET_KEY = saved;
  });
}
