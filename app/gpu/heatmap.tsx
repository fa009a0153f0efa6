import { formatDay } from '@/lib/format';
import styles from './gpu.module.css';

// Five steps from idle to saturated; the legend shows the same steps, so a colour reads as a range.
const STEPS = [
  { upTo: 5, color: '#eef0f3', label: '< 5 %' },
  { upTo: 20, color: '#c7d2fe', label: '5–20 %' },
  { upTo: 40, color: '#818cf8', label: '20–40 %' },
  { upTo: 80, color: '#4f46e5', label: '40–80 %' },
  { upTo: Number.POSITIVE_INFINITY, color: '#312e81', label: '≥ 80 %' },
] as const;
const NO_DATA = '#ffffff';

function colorOf(v: number | null): string {
  if (v === null) return NO_DATA;
  return (STEPS.find((s) => v < s.upTo) ?? STEPS[STEPS.length - 1]).color;
}

const HOURS = Array.from({ length: 24 }, (_, h) => h);

/** Day × hour-of-day grid of mean utilization (UTC), with its legend; empty cells had no data. */
export function UtilizationHeatmap({
  days,
  cells,
  label,
  testId,
  compact = false,
}: {
  days: readonly string[];
  cells: readonly (readonly (number | null)[])[];
  label: string;
  testId: string;
  compact?: boolean;
}) {
  return (
    <figure className={styles.heatmapFigure} data-testid={testId}>
      <table className={`${styles.heatmap} ${compact ? styles.compact : ''}`} aria-label={label}>
        <thead>
          <tr>
            <th scope="col" className={styles.corner}>
              <span className="visually-hidden">Day</span>
            </th>
            {HOURS.map((h) => (
              <th key={h} scope="col" className={styles.hour}>
                {compact ? (h % 6 === 0 ? h : '') : h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {days.map((day, d) => (
            <tr key={day}>
              <th scope="row" className={styles.day}>
                {formatDay(day)}
              </th>
              {HOURS.map((h) => {
                const v = cells[d]?.[h] ?? null;
                const text = `${day} ${String(h).padStart(2, '0')}:00 UTC: ${v === null ? 'no data' : `${v.toFixed(1)} %`}`;
                return (
                  <td
                    key={h}
                    className={styles.cell}
                    style={{ background: colorOf(v) }}
                    title={text}
                    data-value={v === null ? '' : v.toFixed(2)}
                    data-cell={`${d}-${h}`}
                  >
                    <span className="visually-hidden">{text}</span>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {compact ? null : (
        <figcaption className={styles.legend} data-testid={`${testId}-legend`}>
          <span>Mean GPU utilization per hour (UTC):</span>
          {STEPS.map((s) => (
            <span key={s.label} className={styles.legendItem}>
              <span className={styles.legendSwatch} style={{ background: s.color }} />
              {s.label}
            </span>
          ))}
          <span className={styles.legendItem}>
            <span className={styles.legendSwatch} style={{ background: NO_DATA }} />
            no data
          </span>
        </figcaption>
      )}
    </figure>
  );
}
