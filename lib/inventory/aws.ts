/**
 * The AWS inventory connector (issue 9): what exists in the listed regions (EC2 instances, EBS
 * volumes and own snapshots, Elastic IPs, ELBv2 load balancers with their target groups' health)
 * and how busy it was (CloudWatch GetMetricData), through the official SDK clients. Needs only
 * ec2:Describe*, elasticloadbalancing:Describe* and cloudwatch:GetMetricData (README: "Inventory
 * and metrics: AWS"); sts:GetCallerIdentity, which every principal may call, names the account.
 *
 * CloudWatch metrics are stored under the canonical names of lib/metrics/names.ts:
 *   AWS/EC2 CPUUtilization (Average, %)                 → cpu_utilization
 *   AWS/EC2 NetworkIn / NetworkOut (Sum bytes ÷ period)  → network_in / network_out (bytes/s)
 *   AWS/EC2 EBSReadOps / EBSWriteOps (Sum ÷ period)      → disk_read_ops / disk_write_ops (ops/s)
 *   AWS/EBS VolumeReadOps / VolumeWriteOps (Sum ÷ period) on volumes, the same names
 *   CWAgent mem_used_percent (Average, %)                → memory_utilization
 *   CWAgent nvidia_smi_utilization_gpu (Average, %)      → gpu_utilization, per GPU
 *   CWAgent nvidia_smi_memory_used (Average, MiB × 2^20) → gpu_memory_used (bytes), per GPU
 *   AWS/ApplicationELB RequestCount (Sum ÷ period)       → load_balancer_requests (requests/s)
 *   AWS/ApplicationELB|NetworkELB HealthyHostCount (Average, summed over the target groups)
 *                                                        → load_balancer_healthy_targets
 * The CloudWatch agent's metrics carry whatever dimensions its configuration appends (ImageId,
 * InstanceType, the GPU's index, name, uuid…), so they are read with a SEARCH expression on the
 * instance id whose dynamic label names the instance and the GPU of each series it returns.
 */
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandOutput,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import {
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  EC2Client,
  type Instance,
  paginateDescribeInstances,
  paginateDescribeSnapshots,
  paginateDescribeVolumes,
  type Tag,
} from '@aws-sdk/client-ec2';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  paginateDescribeLoadBalancers,
  paginateDescribeTargetGroups,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { z } from 'zod';
import { AwsS3Credentials } from '../connectors/aws-s3';
import { guardedLookup } from '../connectors/endpoint-guard';
import { describeIssues, isSdkUnreachable, plural, redactAwsSecrets, type SdkErrorShape, sdkErrorCode } from '../connectors/messages';
import { ConnectorError, type ConnectorErrorCode } from '../connectors/types';
import type { MetricName } from '../metrics/names';
import type { InventoryConnector, InventoryScope, MetricsWindow, ResourceRecord, SampleBatch } from './types';

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/**
 * Inventory settings. `regions` is kept as the form shows it ("us-east-1, eu-west-1"), normalized:
 * each a region name, no duplicates, at least one.
 */
export const AwsInventoryConfig = z.object({
  regions: z.string().transform((text, ctx) => {
    const list = [...new Set(text.split(/[\s,]+/).filter(Boolean))];
    const bad = list.find((r) => !REGION.test(r));
    // On the field itself (not an index inside it), naming the value.
    if (bad !== undefined) ctx.addIssue({ code: 'custom', message: `"${bad}" is not an AWS region name such as us-east-1` });
    else if (list.length === 0) ctx.addIssue({ code: 'custom', message: 'at least one region, such as us-east-1' });
    return list.join(', ');
  }),
  /** Tests only: one endpoint for EC2, ELB, CloudWatch and STS. AWS itself needs none. */
  endpoint: z.url({ protocol: /^https?$/ }).optional(),
});
export type AwsInventoryConfig = z.infer<typeof AwsInventoryConfig>;

/** The same access key as the AWS billing kinds (one schema), so a billing source's stored key serves both. */
export const AwsInventoryCredentials = AwsS3Credentials;
export type AwsInventoryCredentials = AwsS3Credentials;

export interface AwsInventoryOptions {
  /** Attempts per request, the first included; the SDK's standard strategy backs off between them (longer when throttled). */
  maxAttempts?: number;
  /** Queries per GetMetricData call; CloudWatch's maximum is 500. */
  queriesPerCall?: number;
}

const DEFAULT_MAX_ATTEMPTS = 5;
const MAX_QUERIES_PER_CALL = 500;
const MIB = 1024 * 1024;

/** One CloudWatch query and how its values become a canonical metric of a resource. */
interface QuerySpec {
  resource: ResourceRecord;
  metric: MetricName;
  /** Each value × multiply ÷ divide (MiB → bytes; a Sum per period → per second, divided so 300000 / 300 stays exactly 1000). */
  multiply: number;
  divide: number;
  /** A SEARCH of the CloudWatch agent's metrics: each returned series is one GPU (or the instance). */
  perGpu: boolean;
  /** Several queries (a load balancer's target groups) add up into one series. */
  sum: boolean;
  query: MetricDataQuery;
}

export function createAwsInventoryConnector(
  config: z.input<typeof AwsInventoryConfig>,
  credentials?: AwsInventoryCredentials,
  options: AwsInventoryOptions = {},
): InventoryConnector {
  const parsed = AwsInventoryConfig.safeParse(config);
  if (!parsed.success) throw new ConnectorError(`Invalid AWS inventory settings: ${describeIssues(parsed.error.issues)}`, 'CONFIG');
  const cfg = parsed.data;
  let creds: AwsInventoryCredentials | undefined;
  if (credentials !== undefined) {
    const c = AwsInventoryCredentials.safeParse(credentials);
    // Only the paths of the problems: the values are secrets.
    if (!c.success) throw new ConnectorError(`Invalid AWS credentials: ${describeIssues(c.error.issues)}`, 'CONFIG');
    creds = c.data;
  }
  const regions = cfg.regions.split(', ');
  const secrets = creds ? [creds.accessKeyId, creds.secretAccessKey, creds.sessionToken ?? ''] : [];
  const queriesPerCall = Math.min(options.queriesPerCall ?? MAX_QUERIES_PER_CALL, MAX_QUERIES_PER_CALL);
  const common = (region: string) => ({
    region,
    endpoint: cfg.endpoint,
    credentials: creds,
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    retryMode: 'standard',
    requestHandler: {
      connectionTimeout: 10_000,
      requestTimeout: 60_000,
      // No link-local or metadata address, checked again when the socket connects (endpoint-guard.ts).
      httpAgent: { lookup: guardedLookup },
      httpsAgent: { lookup: guardedLookup },
    },
  });
  const clients = new Map<string, { ec2: EC2Client; elb: ElasticLoadBalancingV2Client; cw: CloudWatchClient }>();
  const clientsFor = (region: string) => {
    let c = clients.get(region);
    if (!c) {
      c = {
        ec2: new EC2Client(common(region)),
        elb: new ElasticLoadBalancingV2Client(common(region)),
        cw: new CloudWatchClient(common(region)),
      };
      clients.set(region, c);
    }
    return c;
  };
  const sts = new STSClient(common(regions[0] ?? 'us-east-1'));
  const ctx = (region: string, action: string): ErrorContext => ({ region, endpoint: cfg.endpoint, secrets, action });
  let listedAccount: string | null = null;

  async function callerAccount(signal?: AbortSignal): Promise<string> {
    const out = await send(
      () => sts.send(new GetCallerIdentityCommand({}), { abortSignal: signal }),
      ctx(regions[0] ?? '', 'naming the account (sts:GetCallerIdentity)'),
    );
    if (!out.Account)
      throw new ConnectorError(
        'AWS did not name the account of the credentials (GetCallerIdentity answered without Account)',
        'BAD_DELIVERY',
      );
    return out.Account;
  }

  async function* listRegion(region: string, account: string, signal?: AbortSignal): AsyncGenerator<ResourceRecord> {
    const { ec2, elb } = clientsFor(region);
    const base = { provider: 'aws' as const, accountId: account, regionId: region };
    // paginate* send each page through client.send, so the connector's error mapping wraps the loop.
    yield* await collect(ctx(region, 'listing EC2 instances (ec2:DescribeInstances)'), async () => {
      const out: ResourceRecord[] = [];
      for await (const page of paginateDescribeInstances({ client: ec2, pageSize: 1000 }, {})) {
        for (const reservation of page.Reservations ?? []) {
          for (const i of reservation.Instances ?? []) {
            if (!i.InstanceId) continue;
            out.push({ ...base, accountId: reservation.OwnerId ?? account, ...instanceRecord(i) });
          }
        }
      }
      return out;
    });
    yield* await collect(ctx(region, 'listing EBS volumes (ec2:DescribeVolumes)'), async () => {
      const out: ResourceRecord[] = [];
      for await (const page of paginateDescribeVolumes({ client: ec2, pageSize: 500 }, {})) {
        for (const v of page.Volumes ?? []) {
          if (!v.VolumeId) continue;
          out.push({
            ...base,
            resourceId: v.VolumeId,
            kind: 'volume',
            name: tagValue(v.Tags, 'Name'),
            resourceType: v.VolumeType ?? null,
            state: v.State ?? null,
            attachedTo: v.Attachments?.find((a) => a.InstanceId)?.InstanceId ?? null,
            sizeGb: v.Size === undefined ? null : String(v.Size),
            createdAt: v.CreateTime ?? null,
            tags: tagMap(v.Tags),
            details: compact({
              availabilityZone: v.AvailabilityZone,
              iops: v.Iops,
              throughput: v.Throughput,
              encrypted: v.Encrypted,
              snapshotId: v.SnapshotId || undefined,
              multiAttach: v.MultiAttachEnabled || undefined,
            }),
          });
        }
      }
      return out;
    });
    yield* await collect(ctx(region, 'listing EBS snapshots (ec2:DescribeSnapshots)'), async () => {
      const out: ResourceRecord[] = [];
      // Own snapshots only: public and shared ones are not this account's cost.
      for await (const page of paginateDescribeSnapshots({ client: ec2, pageSize: 1000 }, { OwnerIds: ['self'] })) {
        for (const s of page.Snapshots ?? []) {
          if (!s.SnapshotId) continue;
          out.push({
            ...base,
            accountId: s.OwnerId ?? account,
            resourceId: s.SnapshotId,
            kind: 'snapshot',
            name: tagValue(s.Tags, 'Name'),
            resourceType: s.StorageTier ?? 'standard',
            state: s.State ?? null,
            // A snapshot copied from another region names vol-ffffffff: no source volume.
            attachedTo: s.VolumeId && s.VolumeId !== 'vol-ffffffff' ? s.VolumeId : null,
            sizeGb: s.VolumeSize === undefined ? null : String(s.VolumeSize),
            createdAt: s.StartTime ?? null,
            tags: tagMap(s.Tags),
            details: compact({ description: s.Description || undefined, encrypted: s.Encrypted }),
          });
        }
      }
      return out;
    });
    yield* await collect(ctx(region, 'listing Elastic IP addresses (ec2:DescribeAddresses)'), async () => {
      const page = await ec2.send(new DescribeAddressesCommand({}), { abortSignal: signal });
      const out: ResourceRecord[] = [];
      for (const a of page.Addresses ?? []) {
        const id = a.AllocationId ?? a.PublicIp;
        if (!id) continue;
        const associated = Boolean(a.AssociationId || a.InstanceId || a.NetworkInterfaceId);
        out.push({
          ...base,
          resourceId: id,
          kind: 'address',
          name: tagValue(a.Tags, 'Name'),
          resourceType: a.Domain ?? null,
          state: associated ? 'associated' : 'unassociated',
          attachedTo: a.InstanceId || a.NetworkInterfaceId || null,
          tags: tagMap(a.Tags),
          details: compact({ publicIp: a.PublicIp, associationId: a.AssociationId, privateIp: a.PrivateIpAddress }),
        });
      }
      return out;
    });
    yield* await collect(
      ctx(region, 'listing load balancers (elasticloadbalancing:DescribeLoadBalancers, DescribeTargetGroups, DescribeTargetHealth)'),
      async () => {
        const out: ResourceRecord[] = [];
        for await (const page of paginateDescribeLoadBalancers({ client: elb, pageSize: 400 }, {})) {
          for (const lb of page.LoadBalancers ?? []) {
            if (!lb.LoadBalancerArn) continue;
            const targetGroups: { arn: string; name: string | undefined; healthy: number; unhealthy: number; targets: string[] }[] = [];
            for await (const tgPage of paginateDescribeTargetGroups(
              { client: elb, pageSize: 400 },
              { LoadBalancerArn: lb.LoadBalancerArn },
            )) {
              for (const tg of tgPage.TargetGroups ?? []) {
                if (!tg.TargetGroupArn) continue;
                const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }), {
                  abortSignal: signal,
                });
                const descs = health.TargetHealthDescriptions ?? [];
                targetGroups.push({
                  arn: tg.TargetGroupArn,
                  name: tg.TargetGroupName,
                  healthy: descs.filter((d) => d.TargetHealth?.State === 'healthy').length,
                  unhealthy: descs.filter((d) => d.TargetHealth?.State !== 'healthy').length,
                  targets: descs.map((d) => d.Target?.Id).filter((t): t is string => Boolean(t)),
                });
              }
            }
            out.push({
              ...base,
              resourceId: lb.LoadBalancerArn,
              kind: 'load_balancer',
              name: lb.LoadBalancerName ?? null,
              resourceType: lb.Type ?? null,
              state: lb.State?.Code ?? null,
              createdAt: lb.CreatedTime ?? null,
              details: compact({
                dnsName: lb.DNSName,
                scheme: lb.Scheme,
                targetGroups,
                targets: targetGroups.reduce((n, tg) => n + tg.targets.length, 0),
                healthyTargets: targetGroups.reduce((n, tg) => n + tg.healthy, 0),
              }),
            });
          }
        }
        return out;
      },
    );
  }

  return {
    async testConnection(signal) {
      await callerAccount(signal);
      for (const region of regions) {
        await send(
          () => clientsFor(region).ec2.send(new DescribeInstancesCommand({ MaxResults: 5 }), { abortSignal: signal }),
          ctx(region, 'listing EC2 instances (ec2:DescribeInstances)'),
        );
      }
    },

    listResources(signal) {
      return (async function* () {
        listedAccount = null;
        const account = await callerAccount(signal);
        for (const region of regions) yield* listRegion(region, account, signal);
        listedAccount = account;
      })();
    },

    listedScope(): readonly InventoryScope[] {
      return listedAccount ? [{ provider: 'aws', accountId: listedAccount }] : [];
    },

    fetchMetrics(resources, window, signal) {
      return (async function* () {
        for (const region of regions) {
          const specs = metricQueries(
            resources.filter((r) => r.provider === 'aws' && r.regionId === region),
            window,
          );
          for (let i = 0; i < specs.length; i += queriesPerCall) {
            const batch = specs.slice(i, i + queriesPerCall);
            const results = await getMetricData(
              clientsFor(region).cw,
              batch,
              window,
              ctx(region, 'reading CloudWatch metrics (cloudwatch:GetMetricData)'),
              signal,
            );
            yield* toBatches(batch, results);
          }
        }
      })();
    },
  };
}

function instanceRecord(i: Instance): Omit<ResourceRecord, 'provider' | 'accountId' | 'regionId'> {
  return {
    resourceId: i.InstanceId as string,
    kind: 'instance',
    name: tagValue(i.Tags, 'Name'),
    resourceType: i.InstanceType ?? null,
    state: i.State?.Name ?? null,
    createdAt: i.LaunchTime ?? null,
    tags: tagMap(i.Tags),
    details: compact({
      launchTime: i.LaunchTime?.toISOString(),
      stoppedAt: stoppedAt(i.StateTransitionReason),
      availabilityZone: i.Placement?.AvailabilityZone,
      platform: i.PlatformDetails,
      architecture: i.Architecture,
      lifecycle: i.InstanceLifecycle,
      volumes: (i.BlockDeviceMappings ?? []).map((b) => b.Ebs?.VolumeId).filter((v): v is string => Boolean(v)),
      monitoring: i.Monitoring?.State,
    }),
  };
}

/** "User initiated (2026-11-02 08:15:00 GMT)" → its instant: when a stopped instance stopped. */
export function stoppedAt(reason: string | undefined): string | undefined {
  const m = /\((\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) GMT\)/.exec(reason ?? '');
  return m ? `${m[1]}T${m[2]}.000Z` : undefined;
}

function tagValue(tags: Tag[] | undefined, key: string): string | null {
  return tags?.find((t) => t.Key === key)?.Value ?? null;
}

function tagMap(tags: Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}

function compact(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null));
}

/** The ALB/NLB dimension value: the ARN's part after "loadbalancer/" (app/name/id, net/name/id). */
export function loadBalancerDimension(arn: string): string | null {
  return /:loadbalancer\/(.+)$/.exec(arn)?.[1] ?? null;
}

/** The target group dimension value: the ARN's part from "targetgroup/". */
function targetGroupDimension(arn: string): string | null {
  return /:(targetgroup\/.+)$/.exec(arn)?.[1] ?? null;
}

/** Search expressions quote their values; a quote or backslash in an id would end the string. */
function searchValue(v: string): string {
  return v.replace(/["\\]/g, '');
}

/** The GetMetricData queries for the resources of one region, each with how it maps to a canonical metric. */
function metricQueries(resources: readonly ResourceRecord[], window: MetricsWindow): QuerySpec[] {
  const period = window.stepSeconds;
  const specs: QuerySpec[] = [];
  const stat = (
    resource: ResourceRecord,
    metric: MetricName,
    namespace: string,
    name: string,
    dims: Record<string, string>,
    statName: 'Average' | 'Sum',
    sum = false,
  ) => {
    specs.push({
      resource,
      metric,
      multiply: 1,
      // A Sum per period → per second.
      divide: statName === 'Sum' ? period : 1,
      perGpu: false,
      sum,
      query: {
        Id: `q${specs.length}`,
        MetricStat: {
          Metric: { Namespace: namespace, MetricName: name, Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })) },
          Period: period,
          Stat: statName,
        },
        ReturnData: true,
      },
    });
  };
  const search = (resource: ResourceRecord, metric: MetricName, name: string, multiply: number, perGpu: boolean) => {
    const id = searchValue(resource.resourceId);
    specs.push({
      resource,
      metric,
      multiply,
      divide: 1,
      perGpu,
      sum: false,
      query: {
        Id: `q${specs.length}`,
        Expression: `SEARCH('Namespace="CWAgent" MetricName="${name}" InstanceId="${id}"', 'Average', ${period})`,
        // Applies to every series the search returns: which GPU each one is.
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudWatch's dynamic label syntax, sent as written
        Label: perGpu ? "${PROP('Dim.index')}|${PROP('Dim.uuid')}" : "${PROP('Dim.InstanceId')}",
        ReturnData: true,
      },
    });
  };
  for (const r of resources) {
    if (r.kind === 'instance') {
      // A stopped or terminated instance has no datapoints to read.
      if (r.state && r.state !== 'running') continue;
      const dims = { InstanceId: r.resourceId };
      stat(r, 'cpu_utilization', 'AWS/EC2', 'CPUUtilization', dims, 'Average');
      stat(r, 'network_in', 'AWS/EC2', 'NetworkIn', dims, 'Sum');
      stat(r, 'network_out', 'AWS/EC2', 'NetworkOut', dims, 'Sum');
      stat(r, 'disk_read_ops', 'AWS/EC2', 'EBSReadOps', dims, 'Sum');
      stat(r, 'disk_write_ops', 'AWS/EC2', 'EBSWriteOps', dims, 'Sum');
      search(r, 'memory_utilization', 'mem_used_percent', 1, false);
      search(r, 'gpu_utilization', 'nvidia_smi_utilization_gpu', 1, true);
      search(r, 'gpu_memory_used', 'nvidia_smi_memory_used', MIB, true);
    } else if (r.kind === 'volume') {
      const dims = { VolumeId: r.resourceId };
      stat(r, 'disk_read_ops', 'AWS/EBS', 'VolumeReadOps', dims, 'Sum');
      stat(r, 'disk_write_ops', 'AWS/EBS', 'VolumeWriteOps', dims, 'Sum');
    } else if (r.kind === 'load_balancer') {
      const lb = loadBalancerDimension(r.resourceId);
      if (!lb) continue;
      const namespace = lb.startsWith('app/') ? 'AWS/ApplicationELB' : lb.startsWith('net/') ? 'AWS/NetworkELB' : null;
      if (!namespace) continue;
      if (namespace === 'AWS/ApplicationELB') stat(r, 'load_balancer_requests', namespace, 'RequestCount', { LoadBalancer: lb }, 'Sum');
      const groups = (r.details?.targetGroups ?? []) as { arn: string }[];
      for (const g of groups) {
        const tg = targetGroupDimension(g.arn);
        if (tg)
          stat(r, 'load_balancer_healthy_targets', namespace, 'HealthyHostCount', { TargetGroup: tg, LoadBalancer: lb }, 'Average', true);
      }
    }
  }
  return specs;
}

/** Runs the queries (≤ 500) over the window, following NextToken; returns every result, pages merged per Id and label. */
async function getMetricData(
  cw: CloudWatchClient,
  specs: readonly QuerySpec[],
  window: MetricsWindow,
  ctx: ErrorContext,
  signal?: AbortSignal,
): Promise<MetricDataResult[]> {
  const merged = new Map<string, MetricDataResult>();
  let token: string | undefined;
  do {
    const page: GetMetricDataCommandOutput = await send(
      () =>
        cw.send(
          new GetMetricDataCommand({
            MetricDataQueries: specs.map((s) => s.query),
            StartTime: window.start,
            EndTime: window.end,
            ScanBy: 'TimestampAscending',
            NextToken: token,
          }),
          { abortSignal: signal },
        ),
      ctx,
    );
    for (const r of page.MetricDataResults ?? []) {
      if (r.StatusCode === 'Forbidden') {
        throw new ConnectorError(
          redactAwsSecrets(
            `AWS denied a CloudWatch metric in ${ctx.region} (${r.Messages?.map((m) => m.Value).join('; ') || 'Forbidden'}): the credentials need cloudwatch:GetMetricData.`,
            ctx.secrets,
          ),
          'AUTH',
        );
      }
      const key = `${r.Id}\u0000${r.Label ?? ''}`;
      const known = merged.get(key);
      if (!known) merged.set(key, { ...r, Timestamps: [...(r.Timestamps ?? [])], Values: [...(r.Values ?? [])] });
      else {
        known.Timestamps?.push(...(r.Timestamps ?? []));
        known.Values?.push(...(r.Values ?? []));
      }
    }
    token = page.NextToken;
  } while (token);
  return [...merged.values()];
}

/**
 * Results → one SampleBatch per resource, GPU and metric, ascending, values scaled. A query with
 * no datapoints (no agent, a resource that vanished since the listing) yields nothing. Summed
 * queries (target groups) add up per instant; a series a search returned twice (the agent
 * reporting under two dimension sets) keeps the first value of each instant.
 */
function* toBatches(specs: readonly QuerySpec[], results: readonly MetricDataResult[]): Generator<SampleBatch> {
  const byId = new Map(specs.map((s) => [s.query.Id as string, s]));
  const series = new Map<string, { spec: QuerySpec; sub: string; points: Map<number, number> }>();
  for (const r of results) {
    const spec = r.Id ? byId.get(r.Id) : undefined;
    if (!spec) continue;
    const ts = r.Timestamps ?? [];
    const vs = r.Values ?? [];
    if (ts.length === 0) continue;
    const sub = spec.perGpu ? gpuIdentity(r.Label) : '';
    if (spec.perGpu && sub === null) continue;
    const key = `${spec.resource.resourceId}\u0000${sub}\u0000${spec.metric}`;
    let s = series.get(key);
    if (!s) {
      s = { spec, sub: sub ?? '', points: new Map() };
      series.set(key, s);
    }
    for (let i = 0; i < ts.length; i++) {
      const t = (ts[i] as Date).getTime();
      const v = ((vs[i] as number) * spec.multiply) / spec.divide;
      const known = s.points.get(t);
      if (known === undefined) s.points.set(t, v);
      else if (spec.sum) s.points.set(t, known + v);
    }
  }
  for (const s of series.values()) {
    const sorted = [...s.points].sort((a, b) => a[0] - b[0]);
    yield {
      provider: 'aws',
      resourceId: s.spec.resource.resourceId,
      subResourceId: s.sub || undefined,
      metric: s.spec.metric,
      timestamps: sorted.map((p) => p[0]),
      values: sorted.map((p) => p[1]),
    };
  }
}

/**
 * The GPU a CloudWatch agent series belongs to, from its dynamic label "index|uuid": the UUID when
 * the agent reports it, else "index:<n>" (one GPU of the machine either way); null when neither.
 */
export function gpuIdentity(label: string | undefined): string | null {
  const [index = '', uuid = ''] = (label ?? '').split('|').map((s) => s.trim());
  if (/^GPU-[0-9a-f-]+$/i.test(uuid)) return uuid;
  if (/^\d+$/.test(index)) return `index:${index}`;
  return null;
}

// ---------------------------------------------------------------------------------------------
// Errors

interface ErrorContext {
  region: string;
  endpoint?: string;
  secrets: string[];
  action?: string;
}

async function send<T>(fn: () => Promise<T>, ctx: ErrorContext): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toConnectorError(error, ctx);
  }
}

async function collect(ctx: ErrorContext, fn: () => Promise<ResourceRecord[]>): Promise<ResourceRecord[]> {
  return send(fn, ctx);
}

const AUTH_CODES: Record<string, string> = {
  AuthFailure: 'the access key, secret or session token is not valid (or the session token has expired)',
  UnrecognizedClientException: 'the access key is unknown to AWS (deleted, mistyped, or from another partition)',
  InvalidClientTokenId: 'the access key or session token is invalid',
  SignatureDoesNotMatch: 'the secret access key does not belong to the access key',
  InvalidSignatureException: 'the secret access key does not belong to the access key',
  IncompleteSignature: 'the request signature is incomplete; check the credentials',
  MissingAuthenticationToken: 'the request was not signed; no credentials were used',
  MissingAuthenticationTokenException: 'the request was not signed; no credentials were used',
  ExpiredToken: 'the session token has expired; refresh the temporary credentials',
  ExpiredTokenException: 'the session token has expired; refresh the temporary credentials',
  RequestExpired: 'the request expired before AWS received it; check the server clock',
};
const DENIED_CODES = new Set(['UnauthorizedOperation', 'AccessDenied', 'AccessDeniedException', 'OptInRequired']);
const THROTTLE_CODES = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'LimitExceededException',
]);

function toConnectorError(error: unknown, ctx: ErrorContext): Error {
  if (error instanceof ConnectorError) return error;
  const e = (error ?? {}) as SdkErrorShape;
  if (e.name === 'AbortError') return error as Error;
  const code = sdkErrorCode(e);
  const status = e.$metadata?.httpStatusCode;
  const attempts = e.$metadata?.attempts;
  const during = ctx.action ? ` while ${ctx.action}` : '';
  const where = ctx.endpoint ?? `AWS in ${ctx.region}`;
  const fail = (message: string, kind: ConnectorErrorCode) => new ConnectorError(redactAwsSecrets(message, ctx.secrets), kind);

  if (code && code in AUTH_CODES)
    return fail(`AWS rejected the credentials in ${ctx.region}${during} (${code}): ${AUTH_CODES[code]}.`, 'AUTH');
  if (code === 'CredentialsProviderError') {
    return fail(
      'No AWS credentials for the inventory: none were configured for the source, and the default chain (environment variables, shared config/credentials profile, container or instance role) found none.',
      'AUTH',
    );
  }
  if ((code && DENIED_CODES.has(code)) || status === 403) {
    return fail(
      `AWS denied access in ${ctx.region}${during} (${code ?? 'HTTP 403'}): the credentials lack that permission, or an organization policy denies it${e.message ? ` (${e.message})` : ''}.`,
      'AUTH',
    );
  }
  if ((code && THROTTLE_CODES.has(code)) || e.$retryable?.throttling || status === 429) {
    return fail(
      `AWS throttled the requests in ${ctx.region}${during} (${code ?? `HTTP ${status}`})${attempts ? ` after ${plural(attempts, 'attempt')}` : ''}; the sync will be retried later.`,
      'THROTTLED',
    );
  }
  if (isSdkUnreachable(e, code)) {
    return fail(`Cannot reach ${where}${during}: ${e.code ?? code} (${e.message ?? ''}).`, 'NETWORK');
  }
  const detail = `${code ?? e.name ?? 'Error'}${status ? `, HTTP ${status}` : ''}: ${e.message ?? String(error)}`;
  if (e.$fault === 'server' || (status !== undefined && status >= 500))
    return fail(`AWS failed in ${ctx.region}${during} (${detail}).`, 'NETWORK');
  if (status === undefined && e.$fault === undefined) return fail(`Request to ${where} failed${during} (${detail}).`, 'NETWORK');
  return fail(`AWS refused the request in ${ctx.region}${during} (${detail}).`, 'CONFIG');
}
