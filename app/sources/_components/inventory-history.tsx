import { formatCount, formatDateTimeUtc } from '@/lib/format';
import type { InventoryRunItem } from '@/lib/queries/sources';
import { StatusBadge } from './badges';

/** The source's inventory and metrics syncs, newest first: what was listed, what went, the samples and their window. */
export function InventoryHistory({ runs }: { runs: InventoryRunItem[] }) {
  if (!runs.length) {
    return (
      <p className="cell-sub" data-testid="inventory-history-empty">
        No inventory syncs yet. The worker syncs every source with inventory on each hour; “Sync inventory now” queues one at once.
      </p>
    );
  }
  return (
    <div className="table-scroll">
      <table className="table" data-testid="inventory-history">
        <thead>
          <tr>
            <th>Status</th>
            <th>Trigger</th>
            <th>Started (UTC)</th>
            <th className="right">Resources</th>
            <th className="right">Gone</th>
            <th className="right">Series</th>
            <th className="right">Samples</th>
            <th>Metrics window (UTC)</th>
            <th>Error</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id} data-testid="inventory-run" data-status={r.status}>
              <td>
                <StatusBadge status={r.status} />
              </td>
              <td>{r.trigger}</td>
              <td className="nowrap">{formatDateTimeUtc(r.startedAt)}</td>
              <td className="right num">{formatCount(String(r.resourcesListed))}</td>
              <td className="right num">{formatCount(String(r.resourcesGone))}</td>
              <td className="right num">{formatCount(String(r.series))}</td>
              <td className="right num">{formatCount(r.samples)}</td>
              <td className="nowrap">
                {r.metricsStart && r.metricsEnd ? `${formatDateTimeUtc(r.metricsStart)} – ${formatDateTimeUtc(r.metricsEnd)}` : '—'}
              </td>
              <td>{r.error ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
