import type pg from 'pg';
import type { Evidence, RecommendationKind, RecommendationStatus } from './types';

/** A recommendation as `npm run recommend -- --json` prints it: the fields, amounts as decimal strings with their currency. */
export interface RecommendationOut {
  kind: RecommendationKind;
  provider: string;
  resourceId: string;
  /** A GPU's UUID, else null. */
  subResourceId: string | null;
  currentType: string | null;
  proposedType: string | null;
  monthlySavings: { currency: string; amount: string } | null;
  evidence: Evidence;
  status: RecommendationStatus;
}

/** Open recommendations, largest savings first (then by kind and resource, so the order is stable). */
export async function openRecommendations(db: pg.Pool | pg.PoolClient): Promise<RecommendationOut[]> {
  const { rows } = await db.query<{
    kind: RecommendationKind;
    provider: string;
    resource_id: string;
    sub_resource_id: string | null;
    current_type: string | null;
    proposed_type: string | null;
    currency: string | null;
    monthly_savings: string | null;
    evidence: Evidence;
    status: RecommendationStatus;
  }>(
    `SELECT kind, provider, resource_id, sub_resource_id, current_type, proposed_type, currency, monthly_savings::text, evidence, status
       FROM recommendations WHERE status = 'open'
      ORDER BY monthly_savings DESC NULLS LAST, kind, resource_id, sub_resource_id NULLS FIRST`,
  );
  return rows.map((r) => ({
    kind: r.kind,
    provider: r.provider,
    resourceId: r.resource_id,
    subResourceId: r.sub_resource_id === '' ? null : r.sub_resource_id,
    currentType: r.current_type,
    proposedType: r.proposed_type,
    monthlySavings: r.monthly_savings === null || r.currency === null ? null : { currency: r.currency, amount: r.monthly_savings },
    evidence: r.evidence,
    status: r.status,
  }));
}
