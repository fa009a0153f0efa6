// Recommendations for the browser tests, made through the product's own write paths: an instance
// as an inventory sync records it and eight days of idle CPU and network samples through the
// metrics import (seedInstance: upsertResources, importSamples), its bill through the FOCUS ingest
// (ingestBill: ingestFile), and the recommendation itself from the rules engine
// (recomputeRecommendations), as after a sync.
import { randomBytes } from 'node:crypto';
import { addDays, utcToday } from '../../lib/calendar';
import { getPool } from '../../lib/db/pool';
import { recomputeRecommendations } from '../../lib/recommendations/engine';
import { type BillLine, ingestBill, type Series, seedInstance } from '../helpers/recommendations';

export const E2E_ACCOUNT = '444455556666';

/** A team tag of this run's own, so the specs filter to what they made. */
export function uniqueTeam(purpose: string): string {
  return `e2e-${purpose}-${randomBytes(3).toString('hex')}`;
}

/** The instance id seedIdleInstances gives `name`. */
export function resourceIdOf(team: string, name: string): string {
  return `i-${team}-${name}`;
}

/**
 * Idle m5.xlarge instances tagged with `team`, billed `dailyCost` a day from 29 to 10 days ago (20 days, all within the engine's last 30), with
 * idle metrics over the last eight days; then a recompute. Returns instance id → recommendation id.
 */
export async function seedIdleInstances(team: string, names: readonly string[], dailyCost: string): Promise<Map<string, string>> {
  const ids = names.map((n) => resourceIdOf(team, n));
  const step = 5 * 60_000;
  const now = Date.now();
  const t: number[] = [];
  for (let x = now - 8 * 86_400_000; x < now; x += step) t.push(x - (x % step));
  // CPU between 1 and 3 %, network in and out 100–200 B/s: under idle-instance's defaults (5 %, 1000 B/s).
  const cpu: Series = { t, v: t.map((_, i) => 1 + (i % 3)) };
  const netIn: Series = { t, v: t.map((_, i) => 100 + (i % 2) * 100) };
  const netOut: Series = { t, v: t.map(() => 150) };
  for (const resourceId of ids) {
    await seedInstance(
      { resourceId, accountId: E2E_ACCOUNT, regionId: 'us-east-1', resourceType: 'm5.xlarge', state: 'running', tags: { team } },
      { cpu_utilization: cpu, network_in: netIn, network_out: netOut },
    );
  }
  const today = utcToday();
  const lines: BillLine[] = [];
  for (const resourceId of ids) {
    for (let n = 29; n >= 10; n--) lines.push({ day: addDays(today, -n), resourceId, billed: dailyCost, account: E2E_ACCOUNT });
  }
  await ingestBill(`e2e-bill-${team}`, lines);
  await recomputeRecommendations(getPool());
  const { rows } = await getPool().query<{ id: string; resource_id: string }>(
    `SELECT id, resource_id FROM recommendations WHERE kind = 'idle-instance' AND resource_id = ANY($1::text[])`,
    [ids],
  );
  const out = new Map(rows.map((r) => [r.resource_id, r.id]));
  for (const id of ids) if (!out.has(id)) throw new Error(`the engine made no idle-instance recommendation for ${id}`);
  return out;
}
