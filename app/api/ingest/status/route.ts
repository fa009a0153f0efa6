import { getIngestStatus } from '@/lib/queries/ingest-status';
import type { ApiError, IngestStatus } from '@/lib/schema';

/** Ingest runs in progress, for the Overview banner's polling. */
export async function GET(): Promise<Response> {
  try {
    const status: IngestStatus = await getIngestStatus();
    return Response.json(status, { headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    const body: ApiError = { error: { message: (error as Error).message, code: 'INGEST_STATUS_FAILED' } };
    return Response.json(body, { status: 500 });
  }
}
