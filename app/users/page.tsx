import { Suspense } from 'react';
import { ROLE_LABELS } from '@/lib/auth/roles';
import { requirePage } from '@/lib/auth/session';
import { readEnv } from '@/lib/env';
import { formatDateTimeUtc } from '@/lib/format';
import { listUsers, type UserListItem } from '@/lib/queries/users';
import { PanelErrorBoundary } from '../ui/panel-error';
import { TableSkeleton } from '../ui/skeletons';
import { InviteForm } from './_components/invite-form';
import { UserActions } from './_components/user-actions';
import styles from './_components/users.module.css';

export const metadata = { title: 'Users' };
export const dynamic = 'force-dynamic';

function Status({ user }: { user: UserListItem }) {
  if (user.disabledAt)
    return (
      <span
        className={`${styles.badge} ${styles.badgeOff}`}
        title={`since ${formatDateTimeUtc(user.disabledAt)}`}
        data-testid="user-status"
      >
        disabled
      </span>
    );
  if (user.invitePending)
    return (
      <span className={`${styles.badge} ${styles.badgeInfo}`} data-testid="user-status">
        invited
      </span>
    );
  return (
    <span className={`${styles.badge} ${styles.badgeOk}`} data-testid="user-status">
      enabled
    </span>
  );
}

async function UsersPanel({ selfId, publicUrl }: { selfId: string; publicUrl: string | null }) {
  const users = await listUsers();
  const admins = users.filter((u) => u.role === 'admin' && !u.disabledAt).length;
  return (
    <section className="panel">
      <div className="panel-head">
        <h2>Users</h2>
        <span className="meta">
          {users.length} {users.length === 1 ? 'user' : 'users'} · {admins} enabled {admins === 1 ? 'admin' : 'admins'}
        </span>
      </div>
      <div className="table-scroll">
        <table className="table" data-testid="users-table">
          <thead>
            <tr>
              <th>User</th>
              <th>Role</th>
              <th>Status</th>
              <th>Signs in with</th>
              <th>Last sign-in (UTC)</th>
              <th>Created (UTC)</th>
              <th>Change</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id} data-testid="user-row" data-email={u.email}>
                <td>
                  <div className="cell-main">
                    {u.name}
                    {u.id === selfId ? <span className="cell-sub"> (you)</span> : null}
                  </div>
                  <div className="cell-sub">{u.email}</div>
                </td>
                <td data-testid="user-role">{ROLE_LABELS[u.role]}</td>
                <td>
                  <Status user={u} />
                </td>
                <td data-testid="user-methods">
                  {u.methods.length ? u.methods.map((m) => (m === 'password' ? 'password' : 'SSO')).join(', ') : '—'}
                </td>
                <td className="nowrap">{u.lastSignInAt ? formatDateTimeUtc(u.lastSignInAt) : <span className="cell-sub">never</span>}</td>
                <td className="nowrap">{formatDateTimeUtc(u.createdAt)}</td>
                <td>
                  <UserActions
                    id={u.id}
                    email={u.email}
                    role={u.role}
                    disabled={u.disabledAt !== null}
                    isSelf={u.id === selfId}
                    publicUrl={publicUrl}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** Admins manage accounts: invite (a link shown once), roles, disable/enable, password reset links. */
export default async function UsersPage() {
  const actor = await requirePage('/users');
  if (!actor) return null;
  const publicUrl = readEnv().BURNRATE_PUBLIC_URL ?? null;
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Users</h1>
          <p className="sub">
            Who may sign in, and with which role. Invitation and reset links are shown once, here: send them yourself. The last enabled
            admin cannot be demoted or disabled.
          </p>
        </div>
      </div>
      <section className="panel">
        <div className="panel-head">
          <h2>Invite a user</h2>
        </div>
        <InviteForm publicUrl={publicUrl} />
      </section>
      <PanelErrorBoundary title="Users">
        <Suspense fallback={<TableSkeleton title="Users" rows={4} />}>
          <UsersPanel selfId={actor.userId} publicUrl={publicUrl} />
        </Suspense>
      </PanelErrorBoundary>
    </>
  );
}
