import Link from 'next/link';
import { Suspense } from 'react';
import { mayRun, requirePage } from '@/lib/auth/session';
import { listSources } from '@/lib/queries/sources';
import { Notice } from '../ui/notice';
import { PanelErrorBoundary } from '../ui/panel-error';
import { TableSkeleton } from '../ui/skeletons';
import { SourcesTable } from './_components/sources-table';

export const metadata = { title: 'Sources' };
// Sources change through actions and the worker; never prerender this page at build time.
export const dynamic = 'force-dynamic';

async function SourcesPanel() {
  const sources = await listSources();
  const failing = sources.filter((s) => s.failing);
  const connectors = sources.filter((s) => s.isConnector).length;
  return (
    <>
      {failing.length ? (
        <Notice tone="warn" testId="failing-notice">
          <p>
            {failing.length === 1 ? '1 source keeps' : `${failing.length} sources keep`} failing to sync:{' '}
            {failing.map((s, i) => (
              <span key={s.id}>
                {i ? ', ' : ''}
                <Link href={`/sources/${s.id}`}>{s.name}</Link> ({s.consecutiveFailures} in a row)
              </span>
            ))}
            . Their pages show the errors.
          </p>
        </Notice>
      ) : null}
      <section className="panel">
        <div className="panel-head">
          <h2>Billing sources</h2>
          <span className="meta">
            {sources.length} {sources.length === 1 ? 'source' : 'sources'} · {connectors} {connectors === 1 ? 'connector' : 'connectors'}
          </span>
        </div>
        {sources.length ? (
          <SourcesTable sources={sources} />
        ) : (
          <p className="cell-sub" data-testid="sources-empty">
            No sources yet. Add a connector, or load a file with <code>npm run ingest -- path/to/export.csv</code>.
          </p>
        )}
      </section>
    </>
  );
}

export default async function SourcesPage() {
  const user = await requirePage('/sources');
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Sources</h1>
          <p className="sub">
            Where the billing data comes from. Connectors sync their cloud's exports on a schedule; file sources are loaded with{' '}
            <code>npm run ingest</code>.
          </p>
        </div>
        {mayRun(user, 'saveSource') ? (
          <div className="toolbar">
            <Link href="/sources/new" className="btn" data-testid="add-source">
              Add source
            </Link>
          </div>
        ) : null}
      </div>
      <PanelErrorBoundary title="Billing sources">
        <Suspense fallback={<TableSkeleton title="Billing sources" rows={4} />}>
          <SourcesPanel />
        </Suspense>
      </PanelErrorBoundary>
    </>
  );
}
