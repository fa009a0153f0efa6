'use client';

import { useActionState, useEffect, useState } from 'react';
import type { ActionState } from '@/lib/actions/safe-action';
import { saveSsoSettings } from '@/lib/actions/save-sso-settings';
import styles from '../../sources/_components/sources.module.css';
import { ActionMessage } from '../../ui/action-message';

export interface SavedSso {
  enabled: boolean;
  issuer: string;
  clientId: string;
  name: string;
  autoSignUp: boolean;
  defaultRole: string;
  allowedDomains: string;
  secretReadable: boolean;
}

const IDLE: ActionState = { status: 'idle' };

/**
 * The provider's settings. Inputs are controlled so a refused save keeps what was typed (React
 * resets uncontrolled forms after an action); the client secret is never sent to the browser.
 */
export function SsoSettingsForm({ saved, roles }: { saved: SavedSso | null; roles: readonly string[] }) {
  const [state, dispatch, pending] = useActionState(saveSsoSettings, IDLE);
  const [v, setV] = useState({
    issuer: saved?.issuer ?? '',
    clientId: saved?.clientId ?? '',
    clientSecret: '',
    name: saved?.name ?? '',
    defaultRole: saved?.defaultRole ?? 'viewer',
    allowedDomains: saved?.allowedDomains ?? '',
  });
  const [enabled, setEnabled] = useState(saved?.enabled ?? true);
  const [autoSignUp, setAutoSignUp] = useState(saved?.autoSignUp ?? false);
  // A saved secret leaves the field: what is stored is never shown, not even what was just typed.
  const savedAt = state.status === 'success' ? state.at : null;
  useEffect(() => {
    if (savedAt !== null) setV((old) => ({ ...old, clientSecret: '' }));
  }, [savedAt]);
  const errors = state.status === 'error' ? state.fieldErrors : {};
  const text = (name: keyof typeof v, label: string, help: string, type: 'text' | 'url' | 'password' = 'text') => {
    const id = `sso-${name}`;
    const error = errors[name]?.[0];
    return (
      <div className={styles.field}>
        <label className={styles.label} htmlFor={id}>
          {label}
        </label>
        <input
          id={id}
          name={name}
          type={type}
          className={styles.input}
          value={v[name]}
          onChange={(e) => setV((old) => ({ ...old, [name]: e.target.value }))}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={`${id}-help`}
          autoComplete={type === 'password' ? 'new-password' : 'off'}
        />
        {error ? (
          <p className={styles.error} data-testid={`error-${name}`}>
            {error}
          </p>
        ) : null}
        <p className={styles.help} id={`${id}-help`}>
          {help}
        </p>
      </div>
    );
  };
  return (
    <form action={dispatch} className={styles.form} noValidate data-testid="sso-form">
      <label className={styles.check}>
        <input type="checkbox" name="enabled" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
        Offer single sign-on on the sign-in page
      </label>
      <div className={styles.grid}>
        {text('issuer', 'Issuer URL', 'e.g. https://login.microsoftonline.com/<tenant>/v2.0, https://accounts.google.com', 'url')}
        {text('name', 'Button label', 'The sign-in page shows "Sign in with <label>".')}
        {text('clientId', 'Client id', 'From the application you registered with the provider.')}
        {text(
          'clientSecret',
          'Client secret',
          saved
            ? saved.secretReadable
              ? 'Stored (never shown). Leave blank to keep it; enter it again when you change the issuer.'
              : 'Stored, but it cannot be decrypted with the current BURNRATE_SECRET_KEY: enter it again.'
            : 'Stored encrypted; it is never shown again.',
          'password',
        )}
      </div>
      <fieldset className={styles.fieldset}>
        <legend>Automatic sign-up</legend>
        <label className={styles.check}>
          <input type="checkbox" name="autoSignUp" checked={autoSignUp} onChange={(e) => setAutoSignUp(e.target.checked)} />
          Create an account for a new, provider-verified email of an allowed domain
        </label>
        <div className={styles.grid}>
          <div className={styles.field}>
            <label className={styles.label} htmlFor="sso-defaultRole">
              Role of new accounts
            </label>
            <select
              id="sso-defaultRole"
              name="defaultRole"
              className={styles.input}
              value={v.defaultRole}
              onChange={(e) => setV((old) => ({ ...old, defaultRole: e.target.value }))}
            >
              {roles.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
            {errors.defaultRole ? <p className={styles.error}>{errors.defaultRole[0]}</p> : null}
            <p className={styles.help}>Never admin: admins are made on the users page.</p>
          </div>
          {text(
            'allowedDomains',
            'Allowed email domains',
            'Comma separated, e.g. example.com, example.org. Required for automatic sign-up; exact domains, no subdomains.',
          )}
        </div>
      </fieldset>
      <div className={styles.actions}>
        <button type="submit" className={`btn ${styles.primary}`} disabled={pending} data-testid="sso-save">
          {pending ? 'Saving…' : 'Save'}
        </button>
        <ActionMessage state={state} testId="sso-form-message" />
      </div>
    </form>
  );
}
