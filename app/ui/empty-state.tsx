/** First run: no cost data at all. Says how to load some. */
export function EmptyState() {
  return (
    <section className="empty" data-testid="empty-state" aria-labelledby="empty-title">
      <h2 id="empty-title">No cost data yet</h2>
      <p>
        Burnrate reads billing exports: AWS Cost and Usage Reports (CUR 2.0), Azure cost details, Google Cloud billing exports and any FOCUS
        file (CSV, gzip or Parquet). Load one and this page fills in.
      </p>
      <pre>
        <span className="comment"># load a billing export (the format is detected from its columns)</span>
        {'\n'}npm run ingest -- path/to/export.csv.gz
        {'\n\n'}
        <span className="comment"># or load generated demo data: several clouds, regions and currencies</span>
        {'\n'}npm run demo:load
      </pre>
      <p>An ingest in progress shows a banner at the top of this page; the figures appear when it finishes.</p>
    </section>
  );
}
