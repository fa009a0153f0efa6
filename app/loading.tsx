/**
 * What a page shows while its data loads, where it has no skeleton of its own (the Overview and
 * the sources pages have theirs): a plain line, so the sign-in, account and admin pages never flash
 * another page's skeleton.
 */
export default function Loading() {
  return (
    <p className="sub" aria-busy="true" data-testid="page-loading">
      Loading…
    </p>
  );
}
