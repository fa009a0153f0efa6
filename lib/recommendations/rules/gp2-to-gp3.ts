import { divideDecimals } from '../../decimal';
import type { Finding, RuleDefinition } from '../types';
import { evidence, listResources } from './common';

/**
 * gp2 → gp3: an EBS gp2 volume costs about 20 % more per GB-month than gp3 in most regions (us-east-1:
 * $0.10 vs $0.08, https://aws.amazon.com/ebs/pricing/), and gp3 includes 3,000 IOPS and 125 MiB/s.
 * The type comes from the inventory or from the bill (usage type EBS:VolumeUsage.gp2). The catalog
 * holds instance prices only, so the price difference is a parameter; a gp2 volume above 1,000 GB
 * had more baseline IOPS (3 per GB) than gp3 includes, which the recommendation notes.
 */
export const gp2ToGp3Rule: RuleDefinition = {
  id: 'gp2-to-gp3',
  label: 'gp2 → gp3 volumes',
  kinds: ['gp2-to-gp3'],
  description:
    'Flags EBS gp2 volumes: gp3 costs about 20 % less per GB-month (AWS EBS pricing, most regions) with 3,000 IOPS and 125 MiB/s included. Works from the bill alone.',
  parameters: [
    {
      key: 'savingsPercent',
      label: 'gp3 cheaper by',
      unit: 'percent',
      default: 20,
      min: 0,
      max: 100,
      help: 'Share of a gp2 volume’s cost saved on gp3: 1 − 0.08/0.10 in us-east-1 (AWS EBS pricing); change it for regions that differ.',
    },
  ],
  async evaluate({ db, params }) {
    const p = params as { savingsPercent: number };
    const fraction = divideDecimals(String(p.savingsPercent), '100', 6);
    const findings: Finding[] = [];
    for (const r of await listResources(db, ['volume'])) {
      if (r.provider !== 'aws' || r.resourceType?.toLowerCase() !== 'gp2') continue;
      const size = r.sizeGb === null ? null : Number(r.sizeGb);
      const notes: string[] = [];
      if (size !== null && size * 3 > 3000) {
        const iops = Math.min(16000, size * 3);
        notes.push(
          `As gp2 it had ${iops} baseline IOPS; gp3 includes 3,000: provision ${iops - 3000} more if the workload needs them (at extra cost).`,
        );
      }
      if (size === null) notes.push('Size unknown (bill only): check its IOPS before the change if it is larger than 1,000 GB.');
      findings.push({
        kind: 'gp2-to-gp3',
        provider: r.provider,
        resourcePk: r.pk,
        resourceId: r.resourceId,
        subResourceId: null,
        currentType: 'gp2',
        proposedType: 'gp3',
        action: 'Modify the volume to gp3',
        savingsFraction: fraction,
        evidence: evidence({
          statistic: 'savings_percent',
          value: p.savingsPercent,
          threshold: p.savingsPercent,
          details: { sizeGb: r.sizeGb },
          notes,
        }),
      });
    }
    return findings;
  },
};
