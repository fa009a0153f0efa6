import { Suspense } from 'react';
import { requirePage } from '@/lib/auth/session';
import { addDays, utcToday } from '@/lib/calendar';
import { formatDayRange } from '@/lib/format';
import { PanelErrorBoundary } from '../ui/panel-error';
import { ChartSkeleton, TableSkeleton } from '../ui/skeletons';
import { GpuFleetBody } from './fleet-body';

export const metadata = { title: 'GPUs' };

/** The GPU fleet: the last 14 days of utilization (the raw-sample window), the last 90 days of spend. */
export default async function GpuPage() {
  await requirePage('/gpu');
  const today = utcToday();
  const window = { from: addDays(today, -13), to: today };
  const spendRange = { from: addDays(today, -89), to: today };
  return (
    <>
      <div className="page-head">
        <div>
          <h1>GPUs</h1>
          <p className="sub" data-testid="gpu-window" data-from={window.from} data-to={window.to}>
            {formatDayRange(window)} · utilization, idle hours and cost per useful GPU-hour
          </p>
        </div>
      </div>
      <PanelErrorBoundary title="GPUs">
        <Suspense
          fallback={
            <>
              <ChartSkeleton title="Fleet utilization by day and hour" />
              <TableSkeleton title="GPUs" />
            </>
          }
        >
          <GpuFleetBody window={window} spendRange={spendRange} />
        </Suspense>
      </PanelErrorBoundary>
    </>
  );
}
