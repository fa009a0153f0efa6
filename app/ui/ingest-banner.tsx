'use client';

import { useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useEffect, useRef } from 'react';
import { formatCount, formatDateTimeUtc } from '@/lib/format';
import { type IngestStatus, IngestStatusSchema } from '@/lib/schema';

async function fetchIngestStatus(): Promise<IngestStatus> {
  const res = await fetch('/api/ingest/status', { cache: 'no-store' });
  if (!res.ok) throw new Error(`ingest status: HTTP ${res.status}`);
  return IngestStatusSchema.parse(await res.json());
}

/**
 * "Ingest in progress" banner. Server-rendered with the current runs, then polled: every 3 s while
 * a run is going, every 20 s otherwise. When the last run finishes the page re-renders so the
 * figures include the new data.
 */
export function IngestBanner({ initial }: { initial: IngestStatus }) {
  const router = useRouter();
  const { data } = useQuery({
    queryKey: ['ingest-status'],
    queryFn: fetchIngestStatus,
    initialData: initial,
    refetchInterval: (query) => (query.state.data?.running.length ? 3_000 : 20_000),
  });
  const running = data.running;
  const wasRunning = useRef(running.length > 0);
  useEffect(() => {
    if (wasRunning.current && running.length === 0) router.refresh();
    wasRunning.current = running.length > 0;
  }, [running.length, router]);

  if (running.length === 0) return null;
  return (
    <div className="notice warn banner" role="status" aria-live="polite" data-testid="ingest-banner">
      <span className="pulse" aria-hidden="true" />
      <div>
        <strong>Ingest in progress.</strong>{' '}
        {running.map((r, i) => (
          <span key={r.id}>
            {i > 0 ? '; ' : ''}
            {r.sourceName}: <code>{r.fileName}</code>, started {formatDateTimeUtc(r.startedAt)}
            {r.rowCount !== '0' ? `, ${formatCount(r.rowCount)} rows so far` : ''}
          </span>
        ))}
        . Figures may change when it finishes; this page refreshes by itself.
      </div>
    </div>
  );
}
