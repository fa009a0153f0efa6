import { STATUS_LABELS } from '@/lib/recommendations/labels';
import type { RecommendationStatus } from '@/lib/recommendations/types';
import styles from './recommendations.module.css';

const CLASS: Record<RecommendationStatus, string | undefined> = {
  open: styles.badgeOpen,
  accepted: styles.badgeAccepted,
  snoozed: styles.badgeSnoozed,
  dismissed: styles.badgeDismissed,
  resolved: styles.badgeResolved,
};

export function StatusBadge({ status, snoozedUntil }: { status: RecommendationStatus; snoozedUntil?: string | null }) {
  return (
    <span className={CLASS[status]} data-testid="recommendation-status" data-status={status}>
      {STATUS_LABELS[status]}
      {status === 'snoozed' && snoozedUntil ? ` until ${snoozedUntil}` : ''}
    </span>
  );
}
