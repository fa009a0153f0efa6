import { apiErrorResponse } from '@/lib/api-error';
import { authorizeRoute } from '@/lib/auth/session';
import { csvDownloadHeaders, csvStream } from '@/lib/csv-export';
import {
  allRecommendations,
  parseRecommendationSearchParams,
  RECOMMENDATION_CSV_COLUMNS,
  type RecommendationListItem,
  recommendationCsvCells,
} from '@/lib/queries/recommendations';

/**
 * /recommendations as CSV, with the page's filters (the same URL parameters), in the list's order.
 * A filter the page would leave out is refused here: an export holds exactly what was asked for.
 */
export async function GET(request: Request): Promise<Response> {
  const auth = await authorizeRoute(request, 'GET /recommendations/export');
  if (auth instanceof Response) return auth;
  const params = new URL(request.url).searchParams;
  const search = parseRecommendationSearchParams(Object.fromEntries(params.entries()));
  if (search.problems.length) {
    return apiErrorResponse({
      status: 400,
      code: 'BAD_FILTER',
      message: `The export was not made; fix these filters: ${search.problems.join('; ')}.`,
      cause: `recommendations export ${params}`,
    });
  }
  const rows = allRecommendations(search.filters);
  // The first batch is read before answering, so a database failure is an error response, not a cut-off file.
  let first: IteratorResult<RecommendationListItem>;
  try {
    first = await rows.next();
  } catch (error) {
    return apiErrorResponse({ status: 500, code: 'EXPORT_FAILED', message: 'The recommendations could not be read.', cause: error });
  }
  async function* all() {
    if (!first.done) yield first.value;
    yield* rows;
  }
  return new Response(csvStream(RECOMMENDATION_CSV_COLUMNS, all(), recommendationCsvCells), {
    headers: csvDownloadHeaders('burnrate-recommendations'),
  });
}
