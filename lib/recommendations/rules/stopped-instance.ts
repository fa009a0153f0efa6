import type { Finding, RuleDefinition } from '../types';
import { DAY_MS, daysBetween, detailDate, evidence, isStopped, listResources, round } from './common';

/**
 * Stopped instances that still pay: an instance stopped (EC2 `stopped`, Azure deallocated or
 * stopped, GCP `TERMINATED`) for more than the threshold keeps paying for its volumes and its
 * addresses (and, for an Azure VM stopped but not deallocated, for its compute). The saving is the
 * bill of the instance, its volumes and its addresses. When it stopped: the inventory's
 * `details.stoppedAt` when it gives one, else the last hour it reported CPU.
 * Default: OptScale's instances_in_stopped_state_for_a_long_time (days_threshold 1).
 */
export const stoppedInstanceRule: RuleDefinition = {
  id: 'stopped-instance',
  label: 'Stopped instances',
  kinds: ['stopped-instance'],
  description:
    'Flags instances stopped for longer than the threshold that still pay for their volumes and addresses: terminate them, or snapshot and delete the volumes. ' +
    'Default from OptScale’s “instances in stopped state for a long time” (1 day).',
  parameters: [
    {
      key: 'minStoppedDays',
      label: 'Stopped for more than',
      unit: 'days',
      default: 1,
      min: 0,
      max: 365,
      help: 'Days since the instance stopped. OptScale: days_threshold 1.',
    },
  ],
  async evaluate({ db, params, now }) {
    const p = params as { minStoppedDays: number };
    const stopped = (await listResources(db, ['instance'])).filter((r) => isStopped(r.state));
    if (stopped.length === 0) return [];
    const pks = stopped.map((r) => r.pk);
    const { rows: active } = await db.query<{ pk: string; last: Date }>(
      `SELECT ms.resource_pk AS pk, max(mh.hour) + interval '1 hour' AS last
         FROM metric_series ms JOIN metric_hourly mh ON mh.series_id = ms.id
        WHERE ms.resource_pk = ANY($1::bigint[]) AND ms.metric = 'cpu_utilization' GROUP BY 1`,
      [pks],
    );
    const lastActive = new Map(active.map((a) => [a.pk, a.last]));
    const { rows: attached } = await db.query<{ owner: string; pk: string; kind: string }>(
      `SELECT o.id AS owner, a.id AS pk, a.kind FROM resources o
         JOIN resources a ON a.provider = o.provider AND a.attached_to = o.resource_id AND a.gone_at IS NULL AND a.kind IN ('volume', 'address')
        WHERE o.id = ANY($1::bigint[])`,
      [pks],
    );
    const findings: Finding[] = [];
    for (const r of stopped) {
      const since = detailDate(r.details, 'stoppedAt') ?? lastActive.get(r.pk) ?? null;
      if (since === null) continue;
      const stoppedDays = daysBetween(since, now);
      if (stoppedDays * DAY_MS <= p.minStoppedDays * DAY_MS) continue;
      const mine = attached.filter((a) => a.owner === r.pk);
      const volumes = mine.filter((a) => a.kind === 'volume').length;
      const addresses = mine.filter((a) => a.kind === 'address').length;
      findings.push({
        kind: 'stopped-instance',
        provider: r.provider,
        resourcePk: r.pk,
        resourceId: r.resourceId,
        subResourceId: null,
        currentType: r.resourceType,
        proposedType: null,
        action: 'Terminate the instance, or snapshot and delete its volumes and release its addresses',
        savingsFraction: '1',
        pricedResourcePks: [r.pk, ...mine.map((a) => a.pk)],
        evidence: evidence({
          statistic: 'stopped_days',
          value: round(stoppedDays, 2),
          threshold: p.minStoppedDays,
          details: { state: r.state, stoppedSince: since.toISOString(), volumes, addresses },
          notes: [
            detailDate(r.details, 'stoppedAt')
              ? 'Stopped since the time the inventory reports.'
              : 'The inventory gives no stop time: counted from the last hour with CPU data.',
            'The saving is the last 30 days’ bill of the instance, its volumes and its addresses.',
          ],
        }),
      });
    }
    return findings;
  },
};
