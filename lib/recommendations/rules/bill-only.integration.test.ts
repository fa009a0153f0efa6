// The rules that need only the bill (previous generation, gp2 → gp3, idle addresses) on FOCUS
// exports written here and ingested through the real pipeline, resources derived from them by
// lib/resources/from-bills.ts: no inventory, no metrics. Expected types come from a plain scan of
// the catalog's CSV files; amounts are worked out by hand.
import { beforeAll, describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../../../tests/helpers/db';
import { type CatalogRow, catalogRows, days, ingestBill } from '../../../tests/helpers/recommendations';
import { getPool } from '../../db/pool';
import { refreshRecommendations } from '../refresh';

const NOW = new Date('2026-03-01T00:00:00Z');

interface Row {
  kind: string;
  current_type: string | null;
  proposed_type: string | null;
  currency: string | null;
  monthly_cost: string | null;
  monthly_savings: string | null;
  evidence: { statistic: string; value: number; notes: string[] };
}

let url: string;
beforeAll(async () => {
  url = await useTestDatabase();
});

async function recs(resourceId: string): Promise<Row[]> {
  return sql<Row>(
    url,
    `SELECT kind, current_type, proposed_type, currency, monthly_cost::text, monthly_savings::text, evidence
       FROM recommendations WHERE resource_id = $1 ORDER BY kind`,
    [resourceId],
  );
}

/** The cheapest current-generation type, not burstable, with at least the vCPUs and memory, priced at most as the current one. */
function successor(rows: CatalogRow[], current: string, burstable: RegExp): CatalogRow | undefined {
  const cur = rows.find((r) => r.type === current) as CatalogRow;
  return rows
    .filter(
      (r) =>
        r.current &&
        r.arch === cur.arch &&
        r.gpus === cur.gpus &&
        !burstable.test(r.type) &&
        r.vcpus >= cur.vcpus &&
        r.memoryMib >= cur.memoryMib &&
        r.hourly !== null &&
        r.hourly <= (cur.hourly as number),
    )
    .sort((a, b) => (a.hourly as number) - (b.hourly as number) || b.generation - a.generation || a.type.localeCompare(b.type))[0];
}

describe('rules on the bill alone', () => {
  it('previous generation: an Azure VM named by its meter and a GCP machine type in the usage text', async () => {
    const vm = '/subscriptions/0000-1111/resourceGroups/RG-LEGACY/providers/Microsoft.Compute/virtualMachines/legacy-vm';
    const gce = 'projects/demo/zones/us-central1-a/instances/old-box';
    await ingestBill('bill-only:azure', [
      ...days('2026-01-30', 30).map((day) => ({
        resourceId: vm,
        day,
        billed: '2.304',
        provider: 'Microsoft',
        region: 'eastus',
        account: 'ea-1',
        extra: { x_SkuMeterName: 'D2s v3' },
      })),
    ]);
    await ingestBill(
      'bill-only:gcp',
      days('2026-01-30', 30).map((day) => ({
        resourceId: gce,
        day,
        billed: '2.28',
        provider: 'Google Cloud',
        region: 'us-central1',
        account: 'gcp-1',
        extra: { x_UsageType: 'n1-standard-2 running' },
      })),
    );
    await refreshRecommendations(getPool(), { now: NOW });

    const azure = catalogRows('azure', 'eastus');
    const wantAzure = successor(azure, 'Standard_D2s_v3', /^Standard_B/);
    expect(wantAzure).toBeDefined();
    const [a] = await recs(vm.toLowerCase());
    expect(a).toMatchObject({
      kind: 'previous-generation',
      current_type: 'Standard_D2s_v3',
      proposed_type: wantAzure?.type,
      currency: 'USD',
    });
    // 30 × 2.304 = 69.12.
    expect(a?.monthly_cost).toBe('69.120');
    const fa = 1 - (wantAzure?.hourly as number) / (azure.find((r) => r.type === 'Standard_D2s_v3')?.hourly as number);
    expect(Number(a?.monthly_savings)).toBeCloseTo(69.12 * fa, 4);

    const gcp = catalogRows('gcp', 'us-central1');
    const wantGcp = successor(gcp, 'n1-standard-2', /^(f1|g1)-|^e2-(micro|small|medium)$/);
    const [g] = await recs(gce);
    expect(g).toMatchObject({ kind: 'previous-generation', current_type: 'n1-standard-2', proposed_type: wantGcp?.type });
    // 30 × 2.28 = 68.4.
    expect(g?.monthly_cost).toBe('68.40');
  });

  it('gp2 → gp3 from the usage type, saving 20 % of the volume’s own cost', async () => {
    await ingestBill(
      'bill-only:gp2',
      days('2026-01-30', 30).map((day) => ({
        resourceId: 'arn:aws:ec2:us-east-1:123456789012:volume/vol-0gp2',
        day,
        billed: '0.50',
        extra: { x_UsageType: 'USE1-EBS:VolumeUsage.gp2' },
      })),
    );
    await refreshRecommendations(getPool(), { now: NOW });
    // 30 × 0.50 = 15; 20 % of it is 3.
    expect(await recs('vol-0gp2')).toMatchObject([
      { kind: 'gp2-to-gp3', current_type: 'gp2', proposed_type: 'gp3', currency: 'USD', monthly_cost: '15.00', monthly_savings: '3' },
    ]);
    expect((await recs('vol-0gp2'))[0]?.evidence.notes).toContain(
      'Size unknown (bill only): check its IOPS before the change if it is larger than 1,000 GB.',
    );
  });

  it('idle addresses: more than 7 days charged as idle and still idle; not 5 days, not one that is in use again', async () => {
    const idle = (id: string, first: string, n: number) =>
      days(first, n).map((day) => ({ resourceId: id, day, billed: '0.12', extra: { x_UsageType: 'USE1-ElasticIP:IdleAddress' } }));
    await ingestBill('bill-only:addresses', [
      ...idle('eipalloc-idle10', '2026-02-19', 10),
      ...idle('eipalloc-idle5', '2026-02-24', 5),
      ...idle('eipalloc-reused', '2026-02-15', 10),
      ...days('2026-02-25', 4).map((day) => ({
        resourceId: 'eipalloc-reused',
        day,
        billed: '0.12',
        extra: { x_UsageType: 'USE1-PublicIPv4:InUseAddress' },
      })),
    ]);
    await refreshRecommendations(getPool(), { now: NOW });
    const [r] = await recs('eipalloc-idle10');
    // 10 × 0.12 = 1.2, all saved by releasing it.
    expect(r).toMatchObject({ kind: 'idle-address', monthly_cost: '1.20', monthly_savings: '1.2' });
    expect(r?.evidence).toMatchObject({ statistic: 'idle_billed_days', value: 10 });
    expect(await recs('eipalloc-idle5')).toEqual([]);
    expect(await recs('eipalloc-reused')).toEqual([]);
  });
});
