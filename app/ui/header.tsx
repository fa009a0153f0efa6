import Link from 'next/link';

const SOON = ['Sources', 'Explorer', 'Recommendations'] as const;

/** App bar: brand and the top-level sections (only Overview exists yet; the others are placeholders). */
export function AppHeader() {
  return (
    <header className="topbar">
      <Link href="/" className="brand" aria-label="Burnrate, Overview">
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" className="brand-mark">
          <path d="M12 2c1 4 5 6 5 11a5 5 0 0 1-10 0c0-2 1-3.5 2-4.5 0 2 1 3 2 3 0-4-1-6 1-9.5Z" fill="currentColor" />
        </svg>
        Burnrate
      </Link>
      <nav aria-label="Main" className="mainnav">
        <Link href="/" aria-current="page" className="navlink active">
          Overview
        </Link>
        {SOON.map((label) => (
          <span key={label} className="navlink disabled" aria-disabled="true" title={`${label}: coming soon`}>
            {label}
          </span>
        ))}
      </nav>
    </header>
  );
}
