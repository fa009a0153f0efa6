import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The request an action or a page answers. Inside Next.js that is `next/headers`; a shell command
 * or a test runs the same code inside `withRequest`, with the headers a browser would have sent (a
 * session cookie, an Authorization header) — so a test of an action goes through the same cookie
 * and session lookup as a click does. `setCookies` collects the Set-Cookie lines a sign-in
 * produced there (Next.js sets them on the response itself, through better-auth's nextCookies).
 */
interface RequestContext {
  headers: Headers;
  setCookies: string[];
}

const store = new AsyncLocalStorage<RequestContext>();

export function withRequest<T>(headers: HeadersInit, fn: () => Promise<T>): Promise<{ result: T; setCookies: string[] }> {
  const context: RequestContext = { headers: new Headers(headers), setCookies: [] };
  return store.run(context, async () => ({ result: await fn(), setCookies: context.setCookies }));
}

export async function requestHeaders(): Promise<Headers> {
  const context = store.getStore();
  if (context) return context.headers;
  const { headers } = await import('next/headers');
  return new Headers(await headers());
}

/** Hands the Set-Cookie lines of a response better-auth built to the caller outside Next.js. */
export function collectSetCookies(headers: Headers): void {
  store.getStore()?.setCookies.push(...headers.getSetCookie());
}
