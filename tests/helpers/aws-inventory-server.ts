// A local AWS for the inventory connector's tests: one node:http server on loopback answering
// the four services the connector calls, each in its documented wire protocol, SigV4-checked
// (tests/helpers/sigv4.ts) and scoped to the service and region the request was signed for:
// - EC2 (AWS Query, Version 2016-11-15; XML responses with <item> lists and <nextToken>; errors as
//   <Response><Errors><Error><Code>…): DescribeInstances, DescribeVolumes, DescribeSnapshots
//   (Owner.N filter), DescribeAddresses;
// - Elastic Load Balancing v2 (AWS Query, Version 2015-12-01; <member> lists and <NextMarker>;
//   errors as <ErrorResponse><Error><Type/><Code/><Message/>): DescribeLoadBalancers,
//   DescribeTargetGroups, DescribeTargetHealth;
// - STS (AWS Query, Version 2011-06-15): GetCallerIdentity;
// - CloudWatch (AWS JSON 1.0 with query compatibility, X-Amz-Target
//   GraniteServiceVersion20100801.GetMetricData, epoch-second timestamps; errors as
//   {"__type", "message"} plus the x-amzn-query-error header): GetMetricData with MetricStat
//   queries and SEARCH expressions with dynamic labels (${PROP('Dim.<name>')}), paged with
//   NextToken after `maxDatapoints` points, at most 500 queries per call.
// The pages are small (`pageSize`) so that the SDK paginators have to follow the tokens.
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SigV4Error, verifySigV4 } from './sigv4';

export interface AwsTag {
  key: string;
  value: string;
}

export interface FakeInstance {
  id: string;
  type: string;
  state: 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';
  launchTime: string;
  az: string;
  reservationId: string;
  ownerId: string;
  tags?: AwsTag[];
  reason?: string;
  volumes?: string[];
}

export interface FakeVolume {
  id: string;
  size: number;
  type: string;
  state: 'creating' | 'available' | 'in-use' | 'deleting';
  createTime: string;
  az: string;
  attachedTo?: string;
  iops?: number;
  tags?: AwsTag[];
}

export interface FakeSnapshot {
  id: string;
  volumeId: string;
  size: number;
  startTime: string;
  ownerId: string;
  description?: string;
}

export interface FakeAddress {
  allocationId: string;
  publicIp: string;
  instanceId?: string;
  associationId?: string;
}

export interface FakeTargetGroup {
  arn: string;
  name: string;
  targets: { id: string; port: number; state: 'healthy' | 'unhealthy' | 'unused' | 'draining' | 'initial' }[];
}

export interface FakeLoadBalancer {
  arn: string;
  name: string;
  type: 'application' | 'network';
  createdTime: string;
  dnsName: string;
  targetGroups: FakeTargetGroup[];
}

/** One CloudWatch series: the statistic's value at each period start (epoch seconds). */
export interface FakeMetric {
  namespace: string;
  name: string;
  dims: Record<string, string>;
  stat: 'Average' | 'Sum';
  period: number;
  points: [epochSeconds: number, value: number][];
}

export interface FakeRegion {
  instances: FakeInstance[];
  volumes: FakeVolume[];
  snapshots: FakeSnapshot[];
  /** Other accounts' public snapshots: DescribeSnapshots without an Owner filter would list them. */
  publicSnapshots?: FakeSnapshot[];
  addresses: FakeAddress[];
  loadBalancers: FakeLoadBalancer[];
  metrics: FakeMetric[];
}

export interface RecordedAwsRequest {
  service: 'ec2' | 'elasticloadbalancing' | 'sts' | 'monitoring';
  action: string;
  region: string;
  params: Record<string, string>;
  /** GetMetricData: the JSON body. */
  body?: unknown;
  status: number;
  errorCode?: string;
}

/** An error the next `times` matching requests answer, in the service's own shape. */
export interface AwsFault {
  action: string;
  status: number;
  code: string;
  message: string;
  times: number;
}

export interface AwsInventoryServer {
  endpoint: string;
  account: string;
  regions: Map<string, FakeRegion>;
  requests: RecordedAwsRequest[];
  fail(fault: AwsFault): void;
  close(): Promise<void>;
}

const EC2_NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const ELB_NS = 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/';
const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const CW_TARGET = 'GraniteServiceVersion20100801.GetMetricData';

class WireError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** <tag>children</tag>; undefined children leave the element out, as AWS omits absent members. */
function el(tag: string, children: string | number | boolean | undefined | (string | undefined)[]): string {
  if (children === undefined) return '';
  const inner = Array.isArray(children) ? children.filter((c) => c !== undefined).join('') : esc(String(children));
  return `<${tag}>${inner}</${tag}>`;
}

function tagSet(tags: AwsTag[] | undefined): string {
  return el(
    'tagSet',
    (tags ?? []).map((t) => el('item', [el('key', t.key), el('value', t.value)])),
  );
}

export async function startAwsInventoryServer(options: {
  credentials: { accessKeyId: string; secretAccessKey: string };
  account: string;
  regions: Record<string, FakeRegion>;
  pageSize?: number;
  /** GetMetricData answers at most this many datapoints per call, then a NextToken. */
  maxDatapoints?: number;
}): Promise<AwsInventoryServer> {
  const regions = new Map(Object.entries(options.regions));
  const pageSize = options.pageSize ?? 2;
  const maxDatapoints = options.maxDatapoints ?? 100_800;
  const requests: RecordedAwsRequest[] = [];
  const faults: AwsFault[] = [];
  const tokens = new Map<string, number>();

  const page = <T>(items: T[], token: string | undefined): { items: T[]; next?: string } => {
    const start = token === undefined ? 0 : tokens.get(token);
    if (start === undefined) throw new WireError(400, 'InvalidPaginationToken', `The pagination token ${token} is invalid`);
    const next = start + pageSize < items.length ? randomUUID() : undefined;
    if (next) tokens.set(next, start + pageSize);
    return { items: items.slice(start, start + pageSize), next };
  };

  function ec2(action: string, p: Record<string, string>, r: FakeRegion): string {
    if (action === 'DescribeInstances') {
      // One reservation per instance; the page is over instances.
      const { items, next } = page(r.instances, p.NextToken);
      return el(`${action}Response`, [
        el('requestId', randomUUID()),
        el(
          'reservationSet',
          items.map((i) =>
            el('item', [
              el('reservationId', i.reservationId),
              el('ownerId', i.ownerId),
              el('instancesSet', [
                el('item', [
                  el('instanceId', i.id),
                  el('imageId', 'ami-0abcdef1234567890'),
                  el('instanceState', [
                    el('code', { pending: 0, running: 16, 'shutting-down': 32, terminated: 48, stopping: 64, stopped: 80 }[i.state]),
                    el('name', i.state),
                  ]),
                  el('reason', i.reason ?? ''),
                  el('instanceType', i.type),
                  el('launchTime', i.launchTime),
                  el('placement', [el('availabilityZone', i.az), el('tenancy', 'default')]),
                  el('monitoring', [el('state', 'disabled')]),
                  el('architecture', 'x86_64'),
                  el('platformDetails', 'Linux/UNIX'),
                  el(
                    'blockDeviceMapping',
                    (i.volumes ?? []).map((v, k) =>
                      el('item', [el('deviceName', `/dev/xvd${'abcdefgh'[k]}`), el('ebs', [el('volumeId', v), el('status', 'attached')])]),
                    ),
                  ),
                  tagSet(i.tags),
                ]),
              ]),
            ]),
          ),
        ),
        el('nextToken', next),
      ]);
    }
    if (action === 'DescribeVolumes') {
      const { items, next } = page(r.volumes, p.NextToken);
      return el(`${action}Response`, [
        el('requestId', randomUUID()),
        el(
          'volumeSet',
          items.map((v) =>
            el('item', [
              el('volumeId', v.id),
              el('size', v.size),
              el('snapshotId', ''),
              el('availabilityZone', v.az),
              el('status', v.state),
              el('createTime', v.createTime),
              el(
                'attachmentSet',
                v.attachedTo
                  ? [
                      el('item', [
                        el('volumeId', v.id),
                        el('instanceId', v.attachedTo),
                        el('device', '/dev/xvda'),
                        el('status', 'attached'),
                      ]),
                    ]
                  : [],
              ),
              el('volumeType', v.type),
              el('iops', v.iops),
              el('encrypted', false),
              el('multiAttachEnabled', false),
              tagSet(v.tags),
            ]),
          ),
        ),
        el('nextToken', next),
      ]);
    }
    if (action === 'DescribeSnapshots') {
      const owners = Object.entries(p)
        .filter(([k]) => /^Owner\.\d+$/.test(k))
        .map(([, v]) => v);
      const all = [...r.snapshots, ...(r.publicSnapshots ?? [])];
      const visible =
        owners.length === 0 ? all : all.filter((s) => owners.some((o) => (o === 'self' ? s.ownerId === options.account : s.ownerId === o)));
      const { items, next } = page(visible, p.NextToken);
      return el(`${action}Response`, [
        el('requestId', randomUUID()),
        el(
          'snapshotSet',
          items.map((s) =>
            el('item', [
              el('snapshotId', s.id),
              el('volumeId', s.volumeId),
              el('status', 'completed'),
              el('startTime', s.startTime),
              el('progress', '100%'),
              el('ownerId', s.ownerId),
              el('volumeSize', s.size),
              el('description', s.description),
              el('encrypted', false),
              el('storageTier', 'standard'),
            ]),
          ),
        ),
        el('nextToken', next),
      ]);
    }
    if (action === 'DescribeAddresses') {
      return el(`${action}Response`, [
        el('requestId', randomUUID()),
        el(
          'addressesSet',
          r.addresses.map((a) =>
            el('item', [
              el('publicIp', a.publicIp),
              el('allocationId', a.allocationId),
              el('domain', 'vpc'),
              el('instanceId', a.instanceId),
              el('associationId', a.associationId),
            ]),
          ),
        ),
      ]);
    }
    throw new WireError(400, 'InvalidAction', `The action ${action} is not valid for this web service.`);
  }

  function elb(action: string, p: Record<string, string>, r: FakeRegion): string {
    const wrap = (result: (string | undefined)[]) =>
      `<${action}Response xmlns="${ELB_NS}">${el(`${action}Result`, result)}${el('ResponseMetadata', [el('RequestId', randomUUID())])}</${action}Response>`;
    if (action === 'DescribeLoadBalancers') {
      const { items, next } = page(r.loadBalancers, p.Marker);
      return wrap([
        el(
          'LoadBalancers',
          items.map((lb) =>
            el('member', [
              el('LoadBalancerArn', lb.arn),
              el('DNSName', lb.dnsName),
              el('CreatedTime', lb.createdTime),
              el('LoadBalancerName', lb.name),
              el('Scheme', 'internet-facing'),
              el('VpcId', 'vpc-0123456789abcdef0'),
              el('State', [el('Code', 'active')]),
              el('Type', lb.type),
            ]),
          ),
        ),
        el('NextMarker', next),
      ]);
    }
    if (action === 'DescribeTargetGroups') {
      const lb = r.loadBalancers.find((l) => l.arn === p.LoadBalancerArn);
      if (!lb) throw new WireError(400, 'LoadBalancerNotFound', `One or more load balancers not found`);
      const { items, next } = page(lb.targetGroups, p.Marker);
      return wrap([
        el(
          'TargetGroups',
          items.map((tg) =>
            el('member', [
              el('TargetGroupArn', tg.arn),
              el('TargetGroupName', tg.name),
              el('Protocol', 'HTTP'),
              el('Port', 80),
              el('TargetType', 'instance'),
              el('LoadBalancerArns', [el('member', lb.arn)]),
            ]),
          ),
        ),
        el('NextMarker', next),
      ]);
    }
    if (action === 'DescribeTargetHealth') {
      const tg = r.loadBalancers.flatMap((l) => l.targetGroups).find((t) => t.arn === p.TargetGroupArn);
      if (!tg) throw new WireError(400, 'TargetGroupNotFound', `Target groups '${p.TargetGroupArn}' not found`);
      return wrap([
        el(
          'TargetHealthDescriptions',
          tg.targets.map((t) =>
            el('member', [
              el('Target', [el('Id', t.id), el('Port', t.port)]),
              el('HealthCheckPort', String(t.port)),
              el('TargetHealth', [el('State', t.state)]),
            ]),
          ),
        ),
      ]);
    }
    throw new WireError(400, 'InvalidAction', `Could not find operation ${action} for version 2015-12-01`);
  }

  function getMetricData(body: Record<string, unknown>, r: FakeRegion): unknown {
    const queries = body.MetricDataQueries as Record<string, unknown>[] | undefined;
    if (!Array.isArray(queries) || queries.length === 0) throw new WireError(400, 'InvalidParameterValue', 'MetricDataQueries is required');
    if (queries.length > 500)
      throw new WireError(400, 'InvalidParameterValue', 'The collection MetricDataQueries must not have a size greater than 500.');
    const start = Number(body.StartTime);
    const end = Number(body.EndTime);
    if (!(start < end))
      throw new WireError(400, 'InvalidParameterValue', 'The parameter StartTime must be less than the parameter EndTime.');
    if (body.ScanBy !== undefined && body.ScanBy !== 'TimestampAscending' && body.ScanBy !== 'TimestampDescending')
      throw new WireError(400, 'InvalidParameterValue', `Invalid ScanBy ${String(body.ScanBy)}`);
    // Every series of every query, in order; the token is how many points were already answered.
    const series: { Id: string; Label: string; points: [number, number][] }[] = [];
    for (const q of queries) {
      const id = String(q.Id);
      if (!/^[a-z][a-zA-Z0-9_]*$/.test(id)) throw new WireError(400, 'InvalidParameterValue', `Invalid Id ${id}`);
      const inWindow = (m: FakeMetric) => m.points.filter(([t]) => t >= start && t < end);
      if (q.MetricStat) {
        const ms = q.MetricStat as {
          Metric: { Namespace: string; MetricName: string; Dimensions?: { Name: string; Value: string }[] };
          Period: number;
          Stat: string;
        };
        const dims = Object.fromEntries((ms.Metric.Dimensions ?? []).map((d) => [d.Name, d.Value]));
        const match = r.metrics.find(
          (m) =>
            m.namespace === ms.Metric.Namespace &&
            m.name === ms.Metric.MetricName &&
            m.stat === ms.Stat &&
            m.period === ms.Period &&
            JSON.stringify(Object.entries(m.dims).sort()) === JSON.stringify(Object.entries(dims).sort()),
        );
        series.push({ Id: id, Label: String(q.Label ?? ms.Metric.MetricName), points: match ? inWindow(match) : [] });
      } else if (typeof q.Expression === 'string') {
        const m = /^SEARCH\('(.*)', '(Average|Sum)', (\d+)\)$/.exec(q.Expression);
        if (!m) throw new WireError(400, 'ValidationError', `This test server answers SEARCH expressions only, not ${q.Expression}`);
        const terms = Object.fromEntries([...(m[1] as string).matchAll(/(\w+)="([^"]*)"/g)].map((t) => [t[1], t[2]]));
        const found = r.metrics.filter(
          (x) =>
            x.namespace === terms.Namespace &&
            x.name === terms.MetricName &&
            x.stat === m[2] &&
            x.period === Number(m[3]) &&
            Object.entries(terms).every(([k, v]) => k === 'Namespace' || k === 'MetricName' || x.dims[k] === v),
        );
        for (const x of found) {
          const label = String(q.Label ?? x.name).replace(/\$\{PROP\('Dim\.(\w+)'\)\}/g, (_, d: string) => x.dims[d] ?? '');
          series.push({ Id: id, Label: label, points: inWindow(x) });
        }
      } else throw new WireError(400, 'InvalidParameterCombination', 'A query needs a MetricStat or an Expression');
    }
    const skip = body.NextToken === undefined ? 0 : tokens.get(String(body.NextToken));
    if (skip === undefined) throw new WireError(400, 'InvalidNextToken', 'The service returned an invalid next token');
    let seen = 0;
    let budget = maxDatapoints;
    const results: unknown[] = [];
    let more = false;
    for (const s of series) {
      const from = Math.max(0, skip - seen);
      seen += s.points.length;
      if (from >= s.points.length && s.points.length > 0) continue;
      const take = s.points.slice(from, from + budget);
      budget -= take.length;
      if (from + take.length < s.points.length) more = true;
      // A series without points is answered (empty) on the first page only.
      if (take.length > 0 || skip === 0)
        results.push({
          Id: s.Id,
          Label: s.Label,
          Timestamps: take.map((p) => p[0]),
          Values: take.map((p) => p[1]),
          StatusCode: more ? 'PartialData' : 'Complete',
        });
      if (more) break;
    }
    const answer: Record<string, unknown> = { MetricDataResults: results, Messages: [] };
    if (more) {
      const token = randomUUID();
      tokens.set(token, skip + (maxDatapoints - budget));
      answer.NextToken = token;
    }
    return answer;
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const target = String(req.headers['x-amz-target'] ?? '');
    const isJson = target !== '';
    const params = isJson ? {} : Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
    const record: RecordedAwsRequest = {
      service: 'ec2',
      action: isJson ? (target.split('.').pop() ?? '') : (params.Action ?? ''),
      region: '',
      params,
      status: 200,
    };
    requests.push(record);
    let service: RecordedAwsRequest['service'] = 'ec2';
    try {
      if (req.method !== 'POST') throw new WireError(400, 'InvalidAction', 'Only POST is served');
      const signed = verifySigV4(req, raw, options.credentials, { services: ['ec2', 'elasticloadbalancing', 'sts', 'monitoring'] });
      service = signed.service as RecordedAwsRequest['service'];
      record.service = service;
      record.region = signed.region;
      const fault = faults.find((f) => f.action === record.action && f.times > 0);
      if (fault) {
        fault.times--;
        throw new WireError(fault.status, fault.code, fault.message);
      }
      const region = regions.get(signed.region);
      if (service === 'monitoring') {
        if (target !== CW_TARGET) throw new WireError(400, 'UnknownOperationException', `Unknown target ${target}`);
        if (req.headers['content-type'] !== 'application/x-amz-json-1.0')
          throw new WireError(400, 'SerializationException', `Unexpected Content-Type ${req.headers['content-type']}`);
        const body = JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>;
        record.body = body;
        const answer = getMetricData(
          body,
          region ?? { instances: [], volumes: [], snapshots: [], addresses: [], loadBalancers: [], metrics: [] },
        );
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() });
        res.end(JSON.stringify(answer));
        return;
      }
      let xml: string;
      if (service === 'sts') {
        if (params.Action !== 'GetCallerIdentity' || params.Version !== '2011-06-15')
          throw new WireError(400, 'InvalidAction', `Unknown action ${params.Action}`);
        xml = `<GetCallerIdentityResponse xmlns="${STS_NS}">${el('GetCallerIdentityResult', [
          el('Arn', `arn:aws:iam::${options.account}:user/burnrate-inventory`),
          el('UserId', 'AIDAEXAMPLEUSERID0001'),
          el('Account', options.account),
        ])}${el('ResponseMetadata', [el('RequestId', randomUUID())])}</GetCallerIdentityResponse>`;
      } else {
        if (!region) throw new WireError(401, 'AuthFailure', `This region (${signed.region}) is not enabled for the account`);
        if (service === 'ec2') {
          if (params.Version !== '2016-11-15') throw new WireError(400, 'InvalidParameterValue', `Unsupported Version ${params.Version}`);
          xml = ec2(record.action, params, region).replace(/^<(\w+Response)>/, `<$1 xmlns="${EC2_NS}">`);
        } else {
          if (params.Version !== '2015-12-01') throw new WireError(400, 'InvalidParameterValue', `Unsupported Version ${params.Version}`);
          xml = elb(record.action, params, region);
        }
      }
      res.writeHead(200, { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': randomUUID() });
      res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
    } catch (error) {
      const e =
        error instanceof WireError
          ? error
          : error instanceof SigV4Error
            ? new WireError(401, service === 'ec2' ? 'AuthFailure' : 'InvalidClientTokenId', error.message)
            : new WireError(500, 'InternalFailure', (error as Error).message);
      record.status = e.status;
      record.errorCode = e.code;
      if (service === 'monitoring') {
        const type = e.code === 'Throttling' ? 'com.amazon.coral.availability#ThrottlingException' : `com.amazonaws.cloudwatch#${e.code}`;
        res.writeHead(e.status, {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-requestid': randomUUID(),
          // Query-compatible JSON services name the Query-protocol error code here.
          'x-amzn-query-error': `${e.code};${e.status >= 500 ? 'Receiver' : 'Sender'}`,
        });
        res.end(JSON.stringify({ __type: type, message: e.message }));
      } else if (service === 'ec2') {
        res.writeHead(e.status, { 'content-type': 'text/xml;charset=UTF-8' });
        res.end(
          `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${esc(e.code)}</Code><Message>${esc(e.message)}</Message></Error></Errors><RequestID>${randomUUID()}</RequestID></Response>`,
        );
      } else {
        const ns = service === 'sts' ? STS_NS : ELB_NS;
        res.writeHead(e.status, { 'content-type': 'text/xml' });
        res.end(
          `<ErrorResponse xmlns="${ns}"><Error><Type>${e.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${esc(e.code)}</Code><Message>${esc(e.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
        );
      }
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    account: options.account,
    regions,
    requests,
    fail: (fault) => faults.push(fault),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
