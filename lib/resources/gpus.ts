import type pg from 'pg';
import type { ResourceProvider } from './normalize';

/**
 * The GPUs that exist (resources of kind 'gpu': resource_id is the machine's, sub_resource_id the
 * GPU's UUID) with what their machine's row knows: its instance type, region, account and team.
 * The GPU rule and the GPU page read the fleet through this one listing.
 */
export interface GpuResource {
  pk: string;
  provider: ResourceProvider;
  /** The machine's resource id. */
  resourceId: string;
  uuid: string;
  /** The GPU's model as its source named it (nvidia-smi's name, DCGM's modelName). */
  gpuModel: string | null;
  /** The machine's resources row, when one exists (from a bill or an inventory). */
  machinePk: string | null;
  machineType: string | null;
  region: string;
  account: string;
  /** The value of the GPU's, else the machine's, tag named team (any case); null without one. */
  team: string | null;
}

export async function listGpuResources(db: pg.Pool | pg.PoolClient): Promise<GpuResource[]> {
  const { rows } = await db.query<{
    pk: string;
    provider: ResourceProvider;
    resource_id: string;
    uuid: string;
    gpu_model: string | null;
    machine_pk: string | null;
    machine_type: string | null;
    region: string;
    account: string;
    team: string | null;
  }>(
    `SELECT g.id AS pk, g.provider, g.resource_id, g.sub_resource_id AS uuid, g.resource_type AS gpu_model,
            m.id AS machine_pk, m.resource_type AS machine_type,
            COALESCE(NULLIF(m.region_id, ''), g.region_id) AS region,
            COALESCE(NULLIF(g.account_id, ''), m.account_id, '') AS account,
            COALESCE((SELECT t.value FROM jsonb_each_text(g.tags) t WHERE lower(t.key) = 'team' ORDER BY t.key LIMIT 1),
                     (SELECT t.value FROM jsonb_each_text(m.tags) t WHERE lower(t.key) = 'team' ORDER BY t.key LIMIT 1)) AS team
       FROM resources g
       LEFT JOIN resources m ON m.provider = g.provider AND m.resource_id = g.resource_id AND m.sub_resource_id = ''
      WHERE g.kind = 'gpu' AND g.gone_at IS NULL AND m.gone_at IS NULL
      ORDER BY g.provider, g.resource_id, g.sub_resource_id`,
  );
  return rows.map((r) => ({
    pk: r.pk,
    provider: r.provider,
    resourceId: r.resource_id,
    uuid: r.uuid,
    gpuModel: r.gpu_model,
    machinePk: r.machine_pk,
    machineType: r.machine_type,
    region: r.region,
    account: r.account,
    team: r.team,
  }));
}
