import { setPassword } from '@/lib/actions/set-password';
import { MIN_PASSWORD_LENGTH } from '@/lib/auth/password';
import { requirePage } from '@/lib/auth/session';
import { linkIsLive } from '@/lib/auth/users';
import styles from '../ui/account.module.css';
import { AccountForm } from '../ui/account-form';

export const metadata = { title: 'Set your password' };
export const dynamic = 'force-dynamic';

/**
 * Where an invitation or a password reset link leads: the form shows only while the link is live
 * (unused, unexpired); setting the password uses it up, signs out the account's other sessions
 * and signs its owner in.
 */
export default async function SetPasswordPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePage('/set-password');
  const raw = (await searchParams).token;
  const token = Array.isArray(raw) ? raw[0] : raw;
  const live = token ? await linkIsLive('invite', token) : false;
  return (
    <section className={styles.card}>
      <h1>Set your password</h1>
      {live && token ? (
        <>
          <p className={styles.lead}>Choose the password you will sign in to Burnrate with. This link works once.</p>
          <AccountForm
            action={setPassword}
            testId="set-password"
            hidden={{ token }}
            submitLabel="Set password and sign in"
            pendingLabel="Saving…"
            fields={[
              {
                name: 'password',
                label: 'New password',
                type: 'password',
                autoComplete: 'new-password',
                help: `At least ${MIN_PASSWORD_LENGTH} characters.`,
              },
              { name: 'confirm', label: 'New password again', type: 'password', autoComplete: 'new-password' },
            ]}
          />
        </>
      ) : (
        <p className={styles.alert} role="alert" data-testid="set-password-refused">
          {token
            ? 'This link has expired or was already used. Ask an admin for a new one.'
            : 'This page needs the whole link an admin sent you (it ends in ?token=…).'}
        </p>
      )}
    </section>
  );
}
