/** Placeholders with the final layout's dimensions, so nothing jumps when a panel streams in. */

export function CardSkeleton({ title }: { title: string }) {
  return (
    <div className="card" aria-busy="true">
      <p className="card-title">{title}</p>
      <div className="skeleton sk-figure" />
      <div className="skeleton sk-line" style={{ width: '45%' }} />
      <span className="visually-hidden">Loading {title}</span>
    </div>
  );
}

export function CardsSkeleton() {
  return (
    <>
      <CardSkeleton title="Spend" />
      <CardSkeleton title="Compared with" />
    </>
  );
}

export function ChartSkeleton({ title }: { title: string }) {
  return (
    <section className="panel" aria-busy="true">
      <div className="panel-head">
        <h2>{title}</h2>
      </div>
      <div className="skeleton sk-chart" />
    </section>
  );
}

export function TableSkeleton({ title, rows = 8 }: { title: string; rows?: number }) {
  return (
    <section className="panel" aria-busy="true">
      <div className="panel-head">
        <h2>{title}</h2>
      </div>
      <div style={{ display: 'flex', flexDirection: 'column', gap: 12, paddingTop: 6 }}>
        {Array.from({ length: rows }, (_, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: static placeholder rows
          <div key={i} className="skeleton sk-line" style={{ width: `${92 - i * 6}%` }} />
        ))}
      </div>
    </section>
  );
}

export function OverviewSkeleton() {
  return (
    <>
      <div className="cards">
        <CardsSkeleton />
        <CardSkeleton title="Forecast" />
      </div>
      <ChartSkeleton title="Last 13 months by provider" />
      <div className="grid-2">
        <TableSkeleton title="Top services" />
        <TableSkeleton title="Top regions" />
      </div>
    </>
  );
}
