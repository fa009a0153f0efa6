/**
 * Google Cloud inventory and utilization (issue 9): Compute Engine instances, persistent disks,
 * snapshots, addresses and forwarding rules (the front ends of load balancers) through
 * @google-cloud/compute, and Cloud Monitoring time series through @google-cloud/monitoring, both
 * in their HTTP/JSON mode (fallback: REST), which needs no gRPC and can be pointed at any HTTP
 * endpoint.
 *
 * Resource ids are the billing export's `resource.global_name` form, which names instances and
 * disks by their numeric id: //compute.googleapis.com/projects/P/zones/Z/instances/ID. Cloud
 * Monitoring labels gce_instance series with the same project, zone and instance_id.
 *
 * Metrics: compute.googleapis.com/instance/cpu/utilization (a fraction → percent), the Ops Agent's
 * agent.googleapis.com/memory/percent_used (state "used"), instance/network/received_bytes_count and
 * sent_bytes_count and disk read/write ops (deltas, aligned to a rate: per second), and the Ops
 * Agent's GPU metrics agent.googleapis.com/gpu/utilization and gpu/memory/bytes_used (per GPU by its
 * `uuid` label; memory_state used, and used + free as the total).
 */
import { AddressesClient, DisksClient, ForwardingRulesClient, InstancesClient, type protos, SnapshotsClient } from '@google-cloud/compute';
import { MetricServiceClient, type protos as monitoringProtos } from '@google-cloud/monitoring';
import { z } from 'zod';
import { describeIssues, GcpServiceAccountCredentials, type GcpServiceAccountKey, redact } from '../connectors/gcp-bigquery';
import { describeFailure, type GaxErrorShape } from '../connectors/gcp-billing-catalog';
import { ConnectorError } from '../connectors/types';
import type { MetricName } from '../metrics/names';
import type { InventoryConnector, InventoryScope, MetricsWindow, ResourceRecord, SampleBatch } from './types';

type IInstance = protos.google.cloud.compute.v1.IInstance;
type ITimeSeries = monitoringProtos.google.monitoring.v3.ITimeSeries;

const PROJECT_ID = /^(?:[a-z][a-z0-9.-]{0,61}[a-z0-9]:)?[a-z][a-z0-9-]{4,61}[a-z0-9]$/;

export const GcpInventoryConfig = z.object({
  /** Kept as the form shows it ("proj-a, proj-b"), normalized: each a project ID, no duplicates, at least one. */
  projectIds: z
    .string()
    .transform((s) => [...new Set(s.split(/[\s,]+/).filter(Boolean))])
    .pipe(
      z
        .array(z.string().regex(PROJECT_ID, { error: 'each must be a Google Cloud project ID (e.g. my-project)' }))
        .min(1, { error: 'name at least one project' }),
    )
    .transform((list) => list.join(', ')),
  /** Compute Engine API-compatible servers and tests only. */
  computeEndpoint: z.url({ protocol: /^https?$/ }).optional(),
  /** Cloud Monitoring API-compatible servers and tests only. */
  monitoringEndpoint: z.url({ protocol: /^https?$/ }).optional(),
});
export type GcpInventoryConfig = z.output<typeof GcpInventoryConfig>;

export interface GcpInventoryOptions {
  /** Retries of a throttled (RESOURCE_EXHAUSTED) or unavailable call, after the first attempt. */
  maxRetries?: number;
  /** First wait between attempts, in milliseconds (doubling up to maxRetryDelayMs). */
  initialRetryDelayMs?: number;
  maxRetryDelayMs?: number;
}

const DEFAULT_MAX_RETRIES = 4;
const RPC_TIMEOUT_MS = 120_000;

/** gRPC status codes (also in the HTTP/JSON mode). */
const RESOURCE_EXHAUSTED = 8;
const UNAVAILABLE = 14;

interface SeriesSpec {
  metric: MetricName;
  type: string;
  aligner: 'ALIGN_MEAN' | 'ALIGN_RATE';
  /** Extra filter on metric labels. */
  labels?: string;
  scale: number;
}

const HOST_SERIES: readonly SeriesSpec[] = [
  { metric: 'cpu_utilization', type: 'compute.googleapis.com/instance/cpu/utilization', aligner: 'ALIGN_MEAN', scale: 100 },
  {
    metric: 'memory_utilization',
    type: 'agent.googleapis.com/memory/percent_used',
    aligner: 'ALIGN_MEAN',
    labels: 'metric.labels.state = "used"',
    scale: 1,
  },
  { metric: 'network_in', type: 'compute.googleapis.com/instance/network/received_bytes_count', aligner: 'ALIGN_RATE', scale: 1 },
  { metric: 'network_out', type: 'compute.googleapis.com/instance/network/sent_bytes_count', aligner: 'ALIGN_RATE', scale: 1 },
  { metric: 'disk_read_ops', type: 'compute.googleapis.com/instance/disk/read_ops_count', aligner: 'ALIGN_RATE', scale: 1 },
  { metric: 'disk_write_ops', type: 'compute.googleapis.com/instance/disk/write_ops_count', aligner: 'ALIGN_RATE', scale: 1 },
];
const GPU_UTILIZATION = 'agent.googleapis.com/gpu/utilization';
const GPU_MEMORY = 'agent.googleapis.com/gpu/memory/bytes_used';

/** https://compute.googleapis.com/compute/v1/projects/p/zones/z/instances/n → projects/p/zones/z/instances/n */
function pathOf(selfLink: string | null | undefined): string | null {
  const m = /\/(projects\/.+)$/.exec(selfLink ?? '');
  return m ? (m[1] as string) : null;
}

/** The last segment of a URL (zone, machine type, disk type, region). */
function lastSegment(url: string | null | undefined): string | null {
  if (!url) return null;
  return url.split('/').filter(Boolean).at(-1) ?? null;
}

/** us-central1-a → us-central1 */
function regionOfZone(zone: string | null): string | undefined {
  return zone ? zone.replace(/-[a-z]$/, '') : undefined;
}

/** The billing export's global_name form of a Compute Engine resource. */
export function gcpResourceId(project: string, scope: string, collection: string, id: string): string {
  return `//compute.googleapis.com/projects/${project}/${scope}/${collection}/${id}`;
}

function idText(id: unknown): string | null {
  if (id === null || id === undefined || id === '') return null;
  return String(id);
}

function toDate(text: string | null | undefined): Date | null {
  if (!text) return null;
  const t = Date.parse(text);
  return Number.isFinite(t) ? new Date(t) : null;
}

function longNumber(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = Number(String(v));
  return Number.isFinite(n) ? n : null;
}

/**
 * Lists one or more projects' Compute Engine resources and reads their Cloud Monitoring series.
 * Needs roles/compute.viewer and roles/monitoring.viewer (README, "Inventory and metrics: Google
 * Cloud"). Without a key the client's default chain applies (GOOGLE_APPLICATION_CREDENTIALS,
 * gcloud's application default credentials, the metadata server).
 */
export function createGcpInventoryConnector(
  config: z.input<typeof GcpInventoryConfig>,
  credentials?: z.input<typeof GcpServiceAccountCredentials>,
  options: GcpInventoryOptions = {},
): InventoryConnector {
  const parsed = GcpInventoryConfig.safeParse(config);
  if (!parsed.success)
    throw new ConnectorError(`Invalid Google Cloud inventory configuration: ${describeIssues(parsed.error.issues)}`, 'CONFIG');
  const cfg = parsed.data;
  const projectIds = cfg.projectIds.split(', ');
  /** The projects the last listResources went through to the end. */
  let listed: InventoryScope[] = [];
  let key: GcpServiceAccountKey | undefined;
  if (credentials !== undefined) {
    const c = GcpServiceAccountCredentials.safeParse(credentials);
    if (!c.success) throw new ConnectorError(`Invalid Google Cloud service-account key: ${describeIssues(c.error.issues)}`, 'CONFIG');
    key = c.data.serviceAccountKey;
  }
  const principal = key ? `the service account ${key.client_email}` : 'the application default credentials';
  const secrets = key ? [key.private_key, key.private_key_id ?? ''] : [];

  const endpointOptions = (url: string | undefined) => {
    if (!url) return {};
    const u = new URL(url);
    return { apiEndpoint: u.hostname, port: Number(u.port || (u.protocol === 'http:' ? 80 : 443)), protocol: u.protocol.replace(/:$/, '') };
  };
  const computeOptions = { fallback: true as const, credentials: key, ...endpointOptions(cfg.computeEndpoint) };
  const instances = new InstancesClient(computeOptions);
  const disks = new DisksClient(computeOptions);
  const snapshots = new SnapshotsClient(computeOptions);
  const addresses = new AddressesClient(computeOptions);
  const forwardingRules = new ForwardingRulesClient(computeOptions);
  const monitoring = new MetricServiceClient({ fallback: true, credentials: key, ...endpointOptions(cfg.monitoringEndpoint) });
  // A key signs its own bearer tokens (self-signed JWTs, as GAPIC clients do against Google's
  // endpoints); with a custom endpoint the clients add OAuth scopes, which would otherwise send
  // the key to Google's token endpoint instead.
  for (const client of [instances, disks, snapshots, addresses, forwardingRules, monitoring]) client.auth.useJWTAccessWithScope = true;

  const maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  // gax's own retry, per page of a listing: the async iterators give no page to resume from.
  const callOptions = {
    retry: {
      retryCodes: [RESOURCE_EXHAUSTED, UNAVAILABLE],
      backoffSettings: {
        // gax counts the first attempt among its "retries".
        maxRetries: maxRetries + 1,
        initialRetryDelayMillis: options.initialRetryDelayMs ?? 1000,
        retryDelayMultiplier: 2,
        maxRetryDelayMillis: options.maxRetryDelayMs ?? 32_000,
        // Each attempt's own deadline (gax reads 0 as none left when these are absent).
        initialRpcTimeoutMillis: RPC_TIMEOUT_MS,
        rpcTimeoutMultiplier: 1,
        maxRpcTimeoutMillis: RPC_TIMEOUT_MS,
      },
    },
  };
  const fail = (error: unknown, what: string) => toConnectorError(error, what, principal, secrets, maxRetries);

  async function* listProject(project: string, signal?: AbortSignal): AsyncGenerator<ResourceRecord> {
    const base = { provider: 'gcp' as const, accountId: project };
    /** Instances and forwarding rules by their path (the form selfLinks and `users` use) → resource id. */
    const idsByPath = new Map<string, string>();
    const where = (kind: string) => `listing the ${kind} of project ${project}`;

    const instanceRecords: Omit<ResourceRecord, 'provider'>[] = [];
    try {
      for await (const [, scoped] of instances.aggregatedListAsync({ project }, callOptions)) {
        signal?.throwIfAborted();
        for (const vm of scoped.instances ?? []) instanceRecords.push(instanceRecord(project, vm, idsByPath));
      }
    } catch (error) {
      throw fail(error, where('instances'));
    }
    for (const r of instanceRecords) yield { ...base, ...r };

    try {
      for await (const [, scoped] of disks.aggregatedListAsync({ project }, callOptions)) {
        signal?.throwIfAborted();
        for (const d of scoped.disks ?? []) {
          const id = idText(d.id);
          if (!id) continue;
          const zone = lastSegment(d.zone);
          const region = zone ? regionOfZone(zone) : (lastSegment(d.region) ?? undefined);
          const scope = zone ? `zones/${zone}` : `regions/${region}`;
          const users = (d.users ?? []).map((u) => {
            const p = pathOf(u);
            return (p && idsByPath.get(p)) ?? (p ? `//compute.googleapis.com/${p}` : u);
          });
          yield {
            ...base,
            resourceId: gcpResourceId(project, scope, 'disks', id),
            kind: 'volume',
            regionId: region,
            name: d.name ?? null,
            resourceType: lastSegment(d.type),
            // No users: attached to nothing (the disk still bills).
            state: users.length ? 'in-use' : 'unattached',
            attachedTo: users[0] ?? null,
            sizeGb: idText(d.sizeGb),
            createdAt: toDate(d.creationTimestamp),
            tags: d.labels ?? {},
            details: {
              zone,
              status: d.status ?? null,
              users,
              lastAttachTimestamp: toDate(d.lastAttachTimestamp)?.toISOString() ?? null,
              lastDetachTimestamp: toDate(d.lastDetachTimestamp)?.toISOString() ?? null,
              provisionedIops: longNumber(d.provisionedIops),
            },
          };
        }
      }
    } catch (error) {
      throw fail(error, where('disks'));
    }

    try {
      for await (const s of snapshots.listAsync({ project }, callOptions)) {
        signal?.throwIfAborted();
        const id = idText(s.id);
        if (!id) continue;
        const sourcePath = pathOf(s.sourceDisk);
        const sourceId = idText(s.sourceDiskId);
        // The source disk by its id, in the global_name form, even when it no longer exists.
        const source =
          sourcePath && sourceId ? `//compute.googleapis.com/${sourcePath.replace(/\/disks\/[^/]+$/, `/disks/${sourceId}`)}` : null;
        yield {
          ...base,
          resourceId: gcpResourceId(project, 'global', 'snapshots', id),
          kind: 'snapshot',
          regionId: s.storageLocations?.[0] ?? undefined,
          name: s.name ?? null,
          resourceType: s.snapshotType ?? null,
          state: s.status ?? null,
          attachedTo: source,
          sizeGb: idText(s.diskSizeGb),
          createdAt: toDate(s.creationTimestamp),
          tags: s.labels ?? {},
          details: { storageBytes: longNumber(s.storageBytes), autoCreated: s.autoCreated ?? null },
        };
      }
    } catch (error) {
      throw fail(error, where('snapshots'));
    }

    try {
      for await (const [scopeKey, scoped] of forwardingRules.aggregatedListAsync({ project }, callOptions)) {
        signal?.throwIfAborted();
        for (const f of scoped.forwardingRules ?? []) {
          const id = idText(f.id);
          if (!id) continue;
          const region = lastSegment(f.region);
          const scope = region ? `regions/${region}` : 'global';
          const resourceId = gcpResourceId(project, scope, 'forwardingRules', id);
          const p = pathOf(f.selfLink);
          if (p) idsByPath.set(p, resourceId);
          yield {
            ...base,
            resourceId,
            kind: 'load_balancer',
            regionId: region ?? (scopeKey === 'global' ? 'global' : undefined),
            name: f.name ?? null,
            resourceType: f.loadBalancingScheme ?? null,
            state: null,
            createdAt: toDate(f.creationTimestamp),
            tags: f.labels ?? {},
            details: {
              ipAddress: f.IPAddress ?? null,
              target: pathOf(f.target) ?? pathOf(f.backendService),
              ports: f.portRange ?? f.ports ?? null,
            },
          };
        }
      }
    } catch (error) {
      throw fail(error, where('forwarding rules'));
    }

    try {
      for await (const [, scoped] of addresses.aggregatedListAsync({ project }, callOptions)) {
        signal?.throwIfAborted();
        for (const a of scoped.addresses ?? []) {
          const id = idText(a.id);
          if (!id) continue;
          const region = lastSegment(a.region);
          const users = (a.users ?? []).map((u) => {
            const p = pathOf(u);
            return (p && idsByPath.get(p)) ?? (p ? `//compute.googleapis.com/${p}` : u);
          });
          yield {
            ...base,
            resourceId: gcpResourceId(project, region ? `regions/${region}` : 'global', 'addresses', id),
            kind: 'address',
            regionId: region ?? 'global',
            name: a.name ?? null,
            resourceType: a.addressType ?? null,
            // RESERVED: reserved and used by nothing (the idle-address case); IN_USE; RESERVING.
            state: a.status ?? null,
            attachedTo: users[0] ?? null,
            createdAt: toDate(a.creationTimestamp),
            tags: a.labels ?? {},
            details: { address: a.address ?? null, networkTier: a.networkTier ?? null, users },
          };
        }
      }
    } catch (error) {
      throw fail(error, where('addresses'));
    }
  }

  /** One metric type over a project's gce_instance series, every page. */
  async function series(
    project: string,
    spec: { type: string; aligner: 'ALIGN_MEAN' | 'ALIGN_RATE'; labels?: string },
    window: MetricsWindow,
  ): Promise<ITimeSeries[]> {
    const filter = [`metric.type = "${spec.type}"`, 'resource.type = "gce_instance"', spec.labels].filter(Boolean).join(' AND ');
    const request: monitoringProtos.google.monitoring.v3.IListTimeSeriesRequest = {
      name: `projects/${project}`,
      filter,
      interval: { startTime: timestamp(window.start), endTime: timestamp(window.end) },
      aggregation: {
        alignmentPeriod: { seconds: Math.max(60, Math.round(window.stepSeconds)) },
        perSeriesAligner: spec.aligner,
      },
      view: 'FULL',
    };
    const out: ITimeSeries[] = [];
    try {
      for await (const ts of monitoring.listTimeSeriesAsync(request, callOptions)) out.push(ts);
    } catch (error) {
      // A metric type that this project has never written (no agent installed): no series.
      if (describeFailure((error ?? {}) as GaxErrorShape).status === 'NOT_FOUND') return [];
      throw fail(error, `reading ${spec.type} of project ${project}`);
    }
    return out;
  }

  return {
    async testConnection(signal) {
      for (const project of projectIds) {
        signal?.throwIfAborted();
        try {
          const it = instances.aggregatedListAsync({ project, maxResults: 1 }, callOptions)[Symbol.asyncIterator]();
          await it.next();
        } catch (error) {
          throw fail(error, `listing the instances of project ${project}`);
        }
      }
    },

    async *listResources(signal) {
      listed = [];
      for (const project of projectIds) {
        yield* listProject(project, signal);
        listed.push({ provider: 'gcp', accountId: project });
      }
    },

    listedScope: () => listed,

    async *fetchMetrics(resources, window, signal) {
      // Series are asked per project and metric (one query covers every instance), then kept for
      // the resources asked about; an instance that vanished simply has no series.
      const wanted = new Map<string, Set<string>>();
      for (const r of resources) {
        if (r.provider !== 'gcp' || r.kind !== 'instance') continue;
        const m = /^\/\/compute\.googleapis\.com\/projects\/([^/]+)\/zones\/[^/]+\/instances\/(\d+)$/.exec(r.resourceId);
        if (!m) continue;
        const project = m[1] as string;
        if (!wanted.has(project)) wanted.set(project, new Set());
        wanted.get(project)?.add(r.resourceId);
      }
      for (const [project, ids] of wanted) {
        for (const spec of HOST_SERIES) {
          signal?.throwIfAborted();
          for (const ts of await series(project, spec, window)) {
            const resourceId = instanceIdOf(project, ts);
            if (!resourceId || !ids.has(resourceId)) continue;
            const points = pointsOf(ts, spec.scale);
            if (points.timestamps.length) yield { provider: 'gcp', resourceId, metric: spec.metric, ...points };
          }
        }
        signal?.throwIfAborted();
        for (const ts of await series(project, { type: GPU_UTILIZATION, aligner: 'ALIGN_MEAN' }, window)) {
          const resourceId = instanceIdOf(project, ts);
          const gpu = gpuOf(ts);
          if (!resourceId || !ids.has(resourceId) || !gpu) continue;
          const points = pointsOf(ts, 1);
          if (points.timestamps.length) yield { provider: 'gcp', resourceId, subResourceId: gpu, metric: 'gpu_utilization', ...points };
        }
        yield* gpuMemory(project, ids, await series(project, { type: GPU_MEMORY, aligner: 'ALIGN_MEAN' }, window));
      }
    },
  };
}

function instanceRecord(project: string, vm: IInstance, idsByPath: Map<string, string>): Omit<ResourceRecord, 'provider'> {
  const id = idText(vm.id) ?? '';
  const zone = lastSegment(vm.zone);
  const resourceId = gcpResourceId(project, `zones/${zone}`, 'instances', id);
  const p = pathOf(vm.selfLink) ?? (zone && vm.name ? `projects/${project}/zones/${zone}/instances/${vm.name}` : null);
  if (p) idsByPath.set(p, resourceId);
  const accelerators = (vm.guestAccelerators ?? []).map((a) => ({ type: lastSegment(a.acceleratorType), count: a.acceleratorCount ?? 0 }));
  return {
    resourceId,
    kind: 'instance',
    regionId: regionOfZone(zone),
    name: vm.name ?? null,
    resourceType: lastSegment(vm.machineType),
    // PROVISIONING, STAGING, RUNNING, STOPPING, STOPPED, SUSPENDED, TERMINATED (stopped: disks still bill).
    state: vm.status ?? null,
    createdAt: toDate(vm.creationTimestamp),
    tags: vm.labels ?? {},
    details: {
      zone,
      gpuCount: accelerators.reduce((n, a) => n + a.count, 0),
      accelerators,
      provisioningModel: vm.scheduling?.provisioningModel ?? null,
      lastStartTimestamp: toDate(vm.lastStartTimestamp)?.toISOString() ?? null,
      lastStopTimestamp: toDate(vm.lastStopTimestamp)?.toISOString() ?? null,
      diskIds: (vm.disks ?? []).map((d) => pathOf(d.source)).filter((d) => d !== null),
    },
  };
}

function timestamp(d: Date): { seconds: number; nanos: number } {
  return { seconds: Math.floor(d.getTime() / 1000), nanos: (d.getTime() % 1000) * 1_000_000 };
}

function instanceIdOf(project: string, ts: ITimeSeries): string | null {
  const labels = ts.resource?.labels ?? {};
  const id = labels.instance_id;
  const zone = labels.zone;
  if (!id || !zone) return null;
  return gcpResourceId(labels.project_id || project, `zones/${zone}`, 'instances', id);
}

/** A GPU's identity: its UUID label; the GPU number when the agent gives no UUID. */
function gpuOf(ts: ITimeSeries): string | null {
  const labels = ts.metric?.labels ?? {};
  return labels.uuid || (labels.gpu_number !== undefined ? `gpu${labels.gpu_number}` : null);
}

/** Points in ascending time (the API answers newest first), at each interval's end. */
function pointsOf(ts: ITimeSeries, scale: number): { timestamps: number[]; values: number[] } {
  const pairs: [number, number][] = [];
  for (const p of ts.points ?? []) {
    const end = p.interval?.endTime;
    const seconds = longNumber(end?.seconds);
    const value = p.value?.doubleValue ?? longNumber(p.value?.int64Value);
    if (seconds === null || value === null || value === undefined || !Number.isFinite(value)) continue;
    pairs.push([seconds * 1000 + Math.round((end?.nanos ?? 0) / 1e6), value * scale]);
  }
  pairs.sort((a, b) => a[0] - b[0]);
  return { timestamps: pairs.map((p) => p[0]), values: pairs.map((p) => p[1]) };
}

/** gpu/memory/bytes_used: memory_state "used" is gpu_memory_used; used + free at the same time is gpu_memory_total. */
function* gpuMemory(project: string, ids: Set<string>, all: ITimeSeries[]): Generator<SampleBatch> {
  const byGpu = new Map<string, { resourceId: string; gpu: string; used?: ITimeSeries; free?: ITimeSeries }>();
  for (const ts of all) {
    const resourceId = instanceIdOf(project, ts);
    const gpu = gpuOf(ts);
    const state = ts.metric?.labels?.memory_state;
    if (!resourceId || !ids.has(resourceId) || !gpu || (state !== 'used' && state !== 'free')) continue;
    const key = `${resourceId}|${gpu}`;
    const entry = byGpu.get(key) ?? { resourceId, gpu };
    entry[state] = ts;
    byGpu.set(key, entry);
  }
  for (const { resourceId, gpu, used, free } of byGpu.values()) {
    if (!used) continue;
    const u = pointsOf(used, 1);
    if (u.timestamps.length) yield { provider: 'gcp', resourceId, subResourceId: gpu, metric: 'gpu_memory_used', ...u };
    if (!free) continue;
    const f = pointsOf(free, 1);
    const freeAt = new Map(f.timestamps.map((t, i) => [t, f.values[i] as number]));
    const total = { timestamps: [] as number[], values: [] as number[] };
    u.timestamps.forEach((t, i) => {
      const fv = freeAt.get(t);
      if (fv === undefined) return;
      total.timestamps.push(t);
      total.values.push((u.values[i] as number) + fv);
    });
    if (total.timestamps.length) yield { provider: 'gcp', resourceId, subResourceId: gpu, metric: 'gpu_memory_total', ...total };
  }
}

/** google-gax failures → connector codes; the message names the principal and the call, never the key. */
function toConnectorError(error: unknown, what: string, principal: string, secrets: readonly string[], maxRetries: number): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const e = (error ?? {}) as GaxErrorShape;
  const { status, text, reason } = describeFailure(e);
  const fail = (message: string, code: ConstructorParameters<typeof ConnectorError>[1]) =>
    new ConnectorError(redact(message, secrets), code);
  if (/Could not load the default credentials/i.test(text)) {
    return fail(`Google Cloud: no credentials for ${what}: none were given, and application default credentials found none.`, 'AUTH');
  }
  if (/invalid_grant|invalid_client|account not found|Invalid JWT/i.test(text)) {
    return fail(
      `Google Cloud: could not sign in as ${principal} while ${what} (${text}): the key was deleted, disabled or expired; create a new key.`,
      'AUTH',
    );
  }
  // gax gives up on a retried call with DEADLINE_EXCEEDED and the last error in its message.
  if (
    status === 'RESOURCE_EXHAUSTED' ||
    reason === 'rateLimitExceeded' ||
    /^Exceeded maximum number of retries.*(RESOURCE_EXHAUSTED|Quota exceeded|rate ?limit|code: 8\b)/is.test(text)
  ) {
    return fail(`Google Cloud: throttled while ${what} after ${maxRetries} retries (RESOURCE_EXHAUSTED); try again later.`, 'THROTTLED');
  }
  if (status === 'UNAUTHENTICATED') return fail(`Google Cloud: ${principal} was not accepted while ${what} (${status}: ${text}).`, 'AUTH');
  if (status === 'PERMISSION_DENIED') {
    if (reason === 'SERVICE_DISABLED' || /has not been used|is disabled/i.test(text)) {
      return fail(`Google Cloud: the API is not enabled for ${what} (${text}); enable it in the project, then try again.`, 'CONFIG');
    }
    return fail(
      `Google Cloud: ${principal} is not allowed ${what.replace(/^listing/, 'to list').replace(/^reading/, 'to read')} (${status}): grant it roles/compute.viewer and roles/monitoring.viewer.`,
      'AUTH',
    );
  }
  if (status === 'NOT_FOUND') return fail(`Google Cloud: not found while ${what} (${text}).`, 'NOT_FOUND');
  if (status === 'UNAVAILABLE' || status === 'INTERNAL' || status === 'DEADLINE_EXCEEDED') {
    return fail(`Google Cloud: the service failed while ${what} (${status}: ${text}).`, 'NETWORK');
  }
  return fail(`Google Cloud: ${what} failed (${status ?? 'error'}: ${text}).`, status ? 'BAD_DELIVERY' : 'NETWORK');
}
