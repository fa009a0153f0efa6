/**
 * The status of a page proxy.ts rewrites to (the 403 page for a role a page does not list).
 * Next.js drops a rewrite's status (`NextResponse.rewrite(url, { status })` answers 200:
 * vercel/next.js#50155) but passes the rewrite response's headers on to the page's response, so
 * the proxy names the status in this header and the HTTP server (scripts/serve.ts) writes it,
 * removing the header.
 */
export const REWRITE_STATUS_HEADER = 'x-burnrate-rewrite-status';

/** The status to send: the proxy's 4xx in place of Next.js's 200; any other status stands. */
export function rewrittenStatus(statusCode: number, requested: unknown): number {
  const wanted = Number(requested);
  return statusCode === 200 && Number.isInteger(wanted) && wanted >= 400 && wanted < 500 ? wanted : statusCode;
}
