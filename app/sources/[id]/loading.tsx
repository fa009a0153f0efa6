import { TableSkeleton } from '../../ui/skeletons';

export default function Loading() {
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Source</h1>
          <p className="sub">Loading…</p>
        </div>
      </div>
      <TableSkeleton title="Sync history" rows={3} />
    </>
  );
}
