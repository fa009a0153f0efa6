import Link from 'next/link';
import { Suspense } from 'react';
import { type AuditSearch, auditSearchString, parseAuditSearchParams, queryAudit } from '@/lib/audit/query';
import { requirePage } from '@/lib/auth/session';
import type { RawSearchParams } from '@/lib/schema';
import { Notice } from '../ui/notice';
import { PanelErrorBoundary } from '../ui/panel-error';
import { TableSkeleton } from '../ui/skeletons';
import styles from './_components/audit.module.css';
import { AuditFilterForm } from './_components/audit-filters';
import { AuditTable } from './_components/audit-table';

export const metadata = { title: 'Audit trail' };
// Every visit reads the trail as it is now.
export const dynamic = 'force-dynamic';

async function AuditPanel({ search }: { search: AuditSearch }) {
  const page = await queryAudit(search.filters, { cursor: search.cursor });
  const filtered = Object.keys(search.filters).length > 0;
  return (
    <section className="panel">
      <div className="panel-head">
        <h2>{search.cursor ? 'Older lines' : 'Latest lines'}</h2>
        <span className="meta">
          {page.rows.length} {page.rows.length === 1 ? 'line' : 'lines'} on this page{filtered ? ' (filtered)' : ''}
        </span>
      </div>
      {page.rows.length ? (
        <AuditTable rows={page.rows} />
      ) : (
        <p className="cell-sub" data-testid="audit-empty">
          {filtered || search.cursor ? 'No line matches these filters.' : 'Nothing recorded yet.'}
        </p>
      )}
      <div className={styles.pager}>
        {search.cursor ? (
          <Link href={`/audit${auditSearchString(search.filters)}`} className="btn">
            ← Newest
          </Link>
        ) : (
          <span />
        )}
        {page.nextCursor ? (
          <Link href={`/audit${auditSearchString(search.filters, page.nextCursor)}`} className="btn" data-testid="audit-older">
            Older →
          </Link>
        ) : null}
      </div>
    </section>
  );
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  await requirePage('/audit');
  const search = parseAuditSearchParams(await searchParams);
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Audit trail</h1>
          <p className="sub">
            Every change, and every refused or failed attempt at one: who, when, from which address, before and after. Lines are never
            changed or removed; secret values are never recorded.
          </p>
        </div>
        <div className="toolbar">
          <a href={`/audit/export${auditSearchString(search.filters)}`} className="btn" download data-testid="audit-export">
            Export CSV
          </a>
        </div>
      </div>
      {search.problems.length ? (
        <Notice tone="warn" testId="audit-problems">
          <p>Left out of the filters below:</p>
          <ul>
            {search.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </Notice>
      ) : null}
      <AuditFilterForm filters={search.filters} />
      <PanelErrorBoundary title="Audit trail">
        <Suspense key={auditSearchString(search.filters, search.cursor)} fallback={<TableSkeleton title="Audit trail" rows={10} />}>
          <AuditPanel search={search} />
        </Suspense>
      </PanelErrorBoundary>
    </>
  );
}
