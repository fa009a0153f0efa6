'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useActionState } from 'react';
import { signOut } from '@/lib/actions/sign-out';
import { can, type PageKey } from '@/lib/auth/permissions';
import { ROLE_LABELS, type Role } from '@/lib/auth/roles';

// Each section shows only to the roles its page allows (lib/auth/permissions.ts); a page not in
// the table yet shows to nobody.
const SECTIONS: readonly { label: string; href: string; page: PageKey | string }[] = [
  { label: 'Overview', href: '/', page: '/' },
  { label: 'Explorer', href: '/explorer', page: '/explorer' },
  { label: 'Recommendations', href: '/recommendations', page: '/recommendations' },
  { label: 'Sources', href: '/sources', page: '/sources' },
  { label: 'GPUs', href: '/gpu', page: '/gpu' },
  { label: 'FX rates', href: '/settings/fx', page: '/settings/fx' },
  { label: 'Tag rules', href: '/settings/tags', page: '/settings/tags' },
  { label: 'Close', href: '/close', page: '/close' },
  { label: 'Reconciliation', href: '/reconciliation', page: '/reconciliation' },
  { label: 'Users', href: '/users', page: '/users' },
  { label: 'Audit', href: '/audit', page: '/audit' },
  { label: 'Settings', href: '/settings/sso', page: '/settings/sso' },
];

function isCurrent(pathname: string, href: string): boolean {
  return href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`);
}

export interface HeaderUser {
  email: string;
  name: string;
  role: Role;
}

function SignOut() {
  const [, action, pending] = useActionState(signOut, { status: 'idle' });
  return (
    <form action={action}>
      <button type="submit" className="btn" disabled={pending} data-testid="sign-out">
        {pending ? 'Signing out…' : 'Sign out'}
      </button>
    </form>
  );
}

/** App bar: brand, the sections the user's role may open, and who is signed in (none on the sign-in pages). */
export function AppHeader({ user }: { user: HeaderUser | null }) {
  const pathname = usePathname() ?? '/';
  const sections = user ? SECTIONS.filter((s) => can(user.role, 'page', s.page)) : [];
  return (
    <header className="topbar">
      <Link href="/" className="brand" aria-label="Burnrate, Overview">
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" className="brand-mark">
          <path d="M12 2c1 4 5 6 5 11a5 5 0 0 1-10 0c0-2 1-3.5 2-4.5 0 2 1 3 2 3 0-4-1-6 1-9.5Z" fill="currentColor" />
        </svg>
        Burnrate
      </Link>
      <nav aria-label="Main" className="mainnav">
        {sections.map((s) => {
          const current = isCurrent(pathname, s.href);
          return (
            <Link key={s.href} href={s.href} aria-current={current ? 'page' : undefined} className={`navlink${current ? ' active' : ''}`}>
              {s.label}
            </Link>
          );
        })}
      </nav>
      {user ? (
        <div className="usermenu" data-testid="user-menu">
          <Link href="/profile" className="navlink" title={user.email}>
            {user.name} <span className="role-badge">{ROLE_LABELS[user.role]}</span>
          </Link>
          <SignOut />
        </div>
      ) : null}
    </header>
  );
}
