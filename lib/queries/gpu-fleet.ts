import { addDays, type DayRange, daysBetween } from '../calendar';
import { loadCatalog } from '../catalog/load';
import type { Catalog } from '../catalog/types';
import { getPool } from '../db/pool';
import { addDecimals, divideDecimals, multiplyDecimals } from '../decimal';
import { hourlyMeans } from '../metrics/stats';
import { loadRuleParams } from '../recommendations/params';
import { gpuParams, gpuRule } from '../recommendations/rules/gpu';
import { type GpuResource, listGpuResources } from '../resources/gpus';
import { normalizeResourceIdSql, type ResourceProvider, resourceProviderSql } from '../resources/normalize';

/**
 * The GPU page (issue 9): every GPU with its machine type, its utilization by day and hour of day,
 * its idle GPU-hours and what they cost, and its cost per useful GPU-hour, grouped by team tag and
 * by account; and the GPU machines' spend per day from the bills.
 *
 * - A GPU's cost is its machine's effective cost in the window (cost_line_items whose ResourceId is
 *   the machine's, the billed cost where the export gave no effective cost), per currency, split
 *   evenly over the machine's GPUs (the catalog's GPU count for its type, else the GPUs seen): the
 *   bills price machines, not GPUs.
 * - GPU-hours: the hours with utilization data in the window. Idle GPU-hours: those whose mean
 *   utilization is under `idleBelow` (the GPU rule's idle-hour threshold, 5 % by default). Their
 *   cost: the GPU's cost × idle hours ÷ GPU-hours.
 * - Useful GPU-hours: GPU-hours × mean utilization (the window's sample mean). Cost per useful
 *   GPU-hour: cost ÷ useful hours; null when there were none. For a group, the sums of both.
 * Amounts are exact decimal strings (divisions rounded to 6 digits), per currency, never summed
 * across currencies.
 */
export interface GpuCost {
  currency: string;
  cost: string;
  idleCost: string;
  costPerUsefulHour: string | null;
}

export interface GpuFleetRow {
  pk: string;
  provider: ResourceProvider;
  resourceId: string;
  uuid: string;
  gpuModel: string | null;
  machineType: string | null;
  account: string;
  region: string;
  team: string | null;
  /** GPUs the machine's cost is split over. */
  machineGpus: number;
  gpuHours: number;
  /** Mean utilization over the window, percent; null without data. */
  meanUtilization: number | null;
  idleHours: number;
  /** gpuHours × mean utilization ÷ 100, as a decimal string with 4 digits. */
  usefulHours: string;
  /** [day index][hour of day] → the hour's mean utilization, null without data. */
  heatmap: (number | null)[][];
  costs: GpuCost[];
}

export interface GpuGroup {
  /** The team tag's value or the account id; null: GPUs without a team tag. */
  key: string | null;
  gpus: number;
  gpuHours: number;
  idleHours: number;
  usefulHours: string;
  costs: GpuCost[];
}

export interface GpuSpendSeries {
  currency: string;
  total: string;
  points: { day: string; amount: string }[];
}

export interface GpuFleet {
  window: DayRange;
  /** The heatmaps' rows: the window's UTC days. */
  days: string[];
  idleBelow: number;
  gpus: GpuFleetRow[];
  /** The whole fleet's sums. */
  total: Omit<GpuGroup, 'key'>;
  /** Mean over the GPUs with data of each day × hour cell. */
  fleetHeatmap: (number | null)[][];
  byTeam: GpuGroup[];
  byAccount: GpuGroup[];
  spendRange: DayRange;
  spend: GpuSpendSeries[];
}

const DIGITS = 6;

function startOf(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

interface MachineKey {
  provider: ResourceProvider;
  resourceId: string;
}

const keyOf = (m: MachineKey) => `${m.provider}\u0000${m.resourceId}`;

/**
 * Line items of the given machines, summed by machine, currency and (when asked) day. A bill's
 * provider name and ResourceId meet the resources row through the same SQL mappings as the
 * recommendations engine (Azure ids case-folded, EC2 ARNs cut to the id).
 */
async function machineCosts(
  machines: readonly MachineKey[],
  range: DayRange,
  byDay: boolean,
): Promise<{ key: string; currency: string; day: string | null; amount: string }[]> {
  if (machines.length === 0) return [];
  const prov = resourceProviderSql('c.provider_name');
  const { rows } = await getPool().query<{ provider: ResourceProvider; rid: string; currency: string; day: string | null; amount: string }>(
    `WITH m AS (SELECT * FROM unnest($3::text[], $4::text[]) AS m(provider, rid)),
          c AS (SELECT ${prov} AS provider, ${normalizeResourceIdSql(prov, 'c.resource_id')} AS rid, c.billing_currency,
                       c.charge_period_start, COALESCE(c.effective_cost, c.billed_cost) AS cost
                  FROM cost_line_items c
                 WHERE c.charge_period_start >= ($1::date)::timestamp AT TIME ZONE 'UTC'
                   AND c.charge_period_start < ($2::date + 1)::timestamp AT TIME ZONE 'UTC'
                   AND c.resource_id IS NOT NULL)
     SELECT c.provider, c.rid, c.billing_currency AS currency,
            CASE WHEN $5::boolean THEN to_char(c.charge_period_start AT TIME ZONE 'UTC', 'YYYY-MM-DD') END AS day,
            sum(c.cost)::text AS amount
       FROM c JOIN m ON m.provider = c.provider AND m.rid = c.rid
      GROUP BY 1, 2, 3, 4`,
    [range.from, range.to, machines.map((m) => m.provider), machines.map((m) => m.resourceId), byDay],
  );
  return rows.map((r) => ({ key: keyOf({ provider: r.provider, resourceId: r.rid }), currency: r.currency, day: r.day, amount: r.amount }));
}

function sumCosts(
  rows: readonly { gpuHours: number; idleHours: number; usefulHours: string; costs: GpuCost[] }[],
): Omit<GpuGroup, 'key' | 'gpus'> {
  const byCurrency = new Map<string, { cost: string[]; idle: string[]; useful: string[] }>();
  for (const r of rows)
    for (const c of r.costs) {
      const a = byCurrency.get(c.currency) ?? { cost: [], idle: [], useful: [] };
      a.cost.push(c.cost);
      a.idle.push(c.idleCost);
      a.useful.push(r.usefulHours);
      byCurrency.set(c.currency, a);
    }
  const costs = [...byCurrency.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, a]) => {
      const useful = addDecimals(a.useful);
      const cost = addDecimals(a.cost);
      return {
        currency,
        cost,
        idleCost: addDecimals(a.idle),
        costPerUsefulHour: Number(useful) > 0 ? divideDecimals(cost, useful, DIGITS) : null,
      };
    });
  return {
    gpuHours: rows.reduce((s, r) => s + r.gpuHours, 0),
    idleHours: rows.reduce((s, r) => s + r.idleHours, 0),
    usefulHours: addDecimals(rows.map((r) => r.usefulHours)),
    costs,
  };
}

function group(rows: readonly GpuFleetRow[], key: (r: GpuFleetRow) => string | null): GpuGroup[] {
  const groups = new Map<string | null, GpuFleetRow[]>();
  for (const r of rows) {
    const list = groups.get(key(r));
    if (list) list.push(r);
    else groups.set(key(r), [r]);
  }
  return [...groups.entries()]
    .map(([k, list]) => ({ key: k, gpus: list.length, ...sumCosts(list) }))
    .sort((a, b) => (a.key === null ? 1 : b.key === null ? -1 : a.key.localeCompare(b.key)));
}

/** The GPU rule's idle-hour threshold in force: its default unless an admin changed it (lib/recommendations/params.ts). */
async function idleHourThreshold(): Promise<number> {
  const { values } = await loadRuleParams(getPool(), [gpuRule]);
  return gpuParams(values.get(gpuRule.id) ?? {}).idleHourMean;
}

/**
 * The fleet over `window` (UTC days) and the GPU spend over `spendRange`. The catalog defaults to
 * the loaded one, the idle-hour threshold to the GPU rule's setting.
 */
export async function getGpuFleet(input: {
  window: DayRange;
  spendRange: DayRange;
  catalog?: Catalog;
  idleBelow?: number;
}): Promise<GpuFleet> {
  const { window, spendRange } = input;
  const catalog = input.catalog ?? (await loadCatalog(getPool()));
  const idleBelow = input.idleBelow ?? (await idleHourThreshold());
  const dayCount = daysBetween(window.from, window.to) + 1;
  const days = Array.from({ length: dayCount }, (_, i) => addDays(window.from, i));
  const start = startOf(window.from);
  const end = startOf(addDays(window.to, 1));
  const pool = getPool();

  const gpus = await listGpuResources(pool);
  const perMachine = new Map<string, GpuResource[]>();
  for (const g of gpus) {
    const list = perMachine.get(keyOf(g));
    if (list) list.push(g);
    else perMachine.set(keyOf(g), [g]);
  }
  const machineGpus = (g: GpuResource) => {
    const spec = g.machineType ? catalog.spec(g.provider, g.machineType) : null;
    return spec && spec.gpuCount > 0 ? spec.gpuCount : (perMachine.get(keyOf(g))?.length ?? 1);
  };

  const points = gpus.length
    ? await hourlyMeans(pool, { metrics: ['gpu_utilization'], start, end, resourcePks: gpus.map((g) => g.pk) })
    : [];
  const hoursOf = new Map<string, typeof points>();
  for (const p of points) {
    const list = hoursOf.get(p.resourcePk);
    if (list) list.push(p);
    else hoursOf.set(p.resourcePk, [p]);
  }

  const windowCosts = await machineCosts(
    [...perMachine.values()].map((l) => l[0] as GpuResource),
    window,
    false,
  );
  const costOf = new Map<string, { currency: string; amount: string }[]>();
  for (const c of windowCosts) costOf.set(c.key, [...(costOf.get(c.key) ?? []), { currency: c.currency, amount: c.amount }]);

  const rows: GpuFleetRow[] = gpus.map((g) => {
    const hours = hoursOf.get(g.pk) ?? [];
    const heatmap = days.map(() => Array<number | null>(24).fill(null));
    let n = 0;
    let sum = 0;
    let idleHours = 0;
    for (const h of hours) {
      const d = Math.floor((h.hour.getTime() - start.getTime()) / 86_400_000);
      const row = heatmap[d];
      if (row) row[h.hour.getUTCHours()] = h.mean;
      n += h.n;
      sum += h.mean * h.n;
      if (h.mean < idleBelow) idleHours++;
    }
    const gpuHours = hours.length;
    const mean = n > 0 ? sum / n : null;
    const usefulHours = ((gpuHours * (mean ?? 0)) / 100).toFixed(4);
    const share = machineGpus(g);
    const costs = (costOf.get(keyOf(g)) ?? [])
      .sort((a, b) => a.currency.localeCompare(b.currency))
      .map(({ currency, amount }) => {
        const cost = divideDecimals(amount, String(share), DIGITS);
        return {
          currency,
          cost,
          idleCost: gpuHours > 0 ? divideDecimals(multiplyDecimals(cost, String(idleHours)), String(gpuHours), DIGITS) : '0',
          costPerUsefulHour: Number(usefulHours) > 0 ? divideDecimals(cost, usefulHours, DIGITS) : null,
        };
      });
    return {
      pk: g.pk,
      provider: g.provider,
      resourceId: g.resourceId,
      uuid: g.uuid,
      gpuModel: g.gpuModel,
      machineType: g.machineType,
      account: g.account,
      region: g.region,
      team: g.team,
      machineGpus: share,
      gpuHours,
      meanUtilization: mean,
      idleHours,
      usefulHours,
      heatmap,
      costs,
    };
  });

  const fleetHeatmap = days.map((_, d) =>
    Array.from({ length: 24 }, (_, h) => {
      const values = rows.map((r) => r.heatmap[d]?.[h]).filter((v): v is number => typeof v === 'number');
      return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
    }),
  );

  // Spend over time: every machine that has or had GPUs, by its GPU rows or its type's catalog GPU count.
  const { rows: machines } = await pool.query<{
    provider: ResourceProvider;
    resource_id: string;
    kind: string;
    resource_type: string | null;
  }>(`SELECT DISTINCT provider, resource_id, kind, resource_type FROM resources WHERE kind IN ('gpu', 'instance')`);
  const gpuMachines = new Map<string, MachineKey>();
  for (const m of machines)
    if (m.kind === 'gpu' || (m.resource_type && (catalog.spec(m.provider, m.resource_type)?.gpuCount ?? 0) > 0))
      gpuMachines.set(keyOf({ provider: m.provider, resourceId: m.resource_id }), { provider: m.provider, resourceId: m.resource_id });
  const daily = await machineCosts([...gpuMachines.values()], spendRange, true);
  const byCurrency = new Map<string, Map<string, string[]>>();
  for (const c of daily) {
    const m = byCurrency.get(c.currency) ?? new Map<string, string[]>();
    m.set(c.day as string, [...(m.get(c.day as string) ?? []), c.amount]);
    byCurrency.set(c.currency, m);
  }
  const spendDays = Array.from({ length: daysBetween(spendRange.from, spendRange.to) + 1 }, (_, i) => addDays(spendRange.from, i));
  const spend = [...byCurrency.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, m]) => {
      const pts = spendDays.map((day) => ({ day, amount: addDecimals(m.get(day) ?? []) }));
      return { currency, total: addDecimals(pts.map((p) => p.amount)), points: pts };
    });

  return {
    window,
    days,
    idleBelow,
    gpus: rows,
    total: { gpus: rows.length, ...sumCosts(rows) },
    fleetHeatmap,
    byTeam: group(rows, (r) => r.team),
    byAccount: group(rows, (r) => r.account),
    spendRange,
    spend,
  };
}
