/**
 * Azure inventory and utilization (issue 9): Compute (VMs with their power state, managed disks,
 * snapshots, VM sizes), Network (public IP addresses, load balancers) and Azure Monitor metrics,
 * through the official ARM clients (@azure/arm-compute, @azure/arm-network, @azure/arm-monitor)
 * signed in as a service principal (@azure/identity ClientSecretCredential).
 *
 * Metrics come from ARM's Metrics - List (`@azure/arm-monitor` `metrics.list`), not from the
 * data-plane batch API of `@azure/monitor-query-metrics`: it needs only the ARM endpoint and token
 * the inventory already uses (the batch API lives on a regional host per region and takes its own
 * token audience), answers with the documented ARM throttling (429 + Retry-After), and
 * @azure/monitor-query, the package that used to wrap it, is deprecated in favour of arm-monitor.
 *
 * Host metrics of Microsoft.Compute/virtualMachines used: Percentage CPU (average), Available
 * Memory Percentage or else Available Memory Bytes against the size's memory (Resource SKUs
 * MemoryGB), Network In Total / Network Out Total (bytes per interval, divided by the interval),
 * Disk Read/Write Operations/Sec. Azure has no platform GPU metric for VMs; GPU machines that run
 * Telegraf's nvidia_smi input with its azure_monitor output publish custom metrics in the
 * `Telegraf/nvidia_smi` namespace (utilization_gpu in percent, memory_used/memory_total in MiB,
 * one series per `uuid` dimension), read when the VM's size has GPUs.
 */
import { Agent as HttpsAgent } from 'node:https';
import { type ComputeManagementClient as ComputeClient, ComputeManagementClient } from '@azure/arm-compute';
import { MonitorClient } from '@azure/arm-monitor';
import { NetworkManagementClient } from '@azure/arm-network';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { ClientSecretCredential } from '@azure/identity';
import { z } from 'zod';
import { guardedLookup } from '../connectors/endpoint-guard';
import { describeIssues } from '../connectors/messages';
import { ConnectorError } from '../connectors/types';
import type { MetricName } from '../metrics/names';
import { normalizeResourceId } from '../resources/normalize';
import type { InventoryConnector, InventoryScope, MetricsWindow, ResourceRecord, SampleBatch } from './types';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const AzureInventoryConfig = z.object({
  /** The Microsoft Entra tenant (directory) ID, or its primary domain. */
  tenantId: z
    .string()
    .trim()
    .regex(/^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[A-Za-z0-9.-]+\.[A-Za-z]{2,})$/i, {
      error: 'must be a tenant ID (a GUID) or the tenant domain (contoso.onmicrosoft.com)',
    }),
  /** The service principal's application (client) ID. */
  clientId: z.string().trim().regex(GUID, { error: 'must be the application (client) ID, a GUID' }),
  /** Kept as the form shows it ("id1, id2"), normalized: each a GUID, no duplicates, at least one. */
  subscriptionIds: z
    .string()
    .transform((s) => [
      ...new Set(
        s
          .split(/[\s,]+/)
          .filter(Boolean)
          .map((id) => id.toLowerCase()),
      ),
    ])
    .pipe(
      z
        .array(z.string().regex(GUID, { error: 'each must be a subscription ID (a GUID)' }))
        .min(1, { error: 'name at least one subscription' }),
    )
    .transform((list) => list.join(', ')),
  /** Azure Resource Manager; another cloud's (Azure China, US Government, Azure Stack) or a test server. */
  resourceManagerEndpoint: z.url({ protocol: /^https$/, error: 'must be an https:// URL' }).optional(),
  /** Microsoft Entra ID's sign-in host, for the same clouds. */
  authorityHost: z.url({ protocol: /^https$/, error: 'must be an https:// URL' }).optional(),
});
export type AzureInventoryConfig = z.output<typeof AzureInventoryConfig>;

export const AzureInventoryCredentials = z.object({ clientSecret: z.string().min(1, { error: 'is missing' }) });
export type AzureInventoryCredentials = z.infer<typeof AzureInventoryCredentials>;

export interface AzureInventoryOptions {
  /** Retries of a throttled (429, Retry-After honoured) or failed request, after the first attempt. */
  maxRetries?: number;
  /** Extra trusted certificate authorities (PEM): Azure Stack Hub's own CA, or a test server's. */
  ca?: string;
}

/** Azure Monitor's time grains, ascending (Metrics - List `interval`). */
const GRAINS: readonly { iso: string; seconds: number }[] = [
  { iso: 'PT1M', seconds: 60 },
  { iso: 'PT5M', seconds: 300 },
  { iso: 'PT15M', seconds: 900 },
  { iso: 'PT30M', seconds: 1800 },
  { iso: 'PT1H', seconds: 3600 },
  { iso: 'PT6H', seconds: 21_600 },
  { iso: 'PT12H', seconds: 43_200 },
  { iso: 'P1D', seconds: 86_400 },
];

/** The finest grain that is not finer than the asked step (Azure refuses other intervals). */
export function azureGrain(stepSeconds: number): { iso: string; seconds: number } {
  return GRAINS.find((g) => g.seconds >= stepSeconds) ?? (GRAINS[GRAINS.length - 1] as { iso: string; seconds: number });
}

/** ISO 8601 duration of the response's `interval` (PT5M, PT1H, P1D) in seconds; null when absent or odd. */
export function isoDurationSeconds(iso: string | undefined): number | null {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(iso ?? '');
  if (!m || iso === 'P' || iso === 'PT') return null;
  const [, d, h, min, s] = m;
  return Number(d ?? 0) * 86_400 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(s ?? 0);
}

const VM_METRICS = {
  'Percentage CPU': { metric: 'cpu_utilization', aggregation: 'average' },
  'Available Memory Percentage': { metric: 'memory_utilization', aggregation: 'average' },
  'Available Memory Bytes': { metric: 'memory_utilization', aggregation: 'average' },
  'Network In Total': { metric: 'network_in', aggregation: 'total' },
  'Network Out Total': { metric: 'network_out', aggregation: 'total' },
  'Disk Read Operations/Sec': { metric: 'disk_read_ops', aggregation: 'average' },
  'Disk Write Operations/Sec': { metric: 'disk_write_ops', aggregation: 'average' },
} as const satisfies Record<string, { metric: MetricName; aggregation: 'average' | 'total' }>;

/** Telegraf nvidia_smi fields published as Azure Monitor custom metrics (memory in MiB, as nvidia-smi reports). */
const GPU_NAMESPACE = 'Telegraf/nvidia_smi';
const GPU_METRICS = {
  utilization_gpu: { metric: 'gpu_utilization', scale: 1 },
  memory_used: { metric: 'gpu_memory_used', scale: 1024 * 1024 },
  memory_total: { metric: 'gpu_memory_total', scale: 1024 * 1024 },
} as const satisfies Record<string, { metric: MetricName; scale: number }>;

const DEFAULT_MAX_RETRIES = 4;

interface VmSize {
  vCpus: number | null;
  memoryGb: number | null;
  gpus: number | null;
}

/** One metric's series of a Metrics - List answer (the documented JSON, as arm-monitor deserializes it). */
interface MonitorMetric {
  name: { value: string };
  timeseries?: {
    metadatavalues?: { name?: { value: string }; value?: string }[];
    data?: { timeStamp: Date | string; average?: number; total?: number }[];
  }[];
}

/**
 * Lists one or more subscriptions' VMs, disks, snapshots, public IPs and load balancers, and reads
 * their VMs' Azure Monitor metrics. Needs Reader and Monitoring Reader (README, "Inventory and
 * metrics: Azure"). Resource ids are ARM ids, case-folded (lib/resources/normalize.ts) so that
 * they meet the ids of the cost exports.
 */
export function createAzureInventoryConnector(
  config: z.input<typeof AzureInventoryConfig>,
  credentials: z.input<typeof AzureInventoryCredentials>,
  options: AzureInventoryOptions = {},
): InventoryConnector {
  const parsed = AzureInventoryConfig.safeParse(config);
  if (!parsed.success) throw new ConnectorError(`Invalid Azure inventory configuration: ${describeIssues(parsed.error.issues)}`, 'CONFIG');
  const creds = AzureInventoryCredentials.safeParse(credentials);
  if (!creds.success) throw new ConnectorError(`Invalid Azure service principal secret: ${describeIssues(creds.error.issues)}`, 'CONFIG');
  const cfg = parsed.data;
  const subscriptionIds = cfg.subscriptionIds.split(', ');
  const secret = creds.data.clientSecret;
  const principal = `the service principal ${cfg.clientId} (tenant ${cfg.tenantId})`;

  // Every request (token, ARM) resolves through endpoint-guard's lookup, like the other connectors.
  const agent = new HttpsAgent({ keepAlive: true, lookup: guardedLookup, ...(options.ca ? { ca: options.ca } : {}) });
  const agentPolicy: PipelinePolicy = {
    name: 'burnrateGuardedAgent',
    sendRequest: (request, next) => {
      request.agent = agent;
      return next(request);
    },
  };
  const common = {
    additionalPolicies: [{ policy: agentPolicy, position: 'perCall' as const }],
    retryOptions: { maxRetries: options.maxRetries ?? DEFAULT_MAX_RETRIES },
    userAgentOptions: { userAgentPrefix: 'burnrate' },
  };
  const credential = new ClientSecretCredential(cfg.tenantId, cfg.clientId, secret, {
    ...common,
    authorityHost: cfg.authorityHost,
    // Instance discovery asks the public cloud's login host about the authority: pointless (and
    // unreachable) for another cloud's or a test authority.
    disableInstanceDiscovery: cfg.authorityHost !== undefined,
  });
  const endpoint = cfg.resourceManagerEndpoint?.replace(/\/+$/, '');
  const armOptions = {
    ...common,
    ...(endpoint ? { endpoint, credentials: { scopes: [`${endpoint}/.default`] } } : {}),
  };
  const compute = new Map<string, ComputeClient>();
  const computeFor = (subscriptionId: string): ComputeClient => {
    let c = compute.get(subscriptionId);
    if (!c) {
      c = new ComputeManagementClient(credential, subscriptionId, armOptions);
      compute.set(subscriptionId, c);
    }
    return c;
  };
  const monitor = new MonitorClient(credential, armOptions);
  const sizes = new Map<string, Promise<Map<string, VmSize>>>();
  /** The subscriptions the last listResources went through to the end. */
  let listed: InventoryScope[] = [];

  const fail = (error: unknown, what: string): ConnectorError => toConnectorError(error, what, principal, [secret]);

  /** VM sizes of a region (Resource SKUs), lower-cased name → vCPUs, memory, GPUs; fetched once per run. */
  function vmSizes(subscriptionId: string, location: string): Promise<Map<string, VmSize>> {
    const key = `${subscriptionId}|${location.toLowerCase()}`;
    let p = sizes.get(key);
    if (!p) {
      p = (async () => {
        const out = new Map<string, VmSize>();
        try {
          for await (const sku of computeFor(subscriptionId).resourceSkus.list({ filter: `location eq '${location}'` })) {
            if (sku.resourceType !== 'virtualMachines' || !sku.name) continue;
            const cap = (name: string): number | null => {
              const v = sku.capabilities?.find((c) => c.name === name)?.value;
              const n = v === undefined ? Number.NaN : Number(v);
              return Number.isFinite(n) ? n : null;
            };
            out.set(sku.name.toLowerCase(), { vCpus: cap('vCPUs'), memoryGb: cap('MemoryGB'), gpus: cap('GPUs') });
          }
        } catch (error) {
          throw fail(error, `listing the VM sizes of ${location} in subscription ${subscriptionId}`);
        }
        return out;
      })();
      p.catch(() => sizes.delete(key));
      sizes.set(key, p);
    }
    return p;
  }

  async function* listSubscription(subscriptionId: string, signal?: AbortSignal): AsyncGenerator<ResourceRecord> {
    const client = computeFor(subscriptionId);
    const network = new NetworkManagementClient(credential, subscriptionId, armOptions);
    const opts = { abortSignal: signal };
    const base = { provider: 'azure' as const, accountId: subscriptionId };
    const where = (kind: string) => `listing the ${kind} of subscription ${subscriptionId}`;

    try {
      // statusOnly=true returns every VM with its instance view (power state) in one listing.
      for await (const vm of client.virtualMachines.listAll({ ...opts, statusOnly: 'true' })) {
        if (!vm.id) continue;
        const p = vm;
        const statuses = p?.instanceView?.statuses ?? [];
        const power = statuses.find((s) => s.code?.startsWith('PowerState/'));
        const size = p?.hardwareProfile?.vmSize ?? null;
        const spec = size && vm.location ? (await vmSizes(subscriptionId, vm.location)).get(size.toLowerCase()) : undefined;
        yield {
          ...base,
          resourceId: normalizeResourceId('azure', vm.id),
          kind: 'instance',
          regionId: vm.location,
          name: vm.name ?? null,
          resourceType: size,
          // PowerState/running, /stopped (still billed for compute), /deallocated, /starting, ...
          state: power?.code ? power.code.slice('PowerState/'.length) : null,
          createdAt: p?.timeCreated ? new Date(p.timeCreated) : null,
          tags: vm.tags ?? {},
          details: {
            vmId: p?.vmId ?? null,
            priority: p?.priority ?? null,
            osType: p?.storageProfile?.osDisk?.osType ?? null,
            osDiskId: lowerOrNull(p?.storageProfile?.osDisk?.managedDisk?.id),
            dataDiskIds: (p?.storageProfile?.dataDisks ?? []).map((d) => lowerOrNull(d.managedDisk?.id)).filter((d) => d !== null),
            networkInterfaceIds: (p?.networkProfile?.networkInterfaces ?? []).map((n) => lowerOrNull(n.id)).filter((n) => n !== null),
            stateSince: power?.time ? new Date(power.time).toISOString() : null,
            vCpus: spec?.vCpus ?? null,
            memoryGb: spec?.memoryGb ?? null,
            gpuCount: spec?.gpus ?? 0,
          },
        };
      }
    } catch (error) {
      throw fail(error, where('virtual machines'));
    }

    try {
      // The typed model drops LastOwnershipUpdateTime (capitalised so in the REST API): read it
      // from each page's raw body, which arrives before that page's items are yielded.
      const ownershipChanged = new Map<string, string>();
      const onResponse = (raw: { parsedBody?: unknown }) => {
        const page = raw.parsedBody as { value?: { id?: string; properties?: { LastOwnershipUpdateTime?: string } }[] } | undefined;
        for (const d of page?.value ?? []) {
          const t = d.properties?.LastOwnershipUpdateTime;
          if (d.id && t) ownershipChanged.set(normalizeResourceId('azure', d.id), t);
        }
      };
      for await (const disk of client.disks.list({ ...opts, onResponse })) {
        if (!disk.id) continue;
        const p = disk;
        const resourceId = normalizeResourceId('azure', disk.id);
        const ownership = ownershipChanged.get(resourceId);
        yield {
          ...base,
          resourceId,
          kind: 'volume',
          regionId: disk.location,
          name: disk.name ?? null,
          resourceType: disk.sku?.name ?? null,
          // Unattached, Attached, Reserved (attached to a stopped-deallocated VM), ActiveSAS, ...
          state: p?.diskState ?? null,
          attachedTo: lowerOrNull(disk.managedBy),
          sizeGb: p?.diskSizeGB !== undefined ? String(p.diskSizeGB) : null,
          createdAt: p?.timeCreated ? new Date(p.timeCreated) : null,
          tags: disk.tags ?? {},
          details: {
            // When the disk was last attached or detached: how long an unattached disk has been so.
            lastOwnershipUpdateTime: ownership ? new Date(ownership).toISOString() : null,
            tier: p?.tier ?? null,
            iops: p?.diskIopsReadWrite ?? null,
            throughputMBps: p?.diskMBpsReadWrite ?? null,
          },
        };
      }
    } catch (error) {
      throw fail(error, where('managed disks'));
    }

    try {
      for await (const snap of client.snapshots.list(opts)) {
        if (!snap.id) continue;
        const p = snap;
        yield {
          ...base,
          resourceId: normalizeResourceId('azure', snap.id),
          kind: 'snapshot',
          regionId: snap.location,
          name: snap.name ?? null,
          resourceType: snap.sku?.name ?? null,
          state: p?.provisioningState ?? null,
          attachedTo: lowerOrNull(p?.creationData?.sourceResourceId),
          sizeGb: p?.diskSizeGB !== undefined ? String(p.diskSizeGB) : null,
          createdAt: p?.timeCreated ? new Date(p.timeCreated) : null,
          tags: snap.tags ?? {},
          details: { incremental: p?.incremental ?? null },
        };
      }
    } catch (error) {
      throw fail(error, where('snapshots'));
    }

    try {
      for await (const ip of network.publicIPAddresses.listAll(opts)) {
        if (!ip.id) continue;
        const p = ip;
        // Associated with a NIC's or a load balancer's IP configuration, or with a NAT gateway.
        const owner = p?.ipConfiguration?.id ?? p?.natGateway?.id ?? null;
        yield {
          ...base,
          resourceId: normalizeResourceId('azure', ip.id),
          kind: 'address',
          regionId: ip.location,
          name: ip.name ?? null,
          resourceType: ip.sku?.name ?? null,
          state: owner ? 'associated' : 'unassociated',
          attachedTo: owner ? ownerOfConfiguration(owner) : null,
          tags: ip.tags ?? {},
          details: { ipAddress: p?.ipAddress ?? null, allocationMethod: p?.publicIPAllocationMethod ?? null },
        };
      }
    } catch (error) {
      throw fail(error, where('public IP addresses'));
    }

    try {
      for await (const lb of network.loadBalancers.listAll(opts)) {
        if (!lb.id) continue;
        const p = lb;
        const pools = p?.backendAddressPools ?? [];
        const targets = pools.reduce(
          (n, pool) => n + (pool.backendIPConfigurations?.length ?? 0) + (pool.loadBalancerBackendAddresses?.length ?? 0),
          0,
        );
        yield {
          ...base,
          resourceId: normalizeResourceId('azure', lb.id),
          kind: 'load_balancer',
          regionId: lb.location,
          name: lb.name ?? null,
          resourceType: lb.sku?.name ?? null,
          state: p?.provisioningState ?? null,
          tags: lb.tags ?? {},
          details: { targets, rules: p?.loadBalancingRules?.length ?? 0, frontends: p?.frontendIPConfigurations?.length ?? 0 },
        };
      }
    } catch (error) {
      throw fail(error, where('load balancers'));
    }
  }

  /** One Metrics - List call; null when the resource or the namespace is not there (a vanished VM, no custom metrics). */
  async function metricsOf(
    resourceUri: string,
    query: { metricnames: string; aggregation: string; metricnamespace?: string; filter?: string },
    window: MetricsWindow,
    signal?: AbortSignal,
  ): Promise<{ metrics: MonitorMetric[]; intervalSeconds: number } | null> {
    const grain = azureGrain(window.stepSeconds);
    try {
      const response = await monitor.metrics.list(resourceUri.replace(/^\/+/, ''), {
        ...query,
        timespan: `${window.start.toISOString()}/${window.end.toISOString()}`,
        interval: grain.iso,
        abortSignal: signal,
      });
      return {
        metrics: (response.value ?? []) as MonitorMetric[],
        intervalSeconds: isoDurationSeconds(response.interval) ?? grain.seconds,
      };
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 404) return null;
      // A namespace or metric the resource does not publish: "Failed to find metric configuration
      // for provider ..." (400 BadRequest).
      if (status === 400 && /metric configuration|metricnamespace|namespace/i.test((error as Error).message)) return null;
      throw fail(error, `reading the Azure Monitor metrics of ${resourceUri}`);
    }
  }

  return {
    async testConnection(signal) {
      for (const subscriptionId of subscriptionIds) {
        try {
          const pages = computeFor(subscriptionId).virtualMachines.listAll({ abortSignal: signal }).byPage();
          await pages.next();
        } catch (error) {
          throw fail(error, `listing the virtual machines of subscription ${subscriptionId}`);
        }
      }
    },

    async *listResources(signal) {
      listed = [];
      for (const subscriptionId of subscriptionIds) {
        yield* listSubscription(subscriptionId, signal);
        listed.push({ provider: 'azure', accountId: subscriptionId });
      }
    },

    listedScope: () => listed,

    async *fetchMetrics(resources, window, signal) {
      for (const r of resources) {
        if (r.provider !== 'azure' || r.kind !== 'instance') continue;
        const resourceId = normalizeResourceId('azure', r.resourceId);
        const host = await metricsOf(
          r.resourceId,
          { metricnames: Object.keys(VM_METRICS).join(','), aggregation: 'average,total' },
          window,
          signal,
        );
        if (host) yield* hostBatches(host.metrics, host.intervalSeconds, resourceId, await memoryBytesOf(r));
        const gpus = typeof r.details?.gpuCount === 'number' ? r.details.gpuCount : 0;
        if (gpus > 0) {
          const gpu = await metricsOf(
            r.resourceId,
            {
              metricnames: Object.keys(GPU_METRICS).join(','),
              aggregation: 'average',
              metricnamespace: GPU_NAMESPACE,
              filter: "uuid eq '*'",
            },
            window,
            signal,
          );
          if (gpu) yield* gpuBatches(gpu.metrics, resourceId);
        }
      }
    },
  };

  /** The VM's memory in bytes: from its listing's details, else from its size's Resource SKU. */
  async function memoryBytesOf(r: ResourceRecord): Promise<number | null> {
    const fromDetails = r.details?.memoryGb;
    if (typeof fromDetails === 'number' && fromDetails > 0) return fromDetails * 1024 ** 3;
    const subscriptionId = /^\/?subscriptions\/([^/]+)/i.exec(r.resourceId)?.[1];
    if (!r.resourceType || !r.regionId || !subscriptionId) return null;
    const spec = (await vmSizes(subscriptionId, r.regionId)).get(r.resourceType.toLowerCase());
    return spec?.memoryGb ? spec.memoryGb * 1024 ** 3 : null;
  }
}

/** Host metrics → canonical batches. Memory: 100 − Available Memory Percentage, else from bytes and the size's memory. */
function* hostBatches(
  metrics: MonitorMetric[],
  intervalSeconds: number,
  resourceId: string,
  memoryBytes: number | null,
): Generator<SampleBatch> {
  const byName = new Map(metrics.map((m) => [m.name.value, m]));
  const series = (name: keyof typeof VM_METRICS, value: (v: number) => number): { timestamps: number[]; values: number[] } => {
    const out = { timestamps: [] as number[], values: [] as number[] };
    const agg = VM_METRICS[name].aggregation;
    for (const point of byName.get(name)?.timeseries?.[0]?.data ?? []) {
      const v = point[agg];
      // A grain without data has no value (the VM was off): no sample, not a zero.
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      out.timestamps.push(new Date(point.timeStamp).getTime());
      out.values.push(value(v));
    }
    return out;
  };
  const make = (metric: MetricName, s: { timestamps: number[]; values: number[] }): SampleBatch | null =>
    s.timestamps.length ? { provider: 'azure', resourceId, metric, ...s } : null;

  const out: (SampleBatch | null)[] = [
    make(
      'cpu_utilization',
      series('Percentage CPU', (v) => v),
    ),
    make(
      'network_in',
      series('Network In Total', (v) => v / intervalSeconds),
    ),
    make(
      'network_out',
      series('Network Out Total', (v) => v / intervalSeconds),
    ),
    make(
      'disk_read_ops',
      series('Disk Read Operations/Sec', (v) => v),
    ),
    make(
      'disk_write_ops',
      series('Disk Write Operations/Sec', (v) => v),
    ),
  ];
  const pct = series('Available Memory Percentage', (v) => 100 - v);
  if (pct.timestamps.length) out.push(make('memory_utilization', pct));
  else if (memoryBytes)
    out.push(
      make(
        'memory_utilization',
        series('Available Memory Bytes', (v) => clampPercent(100 * (1 - v / memoryBytes))),
      ),
    );
  for (const b of out) if (b) yield b;
}

/** Telegraf nvidia_smi custom metrics → one batch per GPU (its uuid dimension) and metric. */
function* gpuBatches(metrics: MonitorMetric[], resourceId: string): Generator<SampleBatch> {
  for (const m of metrics) {
    const spec = GPU_METRICS[m.name.value as keyof typeof GPU_METRICS];
    if (!spec) continue;
    for (const ts of m.timeseries ?? []) {
      const uuid = ts.metadatavalues?.find((d) => d.name?.value.toLowerCase() === 'uuid')?.value;
      if (!uuid) continue;
      const timestamps: number[] = [];
      const values: number[] = [];
      for (const point of ts.data ?? []) {
        if (typeof point.average !== 'number' || !Number.isFinite(point.average)) continue;
        timestamps.push(new Date(point.timeStamp).getTime());
        values.push(point.average * spec.scale);
      }
      if (timestamps.length) yield { provider: 'azure', resourceId, subResourceId: uuid, metric: spec.metric, timestamps, values };
    }
  }
}

function clampPercent(v: number): number {
  return Math.min(100, Math.max(0, v));
}

function lowerOrNull(id: string | null | undefined): string | null {
  return id ? normalizeResourceId('azure', id) : null;
}

/** A NIC's or load balancer's IP configuration id → the NIC or load balancer that owns it. */
function ownerOfConfiguration(id: string): string {
  return normalizeResourceId('azure', id.replace(/\/(?:ipConfigurations|frontendIPConfigurations)\/[^/]+$/i, ''));
}

/** What Azure's SDKs throw, mapped to the connector codes; the message names the principal and the object, never the secret. */
export function toConnectorError(error: unknown, what: string, principal: string, secrets: readonly string[]): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const e = error as {
    name?: string;
    statusCode?: number;
    code?: string;
    message?: string;
    errorResponse?: { error?: string; errorDescription?: string };
  };
  const redact = (text: string): string => {
    let out = text;
    for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[redacted]');
    return out;
  };
  if (e.name === 'AbortError') return new ConnectorError(`Azure: ${what} was cancelled`, 'NETWORK');
  if (
    e.name === 'AuthenticationError' ||
    e.name === 'AuthenticationRequiredError' ||
    e.name === 'CredentialUnavailableError' ||
    e.name === 'AggregateAuthenticationError'
  ) {
    // AADSTS7000215 (wrong secret), AADSTS7000222 (expired secret), AADSTS700016 (no such application).
    const description = e.errorResponse?.errorDescription ?? e.message ?? '';
    const aadsts = /AADSTS\d+:[^\r\n.]*/.exec(description)?.[0];
    const hint = /AADSTS7000222/.test(description)
      ? 'the client secret has expired: create a new one for the app registration and update this source'
      : /AADSTS7000215/.test(description)
        ? 'the client secret is wrong'
        : /AADSTS700016|AADSTS90002/.test(description)
          ? 'no such application or tenant'
          : 'sign-in was refused';
    return new ConnectorError(
      redact(`Azure: could not sign in as ${principal} while ${what}: ${hint}${aadsts ? ` (${aadsts})` : ''}`),
      'AUTH',
    );
  }
  const status = e.statusCode;
  const detail = redact((e.message ?? String(error)).split('\n')[0] ?? '');
  if (status === 401) return new ConnectorError(`Azure: ${principal} was not accepted while ${what}: ${detail}`, 'AUTH');
  if (status === 403)
    return new ConnectorError(
      `Azure: ${principal} is not allowed ${what.replace(/^listing/, 'to list').replace(/^reading/, 'to read')} (${e.code ?? 'AuthorizationFailed'}): grant it Reader and Monitoring Reader`,
      'AUTH',
    );
  if (status === 429)
    return new ConnectorError(`Azure: throttled while ${what} after the retries (HTTP 429): try again later`, 'THROTTLED');
  if (status === 404) return new ConnectorError(`Azure: not found while ${what}: ${detail}`, 'NOT_FOUND');
  if (status !== undefined && status >= 500)
    return new ConnectorError(`Azure: the service failed while ${what} (HTTP ${status}): ${detail}`, 'NETWORK');
  if (status !== undefined) return new ConnectorError(`Azure: ${what} failed (HTTP ${status}): ${detail}`, 'BAD_DELIVERY');
  return new ConnectorError(`Azure: ${what} failed: ${detail}`, 'NETWORK');
}
