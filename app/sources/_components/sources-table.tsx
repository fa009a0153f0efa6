import Link from 'next/link';
import { formatCount, formatDateTimeUtc } from '@/lib/format';
import type { SourceListItem } from '@/lib/queries/sources';
import { Badge, FailingBadge, StatusBadge } from './badges';
import { describeSchedule } from './schedule';

function LastActivity({ source }: { source: SourceListItem }) {
  if (source.isConnector) {
    if (!source.lastSyncAt || !source.lastSyncStatus) return <span className="cell-sub">never synced</span>;
    return (
      <>
        <StatusBadge status={source.lastSyncStatus} testId="last-sync-status" />{' '}
        <span className="nowrap">{formatDateTimeUtc(source.lastSyncAt)}</span>
      </>
    );
  }
  if (!source.lastIngestAt || !source.lastIngestStatus) return <span className="cell-sub">nothing ingested</span>;
  return (
    <>
      <span className="cell-sub">ingested</span> <StatusBadge status={source.lastIngestStatus} />{' '}
      <span className="nowrap">{formatDateTimeUtc(source.lastIngestAt)}</span>
    </>
  );
}

/** Every billing source with its state; a row links to the source's page. */
export function SourcesTable({ sources }: { sources: SourceListItem[] }) {
  return (
    <div className="table-scroll">
      <table className="table" data-testid="sources-table">
        <thead>
          <tr>
            <th>Source</th>
            <th>Provider</th>
            <th>Status</th>
            <th>Schedule (UTC)</th>
            <th>Last sync / ingest</th>
            <th className="right">Rows</th>
          </tr>
        </thead>
        <tbody>
          {sources.map((s) => (
            <tr key={s.id} data-testid="source-row" data-source-name={s.name} data-kind={s.kind}>
              <td>
                <div className="cell-main">
                  <Link href={`/sources/${s.id}`}>{s.name}</Link>
                </div>
                <div className="cell-sub" data-testid="source-kind">
                  {s.kindLabel}
                </div>
              </td>
              <td>{s.providerLabel}</td>
              <td>
                {s.isConnector ? (
                  <Badge tone={s.enabled ? 'ok' : 'muted'} testId="source-enabled">
                    {s.enabled ? 'enabled' : 'disabled'}
                  </Badge>
                ) : (
                  <Badge tone="info" testId="source-enabled">
                    file
                  </Badge>
                )}{' '}
                {s.failing ? <FailingBadge failures={s.consecutiveFailures} /> : null}
              </td>
              <td>
                {s.effectiveSchedule ? (
                  <>
                    <div>{describeSchedule(s.effectiveSchedule)}</div>
                    <div className="cell-sub mono">
                      {s.effectiveSchedule}
                      {s.schedule === null ? ' (default)' : ''}
                    </div>
                  </>
                ) : (
                  <span className="cell-sub">—</span>
                )}
              </td>
              <td>
                <LastActivity source={s} />
              </td>
              <td className="right num">{formatCount(s.rows)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
