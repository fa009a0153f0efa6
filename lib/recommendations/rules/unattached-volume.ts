import type { Finding, RuleDefinition } from '../types';
import { daysBetween, detailDate, evidence, listResources, round } from './common';

/**
 * Unattached volumes: a disk attached to nothing (EC2 `available`, Azure `Unattached`, a GCP disk
 * without users) for more than the threshold: snapshot it if needed, then delete it. Since when:
 * the inventory's `details.detachedAt` when it gives one, else the volume's creation (or first
 * sighting): an API lists no detach time, so a volume detached recently but created long ago is
 * flagged at once, as OptScale does.
 * Default: OptScale's volumes_not_attached_for_a_long_time (days_threshold 1).
 */
export const unattachedVolumeRule: RuleDefinition = {
  id: 'unattached-volume',
  label: 'Unattached volumes',
  kinds: ['unattached-volume'],
  description:
    'Flags volumes attached to no instance for longer than the threshold: snapshot them if the data matters, then delete them. ' +
    'Default from OptScale’s “volumes not attached for a long time” (1 day).',
  parameters: [
    {
      key: 'minDays',
      label: 'Unattached for more than',
      unit: 'days',
      default: 1,
      min: 0,
      max: 365,
      help: 'Days without an attachment. OptScale: days_threshold 1.',
    },
  ],
  async evaluate({ db, params, now }) {
    const p = params as { minDays: number };
    const findings: Finding[] = [];
    for (const r of await listResources(db, ['volume'])) {
      // Only the inventory knows attachments: a volume known from the bill alone is not judged.
      if (!r.seenInInventory || r.attachedTo !== null) continue;
      if (r.state !== null && /in-use|attached|reserved/i.test(r.state)) continue;
      const since = detailDate(r.details, 'detachedAt') ?? r.createdAt ?? r.firstSeen;
      const d = daysBetween(since, now);
      if (d <= p.minDays) continue;
      findings.push({
        kind: 'unattached-volume',
        provider: r.provider,
        resourcePk: r.pk,
        resourceId: r.resourceId,
        subResourceId: null,
        currentType: r.resourceType,
        proposedType: null,
        action: 'Snapshot the volume if needed, then delete it',
        savingsFraction: '1',
        evidence: evidence({
          statistic: 'unattached_days',
          value: round(d, 2),
          threshold: p.minDays,
          details: { state: r.state, sizeGb: r.sizeGb, since: since.toISOString() },
          notes: detailDate(r.details, 'detachedAt') ? [] : ['The inventory gives no detach time: counted from the volume’s creation.'],
        }),
      });
    }
    return findings;
  },
};
