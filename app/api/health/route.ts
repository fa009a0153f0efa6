import { getPool } from '@/lib/db/pool';
import type { ApiError } from '@/lib/schema';

/** Liveness and readiness: 200 {ok:true} once the server answers and the database does too. */
export async function GET(): Promise<Response> {
  try {
    await getPool().query('SELECT 1');
    return Response.json({ ok: true });
  } catch (error) {
    const body: ApiError = { error: { message: `database unavailable: ${(error as Error).message}`, code: 'DATABASE_UNAVAILABLE' } };
    return Response.json(body, { status: 503 });
  }
}
