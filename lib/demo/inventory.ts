import type pg from 'pg';
import type { Catalog } from '../catalog/types';
import type { ResourceRecord, SampleBatch } from '../inventory/types';
import { importSamples } from '../metrics/store';
import { type ResourceProvider, resourceProvider } from '../resources/normalize';
import { upsertResources } from '../resources/store';
import { hashString, Random, randomFor } from './random';

/**
 * The demo's second data path: an inventory and 14 days of utilization for the machines, disks and
 * GPUs the demo bills charge for, so that the first `npm start` shows real recommendations. It is
 * read back from the loaded bills (what was billed in the last 14 days, with the type the bill's
 * usage type names), so every instance with metrics is one the bills charge, at the type it is
 * billed as. What each machine does is a deterministic profile:
 * - most instances busy or moderately busy on a working-day rhythm;
 * - about one in four oversized (p99 CPU well under the rightsizing target), one in twelve idle;
 * - a few disks unattached, old snapshots (one whose volume is gone), two unassociated addresses
 *   and an idle load balancer in the inventory (AWS), none of which need metrics to be flagged;
 * - GPU machines, each GPU with its own UUID: an idle 8×H100 (Azure ND96isr H100 v5), a busy one,
 *   a notebook holding a model on an A100 and doing nothing (memory held), a bursty training box
 *   (AWS p5.48xlarge), an under-used 8×H100 (GCP a3-highgpu-8g), under-used and idle A10Gs.
 * Samples every 15 minutes (CloudWatch's basic monitoring is 5; 15 keeps the first start quick).
 */

export const DEMO_METRICS_DAYS = 14;
export const DEMO_METRICS_STEP_MS = 15 * 60_000;

type CpuProfile = 'busy' | 'moderate' | 'oversized' | 'idle';
type GpuProfile = 'gpu-idle' | 'gpu-busy' | 'gpu-memory-held' | 'gpu-bursty' | 'gpu-underused' | 'gpu-half';

interface BilledInstance {
  provider: ResourceProvider;
  resourceId: string;
  name: string | null;
  accountId: string;
  regionId: string;
  type: string;
  tags: Record<string, string>;
}

interface BilledDisk {
  provider: ResourceProvider;
  resourceId: string;
  accountId: string;
  regionId: string;
  type: string;
  tags: Record<string, string>;
}

/** The instance type a demo bill's usage type names (the demo generator writes them this way). */
export function demoInstanceType(provider: ResourceProvider, usageType: string): string | null {
  if (provider === 'aws') return /BoxUsage:(.+)$/.exec(usageType)?.[1] ?? null;
  if (provider === 'gcp') return /^(\S+) running$/.exec(usageType)?.[1] ?? null;
  // Azure meters name the size without its prefix and with spaces: 'D4s v5' → Standard_D4s_v5.
  if (provider === 'azure') return `Standard_${usageType.trim().replace(/\s+/g, '_')}`;
  return null;
}

function demoVolumeType(provider: ResourceProvider, usageType: string): string {
  if (provider === 'aws') return /VolumeUsage\.?(\w*)$/.exec(usageType)?.[1] || 'standard';
  return usageType;
}

async function billedResources(db: pg.PoolClient, since: Date): Promise<{ instances: BilledInstance[]; disks: BilledDisk[] }> {
  const { rows } = await db.query<{
    provider_name: string;
    resource_id: string;
    resource_name: string | null;
    sub_account_id: string | null;
    region_id: string | null;
    resource_type: string;
    usage_type: string;
    tags: Record<string, string> | null;
  }>(
    `SELECT DISTINCT ON (resource_id) provider_name, resource_id, resource_name, sub_account_id, region_id, resource_type,
            extras->>'x_UsageType' AS usage_type, tags
       FROM cost_line_items
      WHERE charge_period_start >= $1 AND resource_id IS NOT NULL AND extras ? 'x_UsageType'
        AND resource_type IN ('Instance', 'Virtual machine', 'Volume', 'Disk')
        AND (resource_type NOT IN ('Instance') OR resource_id LIKE 'arn:aws:ec2:%' OR resource_id LIKE '//compute.googleapis.com/%')
      ORDER BY resource_id, charge_period_start DESC, billed_cost DESC`,
    [since.toISOString()],
  );
  const instances: BilledInstance[] = [];
  const disks: BilledDisk[] = [];
  for (const r of rows) {
    const provider = resourceProvider(r.provider_name);
    const base = {
      provider,
      resourceId: r.resource_id,
      accountId: r.sub_account_id ?? '',
      regionId: r.region_id ?? '',
      tags: r.tags ?? {},
    };
    if (r.resource_type === 'Volume' || r.resource_type === 'Disk') {
      disks.push({ ...base, type: demoVolumeType(provider, r.usage_type) });
      continue;
    }
    const type = demoInstanceType(provider, r.usage_type);
    if (type) instances.push({ ...base, name: r.resource_name, type });
  }
  return { instances, disks };
}

/** Which machine does what: GPU machines by their type (so each scenario exists), others by a hash. */
function assignProfiles(instances: readonly BilledInstance[], catalog: Catalog): Map<string, CpuProfile | GpuProfile> {
  const out = new Map<string, CpuProfile | GpuProfile>();
  const gpuScenarios: Record<string, GpuProfile[]> = {
    'p5.48xlarge': ['gpu-bursty'],
    Standard_ND96isr_H100_v5: ['gpu-idle', 'gpu-busy'],
    Standard_NC24ads_A100_v4: ['gpu-memory-held'],
    'a3-highgpu-8g': ['gpu-underused'],
    'g5.12xlarge': ['gpu-half', 'gpu-busy', 'gpu-busy'],
    'g5.xlarge': ['gpu-idle', 'gpu-idle', 'gpu-busy', 'gpu-underused'],
    'g2-standard-8': ['gpu-underused'],
  };
  const seen = new Map<string, number>();
  const cpuCycle: CpuProfile[] = [
    'busy',
    'oversized',
    'moderate',
    'busy',
    'oversized',
    'moderate',
    'busy',
    'idle',
    'moderate',
    'busy',
    'oversized',
    'moderate',
  ];
  for (const i of [...instances].sort((a, b) => a.resourceId.localeCompare(b.resourceId))) {
    const gpus = catalog.spec(i.provider, i.type)?.gpuCount ?? 0;
    if (gpus > 0) {
      const k = seen.get(i.type) ?? 0;
      seen.set(i.type, k + 1);
      const list = gpuScenarios[i.type] ?? ['gpu-busy'];
      out.set(i.resourceId, list[k % list.length] as GpuProfile);
    } else {
      out.set(i.resourceId, cpuCycle[hashString(i.resourceId) % cpuCycle.length] as CpuProfile);
    }
  }
  return out;
}

/** A working-day rhythm in [0, 1]: high 09:00–18:00 UTC on weekdays, low at night and weekends. */
function rhythm(t: number): number {
  const d = new Date(t);
  const hour = d.getUTCHours() + d.getUTCMinutes() / 60;
  const day = Math.max(0, Math.sin(((hour - 7) / 12) * Math.PI));
  const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6;
  return weekend ? day * 0.3 : day;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

function cpuSeries(profile: CpuProfile, ts: readonly number[], rng: Random): number[] {
  const [floor, swing, noise] = {
    busy: [35, 45, 6],
    moderate: [18, 30, 5],
    oversized: [4, 11, 2],
    idle: [0.6, 0.8, 0.3],
  }[profile] as [number, number, number];
  return ts.map((t) => Number(clamp(floor + swing * rhythm(t) + (rng.next() - 0.5) * 2 * noise, 0, 100).toFixed(2)));
}

function memorySeries(profile: CpuProfile, ts: readonly number[], rng: Random): number[] {
  const base = { busy: 62, moderate: 48, oversized: 22, idle: 14 }[profile];
  return ts.map((t) => Number(clamp(base + 6 * rhythm(t) + (rng.next() - 0.5) * 3, 0, 100).toFixed(2)));
}

function networkSeries(profile: CpuProfile | GpuProfile, ts: readonly number[], rng: Random): number[] {
  const scale = profile === 'idle' || profile === 'gpu-idle' ? 200 : profile === 'oversized' ? 60_000 : 2_500_000;
  return ts.map((t) => Math.round(scale * (0.4 + rhythm(t)) * (0.8 + rng.next() * 0.4)));
}

/** Per-GPU utilization (percent) and framebuffer use (fraction of total) for a profile. */
function gpuSeries(
  profile: GpuProfile,
  gpuIndex: number,
  gpuCount: number,
  ts: readonly number[],
  rng: Random,
): { util: number[]; mem: number[] } {
  const util: number[] = [];
  const mem: number[] = [];
  // The bursty box trains in runs of 4–10 hours a few times a week and sits idle 1–2.5 days in
  // between: about 14 % of the hours at ~94 %, so its mean (~13 %) stays clearly under the rule's
  // 20 % whichever 14 days the window takes (runs of 6–20 hours put it at the line, ~23 %).
  const runs: [number, number][] = [];
  if (profile === 'gpu-bursty') {
    let t = ts[0] as number;
    const end = ts.at(-1) as number;
    while (t < end) {
      t += rng.int(24, 60) * 3_600_000;
      const len = rng.int(4, 10) * 3_600_000;
      runs.push([t, t + len]);
      t += len;
    }
  }
  const busyShare = profile === 'gpu-half' ? (gpuIndex < gpuCount / 2 ? 1 : 0) : 1;
  for (const t of ts) {
    const r = rng.next();
    let u: number;
    let m: number;
    switch (profile) {
      case 'gpu-idle':
        u = 0;
        m = 0.005;
        break;
      case 'gpu-memory-held':
        u = r < 0.02 ? 3 + r * 100 : 0;
        m = 0.47;
        break;
      case 'gpu-bursty': {
        const on = runs.some(([a, b]) => t >= a && t < b);
        u = on ? 88 + r * 12 : 0;
        m = on ? 0.9 : 0.004;
        break;
      }
      case 'gpu-underused':
        u = 8 + 22 * rhythm(t) + r * 4;
        m = 0.2;
        break;
      case 'gpu-half':
        u = busyShare ? 55 + 35 * rhythm(t) + r * 5 : 0;
        m = busyShare ? 0.6 : 0.004;
        break;
      default:
        u = 70 + 25 * rhythm(t) + r * 5;
        m = 0.75;
    }
    util.push(Number(clamp(u, 0, 100).toFixed(1)));
    mem.push(m);
  }
  return { util, mem };
}

/** A GPU UUID in nvidia-smi's format, stable for the machine and the GPU's index. */
function gpuUuid(resourceId: string, index: number): string {
  const r = randomFor(hashString(resourceId), `gpu-${index}`);
  return `GPU-${r.hex(8)}-${r.hex(4)}-${r.hex(4)}-${r.hex(4)}-${r.hex(12)}`;
}

export interface DemoInventorySummary {
  resources: number;
  samples: number;
  gpus: number;
}

/**
 * Writes the demo inventory and metrics for the bills already loaded, in the caller's transaction.
 * `end` is the end of the metrics window (the demo's bills run to the day before it).
 */
export async function loadDemoInventory(
  db: pg.PoolClient,
  args: { end: Date; catalog: Catalog; onProgress?: (samples: number) => void },
): Promise<DemoInventorySummary> {
  const end = args.end.getTime();
  const start = end - DEMO_METRICS_DAYS * 86_400_000;
  const { instances, disks } = await billedResources(db, new Date(start));
  const profiles = assignProfiles(instances, args.catalog);
  const seenAt = new Date(end);
  const records: ResourceRecord[] = [];
  const rng = randomFor(hashString('demo-inventory'), 'inventory');

  for (const i of instances) {
    records.push({
      provider: i.provider,
      resourceId: i.resourceId,
      kind: 'instance',
      accountId: i.accountId,
      regionId: i.regionId,
      name: i.name,
      resourceType: i.type,
      state: 'running',
      createdAt: new Date(start - rng.int(20, 300) * 86_400_000),
      tags: i.tags,
    });
  }
  // Disks: attached to an instance of the same account and region, except one in eight.
  const sortedDisks = [...disks].sort((a, b) => a.resourceId.localeCompare(b.resourceId));
  for (const [k, d] of sortedDisks.entries()) {
    const peers = instances.filter((i) => i.provider === d.provider && i.accountId === d.accountId && i.regionId === d.regionId);
    const unattached = k % 8 === 3 || peers.length === 0;
    records.push({
      provider: d.provider,
      resourceId: d.resourceId,
      kind: 'volume',
      accountId: d.accountId,
      regionId: d.regionId,
      resourceType: d.type,
      state: unattached ? (d.provider === 'azure' ? 'Unattached' : d.provider === 'gcp' ? 'READY' : 'available') : 'in-use',
      attachedTo: unattached ? null : (peers[hashString(d.resourceId) % peers.length] as BilledInstance).resourceId,
      sizeGb: String(rng.pick([100, 200, 500, 1000])),
      createdAt: new Date(start - rng.int(30, 200) * 86_400_000),
      tags: d.tags,
    });
  }
  // Inventory-only AWS objects: snapshots (two old, one of a deleted volume), addresses, load balancers.
  const awsDisk = sortedDisks.find((d) => d.provider === 'aws');
  if (awsDisk) {
    const arn = (kind: string, id: string) => `arn:aws:ec2:${awsDisk.regionId}:${awsDisk.accountId}:${kind}/${id}`;
    const snap = (id: string, days: number, volume: string, size: number) =>
      records.push({
        provider: 'aws',
        resourceId: arn('snapshot', id),
        kind: 'snapshot',
        accountId: awsDisk.accountId,
        regionId: awsDisk.regionId,
        state: 'completed',
        attachedTo: volume,
        sizeGb: String(size),
        createdAt: new Date(end - days * 86_400_000),
        tags: { team: 'data' },
      });
    snap('snap-0a1b2c3d4e5f60718', 96, awsDisk.resourceId, 500);
    snap('snap-0b2c3d4e5f6071829', 214, arn('volume', 'vol-0deadbeef00000001'), 1000);
    snap('snap-0c3d4e5f607182930', 5, awsDisk.resourceId, 500);
    for (const [n, id] of ['eipalloc-0f1e2d3c4b5a69788', 'eipalloc-0e2d3c4b5a6978899'].entries())
      records.push({
        provider: 'aws',
        resourceId: arn('elastic-ip', id),
        kind: 'address',
        accountId: awsDisk.accountId,
        regionId: awsDisk.regionId,
        state: 'unassociated',
        attachedTo: null,
        createdAt: new Date(end - (40 + n * 30) * 86_400_000),
        // Released from its instance 20 and 50 days before the demo's end (the rule's clock).
        details: { publicIp: `198.51.100.${17 + n}`, unassociatedSince: new Date(end - (20 + n * 30) * 86_400_000).toISOString() },
        tags: { team: 'platform' },
      });
    records.push({
      provider: 'aws',
      resourceId: `arn:aws:elasticloadbalancing:${awsDisk.regionId}:${awsDisk.accountId}:loadbalancer/app/legacy-admin/4f2a9c1be07d3a15`,
      kind: 'load_balancer',
      accountId: awsDisk.accountId,
      regionId: awsDisk.regionId,
      name: 'legacy-admin',
      resourceType: 'application',
      state: 'active',
      createdAt: new Date(end - 400 * 86_400_000),
      details: { targets: 0 },
      tags: { team: 'web' },
    });
  }

  // GPUs: one row per GPU of each GPU machine, keyed by the machine's id and the GPU's UUID.
  const gpuRows: { machine: BilledInstance; uuid: string; index: number; count: number; profile: GpuProfile; memoryBytes: number }[] = [];
  for (const i of instances) {
    const spec = args.catalog.spec(i.provider, i.type);
    const profile = profiles.get(i.resourceId) as CpuProfile | GpuProfile;
    if (!spec || spec.gpuCount === 0 || !profile.startsWith('gpu-')) continue;
    for (let index = 0; index < spec.gpuCount; index++) {
      const uuid = gpuUuid(i.resourceId, index);
      gpuRows.push({
        machine: i,
        uuid,
        index,
        count: spec.gpuCount,
        profile: profile as GpuProfile,
        memoryBytes: (spec.gpuMemoryMib ?? 0) * 1_048_576,
      });
      records.push({
        provider: i.provider,
        resourceId: i.resourceId,
        subResourceId: uuid,
        kind: 'gpu',
        accountId: i.accountId,
        regionId: i.regionId,
        name: `${i.name ?? i.resourceId} GPU ${index}`,
        resourceType: spec.gpuModel,
        state: 'running',
        details: { index, memoryMib: spec.gpuMemoryMib },
        tags: i.tags,
      });
    }
  }
  await upsertResources(db, records, { origin: 'inventory', seenAt });

  const ts: number[] = [];
  for (let t = start; t < end; t += DEMO_METRICS_STEP_MS) ts.push(t);
  function* batches(): Generator<SampleBatch> {
    for (const i of instances) {
      const profile = profiles.get(i.resourceId) as CpuProfile | GpuProfile;
      const r = new Random(hashString(`${i.resourceId}/metrics`));
      const cpuProfile: CpuProfile = profile.startsWith('gpu-')
        ? profile === 'gpu-busy' || profile === 'gpu-half'
          ? 'moderate'
          : 'oversized'
        : (profile as CpuProfile);
      const id = { provider: i.provider, resourceId: i.resourceId };
      yield { ...id, metric: 'cpu_utilization', timestamps: ts, values: cpuSeries(cpuProfile, ts, r) };
      // Memory needs an agent: measured on Azure VMs and most AWS instances, not on GCP (no Ops Agent).
      if (i.provider === 'azure' || (i.provider === 'aws' && hashString(i.resourceId) % 4 !== 0))
        yield { ...id, metric: 'memory_utilization', timestamps: ts, values: memorySeries(cpuProfile, ts, r) };
      yield { ...id, metric: 'network_in', timestamps: ts, values: networkSeries(profile, ts, r) };
      yield { ...id, metric: 'network_out', timestamps: ts, values: networkSeries(profile, ts, r) };
    }
    for (const g of gpuRows) {
      const r = new Random(hashString(`${g.machine.resourceId}/${g.uuid}`));
      const { util, mem } = gpuSeries(g.profile, g.index, g.count, ts, r);
      const id = { provider: g.machine.provider, resourceId: g.machine.resourceId, subResourceId: g.uuid };
      yield { ...id, metric: 'gpu_utilization', timestamps: ts, values: util };
      yield { ...id, metric: 'gpu_memory_used', timestamps: ts, values: mem.map((m) => Math.round(m * g.memoryBytes)) };
      yield { ...id, metric: 'gpu_memory_total', timestamps: ts, values: ts.map(() => g.memoryBytes) };
    }
  }
  const summary = await importSamples(db, batches(), { label: 'demo metrics', onProgress: args.onProgress });
  return { resources: records.length, samples: summary.samples, gpus: gpuRows.length };
}
