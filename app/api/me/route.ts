import { apiErrorResponse } from '@/lib/api-error';
import { authorizeRoute } from '@/lib/auth/session';

/**
 * Who the caller is: the user of the session or API token, with its role. For scripts to check a
 * token before they rely on it (README, API tokens).
 */
export async function GET(request: Request): Promise<Response> {
  const auth = await authorizeRoute(request, 'GET /api/me');
  if (auth instanceof Response) return auth;
  const { actor } = auth;
  if (actor.kind !== 'user') {
    return apiErrorResponse({ status: 401, code: 'UNAUTHENTICATED', message: 'Sign in first.', cause: 'GET /api/me without a user' });
  }
  return Response.json(
    { id: actor.userId, email: actor.email, role: actor.role, via: actor.via },
    { headers: { 'cache-control': 'no-store' } },
  );
}
