'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';

const SECTIONS = [
  { label: 'Overview', href: '/' },
  { label: 'Sources', href: '/sources' },
] as const;
const SOON = ['Explorer', 'Recommendations'] as const;

function isCurrent(pathname: string, href: string): boolean {
  return href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`);
}

/** App bar: brand and the top-level sections (Overview and Sources exist; the others are placeholders). */
export function AppHeader() {
  const pathname = usePathname() ?? '/';
  return (
    <header className="topbar">
      <Link href="/" className="brand" aria-label="Burnrate, Overview">
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" className="brand-mark">
          <path d="M12 2c1 4 5 6 5 11a5 5 0 0 1-10 0c0-2 1-3.5 2-4.5 0 2 1 3 2 3 0-4-1-6 1-9.5Z" fill="currentColor" />
        </svg>
        Burnrate
      </Link>
      <nav aria-label="Main" className="mainnav">
        {SECTIONS.map((s) => {
          const current = isCurrent(pathname, s.href);
          return (
            <Link key={s.href} href={s.href} aria-current={current ? 'page' : undefined} className={`navlink${current ? ' active' : ''}`}>
              {s.label}
            </Link>
          );
        })}
        {SOON.map((label) => (
          <span key={label} className="navlink disabled" aria-disabled="true" title={`${label}: coming soon`}>
            {label}
          </span>
        ))}
      </nav>
    </header>
  );
}
