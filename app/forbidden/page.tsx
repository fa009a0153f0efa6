import Link from 'next/link';
import { ROLE_LABELS } from '@/lib/auth/roles';
import { requirePage } from '@/lib/auth/session';
import styles from '../ui/account.module.css';

export const metadata = { title: 'Not allowed' };
export const dynamic = 'force-dynamic';

/** Shown (with status 403, by proxy.ts) for a page the signed-in user's role does not include. */
export default async function ForbiddenPage() {
  const user = await requirePage('/forbidden');
  return (
    <section className={styles.card} data-testid="forbidden">
      <h1>Not allowed</h1>
      <p className={styles.lead}>
        {user ? `Your role (${ROLE_LABELS[user.role]}) does not include this page.` : 'Sign in to see this page.'} An admin can change roles
        on the Users page.
      </p>
      <Link href="/" className="btn">
        Back to the overview
      </Link>
    </section>
  );
}
