import { TableSkeleton } from '../ui/skeletons';

export default function Loading() {
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Audit trail</h1>
          <p className="sub">Loading…</p>
        </div>
      </div>
      <TableSkeleton title="Audit trail" rows={10} />
    </>
  );
}
