import { apiErrorResponse } from '@/lib/api-error';
import { authorizeRoute } from '@/lib/auth/session';
import { getIngestStatus } from '@/lib/queries/ingest-status';
import type { IngestStatus } from '@/lib/schema';

/** Ingest runs in progress, for the Overview banner's polling (and scripts, with an API token). */
export async function GET(request: Request): Promise<Response> {
  const auth = await authorizeRoute(request, 'GET /api/ingest/status');
  if (auth instanceof Response) return auth;
  try {
    const status: IngestStatus = await getIngestStatus();
    return Response.json(status, { headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    return apiErrorResponse({ status: 500, code: 'INGEST_STATUS_FAILED', message: 'The ingest status could not be read.', cause: error });
  }
}
