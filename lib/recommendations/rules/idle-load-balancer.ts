import { windowStats } from '../../metrics/stats';
import type { Finding, RuleDefinition } from '../types';
import { DAY_MS, daysBetween, evidence, listResources, round, statsByResource } from './common';

/**
 * Idle load balancers: no request over the window, or no healthy target throughout it (the
 * inventory's metrics: ELBv2 RequestCount and HealthyHostCount, Azure/GCP equivalents). A load
 * balancer without metrics but whose inventory lists no targets (`details.targets` 0), older than
 * the window, is idle too. Default: 7 days, as OptScale's and Trusted Advisor's idle load balancer checks.
 */
export const idleLoadBalancerRule: RuleDefinition = {
  id: 'idle-load-balancer',
  label: 'Idle load balancers',
  kinds: ['idle-load-balancer'],
  description:
    'Flags load balancers that served no request, or had no healthy target, over the window: delete them. Default 7 days, as AWS Trusted Advisor’s idle load balancers check.',
  parameters: [
    { key: 'windowDays', label: 'Window', unit: 'days', default: 7, min: 1, max: 93, help: 'Days looked at. AWS Trusted Advisor: 7 days.' },
    {
      key: 'maxRequests',
      label: 'Requests at most',
      unit: 'count',
      default: 0,
      min: 0,
      max: 1_000_000,
      help: 'Requests over the whole window still counted as idle.',
    },
    {
      key: 'minHours',
      label: 'Hours of data at least',
      unit: 'hours',
      default: 30,
      min: 1,
      max: 2232,
      help: 'Hours with metrics in the window before a verdict.',
    },
  ],
  async evaluate({ db, params, now }) {
    const p = params as { windowDays: number; maxRequests: number; minHours: number };
    const start = new Date(now.getTime() - p.windowDays * DAY_MS);
    const lbs = await listResources(db, ['load_balancer']);
    if (lbs.length === 0) return [];
    const stats = statsByResource(
      await windowStats(db, {
        metrics: ['load_balancer_requests', 'load_balancer_healthy_targets'],
        start,
        end: now,
        quantiles: [],
        resourcePks: lbs.map((r) => r.pk),
      }),
    );
    const findings: Finding[] = [];
    for (const r of lbs) {
      const req = stats.get(r.pk)?.get('load_balancer_requests');
      const healthy = stats.get(r.pk)?.get('load_balancer_healthy_targets');
      // Requests are a rate per second per sample: the window's total is mean × seconds covered.
      const requests = req && req.hours >= p.minHours ? req.mean * req.hours * 3600 : null;
      const noRequests = requests !== null && requests <= p.maxRequests;
      const noTargets = healthy !== undefined && healthy.hours >= p.minHours && healthy.max === 0;
      const listedWithoutTargets = r.details.targets === 0 && daysBetween(r.createdAt ?? r.firstSeen, now) > p.windowDays;
      if (!noRequests && !noTargets && !listedWithoutTargets) continue;
      const metric = noRequests ? ('load_balancer_requests' as const) : noTargets ? ('load_balancer_healthy_targets' as const) : null;
      findings.push({
        kind: 'idle-load-balancer',
        provider: r.provider,
        resourcePk: r.pk,
        resourceId: r.resourceId,
        subResourceId: null,
        currentType: r.resourceType,
        proposedType: null,
        action: 'Delete the load balancer',
        savingsFraction: '1',
        evidence: evidence({
          window: { start: start.toISOString(), end: now.toISOString() },
          metric,
          statistic: noRequests ? 'requests' : noTargets ? 'max_healthy_targets' : 'targets',
          value: noRequests ? round(requests as number) : 0,
          threshold: noRequests ? p.maxRequests : 0,
          coverageHours: noRequests ? (req?.hours ?? null) : noTargets ? (healthy?.hours ?? null) : null,
          details: { healthyTargetsMax: healthy ? healthy.max : null },
          notes: metric === null ? ['No metrics: the inventory lists no targets.'] : [],
        }),
      });
    }
    return findings;
  },
};
