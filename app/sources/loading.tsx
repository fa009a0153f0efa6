import { TableSkeleton } from '../ui/skeletons';

export default function Loading() {
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Sources</h1>
          <p className="sub">Loading…</p>
        </div>
      </div>
      <TableSkeleton title="Billing sources" rows={4} />
    </>
  );
}
