import type { Catalog, CatalogPrice, InstanceTypeSpec } from '../../catalog/types';
import { addDecimals, divideDecimals } from '../../decimal';
import { type SeriesStats, windowStats } from '../../metrics/stats';
import { type GpuResource, listGpuResources } from '../../resources/gpus';
import type { ResourceProvider } from '../../resources/normalize';
import type { Evidence, Finding, RuleContext, RuleDefinition, RuleParameter } from '../types';
import { round, typeEvidence } from './common';

/**
 * GPU rule (issue 9): idle GPUs, GPUs that hold memory and do no work, under-used GPUs (a smaller
 * GPU, a MIG slice or fewer GPUs, from the catalog) and bursty GPUs (queue the work, scale to zero,
 * spot), per GPU (resources of kind 'gpu', sub_resource_id = the GPU's UUID) and per machine.
 *
 * What one GPU is, checked in this order (the first that holds):
 * 1. bursty: p99 ≥ burstyPeak, mean < burstyMean and at least burstyIdleShare of its hours with a
 *    mean under idleHourMean. First, because a GPU that works in rare full-speed bursts can have a
 *    p95 under 5 %: stopping it would lose that work, running it on demand would not.
 * 2. idle: p95 < idleP95; memory held: idle, and on average ≥ memoryHeldPercent of its
 *    framebuffer in use (a notebook or an inference server that loaded a model and serves nothing).
 * 3. under-used: p95 < underusedP95.
 *
 * Per machine (the GPUs sharing a resource_id; its GPU count is the catalog's for its type, else
 * the GPUs seen):
 * - every GPU idle → ONE machine finding (sub_resource_id null): gpu-memory-held when any of them
 *   holds memory, else gpu-idle; savings fraction 1 (stop the machine). No per-GPU findings then,
 *   so the machine's cost is never counted twice.
 * - otherwise, when the summed p95 of its GPUs fits in fewer GPUs (k = ⌈Σ p95 ÷ consolidationTarget⌉
 *   < n) and the catalog has a cheaper type with the same GPU model, k ≤ GPUs < n and enough GPU
 *   memory for the summed p95 memory used → ONE machine finding gpu-underused ("fewer GPUs"),
 *   savings 1 − new/old catalog price; it replaces the per-GPU findings of that machine. When the
 *   catalog has no price for the machine's type, the type with the fewest such GPUs, savings
 *   1 − its GPUs ÷ n (cloud GPU machines are priced about per GPU), said in the notes.
 * - a single-GPU machine that is under-used → the cheapest type of the same architecture with one
 *   smaller (less memory) GPU that still holds the p95 memory used, no fewer vCPUs and no less host
 *   memory, cheaper in the region → machine finding gpu-underused, 1 − new/old.
 * - otherwise per-GPU findings (sub_resource_id = UUID), each a share of the machine's cost since
 *   the bill prices machines, not GPUs (1/n each, the even split the GPU page uses too):
 *   idle and memory held → 1/n; bursty → (idle hours ÷ hours) / n, the share of its time a
 *   scale-to-zero setup would not pay for; under-used → the smallest MIG profile of the GPU whose
 *   memory holds the p95 memory used and whose compute slices hold the p95 utilization, savings
 *   (1 − slices ÷ the GPU's slices) / n, the part of the GPU freed for other work; without one,
 *   the finding stands unpriced and says why.
 */

export const GPU_RULE_PARAMETERS = [
  {
    key: 'windowDays',
    label: 'Window',
    unit: 'days',
    default: 14,
    min: 1,
    max: 90,
    help: 'Days of GPU utilization read (the raw samples are kept 14 days by default; older days come from the hourly aggregates). Compute Optimizer and OptScale look back 14 days by default.',
  },
  {
    key: 'minCoverageHours',
    label: 'Minimum data',
    unit: 'hours',
    default: 30,
    min: 1,
    max: 2160,
    help: 'GPUs with fewer hours of utilization data in the window are not judged (AWS Compute Optimizer needs 30 hours of metrics before it recommends).',
  },
  {
    key: 'idleP95',
    label: 'Idle: p95 utilization below',
    unit: 'percent',
    default: 5,
    min: 0,
    max: 100,
    help: "A GPU is idle when 95 % of its samples are below this. Utilization is DCGM's DCGM_FI_PROF_GR_ENGINE_ACTIVE ('Ratio of time the graphics engine is active', × 100) where the source has it, else DCGM_FI_DEV_GPU_UTIL / nvidia-smi utilization.gpu ('GPU utilization (in %)': the share of time at least one kernel ran, however few SMs it used). Both say when the GPU did nothing; neither says how much of it a kernel used (DCGM_FI_PROF_SM_ACTIVE does). Video encoder/decoder work (NVENC/NVDEC) does not count in either.",
  },
  {
    key: 'memoryHeldPercent',
    label: 'Memory held: framebuffer used at least',
    unit: 'percent',
    default: 10,
    min: 0,
    max: 100,
    help: 'An idle GPU whose mean framebuffer in use (DCGM_FI_DEV_FB_USED, nvidia-smi memory.used) is at least this share of its total holds a model or a context and does no work: a notebook kernel or an inference server nobody calls.',
  },
  {
    key: 'underusedP95',
    label: 'Under-used: p95 utilization below',
    unit: 'percent',
    default: 40,
    min: 0,
    max: 100,
    help: 'A GPU busy less than this at p95 is under-used: a smaller GPU, a MIG slice or fewer GPUs would do the work.',
  },
  {
    key: 'consolidationTarget',
    label: 'Fewer GPUs: p95 per remaining GPU at most',
    unit: 'percent',
    default: 80,
    min: 10,
    max: 100,
    help: "A machine's GPUs fit in k = ⌈summed p95 utilization ÷ this⌉ GPUs (summing p95s assumes the peaks coincide, which errs on the safe side). 80 % is the headroom Compute Optimizer and OptScale keep for CPUs.",
  },
  {
    key: 'burstyPeak',
    label: 'Bursty: p99 utilization at least',
    unit: 'percent',
    default: 80,
    min: 0,
    max: 100,
    help: 'Bursty GPUs reach this at p99: real work, in bursts.',
  },
  {
    key: 'burstyMean',
    label: 'Bursty: mean utilization below',
    unit: 'percent',
    default: 20,
    min: 0,
    max: 100,
    help: 'Bursty GPUs average less than this over the window.',
  },
  {
    key: 'burstyIdleShare',
    label: 'Bursty: idle hours at least',
    unit: 'percent',
    default: 50,
    min: 0,
    max: 100,
    help: 'Bursty GPUs spend at least this share of their hours idle (hourly mean below the idle-hour threshold): queue the work and scale to zero, or run it on spot capacity. The savings estimate is that idle share of the GPU’s cost.',
  },
  {
    key: 'idleHourMean',
    label: 'Idle hour: hourly mean below',
    unit: 'percent',
    default: 5,
    min: 0,
    max: 100,
    help: 'An hour whose mean utilization is below this counts as an idle hour (bursty GPUs, and the idle GPU-hours of the GPU page).',
  },
] as const satisfies readonly RuleParameter[];

type ParamKey = (typeof GPU_RULE_PARAMETERS)[number]['key'];
export type GpuParams = Record<ParamKey, number>;

/** Parameters with defaults filled in (the engine passes defaults + rule_settings; tests may pass some). */
export function gpuParams(params: Record<string, number>): GpuParams {
  const out = {} as GpuParams;
  for (const p of GPU_RULE_PARAMETERS) out[p.key] = params[p.key] ?? p.default;
  return out;
}

export interface GpuVerdict {
  gpu: GpuResource;
  util: SeriesStats;
  p95: number;
  p99: number;
  /** Mean framebuffer used, bytes; null when not measured. */
  memoryUsedMean: number | null;
  memoryUsedP95: number | null;
  /** Framebuffer total, bytes: the measured series, else the catalog's GPU memory. */
  memoryTotal: number | null;
  idleHours: number;
  kind: 'bursty' | 'idle' | 'memory-held' | 'underused' | 'busy';
}

const MIB = 1024 * 1024;
const QUANTILES = [0.95, 0.99] as const;

/** '3g.40gb' → 3 compute slices, 40 GB (10^9 bytes, the smaller reading of the name, so a slice is never overestimated). */
export function parseMigProfile(name: string): { slices: number; memoryBytes: number } | null {
  const m = /^(\d+)g\.(\d+)gb$/.exec(name.trim().toLowerCase());
  if (!m) return null;
  return { slices: Number(m[1]), memoryBytes: Number(m[2]) * 1e9 };
}

/**
 * The smallest MIG profile (fewest slices, then least memory) that holds the p95 memory used and
 * whose share of the GPU's slices holds the p95 utilization; null when none is smaller than the GPU.
 */
export function smallestMigProfile(
  profiles: readonly string[],
  p95Util: number,
  p95MemoryBytes: number,
): { name: string; slices: number; of: number } | null {
  const parsed = profiles.flatMap((name) => {
    const p = parseMigProfile(name);
    return p ? [{ name, ...p }] : [];
  });
  const of = Math.max(0, ...parsed.map((p) => p.slices));
  const fits = parsed
    .filter((p) => p.slices < of && p.memoryBytes >= p95MemoryBytes && (p.slices / of) * 100 >= p95Util)
    .sort((a, b) => a.slices - b.slices || a.memoryBytes - b.memoryBytes);
  const best = fits[0];
  return best ? { name: best.name, slices: best.slices, of } : null;
}

/** 1 − new/old to 4 digits, from the catalog's decimal prices; null when they are not comparable. */
function priceSaving(current: CatalogPrice | null, proposed: CatalogPrice | null): string | null {
  if (!current || !proposed || current.currency !== proposed.currency) return null;
  // (old − new) ÷ old, exactly on the decimal strings.
  return divideDecimals(addDecimals([current.hourly, `-${proposed.hourly}`]), current.hourly, 4);
}

function classify(p: GpuParams, v: Omit<GpuVerdict, 'kind'>): GpuVerdict['kind'] {
  const idleShare = v.util.hours > 0 ? (v.idleHours / v.util.hours) * 100 : 0;
  if (v.p99 >= p.burstyPeak && v.util.mean < p.burstyMean && idleShare >= p.burstyIdleShare) return 'bursty';
  if (v.p95 < p.idleP95) {
    const held = v.memoryUsedMean !== null && v.memoryTotal ? (v.memoryUsedMean / v.memoryTotal) * 100 >= p.memoryHeldPercent : false;
    return held ? 'memory-held' : 'idle';
  }
  if (v.p95 < p.underusedP95) return 'underused';
  return 'busy';
}

/** Reads every live GPU with its machine, and judges each one over the window. */
export async function gpuVerdicts(ctx: RuleContext): Promise<{ verdicts: GpuVerdict[]; window: { start: Date; end: Date } }> {
  const p = gpuParams(ctx.params);
  const end = ctx.now;
  const start = new Date(end.getTime() - p.windowDays * 86_400_000);
  const rows = await listGpuResources(ctx.db);
  if (rows.length === 0) return { verdicts: [], window: { start, end } };
  const stats = await windowStats(ctx.db, {
    metrics: ['gpu_utilization', 'gpu_memory_used', 'gpu_memory_total'],
    start,
    end,
    quantiles: QUANTILES,
    resourcePks: rows.map((r) => r.pk),
    hourMeanBelow: p.idleHourMean,
  });
  const byPk = new Map<string, Partial<Record<SeriesStats['metric'], SeriesStats>>>();
  for (const s of stats) {
    const m = byPk.get(s.resourcePk) ?? {};
    m[s.metric] = s;
    byPk.set(s.resourcePk, m);
  }
  const verdicts: GpuVerdict[] = [];
  for (const r of rows) {
    const m = byPk.get(r.pk);
    const util = m?.gpu_utilization;
    if (!util || util.hours < p.minCoverageHours) continue;
    const spec = r.machineType ? ctx.catalog.spec(r.provider, r.machineType) : null;
    const catalogTotal = spec?.gpuMemoryMib ? spec.gpuMemoryMib * MIB : null;
    const base = {
      gpu: r,
      util,
      p95: util.quantiles[0] ?? util.max,
      p99: util.quantiles[1] ?? util.max,
      memoryUsedMean: m?.gpu_memory_used?.mean ?? null,
      memoryUsedP95: m?.gpu_memory_used?.quantiles[0] ?? null,
      memoryTotal: m?.gpu_memory_total?.max ?? catalogTotal,
      idleHours: util.hoursMeanBelow ?? 0,
    };
    verdicts.push({ ...base, kind: classify(p, base) });
  }
  return { verdicts, window: { start, end } };
}

function gpuDetails(v: GpuVerdict): Record<string, number | string | null> {
  return {
    gpu: v.gpu.uuid,
    gpuModel: v.gpu.gpuModel,
    p95: round(v.p95, 2),
    p99: round(v.p99, 2),
    mean: round(v.util.mean, 2),
    max: round(v.util.max, 2),
    idleHours: v.idleHours,
    memoryUsedMeanBytes: v.memoryUsedMean === null ? null : Math.round(v.memoryUsedMean),
    memoryUsedP95Bytes: v.memoryUsedP95 === null ? null : Math.round(v.memoryUsedP95),
    memoryTotalBytes: v.memoryTotal === null ? null : Math.round(v.memoryTotal),
  };
}

/**
 * The cheapest type with the same GPU model and k ≤ GPUs < n that holds the summed p95 memory,
 * cheaper in the region. When the catalog has no price for the current type (GCP's a3 machines, for
 * one), the type with the fewest such GPUs, priced by the GPU-count ratio instead (price null).
 */
function fewerGpusType(
  catalog: Catalog,
  provider: ResourceProvider,
  current: InstanceTypeSpec,
  currentPrice: CatalogPrice | null,
  region: string,
  k: number,
  memoryNeeded: number,
): { spec: InstanceTypeSpec; price: CatalogPrice | null } | null {
  let best: { spec: InstanceTypeSpec; price: CatalogPrice | null } | null = null;
  for (const t of catalog.types(provider)) {
    if (t.gpuModel !== current.gpuModel || t.arch !== current.arch || t.gpuCount < k || t.gpuCount >= current.gpuCount) continue;
    if ((t.gpuMemoryMib ?? 0) * MIB * t.gpuCount < memoryNeeded) continue;
    if (!currentPrice) {
      if (!best || t.gpuCount < best.spec.gpuCount || (t.gpuCount === best.spec.gpuCount && t.vcpus < best.spec.vcpus))
        best = { spec: t, price: null };
      continue;
    }
    const price = catalog.price(provider, t.type, region);
    if (!price || price.currency !== currentPrice.currency || Number(price.hourly) >= Number(currentPrice.hourly)) continue;
    if (!best?.price || Number(price.hourly) < Number(best.price.hourly)) best = { spec: t, price };
  }
  return best;
}

/** The cheapest single-GPU type of the same architecture with a smaller GPU that still holds the p95 memory used. */
function smallerGpuType(
  catalog: Catalog,
  provider: ResourceProvider,
  current: InstanceTypeSpec,
  currentPrice: CatalogPrice,
  region: string,
  memoryNeeded: number,
): { spec: InstanceTypeSpec; price: CatalogPrice } | null {
  let best: { spec: InstanceTypeSpec; price: CatalogPrice } | null = null;
  for (const t of catalog.types(provider)) {
    if (t.gpuCount !== 1 || t.arch !== current.arch || t.vcpus < current.vcpus || t.memoryMib < current.memoryMib) continue;
    const mem = (t.gpuMemoryMib ?? 0) * MIB;
    if (mem >= (current.gpuMemoryMib ?? 0) * MIB || mem < memoryNeeded) continue;
    const price = catalog.price(provider, t.type, region);
    if (!price || price.currency !== currentPrice.currency || Number(price.hourly) >= Number(currentPrice.hourly)) continue;
    if (!best || Number(price.hourly) < Number(best.price.hourly)) best = { spec: t, price };
  }
  return best;
}

/** Findings for every machine with judged GPUs (see the module comment for the decisions). */
export function gpuFindings(
  verdicts: readonly GpuVerdict[],
  ctx: Pick<RuleContext, 'catalog' | 'params'>,
  window: { start: Date; end: Date },
): Finding[] {
  const p = gpuParams(ctx.params);
  const catalog = ctx.catalog;
  const win = { start: window.start.toISOString(), end: window.end.toISOString() };
  const machines = new Map<string, GpuVerdict[]>();
  for (const v of verdicts) {
    const key = `${v.gpu.provider}\u0000${v.gpu.resourceId}`;
    machines.set(key, [...(machines.get(key) ?? []), v]);
  }
  const findings: Finding[] = [];
  for (const gpus of machines.values()) {
    const first = gpus[0] as GpuVerdict;
    const { provider, resourceId, machineType, region } = first.gpu;
    const spec = machineType ? catalog.spec(provider, machineType) : null;
    const n = spec && spec.gpuCount > 0 ? spec.gpuCount : gpus.length;
    const current = typeEvidence(catalog, provider, machineType, region);
    const machinePk = first.gpu.machinePk ?? first.gpu.pk;
    const hours = Math.min(...gpus.map((g) => g.util.hours));
    const base = { provider, resourcePk: machinePk, resourceId, currentType: machineType };
    const machineEvidence = (
      e: Pick<Evidence, 'statistic' | 'value' | 'threshold' | 'proposed' | 'notes'> & { details?: Evidence['details'] },
    ): Evidence => ({
      window: win,
      metric: 'gpu_utilization',
      coverageHours: hours,
      current,
      details: {
        gpuCount: n,
        gpusMeasured: gpus.length,
        ...Object.fromEntries(gpus.map((g) => [`p95 ${g.gpu.uuid}`, round(g.p95, 2)])),
        ...e.details,
      },
      statistic: e.statistic,
      value: e.value,
      threshold: e.threshold,
      proposed: e.proposed,
      notes: e.notes,
    });

    // Every GPU of the machine idle: stop the machine.
    if (gpus.length === n && gpus.every((g) => g.kind === 'idle' || g.kind === 'memory-held')) {
      const held = gpus.filter((g) => g.kind === 'memory-held');
      const maxP95 = Math.max(...gpus.map((g) => g.p95));
      findings.push({
        ...base,
        kind: held.length > 0 ? 'gpu-memory-held' : 'gpu-idle',
        subResourceId: null,
        proposedType: null,
        action:
          held.length > 0
            ? `Stop the machine or end what holds GPU memory: ${held.length} of ${n} GPU${n > 1 ? 's' : ''} hold memory and do no work`
            : `Stop or terminate the machine: its ${n === 1 ? 'GPU' : `${n} GPUs`} did no work`,
        savingsFraction: '1',
        evidence: machineEvidence({
          statistic: 'p95',
          value: round(maxP95, 2),
          threshold: p.idleP95,
          proposed: null,
          details: held.length
            ? {
                memoryHeldGpus: held.map((g) => g.gpu.uuid).join(' '),
                memoryHeldPercentMax: round(Math.max(...held.map((g) => ((g.memoryUsedMean ?? 0) / (g.memoryTotal ?? 1)) * 100)), 2),
              }
            : {},
          notes: [`The highest p95 utilization of the machine's GPUs is ${round(maxP95, 2)} %, under ${p.idleP95} %.`],
        }),
      });
      continue;
    }

    const currentPrice = current?.price ?? null;
    // Fewer GPUs: the machine's summed p95 load fits in fewer of the same GPU.
    if (n > 1 && gpus.length === n && spec && gpus.some((g) => g.kind !== 'busy')) {
      const sumP95 = gpus.reduce((a, g) => a + g.p95, 0);
      const k = Math.max(1, Math.ceil(sumP95 / p.consolidationTarget));
      const memoryNeeded = gpus.reduce((a, g) => a + (g.memoryUsedP95 ?? 0), 0);
      const fewer = k < n ? fewerGpusType(catalog, provider, spec, currentPrice, region, k, memoryNeeded) : null;
      if (fewer) {
        const notes = [
          `The ${n} GPUs' p95 utilizations add up to ${round(sumP95, 2)} %: ${k} GPU${k > 1 ? 's' : ''} at ${p.consolidationTarget} % hold them.`,
          `${fewer.spec.type} has ${fewer.spec.gpuCount} ${fewer.spec.gpuModel} and ${fewer.spec.vcpus} vCPUs (${machineType} has ${spec.vcpus}): check the host-side CPU load fits.`,
        ];
        if (gpus.some((g) => g.memoryUsedP95 === null))
          notes.push('GPU memory was not measured on every GPU: the memory check counts only the measured ones.');
        if (!fewer.price)
          notes.push(
            `The catalog has no price for ${machineType} in ${region || 'its region'}: the savings estimate is the GPU-count ratio, 1 − ${fewer.spec.gpuCount}/${n}.`,
          );
        findings.push({
          ...base,
          kind: 'gpu-underused',
          subResourceId: null,
          proposedType: fewer.spec.type,
          action: `Move to ${fewer.spec.type} (${fewer.spec.gpuCount} GPU${fewer.spec.gpuCount > 1 ? 's' : ''} instead of ${n})`,
          savingsFraction: fewer.price
            ? priceSaving(currentPrice, fewer.price)
            : divideDecimals(String(n - fewer.spec.gpuCount), String(n), 4),
          evidence: machineEvidence({
            statistic: 'sum of p95',
            value: round(sumP95, 2),
            threshold: (n - 1) * p.consolidationTarget,
            proposed: { type: fewer.spec.type, spec: fewer.spec, price: fewer.price },
            details: { gpusNeeded: k, memoryNeededBytes: Math.round(memoryNeeded) },
            notes,
          }),
        });
        continue;
      }
    }

    // A single under-used GPU: a smaller GPU for the whole machine.
    if (n === 1 && first.kind === 'underused' && spec && currentPrice && first.memoryUsedP95 !== null) {
      const smaller = smallerGpuType(catalog, provider, spec, currentPrice, region, first.memoryUsedP95);
      if (smaller) {
        findings.push({
          ...base,
          kind: 'gpu-underused',
          subResourceId: null,
          proposedType: smaller.spec.type,
          action: `Resize to ${smaller.spec.type} (${smaller.spec.gpuModel} instead of ${spec.gpuModel})`,
          savingsFraction: priceSaving(currentPrice, smaller.price),
          evidence: machineEvidence({
            statistic: 'p95',
            value: round(first.p95, 2),
            threshold: p.underusedP95,
            proposed: { type: smaller.spec.type, spec: smaller.spec, price: smaller.price },
            details: gpuDetails(first),
            notes: [
              `Its ${smaller.spec.gpuModel} has ${smaller.spec.gpuMemoryMib} MiB, more than the p95 memory used (${Math.round(first.memoryUsedP95 / MIB)} MiB).`,
              'The catalog has no compute throughput per GPU model: check the workload’s speed on the smaller GPU.',
            ],
          }),
        });
        continue;
      }
    }

    // Per-GPU findings, each priced as its share of the machine's cost.
    const share = (fraction: string) => divideDecimals(fraction, String(n), 4);
    for (const g of gpus) {
      const gpuEvidence = (e: Pick<Evidence, 'statistic' | 'value' | 'threshold' | 'notes'>): Evidence => ({
        window: win,
        metric: 'gpu_utilization',
        coverageHours: g.util.hours,
        current,
        proposed: null,
        details: { ...gpuDetails(g), gpuCount: n },
        ...e,
      });
      const perGpu = { provider, resourcePk: g.gpu.pk, resourceId, subResourceId: g.gpu.uuid, currentType: machineType };
      const ofMachine = n > 1 ? ` (1 of ${n} GPUs: a type with fewer GPUs, or moving its work to the others, recovers it)` : '';
      if (g.kind === 'idle' || g.kind === 'memory-held') {
        const heldPct = g.memoryUsedMean !== null && g.memoryTotal ? (g.memoryUsedMean / g.memoryTotal) * 100 : null;
        findings.push({
          ...perGpu,
          kind: g.kind === 'idle' ? 'gpu-idle' : 'gpu-memory-held',
          proposedType: null,
          action:
            g.kind === 'idle'
              ? `Release the idle GPU${ofMachine}`
              : `End the process holding ${round(heldPct ?? 0, 1)} % of the GPU's memory and release the GPU${ofMachine}`,
          savingsFraction: share('1'),
          evidence: gpuEvidence({
            statistic: 'p95',
            value: round(g.p95, 2),
            threshold: p.idleP95,
            notes:
              g.kind === 'memory-held'
                ? [
                    `Mean framebuffer used ${round(heldPct ?? 0, 1)} % (threshold ${p.memoryHeldPercent} %) while p95 utilization stayed under ${p.idleP95} %.`,
                  ]
                : [],
          }),
        });
      } else if (g.kind === 'bursty') {
        const idleShare = g.idleHours / g.util.hours;
        findings.push({
          ...perGpu,
          kind: 'gpu-bursty',
          proposedType: null,
          action: 'Queue the work and scale to zero between bursts, or run it on spot capacity',
          savingsFraction: share(idleShare.toFixed(4)),
          evidence: gpuEvidence({
            statistic: 'p99',
            value: round(g.p99, 2),
            threshold: p.burstyPeak,
            notes: [
              `Mean ${round(g.util.mean, 2)} % (under ${p.burstyMean} %), ${g.idleHours} of ${g.util.hours} hours idle (${round(idleShare * 100, 1)} %, at least ${p.burstyIdleShare} %).`,
              'Savings estimate: the idle hours’ share of the GPU’s cost, which a scale-to-zero setup would not pay for (spot prices are not in the catalog).',
            ],
          }),
        });
      } else if (g.kind === 'underused') {
        const profiles = spec?.migProfiles ?? [];
        const mig = g.memoryUsedP95 !== null ? smallestMigProfile(profiles, g.p95, g.memoryUsedP95) : null;
        const notes: string[] = [];
        if (g.memoryUsedP95 === null) notes.push('GPU memory was not measured: no MIG slice or smaller GPU was considered.');
        else if (profiles.length === 0) notes.push(`The catalog lists no MIG profiles for ${machineType ?? 'this machine'}'s GPU.`);
        else if (!mig) notes.push('No MIG profile smaller than the whole GPU holds its p95 memory used and utilization.');
        if (mig)
          notes.push(
            `MIG ${mig.name} (${mig.slices} of ${mig.of} compute slices) holds the p95 utilization and memory used; the savings estimate is the part of the GPU it frees for other work, which pays only when other work shares the GPU.`,
          );
        findings.push({
          ...perGpu,
          kind: 'gpu-underused',
          proposedType: mig ? `MIG ${mig.name}` : null,
          action: mig
            ? `Run the work on a MIG ${mig.name} slice and share the rest of the GPU`
            : 'Share the GPU (MIG or time-slicing) or move the work to a smaller GPU',
          savingsFraction: mig ? share(divideDecimals(String(mig.of - mig.slices), String(mig.of), 4)) : null,
          evidence: gpuEvidence({ statistic: 'p95', value: round(g.p95, 2), threshold: p.underusedP95, notes }),
        });
      }
    }
  }
  return findings;
}

export const gpuRule: RuleDefinition = {
  id: 'gpu',
  label: 'GPUs: idle, memory held, under-used, bursty',
  kinds: ['gpu-idle', 'gpu-memory-held', 'gpu-underused', 'gpu-bursty'],
  description:
    'Per GPU and per machine, from GPU utilization (DCGM GR_ENGINE_ACTIVE, else GPU_UTIL / nvidia-smi utilization.gpu) and framebuffer memory over the window: idle GPUs (stop the machine when all its GPUs are idle), GPUs holding memory without work, under-used GPUs (fewer GPUs, a smaller GPU or a MIG slice from the catalog) and bursty GPUs (queue, scale to zero, spot). Savings are a share of the machine’s own bill: all of it to stop, the catalog price ratio to resize, the idle share for bursty GPUs, 1/n per GPU of an n-GPU machine.',
  parameters: GPU_RULE_PARAMETERS,
  async evaluate(ctx) {
    const { verdicts, window } = await gpuVerdicts(ctx);
    return gpuFindings(verdicts, ctx, window);
  },
};
