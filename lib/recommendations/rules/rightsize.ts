import { windowStats } from '../../metrics/stats';
import type { Finding, RuleDefinition } from '../types';
import {
  cheapest,
  DAY_MS,
  evidence,
  isBurstable,
  isRunning,
  listResources,
  type PricedType,
  priceRatioSavings,
  round,
  statsByResource,
} from './common';

/**
 * Rightsize instances: over the window, CPU p99 (and memory p95 when it was measured) against a
 * target utilization; the cheapest type of the same architecture that would run the same load at
 * or under the target, same family first, then the current-generation families. Memory not
 * measured: no type with less memory is considered, and the recommendation says so.
 * Defaults: AWS Compute Optimizer (14-day lookback, at least 30 hours of metrics, the p99 of CPU
 * with headroom: https://docs.aws.amazon.com/compute-optimizer/latest/ug/rightsizing-preferences.html)
 * and OptScale's rightsizing module (bumiworker/modules/recommendations/rightsizing_instances.py:
 * metric q99, limit 80 %).
 */
export const rightsizeRule: RuleDefinition = {
  id: 'rightsize',
  label: 'Rightsize instances',
  kinds: ['rightsize'],
  description:
    'Finds running instances whose CPU p99 (and memory p95 when measured) would stay under the target on a cheaper type of the same architecture: ' +
    'same family first, then current-generation families. Without memory metrics, never proposes less memory. ' +
    'Defaults follow AWS Compute Optimizer (14-day lookback, 30 hours of data, p99 CPU with headroom) and OptScale (p99 against 80 %).',
  parameters: [
    {
      key: 'windowDays',
      label: 'Window',
      unit: 'days',
      default: 14,
      min: 1,
      max: 93,
      help: 'Days of metrics looked at. AWS Compute Optimizer: 14-day lookback by default.',
    },
    {
      key: 'minHours',
      label: 'Hours of data at least',
      unit: 'hours',
      default: 30,
      min: 1,
      max: 2232,
      help: 'Hours with CPU data in the window. AWS Compute Optimizer needs 30 hours of metrics.',
    },
    {
      key: 'cpuQuantile',
      label: 'CPU percentile',
      unit: 'percent',
      default: 99,
      min: 50,
      max: 100,
      help: 'The CPU statistic sized for. AWS Compute Optimizer and OptScale (q99) use the 99th percentile.',
    },
    {
      key: 'memoryQuantile',
      label: 'Memory percentile',
      unit: 'percent',
      default: 95,
      min: 50,
      max: 100,
      help: 'The memory statistic sized for, when memory is measured (CloudWatch agent, Azure Monitor, node_exporter).',
    },
    {
      key: 'targetUtilization',
      label: 'Target utilization',
      unit: 'percent',
      default: 80,
      min: 10,
      max: 100,
      help: 'The proposed type must run the measured load at or under this: 80 % leaves 20 % headroom. OptScale: limit 80.',
    },
  ],
  async evaluate({ db, catalog, params, now }) {
    const p = params as { windowDays: number; minHours: number; cpuQuantile: number; memoryQuantile: number; targetUtilization: number };
    const start = new Date(now.getTime() - p.windowDays * DAY_MS);
    const instances = (await listResources(db, ['instance'])).filter((r) => isRunning(r.state) && r.resourceType !== null);
    if (instances.length === 0) return [];
    const [cpuStats, memStats] = await Promise.all([
      windowStats(db, {
        metrics: ['cpu_utilization'],
        start,
        end: now,
        quantiles: [p.cpuQuantile / 100],
        resourcePks: instances.map((r) => r.pk),
      }),
      windowStats(db, {
        metrics: ['memory_utilization'],
        start,
        end: now,
        quantiles: [p.memoryQuantile / 100],
        resourcePks: instances.map((r) => r.pk),
      }),
    ]);
    const cpuBy = statsByResource(cpuStats);
    const memBy = statsByResource(memStats);
    const findings: Finding[] = [];
    for (const r of instances) {
      const cpu = cpuBy.get(r.pk)?.get('cpu_utilization');
      if (!cpu || cpu.hours < p.minHours) continue;
      const spec = catalog.spec(r.provider, r.resourceType as string);
      const price = spec ? catalog.price(r.provider, spec.type, r.regionId) : null;
      if (!spec || !price) continue;
      const current: PricedType = { spec, price };
      const cpuStat = cpu.quantiles[0] as number;
      const mem = memBy.get(r.pk)?.get('memory_utilization');
      const memStat = mem && mem.hours >= p.minHours ? (mem.quantiles[0] as number) : null;
      // The load in vCPUs and MiB, and what a type needs to carry it at the target.
      const needVcpus = (spec.vcpus * cpuStat) / p.targetUtilization;
      const needMemMib = memStat === null ? spec.memoryMib : (spec.memoryMib * memStat) / p.targetUtilization;
      const fits = (c: typeof spec) =>
        c.arch === spec.arch &&
        // The GPUs stay as they are (count, model, memory): the GPU rule judges them; rightsizing
        // by CPU and memory never trades a machine's GPU for another.
        c.gpuCount === spec.gpuCount &&
        c.gpuModel === spec.gpuModel &&
        (c.gpuMemoryMib ?? 0) >= (spec.gpuMemoryMib ?? 0) &&
        (!isBurstable(c) || isBurstable(spec)) &&
        c.vcpus >= needVcpus &&
        c.memoryMib >= needMemMib;
      const all = catalog.types(r.provider);
      const below = { value: price.hourly, inclusive: false };
      const sameFamily = cheapest(
        catalog,
        current,
        r.regionId,
        all.filter((c) => c.family === spec.family),
        fits,
        below,
      );
      const proposal =
        sameFamily ??
        cheapest(
          catalog,
          current,
          r.regionId,
          all.filter((c) => c.family !== spec.family && c.currentGeneration),
          fits,
          below,
        );
      if (!proposal) continue;
      const notes: string[] = [];
      if (memStat === null) notes.push('Memory was not measured: no type with less memory was considered.');
      if (spec.gpuCount > 0)
        notes.push(`GPUs kept as they are (${spec.gpuCount} × ${spec.gpuModel ?? 'GPU'}); the GPU rule judges their use.`);
      notes.push(
        sameFamily
          ? `Same family (${spec.family}).`
          : `No cheaper ${spec.family} type fits: a current-generation ${proposal.spec.family} type.`,
      );
      findings.push({
        kind: 'rightsize',
        provider: r.provider,
        resourcePk: r.pk,
        resourceId: r.resourceId,
        subResourceId: null,
        currentType: spec.type,
        proposedType: proposal.spec.type,
        action: `Resize to ${proposal.spec.type}`,
        savingsFraction: priceRatioSavings(price.hourly, proposal.price.hourly),
        evidence: evidence({
          window: { start: start.toISOString(), end: now.toISOString() },
          metric: 'cpu_utilization',
          statistic: `p${p.cpuQuantile}`,
          value: round(cpuStat),
          threshold: p.targetUtilization,
          coverageHours: cpu.hours,
          current: { type: spec.type, spec, price },
          proposed: { type: proposal.spec.type, spec: proposal.spec, price: proposal.price },
          details: {
            neededVcpus: round(needVcpus),
            memoryStatistic: memStat === null ? null : `p${p.memoryQuantile}`,
            memoryValue: memStat === null ? null : round(memStat),
            neededMemoryMib: Math.ceil(needMemMib),
            projectedCpu: round((cpuStat * spec.vcpus) / proposal.spec.vcpus),
          },
          notes,
        }),
      });
    }
    return findings;
  },
};
