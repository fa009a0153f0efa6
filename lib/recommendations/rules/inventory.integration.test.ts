// The rules that read what an inventory lists (stopped instances, unattached volumes, old snapshots,
// idle load balancers), on records written through the one resource upsert as an inventory sync
// writes them, and load balancer metrics through the one import path. Ages and costs by hand.
import { beforeAll, describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../../../tests/helpers/db';
import { days, ingestBill, seedInstance } from '../../../tests/helpers/recommendations';
import { getPool } from '../../db/pool';
import { recomputeRecommendations } from '../engine';
import { idleLoadBalancerRule } from './idle-load-balancer';
import { oldSnapshotRule } from './old-snapshot';
import { stoppedInstanceRule } from './stopped-instance';
import { unattachedVolumeRule } from './unattached-volume';

const NOW = new Date('2026-03-01T00:00:00Z');
const ago = (d: number) => new Date(NOW.getTime() - d * 86_400_000);

interface Row {
  kind: string;
  monthly_cost: string | null;
  monthly_savings: string | null;
  evidence: { statistic: string; value: number; threshold: number; notes: string[]; details: Record<string, unknown> };
}

let url: string;
beforeAll(async () => {
  url = await useTestDatabase();
});

async function rec(resourceId: string): Promise<Row | undefined> {
  const [row] = await sql<Row>(
    url,
    'SELECT kind, monthly_cost::text, monthly_savings::text, evidence FROM recommendations WHERE resource_id = $1',
    [resourceId],
  );
  return row;
}

describe('inventory rules', () => {
  it('stopped instance: stopped more than a day, priced on its own bill plus its volumes’ and addresses’', async () => {
    await seedInstance({
      resourceId: 'i-stopped-long',
      state: 'stopped',
      resourceType: 'm5.large',
      details: { stoppedAt: ago(3).toISOString() },
    });
    await seedInstance({
      resourceId: 'vol-of-stopped',
      kind: 'volume',
      state: 'in-use',
      attachedTo: 'i-stopped-long',
      resourceType: 'gp3',
      sizeGb: '100',
    });
    await seedInstance({ resourceId: 'eipalloc-of-stopped', kind: 'address', attachedTo: 'i-stopped-long' });
    await seedInstance({
      resourceId: 'i-stopped-hours',
      state: 'stopped',
      resourceType: 'm5.large',
      details: { stoppedAt: ago(0.5).toISOString() },
    });
    await ingestBill('inventory:stopped', [
      ...days('2026-01-30', 30).map((day) => ({ resourceId: 'vol-of-stopped', day, billed: '0.2667' })),
      ...days('2026-01-30', 30).map((day) => ({ resourceId: 'eipalloc-of-stopped', day, billed: '0.12' })),
    ]);
    await recomputeRecommendations(getPool(), { now: NOW, rules: [stoppedInstanceRule] });
    const r = await rec('i-stopped-long');
    // 30 × (0.2667 + 0.12) = 8.001 + 3.6 = 11.601.
    expect(r).toMatchObject({ kind: 'stopped-instance', monthly_cost: '11.6010', monthly_savings: '11.601' });
    expect(r?.evidence).toMatchObject({ statistic: 'stopped_days', value: 3, threshold: 1, details: { volumes: 1, addresses: 1 } });
    expect(await rec('i-stopped-hours')).toBeUndefined();
  });

  it('unattached volume: more than a day without attachment; an attached one is left alone', async () => {
    await seedInstance({ resourceId: 'vol-loose', kind: 'volume', state: 'available', resourceType: 'gp3', createdAt: ago(10) });
    await seedInstance({
      resourceId: 'vol-just-detached',
      kind: 'volume',
      state: 'available',
      details: { detachedAt: ago(0.25).toISOString() },
    });
    await seedInstance({ resourceId: 'vol-attached', kind: 'volume', state: 'in-use', attachedTo: 'i-x', createdAt: ago(10) });
    await recomputeRecommendations(getPool(), { now: NOW, rules: [unattachedVolumeRule] });
    expect((await rec('vol-loose'))?.evidence).toMatchObject({ statistic: 'unattached_days', value: 10, threshold: 1 });
    expect(await rec('vol-just-detached')).toBeUndefined();
    expect(await rec('vol-attached')).toBeUndefined();
  });

  it('old snapshot: older than 30 days, or older than 7 when its source volume is gone', async () => {
    await seedInstance({ resourceId: 'vol-live', kind: 'volume', state: 'in-use', attachedTo: 'i-y' });
    await seedInstance({ resourceId: 'snap-old', kind: 'snapshot', attachedTo: 'vol-live', createdAt: ago(45) });
    await seedInstance({ resourceId: 'snap-recent', kind: 'snapshot', attachedTo: 'vol-live', createdAt: ago(10) });
    await seedInstance({ resourceId: 'snap-orphan', kind: 'snapshot', attachedTo: 'vol-deleted', createdAt: ago(10) });
    await recomputeRecommendations(getPool(), { now: NOW, rules: [oldSnapshotRule] });
    expect((await rec('snap-old'))?.evidence).toMatchObject({ statistic: 'age_days', value: 45, threshold: 30 });
    expect(await rec('snap-recent')).toBeUndefined();
    const orphan = await rec('snap-orphan');
    expect(orphan?.evidence).toMatchObject({ value: 10, threshold: 7 });
    expect(orphan?.evidence.notes).toContain('Its source volume vol-deleted no longer exists.');
  });

  it('idle load balancer: no request in 7 days; one with traffic is left alone', async () => {
    const hourly = (from: Date, hours: number, value: number) => ({
      t: Array.from({ length: hours }, (_, i) => from.getTime() + i * 3_600_000),
      v: Array.from({ length: hours }, () => value),
    });
    const lb = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/quiet/50dc6c495c0c9188';
    const busy = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/busy/70dc6c495c0c9188';
    await seedInstance({ resourceId: lb, kind: 'load_balancer' }, { load_balancer_requests: hourly(ago(7), 168, 0) });
    await seedInstance({ resourceId: busy, kind: 'load_balancer' }, { load_balancer_requests: hourly(ago(7), 168, 0.5) });
    await recomputeRecommendations(getPool(), { now: NOW, rules: [idleLoadBalancerRule] });
    expect((await rec(lb))?.evidence).toMatchObject({ statistic: 'requests', value: 0, threshold: 0 });
    expect(await rec(busy)).toBeUndefined();
  });
});
