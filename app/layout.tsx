import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { currentActor } from '@/lib/auth/session';
import { getPrisma } from '@/lib/db/prisma';
import { Providers } from './providers';
import { AppHeader, type HeaderUser } from './ui/header';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Burnrate', template: '%s · Burnrate' },
  description: 'Multi-cloud cost dashboard: AWS, Azure, Google Cloud and FOCUS billing data.',
};

async function headerUser(): Promise<HeaderUser | null> {
  const actor = await currentActor();
  if (actor.kind !== 'user') return null;
  const row = await getPrisma().user.findUnique({ where: { id: actor.userId }, select: { name: true } });
  return { email: actor.email, name: row?.name ?? actor.email, role: actor.role };
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await headerUser();
  return (
    <html lang="en">
      <body>
        <Providers>
          <AppHeader user={user} />
          <main className="page">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
