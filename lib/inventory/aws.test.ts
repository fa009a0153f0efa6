// The AWS inventory connector through the official SDK clients (EC2, ELBv2, CloudWatch, STS)
// against a local AWS speaking their wire formats (tests/helpers/aws-inventory-server.ts: AWS
// Query XML for EC2, ELBv2 and STS; JSON 1.0 with query compatibility for CloudWatch; SigV4
// checked). Expected records and samples are written out by hand from the server's dataset: the
// unit conversions (Sum per 300 s period → per second, MiB → bytes, target groups added up) are
// done here in the literals, not by the code under test. The sync test runs the connector through
// lib/inventory/sync.ts into a real PostgreSQL.
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type AwsInventoryServer, type FakeRegion, startAwsInventoryServer } from '../../tests/helpers/aws-inventory-server';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { ConnectorError } from '../connectors/types';
import { encryptSecret } from '../secrets';
import { type AwsInventoryCredentials, createAwsInventoryConnector, gpuIdentity, stoppedAt } from './aws';
import { inventoryConnectorForSource, inventoryKind } from './registry';
import { syncInventory } from './sync';
import type { InventoryConnector, MetricsWindow, ResourceRecord, SampleBatch } from './types';

const ACCOUNT = '123456789012';
const CREDENTIALS: AwsInventoryCredentials = {
  accessKeyId: 'AKIAINVENTORYTEST001',
  secretAccessKey: 'inv/test+secret00000000000000000000000',
};
const ALB = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web-alb/50dc6c495c0c9188';
const WEB_TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/73e2d6bc24d8a067';
const API_TG = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api-tg/83e2d6bc24d8a068';
const GPU0 = 'GPU-1f1e1d1c-0000-4a4a-8b8b-000000000000';
const GPU1 = 'GPU-1f1e1d1c-1111-4a4a-8b8b-111111111111';

// The metrics window: three 5-minute periods from 2026-12-01T00:00Z.
const T0 = Date.parse('2026-12-01T00:00:00Z');
const s = (k: number) => T0 / 1000 + k * 300;
const WINDOW: MetricsWindow = { start: new Date(T0), end: new Date(T0 + 900_000), stepSeconds: 300 };
const at = (k: number) => T0 + k * 300_000;

function dataset(): Record<string, FakeRegion> {
  return {
    'us-east-1': {
      instances: [
        {
          id: 'i-0aaa',
          type: 'm5.large',
          state: 'running',
          launchTime: '2026-10-01T08:00:00.000Z',
          az: 'us-east-1a',
          reservationId: 'r-01',
          ownerId: ACCOUNT,
          tags: [
            { key: 'Name', value: 'web-1' },
            { key: 'team', value: 'storefront' },
          ],
          volumes: ['vol-0111'],
        },
        {
          id: 'i-0bbb',
          type: 'g5.12xlarge',
          state: 'running',
          launchTime: '2026-11-20T00:00:00.000Z',
          az: 'us-east-1b',
          reservationId: 'r-02',
          ownerId: ACCOUNT,
        },
        {
          id: 'i-0ccc',
          type: 't3.micro',
          state: 'stopped',
          launchTime: '2026-09-01T00:00:00.000Z',
          az: 'us-east-1a',
          reservationId: 'r-03',
          ownerId: ACCOUNT,
          reason: 'User initiated (2026-11-02 08:15:00 GMT)',
        },
      ],
      volumes: [
        {
          id: 'vol-0111',
          size: 100,
          type: 'gp2',
          state: 'in-use',
          createTime: '2026-10-01T08:00:00.000Z',
          az: 'us-east-1a',
          attachedTo: 'i-0aaa',
          iops: 300,
        },
        {
          id: 'vol-0222',
          size: 500,
          type: 'gp3',
          state: 'available',
          createTime: '2026-06-01T00:00:00.000Z',
          az: 'us-east-1b',
          iops: 3000,
          tags: [{ key: 'Name', value: 'old-data' }],
        },
      ],
      snapshots: [
        {
          id: 'snap-0111',
          volumeId: 'vol-0111',
          size: 100,
          startTime: '2025-01-15T00:00:00.000Z',
          ownerId: ACCOUNT,
          description: 'nightly',
        },
      ],
      publicSnapshots: [
        { id: 'snap-0public', volumeId: 'vol-ffffffff', size: 8, startTime: '2020-01-01T00:00:00.000Z', ownerId: '999999999999' },
      ],
      addresses: [
        { allocationId: 'eipalloc-0111', publicIp: '203.0.113.10' },
        { allocationId: 'eipalloc-0222', publicIp: '203.0.113.20', instanceId: 'i-0aaa', associationId: 'eipassoc-0222' },
      ],
      loadBalancers: [
        {
          arn: ALB,
          name: 'web-alb',
          type: 'application',
          createdTime: '2026-05-01T00:00:00.000Z',
          dnsName: 'web-alb-1234567890.us-east-1.elb.amazonaws.com',
          targetGroups: [
            {
              arn: WEB_TG,
              name: 'web-tg',
              targets: [
                { id: 'i-0aaa', port: 80, state: 'healthy' },
                { id: 'i-0ccc', port: 80, state: 'unused' },
              ],
            },
            { arn: API_TG, name: 'api-tg', targets: [{ id: 'i-0aaa', port: 8080, state: 'healthy' }] },
          ],
        },
      ],
      metrics: [
        {
          namespace: 'AWS/EC2',
          name: 'CPUUtilization',
          dims: { InstanceId: 'i-0aaa' },
          stat: 'Average',
          period: 300,
          points: [
            [s(0), 12.5],
            [s(1), 50],
            [s(2), 87.5],
          ],
        },
        {
          namespace: 'AWS/EC2',
          name: 'NetworkIn',
          dims: { InstanceId: 'i-0aaa' },
          stat: 'Sum',
          period: 300,
          points: [
            [s(0), 300000],
            [s(1), 600000],
            [s(2), 0],
          ],
        },
        {
          namespace: 'AWS/EC2',
          name: 'NetworkOut',
          dims: { InstanceId: 'i-0aaa' },
          stat: 'Sum',
          period: 300,
          points: [
            [s(0), 150],
            [s(1), 3],
            [s(2), 30],
          ],
        },
        { namespace: 'AWS/EC2', name: 'EBSReadOps', dims: { InstanceId: 'i-0aaa' }, stat: 'Sum', period: 300, points: [[s(0), 900]] },
        // The agent reports memory under two dimension sets (with and without append_dimensions): one series.
        {
          namespace: 'CWAgent',
          name: 'mem_used_percent',
          dims: { InstanceId: 'i-0aaa' },
          stat: 'Average',
          period: 300,
          points: [
            [s(0), 40],
            [s(1), 41],
            [s(2), 42],
          ],
        },
        {
          namespace: 'CWAgent',
          name: 'mem_used_percent',
          dims: { InstanceId: 'i-0aaa', ImageId: 'ami-0abcdef1234567890', InstanceType: 'm5.large' },
          stat: 'Average',
          period: 300,
          points: [
            [s(0), 40],
            [s(1), 41],
            [s(2), 42],
          ],
        },
        {
          namespace: 'AWS/EC2',
          name: 'CPUUtilization',
          dims: { InstanceId: 'i-0bbb' },
          stat: 'Average',
          period: 300,
          points: [
            [s(0), 5],
            [s(1), 6],
            [s(2), 7],
          ],
        },
        {
          namespace: 'CWAgent',
          name: 'nvidia_smi_utilization_gpu',
          dims: { InstanceId: 'i-0bbb', index: '0', name: 'NVIDIA A10G', arch: 'Ampere', uuid: GPU0 },
          stat: 'Average',
          period: 300,
          points: [
            [s(0), 0],
            [s(1), 0],
            [s(2), 0],
          ],
        },
        {
          namespace: 'CWAgent',
          name: 'nvidia_smi_utilization_gpu',
          dims: { InstanceId: 'i-0bbb', index: '1', name: 'NVIDIA A10G', arch: 'Ampere', uuid: GPU1 },
          stat: 'Average',
          period: 300,
          points: [
            [s(0), 95],
            [s(1), 90],
            [s(2), 100],
          ],
        },
        {
          namespace: 'CWAgent',
          name: 'nvidia_smi_memory_used',
          dims: { InstanceId: 'i-0bbb', index: '1', name: 'NVIDIA A10G', arch: 'Ampere', uuid: GPU1 },
          stat: 'Average',
          period: 300,
          points: [
            [s(0), 1024],
            [s(1), 20480.5],
          ],
        },
        {
          namespace: 'AWS/EBS',
          name: 'VolumeReadOps',
          dims: { VolumeId: 'vol-0111' },
          stat: 'Sum',
          period: 300,
          points: [
            [s(0), 600],
            [s(1), 0],
            [s(2), 300],
          ],
        },
        {
          namespace: 'AWS/ApplicationELB',
          name: 'RequestCount',
          dims: { LoadBalancer: 'app/web-alb/50dc6c495c0c9188' },
          stat: 'Sum',
          period: 300,
          points: [
            [s(0), 3000],
            [s(1), 1500],
            [s(2), 0],
          ],
        },
        {
          namespace: 'AWS/ApplicationELB',
          name: 'HealthyHostCount',
          dims: { TargetGroup: 'targetgroup/web-tg/73e2d6bc24d8a067', LoadBalancer: 'app/web-alb/50dc6c495c0c9188' },
          stat: 'Average',
          period: 300,
          points: [
            [s(0), 1],
            [s(1), 1],
            [s(2), 1],
          ],
        },
        {
          namespace: 'AWS/ApplicationELB',
          name: 'HealthyHostCount',
          dims: { TargetGroup: 'targetgroup/api-tg/83e2d6bc24d8a068', LoadBalancer: 'app/web-alb/50dc6c495c0c9188' },
          stat: 'Average',
          period: 300,
          points: [
            [s(0), 1],
            [s(1), 1],
            [s(2), 0],
          ],
        },
        // Outside the window: never answered.
        {
          namespace: 'AWS/EC2',
          name: 'CPUUtilization',
          dims: { InstanceId: 'i-0ccc' },
          stat: 'Average',
          period: 300,
          points: [[s(-100), 1]],
        },
      ],
    },
    'eu-west-1': {
      // Running, but CloudWatch has nothing for it (a new instance, metrics not yet published).
      instances: [
        {
          id: 'i-0eee',
          type: 'c6i.large',
          state: 'running',
          launchTime: '2026-12-01T00:10:00.000Z',
          az: 'eu-west-1a',
          reservationId: 'r-04',
          ownerId: ACCOUNT,
        },
      ],
      volumes: [],
      snapshots: [],
      addresses: [],
      loadBalancers: [],
      metrics: [],
    },
  };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

let server: AwsInventoryServer;
beforeEach(async () => {
  server = await startAwsInventoryServer({ credentials: CREDENTIALS, account: ACCOUNT, regions: dataset(), maxDatapoints: 4 });
  return () => server.close();
});

function connector(
  opts: { maxAttempts?: number; queriesPerCall?: number; credentials?: AwsInventoryCredentials } = {},
): InventoryConnector {
  return createAwsInventoryConnector({ regions: 'us-east-1, eu-west-1', endpoint: server.endpoint }, opts.credentials ?? CREDENTIALS, {
    maxAttempts: opts.maxAttempts ?? 2,
    queriesPerCall: opts.queriesPerCall,
  });
}

async function list(c: InventoryConnector): Promise<ResourceRecord[]> {
  const out: ResourceRecord[] = [];
  for await (const r of c.listResources()) out.push(r);
  return out;
}

async function metrics(c: InventoryConnector, resources: readonly ResourceRecord[]): Promise<SampleBatch[]> {
  const out: SampleBatch[] = [];
  for await (const b of c.fetchMetrics(resources, WINDOW)) out.push(b);
  return out.sort((a, b) =>
    `${a.resourceId}/${a.subResourceId ?? ''}/${a.metric}`.localeCompare(`${b.resourceId}/${b.subResourceId ?? ''}/${b.metric}`),
  );
}

async function failure(p: Promise<unknown>): Promise<ConnectorError> {
  const e = await p.then(
    () => null,
    (error: unknown) => error,
  );
  if (!(e instanceof ConnectorError)) throw new Error(`expected a ConnectorError, got ${String(e)}`);
  return e;
}

describe('AWS inventory: listing', () => {
  it('lists instances, volumes, own snapshots, addresses and load balancers of every region, following the pages', async () => {
    const records = await list(connector());
    const byId = new Map(records.map((r) => [r.resourceId, r]));
    expect(records.map((r) => r.resourceId)).toEqual([
      'i-0aaa',
      'i-0bbb',
      'i-0ccc',
      'vol-0111',
      'vol-0222',
      'snap-0111',
      'eipalloc-0111',
      'eipalloc-0222',
      ALB,
      'i-0eee',
    ]);
    expect(byId.get('i-0aaa')).toEqual({
      provider: 'aws',
      accountId: ACCOUNT,
      regionId: 'us-east-1',
      resourceId: 'i-0aaa',
      kind: 'instance',
      name: 'web-1',
      resourceType: 'm5.large',
      state: 'running',
      createdAt: new Date('2026-10-01T08:00:00.000Z'),
      tags: { Name: 'web-1', team: 'storefront' },
      details: {
        launchTime: '2026-10-01T08:00:00.000Z',
        availabilityZone: 'us-east-1a',
        platform: 'Linux/UNIX',
        architecture: 'x86_64',
        volumes: ['vol-0111'],
        monitoring: 'disabled',
      },
    });
    expect(byId.get('i-0ccc')).toMatchObject({ state: 'stopped', details: { stoppedAt: '2026-11-02T08:15:00.000Z' } });
    expect(byId.get('vol-0111')).toMatchObject({
      kind: 'volume',
      resourceType: 'gp2',
      state: 'in-use',
      attachedTo: 'i-0aaa',
      sizeGb: '100',
    });
    expect(byId.get('vol-0222')).toMatchObject({
      kind: 'volume',
      name: 'old-data',
      resourceType: 'gp3',
      state: 'available',
      attachedTo: null,
      sizeGb: '500',
      details: { iops: 3000 },
    });
    expect(byId.get('snap-0111')).toMatchObject({
      kind: 'snapshot',
      attachedTo: 'vol-0111',
      sizeGb: '100',
      createdAt: new Date('2025-01-15T00:00:00.000Z'),
      accountId: ACCOUNT,
    });
    expect(byId.has('snap-0public')).toBe(false);
    expect(byId.get('eipalloc-0111')).toMatchObject({
      kind: 'address',
      state: 'unassociated',
      attachedTo: null,
      details: { publicIp: '203.0.113.10' },
    });
    expect(byId.get('eipalloc-0222')).toMatchObject({ kind: 'address', state: 'associated', attachedTo: 'i-0aaa' });
    expect(byId.get(ALB)).toMatchObject({
      kind: 'load_balancer',
      name: 'web-alb',
      resourceType: 'application',
      state: 'active',
      details: {
        targets: 3,
        healthyTargets: 2,
        targetGroups: [
          { arn: WEB_TG, name: 'web-tg', healthy: 1, unhealthy: 1, targets: ['i-0aaa', 'i-0ccc'] },
          { arn: API_TG, name: 'api-tg', healthy: 1, unhealthy: 0, targets: ['i-0aaa'] },
        ],
      },
    });
    expect(byId.get('i-0eee')).toMatchObject({ regionId: 'eu-west-1', state: 'running' });
    // Own snapshots only, asked on the wire; page tokens followed (2 per page, 3 instances).
    const snapshotCalls = server.requests.filter((r) => r.action === 'DescribeSnapshots');
    expect(snapshotCalls.every((r) => r.params['Owner.1'] === 'self')).toBe(true);
    expect(server.requests.filter((r) => r.action === 'DescribeInstances' && r.region === 'us-east-1')).toHaveLength(2);
  });

  it('names the listed account as the scope after a complete listing', async () => {
    const c = connector();
    expect(c.listedScope?.()).toEqual([]);
    await list(c);
    expect(c.listedScope?.()).toEqual([{ provider: 'aws', accountId: ACCOUNT }]);
  });
});

describe('AWS inventory: CloudWatch metrics', () => {
  it('maps every metric to its canonical name and unit, per GPU where the agent says which', async () => {
    const c = connector();
    const batches = await metrics(c, await list(c));
    expect(batches).toEqual([
      {
        provider: 'aws',
        resourceId: ALB,
        subResourceId: undefined,
        metric: 'load_balancer_healthy_targets',
        timestamps: [at(0), at(1), at(2)],
        values: [2, 2, 1],
      },
      // 3000, 1500 and 0 requests per 300 s.
      {
        provider: 'aws',
        resourceId: ALB,
        subResourceId: undefined,
        metric: 'load_balancer_requests',
        timestamps: [at(0), at(1), at(2)],
        values: [10, 5, 0],
      },
      {
        provider: 'aws',
        resourceId: 'i-0aaa',
        subResourceId: undefined,
        metric: 'cpu_utilization',
        timestamps: [at(0), at(1), at(2)],
        values: [12.5, 50, 87.5],
      },
      { provider: 'aws', resourceId: 'i-0aaa', subResourceId: undefined, metric: 'disk_read_ops', timestamps: [at(0)], values: [3] },
      {
        provider: 'aws',
        resourceId: 'i-0aaa',
        subResourceId: undefined,
        metric: 'memory_utilization',
        timestamps: [at(0), at(1), at(2)],
        values: [40, 41, 42],
      },
      {
        provider: 'aws',
        resourceId: 'i-0aaa',
        subResourceId: undefined,
        metric: 'network_in',
        timestamps: [at(0), at(1), at(2)],
        values: [1000, 2000, 0],
      },
      {
        provider: 'aws',
        resourceId: 'i-0aaa',
        subResourceId: undefined,
        metric: 'network_out',
        timestamps: [at(0), at(1), at(2)],
        values: [0.5, 0.01, 0.1],
      },
      {
        provider: 'aws',
        resourceId: 'i-0bbb',
        subResourceId: undefined,
        metric: 'cpu_utilization',
        timestamps: [at(0), at(1), at(2)],
        values: [5, 6, 7],
      },
      {
        provider: 'aws',
        resourceId: 'i-0bbb',
        subResourceId: GPU0,
        metric: 'gpu_utilization',
        timestamps: [at(0), at(1), at(2)],
        values: [0, 0, 0],
      },
      // 1024 MiB and 20480.5 MiB in bytes.
      {
        provider: 'aws',
        resourceId: 'i-0bbb',
        subResourceId: GPU1,
        metric: 'gpu_memory_used',
        timestamps: [at(0), at(1)],
        values: [1073741824, 21475360768],
      },
      {
        provider: 'aws',
        resourceId: 'i-0bbb',
        subResourceId: GPU1,
        metric: 'gpu_utilization',
        timestamps: [at(0), at(1), at(2)],
        values: [95, 90, 100],
      },
      {
        provider: 'aws',
        resourceId: 'vol-0111',
        subResourceId: undefined,
        metric: 'disk_read_ops',
        timestamps: [at(0), at(1), at(2)],
        values: [2, 0, 1],
      },
    ]);
    // Results came back 4 datapoints at a time: 33 points need at least 9 pages, all followed.
    const calls = server.requests.filter((r) => r.action === 'GetMetricData' && r.region === 'us-east-1');
    expect(calls.length).toBeGreaterThanOrEqual(9);
    expect(calls.filter((r) => (r.body as { NextToken?: string }).NextToken === undefined)).toHaveLength(1);
    const body = calls[0]?.body as { StartTime: number; EndTime: number; ScanBy: string; MetricDataQueries: { Expression?: string }[] };
    expect([body.StartTime, body.EndTime, body.ScanBy]).toEqual([s(0), s(3), 'TimestampAscending']);
    // The stopped instance is not asked about.
    expect(JSON.stringify(body.MetricDataQueries)).not.toContain('i-0ccc');
  });

  it('sends at most the configured number of queries per call (CloudWatch allows 500)', async () => {
    const c = connector({ queriesPerCall: 5 });
    const records = await list(c);
    const batches = await metrics(c, records);
    expect(batches).toHaveLength(12);
    const sizes = server.requests
      .filter((r) => r.action === 'GetMetricData' && r.region === 'us-east-1')
      .map((r) => (r.body as { MetricDataQueries: unknown[]; NextToken?: string }).MetricDataQueries.length);
    // us-east-1 asks 8 queries per running instance (2), 2 per volume (2), 1 + 2 target groups for the ALB: 23.
    expect(Math.max(...sizes)).toBe(5);
    const firstPages = server.requests.filter(
      (r) => r.action === 'GetMetricData' && r.region === 'us-east-1' && (r.body as { NextToken?: string }).NextToken === undefined,
    );
    expect(firstPages.map((r) => (r.body as { MetricDataQueries: unknown[] }).MetricDataQueries.length)).toEqual([5, 5, 5, 5, 3]);
  });

  it('a resource without datapoints is skipped, and one that vanished since the listing yields nothing', async () => {
    const c = connector();
    const vanished: ResourceRecord = {
      provider: 'aws',
      resourceId: 'i-0gone',
      kind: 'instance',
      regionId: 'us-east-1',
      accountId: ACCOUNT,
      state: 'running',
    };
    const eee: ResourceRecord = {
      provider: 'aws',
      resourceId: 'i-0eee',
      kind: 'instance',
      regionId: 'eu-west-1',
      accountId: ACCOUNT,
      state: 'running',
    };
    expect(await metrics(c, [vanished, eee])).toEqual([]);
  });
});

describe('AWS inventory: failures', () => {
  it('throttling (EC2 RequestLimitExceeded) is retried, then THROTTLED with the attempts', async () => {
    server.fail({ action: 'DescribeInstances', status: 503, code: 'RequestLimitExceeded', message: 'Request limit exceeded.', times: 1 });
    // One throttled answer, then the retry succeeds.
    expect(await list(connector())).toHaveLength(10);
    server.fail({ action: 'DescribeVolumes', status: 503, code: 'RequestLimitExceeded', message: 'Request limit exceeded.', times: 5 });
    const e = await failure(list(connector({ maxAttempts: 2 })));
    expect(e.code).toBe('THROTTLED');
    expect(e.retryable).toBe(true);
    expect(e.message).toBe(
      'AWS throttled the requests in us-east-1 while listing EBS volumes (ec2:DescribeVolumes) (RequestLimitExceeded) after 2 attempts; the sync will be retried later.',
    );
  });

  it('throttling of CloudWatch (Throttling) and of ELB is THROTTLED too', async () => {
    const c = connector({ maxAttempts: 2 });
    const records = await list(c);
    server.fail({ action: 'GetMetricData', status: 400, code: 'Throttling', message: 'Rate exceeded', times: 2 });
    const cw = await failure(metrics(c, records));
    expect(cw.code).toBe('THROTTLED');
    expect(cw.message).toContain('(Throttling) after 2 attempts');
    server.fail({ action: 'DescribeLoadBalancers', status: 400, code: 'Throttling', message: 'Rate exceeded', times: 2 });
    const elb = await failure(list(c));
    expect(elb.code).toBe('THROTTLED');
  });

  it('expired temporary credentials are AUTH with a clear message, never quoting the key', async () => {
    server.fail({
      action: 'GetCallerIdentity',
      status: 403,
      code: 'ExpiredToken',
      message: 'The security token included in the request is expired',
      times: 1,
    });
    const e = await failure(list(connector()));
    expect(e.code).toBe('AUTH');
    expect(e.message).toBe(
      'AWS rejected the credentials in us-east-1 while naming the account (sts:GetCallerIdentity) (ExpiredToken): the session token has expired; refresh the temporary credentials.',
    );
    server.fail({
      action: 'DescribeInstances',
      status: 401,
      code: 'AuthFailure',
      message: 'AWS was not able to validate the provided access credentials',
      times: 1,
    });
    const ec2 = await failure(list(connector()));
    expect(ec2.code).toBe('AUTH');
    expect(ec2.message).toContain('(AuthFailure): the access key, secret or session token is not valid (or the session token has expired)');
    const wrong = await failure(
      list(
        connector({ credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } }),
      ),
    );
    expect(wrong.code).toBe('AUTH');
    expect(wrong.message).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(wrong.message).not.toContain('wJalrXUtnFEMI');
  });

  it('a missing permission is AUTH naming the call', async () => {
    server.fail({
      action: 'DescribeAddresses',
      status: 403,
      code: 'UnauthorizedOperation',
      message: 'You are not authorized to perform this operation.',
      times: 1,
    });
    const e = await failure(list(connector()));
    expect(e.code).toBe('AUTH');
    expect(e.message).toContain('while listing Elastic IP addresses (ec2:DescribeAddresses) (UnauthorizedOperation)');
  });
});

describe('AWS inventory: helpers', () => {
  it('reads when a stopped instance stopped, and which GPU a series is', () => {
    expect(stoppedAt('User initiated (2026-11-02 08:15:00 GMT)')).toBe('2026-11-02T08:15:00.000Z');
    expect(stoppedAt('')).toBeUndefined();
    expect(gpuIdentity(`1|${GPU1}`)).toBe(GPU1);
    expect(gpuIdentity('3|')).toBe('index:3');
    expect(gpuIdentity('|')).toBeNull();
  });

  it('the registry validates regions and builds the connector from a source with stored credentials', async () => {
    const kind = inventoryKind('aws_inventory');
    expect(kind?.configSchema.safeParse({ regions: ' us-east-1,eu-west-1  us-east-1' })).toEqual({
      success: true,
      data: { regions: 'us-east-1, eu-west-1' },
    });
    expect(kind?.configSchema.safeParse({ regions: 'us-east-1, Frankfurt' }).success).toBe(false);
    expect(kind?.configSchema.safeParse({ regions: ' ' }).success).toBe(false);
    const key = Buffer.alloc(32, 7);
    vi.stubEnv('BURNRATE_SECRET_KEY', key.toString('base64'));
    const { connector: c } = inventoryConnectorForSource({
      name: 'billing-with-inventory',
      kind: 'aws_s3',
      inventoryEnabled: true,
      inventoryConfig: { regions: 'eu-west-1', endpoint: server.endpoint },
      secretCiphertext: encryptSecret(JSON.stringify(CREDENTIALS), key),
    });
    expect((await list(c)).map((r) => r.resourceId)).toEqual(['i-0eee']);
    expect(() =>
      inventoryConnectorForSource({ name: 'off', kind: 'aws_s3', inventoryEnabled: false, inventoryConfig: {}, secretCiphertext: null }),
    ).toThrow('off does not have inventory and metrics turned on');
    expect(() =>
      inventoryConnectorForSource({
        name: 'blob',
        kind: 'azure_blob',
        inventoryEnabled: true,
        inventoryConfig: {},
        secretCiphertext: null,
      }),
    ).toThrow('blob (kind "azure_blob") cannot read inventory or metrics');
  });
});

describe('AWS inventory sync into PostgreSQL', () => {
  let url: string;
  beforeAll(async () => {
    url = await useTestDatabase();
  });

  it('stores the listing and samples; a resource deleted since is marked gone on the next sync', async () => {
    const [row] = await sql<{ id: number }>(
      url,
      `INSERT INTO billing_sources (name, provider, kind, inventory_enabled, inventory_config) VALUES ('aws-inv', 'aws', 'aws_inventory', true, '{}') RETURNING id`,
    );
    const sourceId = row?.id as number;
    const now = new Date(T0 + 900_000 + 60_000);
    const first = await syncInventory({ sourceId, sourceName: 'aws-inv', connector: connector(), now });
    expect(first).toMatchObject({ resourcesListed: 10, resourcesGone: 0, series: 12 });
    // 14 days back from 00:15: only the dataset's three periods are inside CloudWatch's answer.
    expect(first.samples).toBe(3 + 3 + 1 + 3 + 3 + 3 + 3 + 3 + 3 + 2 + 3 + 3);
    const [gpu] = await sql<{ kind: string; sub_resource_id: string }>(
      url,
      `SELECT kind, sub_resource_id FROM resources WHERE resource_id = 'i-0bbb' AND sub_resource_id <> '' ORDER BY 2 LIMIT 1`,
    );
    expect(gpu).toEqual({ kind: 'gpu', sub_resource_id: GPU0 });

    // The unattached volume is deleted.
    const region = server.regions.get('us-east-1') as FakeRegion;
    region.volumes = region.volumes.filter((v) => v.id !== 'vol-0222');
    const second = await syncInventory({
      sourceId,
      sourceName: 'aws-inv',
      connector: connector(),
      now: new Date(now.getTime() + 3_600_000),
    });
    expect(second.resourcesGone).toBe(1);
    const gone = await sql<{ resource_id: string }>(url, `SELECT resource_id FROM resources WHERE gone_at IS NOT NULL ORDER BY 1`);
    expect(gone.map((g) => g.resource_id)).toEqual(['vol-0222']);
  });
});
