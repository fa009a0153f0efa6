'use client';

import { useActionState } from 'react';
import { changeUserRole } from '@/lib/actions/change-user-role';
import { createPasswordResetLink, type ResetLink } from '@/lib/actions/create-password-reset-link';
import type { ActionState } from '@/lib/actions/safe-action';
import { setUserDisabled } from '@/lib/actions/set-user-disabled';
import { ROLE_LABELS, ROLES, type Role } from '@/lib/auth/roles';
import { ActionMessage } from '../../ui/action-message';
import { absoluteLink, OneTimeSecret } from '../../ui/one-time-secret';
import styles from './users.module.css';

const IDLE = { status: 'idle' } as const;

/** One user's controls: role, disable/enable, password reset link (shown once). The server enforces every rule. */
export function UserActions({
  id,
  email,
  role,
  disabled,
  isSelf,
  publicUrl,
}: {
  id: string;
  email: string;
  role: Role;
  disabled: boolean;
  isSelf: boolean;
  publicUrl: string | null;
}) {
  const [roleState, roleAction, changing] = useActionState(changeUserRole, IDLE);
  const [disableState, disableAction, toggling] = useActionState(setUserDisabled, IDLE);
  const [resetState, resetAction, issuing] = useActionState<ActionState<ResetLink>, FormData>(createPasswordResetLink, IDLE);
  const idField = <input type="hidden" name="userId" value={id} />;
  return (
    <div>
      <div className={styles.controls}>
        <form action={roleAction}>
          {idField}
          <select name="role" defaultValue={role} className={styles.select} aria-label={`Role of ${email}`} data-testid="role-select">
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r]}
              </option>
            ))}
          </select>
          <button type="submit" className="btn" disabled={changing} data-testid="change-role">
            {changing ? 'Saving…' : 'Set role'}
          </button>
        </form>
        <form action={resetAction}>
          {idField}
          <button type="submit" className="btn" disabled={issuing} data-testid="reset-password">
            {issuing ? 'Creating…' : 'Reset password'}
          </button>
        </form>
        {isSelf ? null : (
          <form
            action={disableAction}
            onSubmit={(event) => {
              if (!disabled && !window.confirm(`Disable ${email}? They are signed out everywhere and their API tokens stop working.`)) {
                event.preventDefault();
              }
            }}
          >
            {idField}
            <input type="hidden" name="disabled" value={disabled ? 'false' : 'true'} />
            <button type="submit" className={`btn ${disabled ? '' : styles.danger}`} disabled={toggling} data-testid="toggle-disabled">
              {disabled ? 'Enable' : 'Disable'}
            </button>
          </form>
        )}
      </div>
      <ActionMessage state={roleState} testId="role-message" />
      <ActionMessage state={disableState} testId="disable-message" />
      <ActionMessage state={resetState} testId="reset-message" />
      {resetState.status === 'success' ? (
        <OneTimeSecret
          key={resetState.at}
          label={`Password reset link for ${resetState.data.email}`}
          value={absoluteLink(resetState.data.link, publicUrl)}
          testId="reset-link"
        />
      ) : null}
    </div>
  );
}
