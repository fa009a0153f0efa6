import { apiErrorResponse } from '@/lib/api-error';
import { auditCsvStream } from '@/lib/audit/csv';
import { type AuditRow, allAuditRows, parseAuditSearchParams } from '@/lib/audit/query';
import { authorizeRoute } from '@/lib/auth/session';
import { csvDownloadHeaders } from '@/lib/csv-export';

/**
 * The audit trail as CSV (lib/audit/csv.ts), with /audit's filters. Streamed a keyset page at a
 * time, so a long trail costs one page of memory. A filter the page would ignore is refused here:
 * an export must hold exactly what was asked for.
 */
export async function GET(request: Request): Promise<Response> {
  const auth = await authorizeRoute(request, 'GET /audit/export');
  if (auth instanceof Response) return auth;
  const params = new URL(request.url).searchParams;
  const search = parseAuditSearchParams(Object.fromEntries(params.entries()));
  if (search.problems.length) {
    return apiErrorResponse({
      status: 400,
      code: 'BAD_FILTER',
      message: `The export was not made; fix these filters: ${search.problems.join('; ')}.`,
      cause: `audit export ${params}`,
    });
  }
  const rows = allAuditRows(search.filters);
  // The first page is read before answering, so a database failure is an error response, not a cut-off file.
  let first: IteratorResult<AuditRow>;
  try {
    first = await rows.next();
  } catch (error) {
    return apiErrorResponse({ status: 500, code: 'AUDIT_EXPORT_FAILED', message: 'The audit trail could not be read.', cause: error });
  }
  async function* all() {
    if (!first.done) yield first.value;
    yield* rows;
  }
  return new Response(auditCsvStream(all()), { headers: csvDownloadHeaders('burnrate-audit') });
}
