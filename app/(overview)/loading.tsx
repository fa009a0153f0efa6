import { OverviewSkeleton } from '../ui/skeletons';

export default function Loading() {
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Overview</h1>
          <p className="sub">Loading…</p>
        </div>
      </div>
      <OverviewSkeleton />
    </>
  );
}
