import { apiErrorResponse } from '@/lib/api-error';
import { getPool } from '@/lib/db/pool';

/** Liveness and readiness: 200 {ok:true} once the server answers and the database does too. */
export async function GET(): Promise<Response> {
  try {
    await getPool().query('SELECT 1');
    return Response.json({ ok: true }, { headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    return apiErrorResponse({ status: 503, code: 'DATABASE_UNAVAILABLE', message: 'The database is not reachable.', cause: error });
  }
}
