import { formatCount, formatDateTimeUtc, formatMoneyList } from '@/lib/format';
import type { PendingSync } from '@/lib/queries/pending-syncs';
import type { SyncRunItem } from '@/lib/queries/sources';
import { Badge, StatusBadge } from './badges';
import styles from './sources.module.css';

function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - m * 60)} s`;
}

const PENDING_LABEL: Record<PendingSync['state'], string> = { queued: 'queued', retry: 'retry scheduled', active: 'starting' };

/** The source's sync runs, newest first, with syncs still waiting in the queue on top. */
export function SyncHistory({ runs, pending }: { runs: SyncRunItem[]; pending: PendingSync[] }) {
  // A job a worker has taken shows as its running sync run once syncSource has recorded it.
  const running = runs.some((r) => r.status === 'running');
  const waiting = pending.filter((p) => p.state !== 'active' || !running);
  if (!runs.length && !waiting.length) {
    return (
      <p className="cell-sub" data-testid="history-empty">
        No syncs yet. The scheduler syncs an enabled source within 10 minutes of adding it; “Sync now” queues one at once.
      </p>
    );
  }
  return (
    <div className="table-scroll">
      <table className="table" data-testid="sync-history">
        <thead>
          <tr>
            <th>Status</th>
            <th>Trigger</th>
            <th>Started (UTC)</th>
            <th className="right">Duration</th>
            <th className="right">Deliveries</th>
            <th className="right">Rows</th>
            <th>Billed totals</th>
            <th>Error</th>
          </tr>
        </thead>
        <tbody>
          {waiting.map((p) => (
            <tr key={p.jobId} data-testid="history-row" data-status={p.state}>
              <td>
                <Badge tone="running" testId="run-status">
                  {PENDING_LABEL[p.state]}
                </Badge>
              </td>
              <td data-testid="run-trigger">{p.trigger}</td>
              <td className="nowrap">
                {p.state === 'retry'
                  ? `attempt ${p.attempt} after ${formatDateTimeUtc(p.startAfter)}`
                  : `queued ${formatDateTimeUtc(p.createdAt)}`}
              </td>
              <td className="right">—</td>
              <td className="right">—</td>
              <td className="right">—</td>
              <td />
              <td className="cell-sub">{p.state === 'queued' ? 'waiting for the worker' : ''}</td>
            </tr>
          ))}
          {runs.map((r) => (
            <tr key={r.id} data-testid="history-row" data-status={r.status}>
              <td>
                <StatusBadge status={r.status} testId="run-status" />
              </td>
              <td data-testid="run-trigger">{r.trigger}</td>
              <td className="nowrap">{formatDateTimeUtc(r.startedAt)}</td>
              <td className="right num">{formatDuration(r.durationMs)}</td>
              <td className="right num" title={`${r.deliveriesSeen} found, ${r.deliveriesIngested} new or restated`}>
                {r.deliveriesIngested} / {r.deliveriesSeen}
              </td>
              <td className="right num">{formatCount(r.rows)}</td>
              <td className="num">
                {r.totals.length ? formatMoneyList(r.totals.map((t) => ({ amount: t.billedCost, currency: t.currency }))) : '—'}
                {r.billingPeriods.length ? (
                  <div className="cell-sub">
                    {r.billingPeriods.length === 1
                      ? r.billingPeriods[0]?.slice(0, 7)
                      : `${r.billingPeriods[0]?.slice(0, 7)} … ${r.billingPeriods[r.billingPeriods.length - 1]?.slice(0, 7)}`}
                  </div>
                ) : null}
              </td>
              <td>
                {r.error ? (
                  <div className={styles.errorText} data-testid="run-error">
                    {r.error}
                  </div>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
