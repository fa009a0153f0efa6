import styles from './sources.module.css';

type Tone = 'ok' | 'failed' | 'running' | 'info' | 'muted';

const TONE_CLASS: Record<Tone, string> = {
  ok: styles.badgeOk,
  failed: styles.badgeFailed,
  running: styles.badgeRunning,
  info: styles.badgeInfo,
  muted: '',
};

export function Badge({ tone, children, title, testId }: { tone: Tone; children: React.ReactNode; title?: string; testId?: string }) {
  return (
    <span className={`${styles.badge} ${TONE_CLASS[tone]}`} title={title} data-testid={testId}>
      {children}
    </span>
  );
}

const STATUS_TONE: Record<string, Tone> = { succeeded: 'ok', failed: 'failed', running: 'running' };

/** A sync or ingest status as stored ('succeeded' | 'failed' | 'running'). */
export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  return (
    <Badge tone={STATUS_TONE[status] ?? 'muted'} testId={testId}>
      {status}
    </Badge>
  );
}

export function FailingBadge({ failures }: { failures: number }) {
  return (
    <Badge tone="failed" title={`The last ${failures} syncs failed`} testId="failing-flag">
      ⚠ failing ({failures} in a row)
    </Badge>
  );
}
