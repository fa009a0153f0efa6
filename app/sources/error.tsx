'use client';

import { useEffect } from 'react';

export default function SourcesError({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const digest = error instanceof Error && 'digest' in error ? String((error as Error & { digest?: string }).digest ?? '') : '';
  return (
    <section className="empty" role="alert">
      <h2>The sources could not be loaded</h2>
      <p>Usually the database is unreachable: check that PostgreSQL is running and DATABASE_URL points at it.</p>
      {digest ? (
        <p>
          Error reference: <code>{digest}</code> (the server log has the details).
        </p>
      ) : null}
      <p>
        <button type="button" className="btn" onClick={() => retry()}>
          Try again
        </button>
      </p>
    </section>
  );
}
