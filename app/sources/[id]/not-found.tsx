import Link from 'next/link';

export default function SourceNotFound() {
  return (
    <section className="empty" role="alert">
      <h2>No such source</h2>
      <p>It may have been deleted.</p>
      <p>
        <Link href="/sources">Back to the sources</Link>
      </p>
    </section>
  );
}
