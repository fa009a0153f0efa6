import { changePassword } from '@/lib/actions/change-password';
import { MAX_LIVE_TOKENS } from '@/lib/auth/api-tokens';
import { MIN_PASSWORD_LENGTH } from '@/lib/auth/password';
import { ROLE_LABELS } from '@/lib/auth/roles';
import { requirePage } from '@/lib/auth/session';
import { formatDateTimeUtc } from '@/lib/format';
import { getProfile, listApiTokens } from '@/lib/queries/users';
import { AccountForm } from '../ui/account-form';
import { Notice } from '../ui/notice';
import { CreateApiTokenForm, RevokeApiTokenButton } from './_components/api-token-forms';

export const metadata = { title: 'Profile' };
export const dynamic = 'force-dynamic';

/** The signed-in user's own account: who they are, their password, their API tokens. */
export default async function ProfilePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requirePage('/profile');
  if (!actor) return null;
  const [user, tokens] = await Promise.all([getProfile(actor.userId), listApiTokens(actor.userId)]);
  if (!user) return null;
  const changed = (await searchParams).password === 'changed';
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Profile</h1>
          <p className="sub">Your account on this Burnrate server.</p>
        </div>
      </div>
      <section className="panel" data-testid="profile">
        <div className="panel-head">
          <h2>Account</h2>
        </div>
        <dl className="facts">
          <dt>Name</dt>
          <dd>{user.name}</dd>
          <dt>Email</dt>
          <dd data-testid="profile-email">{user.email}</dd>
          <dt>Role</dt>
          <dd data-testid="profile-role">{ROLE_LABELS[actor.role]}</dd>
          <dt>Member since</dt>
          <dd>{formatDateTimeUtc(user.createdAt)}</dd>
          <dt>Last sign-in</dt>
          <dd>{user.lastSignInAt ? formatDateTimeUtc(user.lastSignInAt) : '—'}</dd>
        </dl>
      </section>
      <section className="panel" data-testid="password-panel">
        <div className="panel-head">
          <h2>Password</h2>
        </div>
        {changed ? (
          <Notice testId="password-changed">
            <p>Password changed. Your other sessions were signed out.</p>
          </Notice>
        ) : null}
        {user.hasPassword ? (
          <div style={{ maxWidth: 420 }}>
            <AccountForm
              action={changePassword}
              testId="change-password"
              submitLabel="Change password"
              pendingLabel="Changing…"
              fields={[
                { name: 'currentPassword', label: 'Current password', type: 'password', autoComplete: 'current-password' },
                {
                  name: 'newPassword',
                  label: 'New password',
                  type: 'password',
                  autoComplete: 'new-password',
                  help: `At least ${MIN_PASSWORD_LENGTH} characters. Your other sessions are signed out.`,
                },
                { name: 'confirm', label: 'New password again', type: 'password', autoComplete: 'new-password' },
              ]}
            />
          </div>
        ) : (
          <p className="cell-sub" data-testid="no-password">
            You sign in through single sign-on; this account has no password here. An admin can send you a link to set one.
          </p>
        )}
      </section>
      <section className="panel" data-testid="tokens-panel">
        <div className="panel-head">
          <h2>API tokens</h2>
          <span className="meta">read-only · at most {MAX_LIVE_TOKENS} live</span>
        </div>
        <p className="cell-sub">
          For scripts: send <code>Authorization: Bearer &lt;token&gt;</code> to the read endpoints (README, API tokens). A token reads what
          your role may read and changes nothing; it stops working when revoked or when your account is disabled.
        </p>
        <CreateApiTokenForm />
        {tokens.length ? (
          <div className="table-scroll">
            <table className="table" data-testid="tokens-table">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Starts with</th>
                  <th>Created (UTC)</th>
                  <th>Last used (UTC)</th>
                  <th>Status</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {tokens.map((t) => (
                  <tr key={t.id} data-testid="token-row" data-token-name={t.name}>
                    <td>{t.name}</td>
                    <td className="mono">{t.prefix}…</td>
                    <td className="nowrap">{formatDateTimeUtc(t.createdAt)}</td>
                    <td className="nowrap">{t.lastUsedAt ? formatDateTimeUtc(t.lastUsedAt) : <span className="cell-sub">never</span>}</td>
                    <td data-testid="token-status">{t.revokedAt ? `revoked ${formatDateTimeUtc(t.revokedAt)}` : 'live'}</td>
                    <td>{t.revokedAt ? null : <RevokeApiTokenButton id={t.id} name={t.name} />}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
    </>
  );
}
