import { redirect } from 'next/navigation';
import { signIn } from '@/lib/actions/sign-in';
import { startSingleSignOn } from '@/lib/actions/start-single-sign-on';
import { safeNextPath } from '@/lib/auth/next-path';
import { requirePage } from '@/lib/auth/session';
import { ssoErrorMessage } from '@/lib/auth/sso-errors';
import { ssoButtonName } from '@/lib/auth/sso-settings';
import { userCount } from '@/lib/auth/users';
import styles from '../ui/account.module.css';
import { AccountForm } from '../ui/account-form';
import { SsoButton } from '../ui/sso-button';

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export const metadata = { title: 'Sign in' };
export const dynamic = 'force-dynamic';

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePage('/sign-in');
  const params = await searchParams;
  const next = safeNextPath(first(params.next));
  if (user) redirect(next);
  const noUsers = (await userCount()) === 0;
  const sso = await ssoButtonName();
  // Set by the SSO callback (lib/auth/sso.ts) after a failed single sign-on.
  const ssoError = first(params.sso_error);
  return (
    <section className={styles.card}>
      <h1>Sign in to Burnrate</h1>
      {noUsers ? (
        <p className={styles.lead} data-testid="no-users">
          No account exists yet. Open the one-time setup link that <code>npm start</code> printed in its terminal to create the first admin,
          or run <code>npm run user -- create --email you@example.com --role admin</code>.
        </p>
      ) : (
        <p className={styles.lead}>Use the account an admin created for you.</p>
      )}
      {ssoError ? (
        <p role="alert" className={styles.alert} data-testid="sso-error">
          {ssoErrorMessage(ssoError, first(params.ref) ?? null)}
        </p>
      ) : null}
      {sso ? (
        <>
          <SsoButton action={startSingleSignOn} name={sso} next={next} />
          <p className={styles.divider}>or with a password</p>
        </>
      ) : null}
      <AccountForm
        action={signIn}
        testId="sign-in"
        hidden={{ next }}
        submitLabel="Sign in"
        pendingLabel="Signing in…"
        fields={[
          { name: 'email', label: 'Email', type: 'email', autoComplete: 'username' },
          { name: 'password', label: 'Password', type: 'password', autoComplete: 'current-password' },
        ]}
      />
    </section>
  );
}
