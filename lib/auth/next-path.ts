/** Where to go after signing in: a path on this site only ('/x', never '//host', '/\host' or the sign-in pages again). */
export function safeNextPath(next: string | null | undefined): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  if (/^\/(sign-in|setup|set-password)(\/|\?|$)/.test(next)) return '/';
  return next;
}
