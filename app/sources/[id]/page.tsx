import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Suspense } from 'react';
import { DEFAULT_SYNC_SCHEDULE } from '@/jobs/schedule';
import { mayRun, requirePage } from '@/lib/auth/session';
import { formatCount, formatDateTimeUtc } from '@/lib/format';
import { sourceKindForms } from '@/lib/inventory/registry';
import { getPendingSyncs, type PendingSync } from '@/lib/queries/pending-syncs';
import { canStoreSecrets, getInventoryHistory, getSource, getSyncHistory, type SourceDetail } from '@/lib/queries/sources';
import { Notice } from '../../ui/notice';
import { PanelErrorBoundary } from '../../ui/panel-error';
import { TableSkeleton } from '../../ui/skeletons';
import { AutoRefresh } from '../_components/auto-refresh';
import { Badge, FailingBadge, StatusBadge } from '../_components/badges';
import { InventoryHistory } from '../_components/inventory-history';
import { describeSchedule } from '../_components/schedule';
import { SourceActions } from '../_components/source-actions';
import { SourceForm } from '../_components/source-form';
import styles from '../_components/sources.module.css';
import { SyncHistory } from '../_components/sync-history';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ id: string }> };

function sourceId(raw: string): number | null {
  return /^[1-9]\d{0,9}$/.test(raw) && Number(raw) <= 2_147_483_647 ? Number(raw) : null;
}

export async function generateMetadata({ params }: Params) {
  // The title names the source: the same check as the page, since metadata renders on its own.
  await requirePage('/sources/[id]');
  const id = sourceId((await params).id);
  const source = id === null ? null : await getSource(id).catch(() => null);
  return { title: source ? source.name : 'Source' };
}

function Facts({ source }: { source: SourceDetail }) {
  const now = Date.now();
  return (
    <dl className="facts" data-testid="source-facts">
      <dt>Kind</dt>
      <dd>{source.kindLabel}</dd>
      <dt>Provider</dt>
      <dd>{source.providerLabel}</dd>
      {source.isConnector || source.inventoryOnly ? (
        <>
          <dt>Status</dt>
          <dd>
            <Badge tone={source.enabled ? 'ok' : 'muted'} testId="source-enabled">
              {source.enabled ? 'enabled' : 'disabled'}
            </Badge>{' '}
            {source.failing ? <FailingBadge failures={source.consecutiveFailures} /> : null}
          </dd>
        </>
      ) : null}
      {source.isConnector ? (
        <>
          <dt>Schedule</dt>
          <dd>
            {source.effectiveSchedule ? describeSchedule(source.effectiveSchedule) : '—'}{' '}
            <code>
              {source.effectiveSchedule}
              {source.schedule === null ? ' (default)' : ''}
            </code>
          </dd>
          <dt>Next sync</dt>
          <dd>
            {source.nextSyncAt === null
              ? 'not scheduled (disabled)'
              : source.nextSyncAt.getTime() <= now
                ? 'due: at the scheduler’s next check (every 10 minutes)'
                : formatDateTimeUtc(source.nextSyncAt)}
          </dd>
          <dt>Last sync</dt>
          <dd>
            {source.lastSyncAt && source.lastSyncStatus ? (
              <>
                <StatusBadge status={source.lastSyncStatus} testId="last-sync-status" /> {formatDateTimeUtc(source.lastSyncAt)}
              </>
            ) : (
              'never'
            )}
          </dd>
        </>
      ) : null}
      {source.inventoryKind ? (
        <>
          <dt>Inventory</dt>
          <dd data-testid="inventory-state">
            {source.inventoryEnabled ? 'on: synced every hour' : 'off'}
            {source.lastInventoryAt && source.lastInventoryStatus ? (
              <>
                {' · last '}
                <StatusBadge status={source.lastInventoryStatus} testId="last-inventory-status" />{' '}
                {formatDateTimeUtc(source.lastInventoryAt)}
              </>
            ) : null}
          </dd>
        </>
      ) : null}
      {source.isConnector || source.inventoryOnly ? (
        <>
          <dt>Credentials</dt>
          <dd data-testid="credentials-state">
            {source.hasSecret ? 'stored (encrypted)' : 'none stored: default credentials of the server'}
          </dd>
        </>
      ) : null}
      {source.inventoryOnly ? null : (
        <>
          <dt>Rows</dt>
          <dd className="num">{formatCount(source.rows)}</dd>
          <dt>Last ingest</dt>
          <dd>
            {source.lastIngestAt && source.lastIngestStatus ? (
              <>
                <StatusBadge status={source.lastIngestStatus} /> {formatDateTimeUtc(source.lastIngestAt)}
              </>
            ) : (
              'none'
            )}
          </dd>
        </>
      )}
    </dl>
  );
}

async function HistoryPanel({ id }: { id: number }) {
  const runs = await getSyncHistory(id);
  let pending: PendingSync[] = [];
  let queueProblem = false;
  try {
    pending = await getPendingSyncs(id);
  } catch (error) {
    console.error(`[burnrate] pending syncs unavailable: ${(error as Error).message}`);
    queueProblem = true;
  }
  const active = pending.length > 0 || runs.some((r) => r.status === 'running');
  return (
    <>
      <AutoRefresh active={active} />
      {queueProblem ? <p className="cell-sub">The job queue could not be read; queued syncs are not shown.</p> : null}
      <SyncHistory runs={runs} pending={pending} />
    </>
  );
}

async function InventoryHistoryPanel({ id }: { id: number }) {
  const runs = await getInventoryHistory(id);
  return (
    <>
      <AutoRefresh active={runs.some((r) => r.status === 'running')} />
      <InventoryHistory runs={runs} />
    </>
  );
}

export default async function SourcePage({ params }: Params) {
  const user = await requirePage('/sources/[id]');
  const admin = mayRun(user, 'saveSource');
  const id = sourceId((await params).id);
  if (id === null) notFound();
  const source = await getSource(id);
  if (!source) notFound();
  const kindForm = sourceKindForms().find((k) => k.kind.kind === source.kind);
  const lastError = source.failing ? (await getSyncHistory(id, 1))[0]?.error : undefined;
  return (
    <>
      <div className="page-head">
        <div>
          <p className={styles.back}>
            <Link href="/sources">← Sources</Link>
          </p>
          <h1 data-testid="source-name">{source.name}</h1>
          <p className="sub">
            {source.kindLabel} · {source.providerLabel}
          </p>
        </div>
      </div>
      {source.failing ? (
        <Notice tone="warn" testId="failing-notice">
          <p>
            The last {source.consecutiveFailures} syncs of this source failed{lastError ? `: ${lastError}` : '.'}
          </p>
        </Notice>
      ) : null}
      {!source.isConnector && !source.inventoryOnly ? (
        <Notice testId="file-source-note">
          <p>
            A file source: its data is loaded with <code>npm run ingest -- --source {source.name} FILE…</code>. It has no connector, so it
            is not synced or scheduled.
          </p>
        </Notice>
      ) : null}
      <div className="grid-2">
        <section className="panel">
          <div className="panel-head">
            <h2>Source</h2>
          </div>
          <Facts source={source} />
        </section>
        {admin ? (
          <section className="panel">
            <div className="panel-head">
              <h2>Actions</h2>
            </div>
            <SourceActions
              id={source.id}
              name={source.name}
              isConnector={source.isConnector}
              inventoryOnly={source.inventoryOnly}
              inventoryEnabled={source.inventoryEnabled}
              enabled={source.enabled}
              rows={source.rows}
            />
          </section>
        ) : null}
      </div>
      {source.isConnector ? (
        <PanelErrorBoundary title="Sync history">
          <section className="panel">
            <div className="panel-head">
              <h2>Sync history</h2>
              <span className="meta">latest 20 runs</span>
            </div>
            <Suspense fallback={<TableSkeleton title="Sync history" rows={3} />}>
              <HistoryPanel id={source.id} />
            </Suspense>
          </section>
        </PanelErrorBoundary>
      ) : null}
      {source.inventoryEnabled ? (
        <PanelErrorBoundary title="Inventory history">
          <section className="panel">
            <div className="panel-head">
              <h2>Inventory history</h2>
              <span className="meta">latest 20 runs</span>
            </div>
            <Suspense fallback={<TableSkeleton title="Inventory history" rows={3} />}>
              <InventoryHistoryPanel id={source.id} />
            </Suspense>
          </section>
        </PanelErrorBoundary>
      ) : null}
      {kindForm && admin ? (
        <section className="panel">
          <div className="panel-head">
            <h2>Settings</h2>
          </div>
          <SourceForm
            // Enabled can also change through the actions above: remount so the checkbox shows it.
            key={String(source.enabled)}
            kind={kindForm.kind}
            inventory={kindForm.inventory}
            inventoryOnly={kindForm.inventoryOnly}
            values={{
              id: source.id,
              name: source.name,
              enabled: source.enabled,
              schedule: source.schedule,
              config: source.config,
              hasSecret: source.hasSecret,
              inventoryEnabled: source.inventoryEnabled,
              inventoryConfig: source.inventoryConfig,
            }}
            secretKeyConfigured={canStoreSecrets().ok}
            defaultSchedule={DEFAULT_SYNC_SCHEDULE}
          />
        </section>
      ) : null}
    </>
  );
}
