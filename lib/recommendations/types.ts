import type { Catalog, CatalogPrice, InstanceTypeSpec } from '../catalog/types';
import type { MetricName } from '../metrics/names';

/**
 * Recommendations (issue 9): what a rule found about one resource (or one GPU of it). Each rule is
 * its own module under lib/recommendations/rules/, declares its parameters with their defaults
 * (editable by admins on /settings/recommendations, stored in rule_settings) and returns Findings;
 * lib/recommendations/engine.ts turns findings into recommendations rows (identity by
 * fingerprint, status kept), prices them from the resource's own bill, and resolves the ones
 * whose finding went away.
 */
export const RECOMMENDATION_KINDS = [
  'rightsize',
  'idle-instance',
  'stopped-instance',
  'unattached-volume',
  'old-snapshot',
  'idle-address',
  'idle-load-balancer',
  'previous-generation',
  'gp2-to-gp3',
  'gpu-idle',
  'gpu-memory-held',
  'gpu-underused',
  'gpu-bursty',
] as const;
export type RecommendationKind = (typeof RECOMMENDATION_KINDS)[number];

export const RECOMMENDATION_STATUSES = ['open', 'accepted', 'snoozed', 'dismissed', 'resolved'] as const;
export type RecommendationStatus = (typeof RECOMMENDATION_STATUSES)[number];

/** A rule parameter: a number with a unit, a default, bounds, and help that cites where the default comes from. */
export interface RuleParameter {
  key: string;
  label: string;
  unit: 'percent' | 'days' | 'hours' | 'bytes/s' | 'ratio' | 'count';
  default: number;
  min: number;
  max: number;
  help: string;
}

/** A type as shown in the evidence: its spec and its catalog price in the resource's region. */
export interface TypeEvidence {
  type: string;
  spec: InstanceTypeSpec | null;
  price: CatalogPrice | null;
}

/** What a recommendation shows as its reason (stored in recommendations.evidence). */
export interface Evidence {
  /** The window the statistic was computed over (ISO instants); null for bill- or inventory-only rules. */
  window: { start: string; end: string } | null;
  /** The metric the chart shows, with the threshold line; null when the rule reads no metric. */
  metric: MetricName | null;
  /** 'p99', 'p95', 'mean', 'max', 'age_days', 'idle_days', 'hours_idle', … */
  statistic: string;
  value: number;
  threshold: number;
  /** Hours with data in the window (coverage). */
  coverageHours: number | null;
  current: TypeEvidence | null;
  proposed: TypeEvidence | null;
  /** Further statistics the rule used, e.g. { memoryP95: 41.2, networkMean: 380 }. */
  details: Record<string, number | string | null>;
  /** Plain sentences: caveats such as "memory was not measured: no type with less memory was considered". */
  notes: string[];
}

export interface Finding {
  kind: RecommendationKind;
  provider: string;
  resourcePk: string;
  resourceId: string;
  /** A GPU's UUID for per-GPU findings; null otherwise. */
  subResourceId: string | null;
  currentType: string | null;
  proposedType: string | null;
  /** One line, imperative: 'Resize to m6i.large', 'Delete the volume', 'Stop or terminate the instance'. */
  action: string;
  /**
   * The share of the resource's own monthly cost this saves, as a decimal string in [0, 1]: '1'
   * for delete, the catalog's 1 − new/old price ratio for a resize, '0.2' for gp2 → gp3. null when
   * it cannot be priced (the evidence says why).
   */
  savingsFraction: string | null;
  /**
   * Resources whose bill the saving comes from, when not the resource alone: a stopped instance
   * costs nothing itself but keeps paying for its volumes and addresses. Default [resourcePk].
   */
  pricedResourcePks?: readonly string[];
  evidence: Evidence;
}

/** What a rule reads: the database (resources, metric aggregates, bills), the catalog, its parameters, the clock. */
export interface RuleContext {
  db: import('pg').Pool | import('pg').PoolClient;
  catalog: Catalog;
  params: Record<string, number>;
  /** The end of every window (tests pin it). */
  now: Date;
}

export interface RuleDefinition {
  /** Stable id, the rule_settings.rule key, e.g. 'rightsize', 'idle-instance', 'gpu'. */
  id: string;
  label: string;
  /** The kinds this rule can produce. */
  kinds: readonly RecommendationKind[];
  /** Sentences for the settings page, with the sources of the defaults. */
  description: string;
  parameters: readonly RuleParameter[];
  evaluate(ctx: RuleContext): Promise<Finding[]>;
}
