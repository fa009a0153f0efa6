import type { Finding, RuleDefinition } from '../types';
import { daysBetween, evidence, listResources, round } from './common';

/**
 * Old snapshots: older than the threshold, or of a chain whose source volume no longer exists
 * (the inventory lists the account's volumes and not that one), older than a shorter threshold.
 * Defaults: the 30 days (OptScale's obsolete_snapshots flags unused snapshots after 3
 * days; 30 keeps a month of routine backups); orphaned chains after 7 days.
 */
export const oldSnapshotRule: RuleDefinition = {
  id: 'old-snapshot',
  label: 'Old snapshots',
  kinds: ['old-snapshot'],
  description:
    'Flags snapshots older than the threshold, and snapshots whose source volume is gone (older than a shorter threshold): delete them unless a retention policy needs them. ' +
    'OptScale’s obsolete snapshots module uses 3 days; the default here keeps a month.',
  parameters: [
    {
      key: 'maxAgeDays',
      label: 'Older than',
      unit: 'days',
      default: 30,
      min: 1,
      max: 3650,
      help: 'Age of a snapshot before it is flagged.',
    },
    {
      key: 'orphanAgeDays',
      label: 'Source volume gone, older than',
      unit: 'days',
      default: 7,
      min: 0,
      max: 3650,
      help: 'Age of a snapshot whose source volume no longer exists before it is flagged (OptScale’s obsolete snapshot chains).',
    },
  ],
  async evaluate({ db, params, now }) {
    const p = params as { maxAgeDays: number; orphanAgeDays: number };
    const snapshots = await listResources(db, ['snapshot']);
    if (snapshots.length === 0) return [];
    const { rows: volumes } = await db.query<{ provider: string; resource_id: string }>(
      `SELECT provider, resource_id FROM resources WHERE kind = 'volume' AND gone_at IS NULL`,
    );
    const live = new Set(volumes.map((v) => `${v.provider}\u0000${v.resource_id}`));
    const findings: Finding[] = [];
    for (const r of snapshots) {
      const born = r.createdAt ?? r.firstSeen;
      const age = daysBetween(born, now);
      const sourceGone = r.seenInInventory && r.attachedTo !== null && !live.has(`${r.provider}\u0000${r.attachedTo}`);
      const old = age > p.maxAgeDays;
      if (!old && !(sourceGone && age > p.orphanAgeDays)) continue;
      const notes: string[] = [];
      if (sourceGone) notes.push(`Its source volume ${r.attachedTo} no longer exists.`);
      if (!r.createdAt) notes.push('No creation time known: aged from when Burnrate first saw it.');
      findings.push({
        kind: 'old-snapshot',
        provider: r.provider,
        resourcePk: r.pk,
        resourceId: r.resourceId,
        subResourceId: null,
        currentType: null,
        proposedType: null,
        action: 'Delete the snapshot',
        savingsFraction: '1',
        evidence: evidence({
          statistic: 'age_days',
          value: round(age, 2),
          threshold: old ? p.maxAgeDays : p.orphanAgeDays,
          details: { sourceVolume: r.attachedTo, sourceGone: sourceGone ? 'yes' : 'no', sizeGb: r.sizeGb },
          notes,
        }),
      });
    }
    return findings;
  },
};
