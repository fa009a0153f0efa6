'use client';

import { catchError, type ErrorInfo } from 'next/error';

function describeError(error: unknown): { message: string; digest: string | null } {
  const digest = error instanceof Error && 'digest' in error ? String((error as Error & { digest?: unknown }).digest) : null;
  // In production React replaces server error messages with a generic text; the digest matches the server log.
  const message = process.env.NODE_ENV === 'production' || !(error instanceof Error) ? '' : error.message;
  return { message, digest };
}

function PanelErrorFallback(props: { title: string }, { error, retry }: ErrorInfo) {
  const { message, digest } = describeError(error);
  return (
    <section className="panel" role="alert" data-testid="panel-error">
      <div className="panel-head">
        <h2>{props.title}</h2>
      </div>
      <div className="notice error">
        <p>
          This could not be loaded. If it keeps failing, check that the database is reachable (DATABASE_URL).
          {message ? ` ${message}` : ''}
        </p>
        {digest ? (
          <p>
            Error reference <code>{digest}</code> (see the server log).
          </p>
        ) : null}
        <p>
          <button type="button" className="btn" onClick={() => retry()}>
            Try again
          </button>
        </p>
      </div>
    </section>
  );
}

/** Per-panel error boundary: one failing query does not take the whole Overview down. */
export const PanelErrorBoundary = catchError(PanelErrorFallback);
