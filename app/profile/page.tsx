import { ROLE_LABELS } from '@/lib/auth/roles';
import { requirePage } from '@/lib/auth/session';
import { getPrisma } from '@/lib/db/prisma';
import { formatDateTimeUtc } from '@/lib/format';

export const metadata = { title: 'Profile' };
export const dynamic = 'force-dynamic';

/** The signed-in user's own account: who they are and what their role lets them do. */
export default async function ProfilePage() {
  const actor = await requirePage('/profile');
  if (!actor) return null;
  const user = await getPrisma().user.findUniqueOrThrow({
    where: { id: actor.userId },
    select: { name: true, email: true, role: true, lastSignInAt: true, createdAt: true },
  });
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
    </>
  );
}
