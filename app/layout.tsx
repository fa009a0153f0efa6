import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { Providers } from './providers';
import { AppHeader } from './ui/header';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Burnrate', template: '%s · Burnrate' },
  description: 'Multi-cloud cost dashboard: AWS, Azure, Google Cloud and FOCUS billing data.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <Providers>
          <AppHeader />
          <main className="page">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
