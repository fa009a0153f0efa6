import type { RecommendationKind, RecommendationStatus } from './types';

/** How the pages name each kind and status (the CSV and the CLI keep the ids). */
export const KIND_LABELS: Record<RecommendationKind, string> = {
  rightsize: 'Rightsize instance',
  'idle-instance': 'Idle instance',
  'stopped-instance': 'Stopped instance still paying',
  'unattached-volume': 'Unattached volume',
  'old-snapshot': 'Old snapshot',
  'idle-address': 'Unassociated address',
  'idle-load-balancer': 'Idle load balancer',
  'previous-generation': 'Previous-generation type',
  'gp2-to-gp3': 'gp2 → gp3 volume',
  'gpu-idle': 'Idle GPU',
  'gpu-memory-held': 'GPU memory held, GPU idle',
  'gpu-underused': 'Under-used GPU',
  'gpu-bursty': 'Bursty GPU',
};

export const STATUS_LABELS: Record<RecommendationStatus, string> = {
  open: 'Open',
  accepted: 'Accepted',
  snoozed: 'Snoozed',
  dismissed: 'Dismissed',
  resolved: 'Resolved',
};
