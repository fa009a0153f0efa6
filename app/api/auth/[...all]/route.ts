import { apiErrorResponse } from '@/lib/api-error';
import { getAuth } from '@/lib/auth/server';

/**
 * better-auth's HTTP endpoints, for what must arrive over HTTP: single sign-on redirects and
 * callbacks. Password sign-in, sign-out and account changes go through server actions (rate
 * limited, audited, authorized by the permission table), so their better-auth endpoints answer
 * 404 here: this route must not become a second, unguarded door to them.
 */
const OPEN_AUTH_PATHS: readonly RegExp[] = [
  /^\/callback\/[\w-]+$/,
  /^\/oauth2\/callback\/[\w-]+$/,
  /^\/sign-in\/(social|oauth2)$/,
  /^\/error$/,
];

async function handle(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname.replace(/^\/api\/auth/, '');
  if (!OPEN_AUTH_PATHS.some((re) => re.test(path))) {
    return apiErrorResponse({
      status: 404,
      code: 'NOT_FOUND',
      message: 'No such endpoint.',
      cause: `auth endpoint ${path} is not open over HTTP`,
    });
  }
  return getAuth().handler(request);
}

export const GET = handle;
export const POST = handle;
