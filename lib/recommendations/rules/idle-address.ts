import { normalizeResourceIdSql, resourceProviderSql } from '../../resources/normalize';
import type { Finding, RuleDefinition } from '../types';
import { DAY_MS, daysBetween, detailDate, evidence, listResources, round } from './common';

/**
 * Unassociated addresses: a public IP attached to nothing for more than the threshold. Two
 * sources, one recommendation: the inventory (an address without association, since
 * `details.unassociatedSince` or its first sighting), and the AWS bill alone, whose usage type
 * names idle addresses (`ElasticIP:IdleAddress`, `PublicIPv4:IdleAddress`): flagged when the bill
 * has idle-address charges on more days than the threshold in the lookback and the address's latest
 * charges are still idle ones. Default: OptScale's obsolete_ips (7 days).
 */
export const idleAddressRule: RuleDefinition = {
  id: 'idle-address',
  label: 'Unassociated addresses',
  kinds: ['idle-address'],
  description:
    'Flags public IP addresses associated with nothing for longer than the threshold: release them. ' +
    'Works from the AWS bill alone (IdleAddress usage). Default from OptScale’s obsolete IPs (7 days).',
  parameters: [
    {
      key: 'minDays',
      label: 'Unassociated for more than',
      unit: 'days',
      default: 7,
      min: 0,
      max: 365,
      help: 'Days without association. OptScale: 7.',
    },
    {
      key: 'billLookbackDays',
      label: 'Bill lookback',
      unit: 'days',
      default: 30,
      min: 1,
      max: 93,
      help: 'Days of bills searched for idle-address charges.',
    },
  ],
  async evaluate({ db, params, now }) {
    const p = params as { minDays: number; billLookbackDays: number };
    const addresses = await listResources(db, ['address']);
    if (addresses.length === 0) return [];
    const prov = resourceProviderSql('c.provider_name');
    const { rows: billed } = await db.query<{ provider: string; rid: string; idle_days: string; last_idle: Date; last_any: Date }>(
      `WITH c AS (
         SELECT ${prov} AS provider, ${normalizeResourceIdSql(prov, 'c.resource_id')} AS rid, c.charge_period_start AS ts,
                COALESCE(c.extras->>'usageType', c.extras->>'x_UsageType', c.extras->>'UsageType', '') ~* 'IdleAddress' AS idle
           FROM cost_line_items c
          WHERE c.charge_period_start >= $1 AND c.charge_period_start < $2 AND c.resource_id IS NOT NULL)
       SELECT provider, rid, count(DISTINCT date_trunc('day', ts AT TIME ZONE 'UTC')) FILTER (WHERE idle) AS idle_days,
              max(ts) FILTER (WHERE idle) AS last_idle, max(ts) AS last_any
         FROM c WHERE provider = 'aws' GROUP BY 1, 2 HAVING bool_or(idle)`,
      [new Date(now.getTime() - p.billLookbackDays * DAY_MS).toISOString(), now.toISOString()],
    );
    const bill = new Map(billed.map((b) => [`${b.provider}\u0000${b.rid}`, b]));
    const findings: Finding[] = [];
    for (const r of addresses) {
      const b = bill.get(`${r.provider}\u0000${r.resourceId}`);
      const billIdleDays = b ? Number(b.idle_days) : 0;
      const billSaysIdle = b !== undefined && billIdleDays > p.minDays && b.last_idle.getTime() === b.last_any.getTime();
      let inventoryDays: number | null = null;
      if (r.seenInInventory && r.attachedTo === null) {
        inventoryDays = daysBetween(detailDate(r.details, 'unassociatedSince') ?? r.firstSeen, now);
      }
      const inventorySaysIdle = inventoryDays !== null && inventoryDays > p.minDays;
      // The inventory, when it lists the address as associated, overrides an older bill.
      if (r.seenInInventory && r.attachedTo !== null) continue;
      if (!inventorySaysIdle && !billSaysIdle) continue;
      findings.push({
        kind: 'idle-address',
        provider: r.provider,
        resourcePk: r.pk,
        resourceId: r.resourceId,
        subResourceId: null,
        currentType: null,
        proposedType: null,
        action: 'Release the address',
        savingsFraction: '1',
        evidence: evidence({
          statistic: inventorySaysIdle ? 'unassociated_days' : 'idle_billed_days',
          value: inventorySaysIdle ? round(inventoryDays as number, 2) : billIdleDays,
          threshold: p.minDays,
          details: { idleBilledDays: b ? billIdleDays : null, lastIdleCharge: b ? b.last_idle.toISOString() : null },
          notes: inventorySaysIdle ? [] : ['From the bill alone: the address is charged as idle (IdleAddress usage).'],
        }),
      });
    }
    return findings;
  },
};
