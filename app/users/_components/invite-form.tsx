'use client';

import { useActionState } from 'react';
import { type InvitedUser, inviteUser } from '@/lib/actions/invite-user';
import type { ActionState } from '@/lib/actions/safe-action';
import { ROLE_LABELS, ROLES } from '@/lib/auth/roles';
import { ActionMessage } from '../../ui/action-message';
import { absoluteLink, OneTimeSecret } from '../../ui/one-time-secret';
import styles from './users.module.css';

const IDLE: ActionState<InvitedUser> = { status: 'idle' };

/** Invite: email, name and role; the answer holds the invitation link, shown here once. */
export function InviteForm({ publicUrl }: { publicUrl: string | null }) {
  const [state, action, pending] = useActionState(inviteUser, IDLE);
  const errors = state.status === 'error' ? state.fieldErrors : {};
  const field = (name: 'email' | 'name', label: string, type: string, autoComplete: string) => (
    <div className={styles.field}>
      <label className={styles.label} htmlFor={`invite-${name}`}>
        {label}
      </label>
      <input
        id={`invite-${name}`}
        name={name}
        type={type}
        autoComplete={autoComplete}
        className={styles.input}
        aria-invalid={errors[name] ? 'true' : undefined}
        required
      />
      {errors[name] ? <p className={styles.error}>{errors[name][0]}</p> : null}
    </div>
  );
  return (
    <div className={styles.stack}>
      <form action={action} className={styles.invite} data-testid="invite-form">
        {field('email', 'Email', 'email', 'off')}
        {field('name', 'Name', 'text', 'off')}
        <div className={styles.field}>
          <label className={styles.label} htmlFor="invite-role">
            Role
          </label>
          <select id="invite-role" name="role" className={`${styles.input}`} defaultValue="viewer">
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="btn btn-primary" disabled={pending} data-testid="invite-submit">
          {pending ? 'Inviting…' : 'Invite'}
        </button>
      </form>
      <ActionMessage state={state} testId="invite-message" />
      {state.status === 'success' ? (
        <OneTimeSecret
          key={state.at}
          label={`Invitation link for ${state.data.email}`}
          value={absoluteLink(state.data.link, publicUrl)}
          testId="invite-link"
        />
      ) : null}
    </div>
  );
}
