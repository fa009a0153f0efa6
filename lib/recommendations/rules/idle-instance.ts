import { windowStats } from '../../metrics/stats';
import type { Finding, RuleDefinition } from '../types';
import { DAY_MS, evidence, isRunning, listResources, round, statsByResource, typeEvidence } from './common';

/**
 * Idle instances: a running instance whose CPU stayed low (p95 of the window) and whose network
 * traffic (in + out, mean over the window) stayed under a few packets a second: stop or terminate it.
 * Defaults are OptScale's abandoned-instances module (bumiworker/modules/recommendations/
 * abandoned_instances.py: days_threshold 7, cpu_percent_threshold 5, network_bps_threshold 1000,
 * network in + out). OptScale compares the CPU mean; the p95 used here (the statistic)
 * also rules out an instance that is busy for a short time every day.
 */
export const idleInstanceRule: RuleDefinition = {
  id: 'idle-instance',
  label: 'Idle instances',
  kinds: ['idle-instance'],
  description:
    'Flags running instances whose CPU p95 and mean network traffic (in + out) stayed under the thresholds over the window: stop or terminate them. ' +
    'Defaults from OptScale’s abandoned-instances recommendation (7 days, CPU 5 %, network 1000 B/s). ' +
    'Without network metrics the decision rests on CPU alone, and the recommendation says so.',
  parameters: [
    {
      key: 'windowDays',
      label: 'Window',
      unit: 'days',
      default: 7,
      min: 1,
      max: 14,
      help: 'Days of metrics looked at. OptScale: days_threshold 7.',
    },
    {
      key: 'cpuP95Max',
      label: 'CPU p95 at most',
      unit: 'percent',
      default: 5,
      min: 0,
      max: 50,
      help: 'The 95th percentile of CPU utilization over the window must not exceed this. OptScale: cpu_percent_threshold 5.',
    },
    {
      key: 'networkMeanMax',
      label: 'Network mean at most',
      unit: 'bytes/s',
      default: 1000,
      min: 0,
      max: 10_000_000,
      help: 'Mean of network in + out over the window. OptScale: network_bps_threshold 1000.',
    },
    {
      key: 'minHours',
      label: 'Hours of data at least',
      unit: 'hours',
      default: 30,
      min: 1,
      max: 336,
      help: 'Hours with CPU data in the window before a verdict. AWS Compute Optimizer needs 30 hours of metrics.',
    },
  ],
  async evaluate({ db, catalog, params, now }) {
    const p = params as { windowDays: number; cpuP95Max: number; networkMeanMax: number; minHours: number };
    const start = new Date(now.getTime() - p.windowDays * DAY_MS);
    const instances = (await listResources(db, ['instance'])).filter((r) => isRunning(r.state));
    if (instances.length === 0) return [];
    const resourcePks = instances.map((r) => r.pk);
    // CPU's p95 reads the hourly sketches; network needs only its mean (no sketch read).
    const [cpuStats, networkStats] = await Promise.all([
      windowStats(db, { metrics: ['cpu_utilization'], start, end: now, quantiles: [0.95], resourcePks }),
      windowStats(db, { metrics: ['network_in', 'network_out'], start, end: now, quantiles: [], resourcePks }),
    ]);
    const byPk = statsByResource([...cpuStats, ...networkStats]);
    const findings: Finding[] = [];
    for (const r of instances) {
      const m = byPk.get(r.pk);
      const cpu = m?.get('cpu_utilization');
      if (!cpu || cpu.hours < p.minHours) continue;
      const cpuP95 = cpu.quantiles[0] as number;
      if (cpuP95 > p.cpuP95Max) continue;
      const netIn = m?.get('network_in');
      const netOut = m?.get('network_out');
      const notes: string[] = [];
      let networkMean: number | null = null;
      if (netIn && netOut) {
        networkMean = netIn.mean + netOut.mean;
        if (networkMean > p.networkMeanMax) continue;
      } else {
        notes.push('Network traffic was not measured: this rests on CPU alone.');
      }
      findings.push({
        kind: 'idle-instance',
        provider: r.provider,
        resourcePk: r.pk,
        resourceId: r.resourceId,
        subResourceId: null,
        currentType: r.resourceType,
        proposedType: null,
        action: 'Stop or terminate the instance',
        savingsFraction: '1',
        evidence: evidence({
          window: { start: start.toISOString(), end: now.toISOString() },
          metric: 'cpu_utilization',
          statistic: 'p95',
          value: round(cpuP95),
          threshold: p.cpuP95Max,
          coverageHours: cpu.hours,
          current: typeEvidence(catalog, r.provider, r.resourceType, r.regionId),
          details: {
            cpuMean: round(cpu.mean),
            cpuMax: round(cpu.max),
            networkMean: networkMean === null ? null : round(networkMean),
            networkMeanMax: p.networkMeanMax,
          },
          notes,
        }),
      });
    }
    return findings;
  },
};
