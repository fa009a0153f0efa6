// The Google Cloud inventory connector through the official @google-cloud/compute and
// @google-cloud/monitoring clients in their HTTP/JSON mode, pointed at the loopback server of
// tests/helpers/gcp-server.ts, which verifies each call's self-signed service-account JWT and
// answers with Compute Engine's aggregated lists and Cloud Monitoring's timeSeries.list JSON as
// documented (uint64 ids as strings, RFC 3339 timestamps with offsets, newest point first).
// Expected values are worked out by hand in the comments. The last block writes what the
// connector yields into a real PostgreSQL.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import {
  createServiceAccount,
  GcpHttpError,
  type GcpTestServer,
  startGcpServer,
  type TestServiceAccount,
} from '../../tests/helpers/gcp-server';
import { ConnectorError } from '../connectors/types';
import { getPool } from '../db/pool';
import { upsertResources } from '../resources/store';
import { encryptSecret } from '../secrets';
import { createGcpInventoryConnector, gcpResourceId } from './gcp';
import { inventoryConnectorForSource, inventoryKind, inventoryKindForSource } from './registry';
import { syncInventory } from './sync';
import type { InventoryConnector, ResourceRecord, SampleBatch } from './types';

const P = 'shop-prod';
const API = 'https://compute.googleapis.com/compute/v1';
const link = (path: string) => `${API}/projects/${P}/${path}`;
const WEB = gcpResourceId(P, 'zones/us-central1-a', 'instances', '1234567890');
// Above 2^53: survives only as text.
const TRAIN = gcpResourceId(P, 'zones/europe-west4-a', 'instances', '2000000000000000002');
const OLD = gcpResourceId(P, 'zones/us-central1-a', 'instances', '3000');
const GONE = gcpResourceId(P, 'zones/us-central1-a', 'instances', '8888');
const WINDOW = { start: new Date('2024-03-01T00:00:00Z'), end: new Date('2024-03-01T04:00:00Z'), stepSeconds: 3600 };
const at = (h: number) => Date.UTC(2024, 2, 1, h);

let server: GcpTestServer;
let account: TestServiceAccount;
/** Addresses the fake project no longer has (released since the last listing). */
const released = new Set<string>();

const instances = {
  page1: {
    'zones/us-central1-a': {
      instances: [
        {
          id: '1234567890',
          name: 'web-1',
          zone: link('zones/us-central1-a'),
          machineType: link('zones/us-central1-a/machineTypes/n2-standard-4'),
          status: 'RUNNING',
          creationTimestamp: '2024-01-05T02:00:00.000-08:00',
          labels: { team: 'web' },
          selfLink: link('zones/us-central1-a/instances/web-1'),
          disks: [{ source: link('zones/us-central1-a/disks/web-1'), boot: true }],
          scheduling: { provisioningModel: 'STANDARD' },
        },
        {
          id: '3000',
          name: 'old-3',
          zone: link('zones/us-central1-a'),
          machineType: link('zones/us-central1-a/machineTypes/n1-standard-2'),
          status: 'TERMINATED',
          creationTimestamp: '2023-05-01T00:00:00.000-07:00',
          lastStopTimestamp: '2024-02-20T10:00:00.000-08:00',
          selfLink: link('zones/us-central1-a/instances/old-3'),
        },
      ],
    },
  },
  page2: {
    'zones/europe-west4-a': {
      instances: [
        {
          id: '2000000000000000002',
          name: 'train-2',
          zone: link('zones/europe-west4-a'),
          machineType: link('zones/europe-west4-a/machineTypes/a2-highgpu-1g'),
          status: 'RUNNING',
          creationTimestamp: '2024-02-01T00:00:00.000+01:00',
          labels: { team: 'ml' },
          selfLink: link('zones/europe-west4-a/instances/train-2'),
          guestAccelerators: [{ acceleratorType: link('zones/europe-west4-a/acceleratorTypes/nvidia-tesla-a100'), acceleratorCount: 1 }],
        },
      ],
    },
    'zones/asia-east1-a': {
      warning: { code: 'NO_RESULTS_ON_PAGE', message: "There are no results for scope 'zones/asia-east1-a' on this page." },
    },
  },
};

interface Point {
  end: string;
  value: { doubleValue?: number; int64Value?: string };
}
function series(metricType: string, instanceId: string, zone: string, points: Point[], metricLabels: Record<string, string> = {}) {
  return {
    metric: { type: metricType, labels: metricLabels },
    resource: { type: 'gce_instance', labels: { project_id: P, instance_id: instanceId, zone } },
    metricKind: 'GAUGE',
    valueType: 'DOUBLE',
    points: points.map((p) => ({ interval: { startTime: p.end, endTime: p.end }, value: p.value })),
  };
}
const d = (v: number) => ({ doubleValue: v });
const hh = (h: number) => `2024-03-01T0${h}:00:00Z`;

const TIME_SERIES: Record<string, unknown[]> = {
  // Fractions, newest first: 0.5 at 03:00, 0.25 at 02:00, 0.125 at 01:00 → 50, 25, 12.5 %.
  'compute.googleapis.com/instance/cpu/utilization': [
    series('compute.googleapis.com/instance/cpu/utilization', '1234567890', 'us-central1-a', [
      { end: hh(3), value: d(0.5) },
      { end: hh(2), value: d(0.25) },
      { end: hh(1), value: d(0.125) },
    ]),
    series('compute.googleapis.com/instance/cpu/utilization', '2000000000000000002', 'europe-west4-a', [{ end: hh(1), value: d(0.9) }]),
    // An instance nobody asked about.
    series('compute.googleapis.com/instance/cpu/utilization', '999', 'us-central1-a', [{ end: hh(1), value: d(0.1) }]),
  ],
  'agent.googleapis.com/memory/percent_used': [
    series(
      'agent.googleapis.com/memory/percent_used',
      '1234567890',
      'us-central1-a',
      [
        { end: hh(2), value: d(41) },
        { end: hh(1), value: d(40.5) },
      ],
      { state: 'used' },
    ),
  ],
  'compute.googleapis.com/instance/network/received_bytes_count': [
    series('compute.googleapis.com/instance/network/received_bytes_count', '1234567890', 'us-central1-a', [
      { end: hh(2), value: d(2000) },
      { end: hh(1), value: d(1000.5) },
    ]),
  ],
  'agent.googleapis.com/gpu/utilization': [
    series(
      'agent.googleapis.com/gpu/utilization',
      '2000000000000000002',
      'europe-west4-a',
      [
        { end: hh(2), value: d(3.5) },
        { end: hh(1), value: d(0) },
      ],
      { uuid: 'GPU-5b3a0000-0000-0000-0000-00000000a100', gpu_number: '0', model: 'NVIDIA A100-SXM4-40GB' },
    ),
  ],
  // 1 GiB and 2 GiB used; free makes 40 GiB (42,949,672,960 B) in total at both times.
  'agent.googleapis.com/gpu/memory/bytes_used': [
    {
      ...series(
        'agent.googleapis.com/gpu/memory/bytes_used',
        '2000000000000000002',
        'europe-west4-a',
        [
          { end: hh(2), value: { int64Value: '2147483648' } },
          { end: hh(1), value: { int64Value: '1073741824' } },
        ],
        { uuid: 'GPU-5b3a0000-0000-0000-0000-00000000a100', gpu_number: '0', memory_state: 'used' },
      ),
      valueType: 'INT64',
    },
    {
      ...series(
        'agent.googleapis.com/gpu/memory/bytes_used',
        '2000000000000000002',
        'europe-west4-a',
        [
          { end: hh(2), value: { int64Value: '40802189312' } },
          { end: hh(1), value: { int64Value: '41875931136' } },
        ],
        { uuid: 'GPU-5b3a0000-0000-0000-0000-00000000a100', gpu_number: '0', memory_state: 'free' },
      ),
      valueType: 'INT64',
    },
  ],
};

function withoutReleased(items: Record<string, { addresses: ({ id: string } & Record<string, unknown>)[] }>) {
  const kept = Object.fromEntries(
    Object.entries(items).map(([scope, v]) => [scope, { addresses: v.addresses.filter((a) => !released.has(a.id)) }]),
  );
  return aggregated('address', kept);
}

function aggregated(name: string, items: Record<string, unknown>, next?: string) {
  return {
    kind: `compute#${name}AggregatedList`,
    id: `projects/${P}/aggregated/${name}s`,
    items,
    ...(next ? { nextPageToken: next } : {}),
  };
}

beforeAll(async () => {
  server = await startGcpServer();
  account = createServiceAccount('inventory@shop-prod.iam.gserviceaccount.com', P);
  // Were the client to exchange the key at the token endpoint, it would meet the server's (which refuses).
  account.key.token_uri = `${server.endpoint}/token`;
  server.addServiceAccount(account.key.client_email, account.publicKey);

  server.route('GET', /^\/compute\/v1\/projects\/([^/]+)\/aggregated\/instances$/, (_m, url) =>
    url.searchParams.get('pageToken') === 'page-2'
      ? aggregated('instance', instances.page2)
      : aggregated('instance', instances.page1, 'page-2'),
  );
  server.route('GET', /^\/compute\/v1\/projects\/([^/]+)\/aggregated\/disks$/, () =>
    aggregated('disk', {
      'zones/us-central1-a': {
        disks: [
          {
            id: '4001',
            name: 'orphan',
            zone: link('zones/us-central1-a'),
            type: link('zones/us-central1-a/diskTypes/pd-balanced'),
            sizeGb: '200',
            status: 'READY',
            creationTimestamp: '2024-01-10T00:00:00.000-08:00',
            lastDetachTimestamp: '2024-02-01T00:00:00.000-08:00',
          },
          {
            id: '4002',
            name: 'web-1',
            zone: link('zones/us-central1-a'),
            type: link('zones/us-central1-a/diskTypes/pd-ssd'),
            sizeGb: '20',
            status: 'READY',
            users: [link('zones/us-central1-a/instances/web-1')],
            creationTimestamp: '2024-01-05T02:00:00.000-08:00',
          },
        ],
      },
    }),
  );
  server.route('GET', /^\/compute\/v1\/projects\/([^/]+)\/global\/snapshots$/, () => ({
    kind: 'compute#snapshotList',
    items: [
      {
        id: '5001',
        name: 'snap-old',
        sourceDisk: link('zones/us-central1-a/disks/deleted-disk'),
        sourceDiskId: '4999',
        diskSizeGb: '50',
        storageBytes: '1234567',
        status: 'READY',
        creationTimestamp: '2023-01-01T00:00:00.000-08:00',
        storageLocations: ['us'],
      },
    ],
  }));
  server.route('GET', /^\/compute\/v1\/projects\/([^/]+)\/aggregated\/forwardingRules$/, () =>
    aggregated('forwardingRule', {
      'regions/us-central1': {
        forwardingRules: [
          {
            id: '6001',
            name: 'fr-1',
            region: link('regions/us-central1'),
            IPAddress: '34.1.2.3',
            target: link('regions/us-central1/targetPools/pool-1'),
            loadBalancingScheme: 'EXTERNAL',
            portRange: '80-80',
            selfLink: link('regions/us-central1/forwardingRules/fr-1'),
            creationTimestamp: '2024-01-01T00:00:00.000-08:00',
          },
        ],
      },
    }),
  );
  server.route('GET', /^\/compute\/v1\/projects\/([^/]+)\/aggregated\/addresses$/, () =>
    withoutReleased({
      'regions/us-central1': {
        addresses: [
          {
            id: '7001',
            name: 'spare',
            region: link('regions/us-central1'),
            address: '34.1.2.4',
            status: 'RESERVED',
            addressType: 'EXTERNAL',
            creationTimestamp: '2023-12-01T00:00:00.000-08:00',
          },
          {
            id: '7002',
            name: 'fr-1-ip',
            region: link('regions/us-central1'),
            address: '34.1.2.3',
            status: 'IN_USE',
            addressType: 'EXTERNAL',
            users: [link('regions/us-central1/forwardingRules/fr-1')],
          },
        ],
      },
    }),
  );
  server.route('GET', /^\/v3\/projects\/([^/]+)\/timeSeries$/, (_m, url) => {
    const type = /metric\.type = "([^"]+)"/.exec(url.searchParams.get('filter') ?? '')?.[1] ?? '';
    if (type.includes('/disk/')) throw new GcpHttpError(404, `Cannot find metric(s) that match type = "${type}".`, 'notFound');
    return { timeSeries: TIME_SERIES[type] ?? [], unit: '' };
  });
});

afterAll(async () => {
  await server?.stop();
});

function connector(key = account.key, maxRetries = 2): InventoryConnector {
  return createGcpInventoryConnector(
    { projectIds: P, computeEndpoint: server.endpoint, monitoringEndpoint: server.endpoint },
    { serviceAccountKey: key },
    { maxRetries, initialRetryDelayMs: 1, maxRetryDelayMs: 2 },
  );
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function connectorError(promise: Promise<unknown>): Promise<ConnectorError> {
  const error = await promise.then(
    () => new Error('expected a ConnectorError, got success'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

describe('inventory', () => {
  it('lists instances across pages and zones, disks, snapshots, forwarding rules and addresses under global_name ids', async () => {
    const records = await collect(connector().listResources());
    expect(records.map((r) => `${r.kind}:${r.name}:${r.resourceId}`)).toEqual([
      `instance:web-1:${WEB}`,
      `instance:old-3:${OLD}`,
      `instance:train-2:${TRAIN}`,
      `volume:orphan:${gcpResourceId(P, 'zones/us-central1-a', 'disks', '4001')}`,
      `volume:web-1:${gcpResourceId(P, 'zones/us-central1-a', 'disks', '4002')}`,
      `snapshot:snap-old:${gcpResourceId(P, 'global', 'snapshots', '5001')}`,
      `load_balancer:fr-1:${gcpResourceId(P, 'regions/us-central1', 'forwardingRules', '6001')}`,
      `address:spare:${gcpResourceId(P, 'regions/us-central1', 'addresses', '7001')}`,
      `address:fr-1-ip:${gcpResourceId(P, 'regions/us-central1', 'addresses', '7002')}`,
    ]);
    const byName = new Map(records.filter((r) => r.kind !== 'volume').map((r) => [r.name, r]));
    expect(byName.get('web-1')).toMatchObject({
      provider: 'gcp',
      accountId: P,
      regionId: 'us-central1',
      resourceType: 'n2-standard-4',
      state: 'RUNNING',
      createdAt: new Date('2024-01-05T10:00:00Z'),
      tags: { team: 'web' },
      details: { zone: 'us-central1-a', gpuCount: 0 },
    });
    expect(byName.get('train-2')).toMatchObject({
      regionId: 'europe-west4',
      resourceType: 'a2-highgpu-1g',
      createdAt: new Date('2024-01-31T23:00:00Z'),
      details: { gpuCount: 1, accelerators: [{ type: 'nvidia-tesla-a100', count: 1 }] },
    });
    expect(byName.get('old-3')).toMatchObject({ state: 'TERMINATED', details: { lastStopTimestamp: '2024-02-20T18:00:00.000Z' } });
    const disks = records.filter((r) => r.kind === 'volume');
    expect(disks.map((r) => [r.state, r.attachedTo, r.sizeGb, r.resourceType])).toEqual([
      ['unattached', null, '200', 'pd-balanced'],
      ['in-use', WEB, '20', 'pd-ssd'],
    ]);
    expect(disks[0]?.details).toMatchObject({ lastDetachTimestamp: '2024-02-01T08:00:00.000Z' });
    // The snapshot's source, by id, although the disk is gone.
    expect(byName.get('snap-old')).toMatchObject({
      attachedTo: gcpResourceId(P, 'zones/us-central1-a', 'disks', '4999'),
      sizeGb: '50',
      state: 'READY',
      createdAt: new Date('2023-01-01T08:00:00Z'),
    });
    expect(byName.get('spare')).toMatchObject({ state: 'RESERVED', attachedTo: null, regionId: 'us-central1' });
    expect(byName.get('fr-1-ip')).toMatchObject({
      state: 'IN_USE',
      attachedTo: gcpResourceId(P, 'regions/us-central1', 'forwardingRules', '6001'),
    });
    expect(byName.get('fr-1')).toMatchObject({
      details: { ipAddress: '34.1.2.3', target: `projects/${P}/regions/us-central1/targetPools/pool-1` },
    });
    // Signed as the service account (a self-signed JWT), never through the token endpoint.
    const compute = server.requests.filter((r) => r.path.startsWith('/compute/'));
    expect(new Set(compute.map((r) => r.principal))).toEqual(new Set([`jwt:${account.key.client_email}`]));
    expect(server.requests.some((r) => r.path === '/token')).toBe(false);
  });
});

describe('metrics', () => {
  let batches: SampleBatch[];
  let before: number;
  beforeAll(async () => {
    const c = connector();
    const resources = await collect(c.listResources());
    const gone: ResourceRecord = { provider: 'gcp', resourceId: GONE, kind: 'instance' };
    before = server.requests.length;
    batches = await collect(c.fetchMetrics([...resources, gone], WINDOW));
  });
  const find = (resourceId: string, metric: string, sub?: string) =>
    batches.find((b) => b.resourceId === resourceId && b.metric === metric && b.subResourceId === sub);

  it('turns cpu/utilization fractions into percent, oldest first', () => {
    expect(find(WEB, 'cpu_utilization')).toEqual({
      provider: 'gcp',
      resourceId: WEB,
      metric: 'cpu_utilization',
      timestamps: [at(1), at(2), at(3)],
      values: [12.5, 25, 50],
    });
    expect(find(TRAIN, 'cpu_utilization')?.values).toEqual([90]);
  });

  it('reads the agent memory percent and network rates, and asks Monitoring for a mean or a rate per hour', () => {
    expect(find(WEB, 'memory_utilization')).toMatchObject({ timestamps: [at(1), at(2)], values: [40.5, 41] });
    expect(find(WEB, 'network_in')).toMatchObject({ timestamps: [at(1), at(2)], values: [1000.5, 2000] });
    const asked = server.requests.slice(before).filter((r) => r.path === `/v3/projects/${P}/timeSeries`);
    const byType = new Map(asked.map((r) => [/metric\.type = "([^"]+)"/.exec(r.query.filter ?? '')?.[1], r.query]));
    // The client sends enums by number: Aggregation.Aligner ALIGN_RATE = 2, ALIGN_MEAN = 12.
    expect(byType.get('compute.googleapis.com/instance/network/received_bytes_count')).toMatchObject({
      'aggregation.perSeriesAligner': '2',
      'aggregation.alignmentPeriod': '3600s',
      'interval.startTime': '2024-03-01T00:00:00.000Z',
      'interval.endTime': '2024-03-01T04:00:00.000Z',
    });
    expect(byType.get('agent.googleapis.com/memory/percent_used')?.filter).toContain('metric.labels.state = "used"');
    expect(byType.get('compute.googleapis.com/instance/cpu/utilization')?.['aggregation.perSeriesAligner']).toBe('12');
  });

  it('reads the Ops Agent GPU metrics per GPU uuid, total memory as used + free', () => {
    const gpu = 'GPU-5b3a0000-0000-0000-0000-00000000a100';
    expect(find(TRAIN, 'gpu_utilization', gpu)).toMatchObject({ timestamps: [at(1), at(2)], values: [0, 3.5] });
    expect(find(TRAIN, 'gpu_memory_used', gpu)?.values).toEqual([1_073_741_824, 2_147_483_648]);
    expect(find(TRAIN, 'gpu_memory_total', gpu)?.values).toEqual([42_949_672_960, 42_949_672_960]);
  });

  it('stores nothing for missing metrics, unknown metric types (404), other instances and a vanished one', () => {
    expect(find(WEB, 'network_out')).toBeUndefined();
    expect(batches.filter((b) => b.metric === 'disk_read_ops' || b.metric === 'disk_write_ops')).toEqual([]);
    expect(batches.filter((b) => b.resourceId === GONE || b.resourceId === OLD || b.resourceId.endsWith('/999'))).toEqual([]);
    // web-1: CPU, memory, network in; train-2: CPU, GPU utilization, GPU memory used and total.
    expect(batches).toHaveLength(7);
  });
});

describe('failures', () => {
  it('retries a throttled listing (429 RESOURCE_EXHAUSTED) and then succeeds', async () => {
    server.failNext({
      status: 429,
      reason: 'rateLimitExceeded',
      message: 'Quota exceeded for quota metric Read requests',
      path: /aggregated\/disks$/,
      times: 2,
    });
    const before = server.requests.length;
    const records = await collect(connector().listResources());
    expect(records.filter((r) => r.kind === 'volume')).toHaveLength(2);
    expect(server.requests.slice(before).filter((r) => r.path.endsWith('/aggregated/disks'))).toHaveLength(3);
  });

  it('gives up on throttling after the retries with THROTTLED', async () => {
    server.failNext({
      status: 429,
      reason: 'rateLimitExceeded',
      message: 'Quota exceeded for quota metric Read requests',
      path: /timeSeries$/,
      times: 3,
    });
    const error = await connectorError(
      collect(connector(account.key, 2).fetchMetrics([{ provider: 'gcp', resourceId: WEB, kind: 'instance' }], WINDOW)),
    );
    expect(error.code).toBe('THROTTLED');
    expect(error.message).toContain(
      'throttled while reading compute.googleapis.com/instance/cpu/utilization of project shop-prod after 2 retries',
    );
  });

  it('reports a deleted or expired key (401) as AUTH without the key', async () => {
    const revoked = createServiceAccount('revoked@shop-prod.iam.gserviceaccount.com', P);
    revoked.key.token_uri = `${server.endpoint}/token`;
    const error = await connectorError(connector(revoked.key).testConnection());
    expect(error.code).toBe('AUTH');
    expect(error.message).toContain('the service account revoked@shop-prod.iam.gserviceaccount.com');
    expect(error.message).not.toContain('PRIVATE KEY');
    expect(error.message).not.toContain(revoked.key.private_key_id);
  });

  it('reports a missing role (403) as AUTH naming the roles', async () => {
    server.failNext({
      status: 403,
      reason: 'forbidden',
      message: "Required 'compute.snapshots.list' permission for 'projects/shop-prod'",
      path: /global\/snapshots$/,
    });
    const error = await connectorError(collect(connector().listResources()));
    expect(error.code).toBe('AUTH');
    expect(error.message).toContain('is not allowed to list the snapshots of project shop-prod');
    expect(error.message).toContain('roles/compute.viewer and roles/monitoring.viewer');
  });

  it('refuses a configuration without a valid project, naming the field', () => {
    expect(() => createGcpInventoryConnector({ projectIds: 'shop-prod, Not A Project' })).toThrow(
      /projectIds\.1: each must be a Google Cloud project ID/,
    );
  });
});

describe('registry', () => {
  it('reads inventory with the stored key of a BigQuery billing source, the project list normalized as the form sends it', async () => {
    const kind = inventoryKind('gcp_inventory');
    expect(inventoryKindForSource('gcp_bigquery')).toBe(kind);
    expect(kind?.configSchema.safeParse({ projectIds: ' shop-prod,ml-train  shop-prod' })).toEqual({
      success: true,
      data: { projectIds: 'shop-prod, ml-train' },
    });
    const key = Buffer.alloc(32, 9);
    vi.stubEnv('BURNRATE_SECRET_KEY', key.toString('base64'));
    try {
      const { connector: c } = inventoryConnectorForSource({
        name: 'billing-export',
        kind: 'gcp_bigquery',
        inventoryEnabled: true,
        inventoryConfig: { projectIds: P, computeEndpoint: server.endpoint, monitoringEndpoint: server.endpoint },
        // The secret as the BigQuery form stores it: the key file's text.
        secretCiphertext: encryptSecret(JSON.stringify({ serviceAccountKey: JSON.stringify(account.key) }), key),
      });
      const records = await collect(c.listResources());
      expect(records.filter((r) => r.kind === 'instance').map((r) => r.name)).toEqual(['web-1', 'old-3', 'train-2']);
      expect(c.listedScope?.()).toEqual([{ provider: 'gcp', accountId: P }]);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe('into the database', () => {
  let url: string;
  beforeAll(async () => {
    url = await useTestDatabase();
  });

  it('syncs inventory and samples under the ids a billing export names as resource.global_name; a released address is marked gone', async () => {
    const [source] = await sql<{ id: number }>(
      url,
      `INSERT INTO billing_sources (name, provider, kind, inventory_enabled, inventory_config) VALUES ('gcp-inv', 'gcp', 'gcp_inventory', true, '{}') RETURNING id`,
    );
    const sourceId = source?.id as number;
    const now = new Date('2024-03-01T04:00:00Z');
    const first = await syncInventory({ sourceId, sourceName: 'gcp-inv', connector: connector(), now, stepSeconds: 3600 });
    expect(first.resourcesListed).toBe(9);
    await upsertResources(getPool(), [{ provider: 'gcp', resourceId: TRAIN, kind: 'instance' }], { origin: 'bill' });
    const rows = await sql<{ sub: string; seen_in_bill: boolean; seen_in_inventory: boolean; samples: string }>(
      url,
      `SELECT r.sub_resource_id AS sub, r.seen_in_bill, r.seen_in_inventory,
              (SELECT count(*) FROM metric_samples m JOIN metric_series s ON s.id = m.series_id WHERE s.resource_pk = r.id)::text AS samples
         FROM resources r WHERE r.provider = 'gcp' AND r.resource_id = $1 ORDER BY 1`,
      [TRAIN],
    );
    // The machine: 1 CPU sample; its GPU: 2 utilization + 2 used + 2 total.
    expect(rows).toEqual([
      { sub: '', seen_in_bill: true, seen_in_inventory: true, samples: '1' },
      { sub: 'GPU-5b3a0000-0000-0000-0000-00000000a100', seen_in_bill: false, seen_in_inventory: false, samples: '6' },
    ]);

    released.add('7001');
    try {
      const second = await syncInventory({
        sourceId,
        sourceName: 'gcp-inv',
        connector: connector(),
        now: new Date(now.getTime() + 3_600_000),
        stepSeconds: 3600,
      });
      expect(second.resourcesGone).toBe(1);
    } finally {
      released.clear();
    }
    const gone = await sql<{ resource_id: string }>(
      url,
      "SELECT resource_id FROM resources WHERE provider = 'gcp' AND gone_at IS NOT NULL",
    );
    expect(gone.map((g) => g.resource_id)).toEqual([gcpResourceId(P, 'regions/us-central1', 'addresses', '7001')]);
  });
});
