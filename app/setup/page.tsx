import { redirect } from 'next/navigation';
import { setupFirstAdmin } from '@/lib/actions/setup-admin';
import { MIN_PASSWORD_LENGTH } from '@/lib/auth/password';
import { requirePage } from '@/lib/auth/session';
import { linkIsLive, userCount } from '@/lib/auth/users';
import styles from '../ui/account.module.css';
import { AccountForm } from '../ui/account-form';

export const metadata = { title: 'Set up' };
export const dynamic = 'force-dynamic';

/**
 * Create the first admin: only through the link npm start prints while no user exists (a token,
 * as notebook servers do), so nobody else on the network can claim the server first.
 */
export default async function SetupPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requirePage('/setup');
  if (user) redirect('/');
  const raw = (await searchParams).token;
  const token = Array.isArray(raw) ? raw[0] : raw;
  if ((await userCount()) > 0) redirect('/sign-in');
  const live = token ? await linkIsLive('setup', token) : false;
  return (
    <section className={styles.card}>
      <h1>Create the first admin</h1>
      {live && token ? (
        <>
          <p className={styles.lead}>This account can add sources, invite the rest of the team and set their roles.</p>
          <AccountForm
            action={setupFirstAdmin}
            testId="setup"
            hidden={{ token }}
            submitLabel="Create admin and sign in"
            pendingLabel="Creating…"
            fields={[
              { name: 'name', label: 'Name', type: 'text', autoComplete: 'name' },
              { name: 'email', label: 'Email', type: 'email', autoComplete: 'username' },
              {
                name: 'password',
                label: 'Password',
                type: 'password',
                autoComplete: 'new-password',
                help: `At least ${MIN_PASSWORD_LENGTH} characters.`,
              },
              { name: 'confirm', label: 'Password again', type: 'password', autoComplete: 'new-password' },
            ]}
          />
        </>
      ) : (
        <p className={styles.alert} role="alert" data-testid="setup-refused">
          This page needs the one-time setup link that <code>npm start</code> printed in its terminal (it ends in
          <code>?token=…</code>). {token ? 'This link has expired or was replaced by a newer one: restart npm start for a new link.' : ''}
        </p>
      )}
    </section>
  );
}
