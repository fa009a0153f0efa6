import { randomUUID } from 'node:crypto';
import type { ApiError } from './schema';

/**
 * The one error response of every route handler: a stable message and code for the client, and a
 * short reference that also appears in the server log next to the real cause. Internal error text
 * (SQL, hostnames, driver messages) goes to the log only, never into the response.
 */
export function apiErrorResponse(options: { status: number; code: string; message: string; cause: unknown }): Response {
  const ref = randomUUID().slice(0, 8);
  const detail = options.cause instanceof Error ? options.cause.message : String(options.cause);
  console.error(`[burnrate] ${options.code} (ref ${ref}): ${detail}`);
  const body: ApiError = { error: { message: options.message, code: options.code, ref } };
  return Response.json(body, { status: options.status, headers: { 'cache-control': 'no-store' } });
}
