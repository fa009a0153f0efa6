import type pg from 'pg';
import type { Catalog } from '../catalog/types';
import { type DeriveSummary, deriveResourcesFromBills } from '../resources/from-bills';
import { type RecomputeSummary, recomputeRecommendations } from './engine';

/**
 * What runs after each billing ingest and each metrics sync (the recommendations job, `npm run
 * recommend`): resources from the bills first (so the bill-only rules see what the export names),
 * then every rule.
 */
export async function refreshRecommendations(
  db: pg.Pool,
  options: { now?: Date; catalog?: Catalog } = {},
): Promise<{ resources: DeriveSummary; recommendations: RecomputeSummary }> {
  const resources = await deriveResourcesFromBills(db, { now: options.now });
  const recommendations = await recomputeRecommendations(db, options);
  return { resources, recommendations };
}
