import { getIngestStatus } from '@/lib/queries/ingest-status';
import type { IngestStatus } from '@/lib/schema';
import { IngestBanner } from './ingest-banner';

export async function IngestBannerPanel() {
  let status: IngestStatus;
  try {
    status = await getIngestStatus();
  } catch (error) {
    // The banner is a hint, not content: if the database is down the panels below say so.
    console.error('ingest status unavailable', error);
    status = { running: [] };
  }
  return <IngestBanner initial={status} />;
}
