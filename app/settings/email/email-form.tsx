'use client';

import { useActionState, useEffect, useState } from 'react';
import type { ActionState } from '@/lib/actions/safe-action';
import { saveMailSettings } from '@/lib/actions/save-mail-settings';
import { sendTestEmail } from '@/lib/actions/send-test-email';
import styles from '../../sources/_components/sources.module.css';
import { ActionMessage } from '../../ui/action-message';

export interface SavedMail {
  host: string;
  port: string;
  security: string;
  user: string;
  from: string;
  reportRecipients: string;
  monthlyReport: boolean;
  passwordStored: boolean;
  passwordReadable: boolean;
}

const IDLE: ActionState = { status: 'idle' };

const SECURITY = [
  { value: 'starttls', label: 'STARTTLS (usually port 587)' },
  { value: 'tls', label: 'TLS from the first byte (usually port 465)' },
  { value: 'none', label: 'None: a relay on a trusted network only (port 25)' },
] as const;

function passwordHelp(saved: SavedMail | null): string {
  if (!saved?.passwordStored) return 'Stored encrypted; never shown again. Leave the user name blank for a server without authentication.';
  if (!saved.passwordReadable) return 'Stored, but it cannot be decrypted with the current BURNRATE_SECRET_KEY: enter it again.';
  return 'Stored (never shown). Leave blank to keep it; enter it again when you change the host or user name.';
}

/** The SMTP settings. Inputs are controlled so a refused save keeps what was typed; the password is never sent to the browser. */
export function MailSettingsForm({ saved }: { saved: SavedMail | null }) {
  const [state, dispatch, pending] = useActionState(saveMailSettings, IDLE);
  const [v, setV] = useState({
    host: saved?.host ?? '',
    port: saved?.port ?? '587',
    security: saved?.security ?? 'starttls',
    user: saved?.user ?? '',
    password: '',
    from: saved?.from ?? '',
    reportRecipients: saved?.reportRecipients ?? '',
  });
  const [monthlyReport, setMonthlyReport] = useState(saved?.monthlyReport ?? true);
  const savedAt = state.status === 'success' ? state.at : null;
  useEffect(() => {
    if (savedAt !== null) setV((old) => ({ ...old, password: '' }));
  }, [savedAt]);
  const errors = state.status === 'error' ? state.fieldErrors : {};
  const text = (name: keyof typeof v, label: string, help: string, type: 'text' | 'password' | 'email' | 'number' = 'text') => {
    const id = `email-${name}`;
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
    <form action={dispatch} className={styles.form} noValidate data-testid="email-form">
      <div className={styles.grid}>
        {text('host', 'SMTP host', 'e.g. smtp.example.com, email-smtp.eu-west-1.amazonaws.com, smtp.office365.com')}
        {text('port', 'Port', '587 for STARTTLS, 465 for TLS, 25 for a plain relay.', 'number')}
        <div className={styles.field}>
          <label className={styles.label} htmlFor="email-security">
            Security
          </label>
          <select
            id="email-security"
            name="security"
            className={styles.input}
            value={v.security}
            onChange={(e) => setV((old) => ({ ...old, security: e.target.value }))}
          >
            {SECURITY.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
          {errors.security ? <p className={styles.error}>{errors.security[0]}</p> : null}
          <p className={styles.help}>Certificates are always verified. With none, a password travels in clear.</p>
        </div>
        {text('user', 'User name', 'Blank: the server takes mail without authentication.')}
        {text('password', 'Password', passwordHelp(saved), 'password')}
        {text('from', 'From address', 'The sender of every email, e.g. burnrate@example.com. The server must allow it.', 'email')}
      </div>
      <fieldset className={styles.fieldset}>
        <legend>Monthly report</legend>
        <label className={styles.check}>
          <input type="checkbox" name="monthlyReport" checked={monthlyReport} onChange={(e) => setMonthlyReport(e.target.checked)} />
          Email last month's report (PDF and XLSX) once its data is complete
        </label>
        {text('reportRecipients', 'Recipients', 'Comma separated email addresses, e.g. finance@example.com, cto@example.com.')}
      </fieldset>
      <div className={styles.actions}>
        <button type="submit" className={`btn ${styles.primary}`} disabled={pending} data-testid="email-save">
          {pending ? 'Saving…' : 'Save'}
        </button>
        <ActionMessage state={state} testId="email-form-message" />
      </div>
    </form>
  );
}

/** "Send a test email" to one address through the saved settings. */
export function TestEmailForm({ defaultTo, disabled }: { defaultTo: string; disabled: boolean }) {
  const [state, dispatch, pending] = useActionState(sendTestEmail, IDLE);
  const [to, setTo] = useState(defaultTo);
  const error = state.status === 'error' ? state.fieldErrors.to?.[0] : undefined;
  return (
    <form action={dispatch} className={styles.form} noValidate data-testid="test-email-form">
      <div className={styles.field}>
        <label className={styles.label} htmlFor="test-email-to">
          Send to
        </label>
        <input
          id="test-email-to"
          name="to"
          type="email"
          className={styles.input}
          value={to}
          onChange={(e) => setTo(e.target.value)}
          aria-invalid={error ? 'true' : undefined}
        />
        {error ? <p className={styles.error}>{error}</p> : null}
      </div>
      <div className={styles.actions}>
        <button type="submit" className="btn" disabled={pending || disabled} data-testid="test-email-send">
          {pending ? 'Sending…' : 'Send a test email'}
        </button>
        <ActionMessage state={state} testId="test-email-message" />
      </div>
    </form>
  );
}
