import { redirect } from 'next/navigation';
import { signIn } from '@/lib/actions/sign-in';
import { safeNextPath } from '@/lib/auth/next-path';
import { requirePage } from '@/lib/auth/session';
import { userCount } from '@/lib/auth/users';
import styles from '../ui/account.module.css';
import { AccountForm } from '../ui/account-form';

export const metadata = { title: 'Sign in' };
export const dynamic = 'force-dynamic';

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePage('/sign-in');
  const raw = (await searchParams).next;
  const next = safeNextPath(Array.isArray(raw) ? raw[0] : raw);
  if (user) redirect(next);
  const noUsers = (await userCount()) === 0;
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
