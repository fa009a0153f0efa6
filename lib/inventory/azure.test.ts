// The Azure inventory connector through the official clients (@azure/identity, @azure/arm-compute,
// @azure/arm-network, @azure/arm-monitor) against a loopback HTTPS server speaking Entra ID's token
// endpoint and ARM's documented JSON (tests/helpers/azure-arm-server.ts). Metric bodies are the
// Metrics - List example of azure-rest-api-specs (tests/fixtures/azure-monitor/SOURCE.md), served
// as it is or renamed, and hand-written points whose expected values are worked out in comments.
// The last block writes what the connector yields into a real PostgreSQL.

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AzureArmServer, startAzureArmServer } from '../../tests/helpers/azure-arm-server';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { ConnectorError } from '../connectors/types';
import { getPool } from '../db/pool';
import { upsertResources } from '../resources/store';
import { azureGrain, createAzureInventoryConnector, isoDurationSeconds } from './azure';
import { inventoryKind, inventoryKindForSource } from './registry';
import { syncInventory } from './sync';
import type { InventoryConnector, ResourceRecord, SampleBatch } from './types';

const SUB = '3f2e1d0c-aaaa-4bbb-8ccc-0123456789ab';
const RG = `/subscriptions/${SUB}/resourceGroups/RG-Prod/providers`;
const WINDOW = { start: new Date('2021-04-20T09:00:00Z'), end: new Date('2021-04-20T14:00:00Z'), stepSeconds: 3600 };
const HOURS = [9, 10, 11, 12, 13].map((h) => Date.UTC(2021, 3, 20, h));

const EXAMPLE = JSON.parse(readFileSync('tests/fixtures/azure-monitor/GetMetric-2023-10-01.json', 'utf8')) as {
  responses: { 200: { body: MetricsBody } };
};
interface MetricsBody {
  cost: number;
  timespan: string;
  interval: string;
  namespace?: string;
  resourceregion?: string;
  value: {
    id: string;
    type: string;
    name: { value: string; localizedValue: string };
    unit: string;
    errorCode?: string;
    timeseries: { metadatavalues: { name: { value: string; localizedValue: string }; value: string }[]; data: Record<string, unknown>[] }[];
  }[];
}

/** A VM's answer in the example's envelope: one undimensioned series per metric. */
function vmBody(
  resourceId: string,
  metrics: Record<string, { unit: string; agg: 'average' | 'total'; values: (number | null)[] }>,
): MetricsBody {
  const example = structuredClone(EXAMPLE.responses[200].body);
  return {
    ...example,
    namespace: 'microsoft.compute/virtualmachines',
    value: Object.entries(metrics).map(([name, m]) => ({
      id: `${resourceId}/providers/Microsoft.Insights/metrics/${name}`,
      type: 'Microsoft.Insights/metrics',
      name: { value: name, localizedValue: name },
      unit: m.unit,
      errorCode: 'Success',
      timeseries: [
        {
          metadatavalues: [],
          data: m.values.map((v, i) => ({ timeStamp: new Date(HOURS[i] as number).toISOString(), ...(v === null ? {} : { [m.agg]: v }) })),
        },
      ],
    })),
  };
}

/** The example's dimensioned series renamed as Telegraf's nvidia_smi custom metrics (tier → uuid). */
function gpuBodyFromExample(uuids: Record<string, string>): MetricsBody {
  const example = structuredClone(EXAMPLE.responses[200].body);
  const rename: Record<string, string> = { BlobCount: 'utilization_gpu', BlobCapacity: 'memory_used' };
  return {
    ...example,
    namespace: 'telegraf/nvidia_smi',
    value: example.value.map((m) => ({
      ...m,
      name: { value: rename[m.name.value] as string, localizedValue: rename[m.name.value] as string },
      timeseries: m.timeseries.map((t) => ({
        ...t,
        metadatavalues: t.metadatavalues.map((d) => ({
          name: { value: 'uuid', localizedValue: 'uuid' },
          value: uuids[d.value] ?? d.value,
        })),
      })),
    })),
  };
}

const id = (type: string, name: string) => `${RG}/${type}/${name}`;
const WEB = id('Microsoft.Compute/virtualMachines', 'web-1');
const BATCH = id('Microsoft.Compute/virtualMachines', 'batch-2');
const GPU = id('Microsoft.Compute/virtualMachines', 'gpu-3');
const GONE = id('Microsoft.Compute/virtualMachines', 'gone-4');

function vm(vmId: string, name: string, size: string, power: string, extra: Record<string, unknown> = {}) {
  return {
    id: vmId,
    name,
    type: 'Microsoft.Compute/virtualMachines',
    location: 'westeurope',
    tags: { team: 'web' },
    properties: {
      vmId: `0000000${name.length}-0000-0000-0000-000000000000`,
      hardwareProfile: { vmSize: size },
      storageProfile: {
        osDisk: {
          osType: 'Linux',
          name: `${name}_OsDisk`,
          createOption: 'FromImage',
          managedDisk: { id: `/subscriptions/${SUB}/resourceGroups/RG-PROD/providers/Microsoft.Compute/disks/${name}_OsDisk` },
        },
        dataDisks: [],
      },
      networkProfile: { networkInterfaces: [{ id: id('Microsoft.Network/networkInterfaces', `${name}-nic`) }] },
      provisioningState: 'Succeeded',
      timeCreated: '2024-01-05T10:00:00Z',
      instanceView: {
        statuses: [
          { code: 'ProvisioningState/succeeded', level: 'Info', displayStatus: 'Provisioning succeeded', time: '2024-03-01T08:00:00Z' },
          { code: `PowerState/${power}`, level: 'Info', displayStatus: `VM ${power}` },
        ],
      },
      ...extra,
    },
  };
}

function sku(name: string, caps: Record<string, string>, resourceType = 'virtualMachines') {
  return {
    resourceType,
    name,
    tier: 'Standard',
    locations: ['westeurope'],
    capabilities: Object.entries(caps).map(([n, value]) => ({ name: n, value })),
    restrictions: [],
  };
}

let server: AzureArmServer;

function connector(secret?: string, maxRetries = 2): InventoryConnector {
  return createAzureInventoryConnector(
    {
      tenantId: server.tenantId,
      clientId: server.clientId,
      subscriptionIds: SUB,
      resourceManagerEndpoint: server.endpoint,
      authorityHost: server.endpoint,
    },
    { clientSecret: secret ?? server.clientSecret },
    { ca: server.ca, maxRetries },
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

beforeAll(async () => {
  server = await startAzureArmServer();
  const p = `/subscriptions/${SUB}/providers`;
  server.lists.set(`${p}/Microsoft.Compute/virtualMachines`, [
    vm(WEB, 'web-1', 'Standard_D2s_v3', 'running'),
    vm(BATCH, 'batch-2', 'Standard_D4s_v3', 'deallocated'),
    vm(GPU, 'gpu-3', 'Standard_NC24ads_A100_v4', 'running'),
  ]);
  server.lists.set(`${p}/Microsoft.Compute/skus`, [
    sku('Standard_D2s_v3', { vCPUs: '2', MemoryGB: '8' }),
    sku('Standard_D4s_v3', { vCPUs: '4', MemoryGB: '16' }),
    sku('Standard_NC24ads_A100_v4', { vCPUs: '24', MemoryGB: '220', GPUs: '1' }),
    sku('Premium_LRS', { MaxSizeGiB: '4' }, 'disks'),
  ]);
  server.lists.set(`${p}/Microsoft.Compute/disks`, [
    {
      id: id('Microsoft.Compute/disks', 'orphan-data'),
      name: 'orphan-data',
      location: 'westeurope',
      sku: { name: 'Premium_LRS', tier: 'Premium' },
      properties: {
        diskSizeGB: 128,
        diskState: 'Unattached',
        timeCreated: '2024-02-01T00:00:00Z',
        LastOwnershipUpdateTime: '2024-02-10T12:00:00Z',
        diskIOPSReadWrite: 500,
        diskMBpsReadWrite: 100,
        provisioningState: 'Succeeded',
        creationData: { createOption: 'Empty' },
      },
    },
    {
      id: `/subscriptions/${SUB}/resourceGroups/RG-PROD/providers/Microsoft.Compute/disks/web-1_OsDisk`,
      name: 'web-1_OsDisk',
      location: 'westeurope',
      managedBy: WEB,
      sku: { name: 'StandardSSD_LRS', tier: 'Standard' },
      properties: {
        diskSizeGB: 30,
        diskState: 'Attached',
        timeCreated: '2024-01-05T10:00:00Z',
        creationData: { createOption: 'FromImage' },
      },
    },
  ]);
  server.lists.set(`${p}/Microsoft.Compute/snapshots`, [
    {
      id: id('Microsoft.Compute/snapshots', 'snap-old'),
      name: 'snap-old',
      location: 'westeurope',
      sku: { name: 'Standard_LRS' },
      properties: {
        diskSizeGB: 64,
        timeCreated: '2023-06-01T00:00:00Z',
        incremental: true,
        provisioningState: 'Succeeded',
        creationData: { createOption: 'Copy', sourceResourceId: id('Microsoft.Compute/disks', 'Deleted-Disk') },
      },
    },
  ]);
  server.lists.set(`${p}/Microsoft.Network/publicIPAddresses`, [
    {
      id: id('Microsoft.Network/publicIPAddresses', 'web-1-ip'),
      name: 'web-1-ip',
      location: 'westeurope',
      sku: { name: 'Standard' },
      properties: {
        ipAddress: '20.1.2.3',
        publicIPAllocationMethod: 'Static',
        ipConfiguration: { id: `${id('Microsoft.Network/networkInterfaces', 'web-1-nic')}/ipConfigurations/ipconfig1` },
      },
    },
    {
      id: id('Microsoft.Network/publicIPAddresses', 'spare-ip'),
      name: 'spare-ip',
      location: 'westeurope',
      sku: { name: 'Standard' },
      properties: { ipAddress: '20.1.2.4', publicIPAllocationMethod: 'Static' },
    },
  ]);
  server.lists.set(`${p}/Microsoft.Network/loadBalancers`, [
    {
      id: id('Microsoft.Network/loadBalancers', 'lb-empty'),
      name: 'lb-empty',
      location: 'westeurope',
      sku: { name: 'Standard' },
      properties: {
        provisioningState: 'Succeeded',
        frontendIPConfigurations: [{ id: `${id('Microsoft.Network/loadBalancers', 'lb-empty')}/frontendIPConfigurations/fe`, name: 'fe' }],
        backendAddressPools: [
          { id: `${id('Microsoft.Network/loadBalancers', 'lb-empty')}/backendAddressPools/be`, name: 'be', properties: {} },
        ],
        loadBalancingRules: [],
      },
    },
  ]);

  // web-1: CPU with a hole at 11:00 (no value: no sample), network totals per hour, Available
  // Memory Bytes against Standard_D2s_v3's 8 GiB (Resource SKUs MemoryGB).
  server.metrics.set(`${WEB.toLowerCase()}|`, () =>
    vmBody(WEB, {
      'Percentage CPU': { unit: 'Percent', agg: 'average', values: [12.5, 80, null, 3.25, 50] },
      'Network In Total': { unit: 'Bytes', agg: 'total', values: [3_600_000, 7_200_000, 0, 360, 36] },
      'Network Out Total': { unit: 'Bytes', agg: 'total', values: [36_000, null, null, null, 7200] },
      'Available Memory Bytes': { unit: 'Bytes', agg: 'average', values: [6 * 2 ** 30, 2 * 2 ** 30, 8 * 2 ** 30, null, null] },
    }),
  );
  // gpu-3: Available Memory Percentage wins over the bytes; no network metrics at all.
  server.metrics.set(`${GPU.toLowerCase()}|`, () =>
    vmBody(GPU, {
      'Percentage CPU': { unit: 'Percent', agg: 'average', values: [1, 2, null, null, null] },
      'Available Memory Percentage': { unit: 'Percent', agg: 'average', values: [40, 90, null, null, null] },
      'Available Memory Bytes': { unit: 'Bytes', agg: 'average', values: [1, 1, null, null, null] },
    }),
  );
  server.metrics.set(`${GPU.toLowerCase()}|telegraf/nvidia_smi`, () =>
    gpuBodyFromExample({ Hot: 'GPU-0a1b2c3d-0000-0000-0000-000000000001', Standard: 'GPU-0a1b2c3d-0000-0000-0000-000000000002' }),
  );
  // batch-2 publishes the storage example's metrics (none a VM has): nothing is kept.
  server.metrics.set(`${BATCH.toLowerCase()}|`, () => structuredClone(EXAMPLE.responses[200].body));
});

afterAll(async () => {
  await server?.stop();
});

describe('time grains', () => {
  it('asks Azure for the finest grain it supports that is not finer than the step', () => {
    expect([60, 61, 300, 3600, 3601, 86_400, 10 ** 6].map((s) => azureGrain(s).iso)).toEqual([
      'PT1M',
      'PT5M',
      'PT5M',
      'PT1H',
      'PT6H',
      'P1D',
      'P1D',
    ]);
    expect(['PT1M', 'PT5M', 'PT1H', 'P1D', 'PT1H30M', 'P', 'garbage', undefined].map(isoDurationSeconds)).toEqual([
      60,
      300,
      3600,
      86_400,
      5400,
      null,
      null,
      null,
    ]);
  });
});

describe('inventory', () => {
  it('lists VMs with their power state and size specs, disks, snapshots, addresses and load balancers, ids case-folded', async () => {
    const records = await collect(connector().listResources());
    const byName = new Map(records.map((r) => [r.name, r]));
    expect(records.map((r) => `${r.kind}:${r.name}`)).toEqual([
      'instance:web-1',
      'instance:batch-2',
      'instance:gpu-3',
      'volume:orphan-data',
      'volume:web-1_OsDisk',
      'snapshot:snap-old',
      'address:web-1-ip',
      'address:spare-ip',
      'load_balancer:lb-empty',
    ]);
    for (const r of records) {
      expect(r.resourceId).toBe(r.resourceId.toLowerCase());
      expect(r).toMatchObject({ provider: 'azure', accountId: SUB, regionId: 'westeurope' });
    }
    expect(byName.get('web-1')).toMatchObject({
      resourceId: WEB.toLowerCase(),
      resourceType: 'Standard_D2s_v3',
      state: 'running',
      createdAt: new Date('2024-01-05T10:00:00Z'),
      tags: { team: 'web' },
      details: {
        vCpus: 2,
        memoryGb: 8,
        gpuCount: 0,
        osDiskId: `/subscriptions/${SUB}/resourcegroups/rg-prod/providers/microsoft.compute/disks/web-1_osdisk`,
        networkInterfaceIds: [id('Microsoft.Network/networkInterfaces', 'web-1-nic').toLowerCase()],
      },
    });
    expect(byName.get('batch-2')).toMatchObject({ state: 'deallocated', details: { memoryGb: 16 } });
    expect(byName.get('gpu-3')?.details).toMatchObject({ vCpus: 24, memoryGb: 220, gpuCount: 1 });
    expect(byName.get('orphan-data')).toMatchObject({
      state: 'Unattached',
      attachedTo: null,
      resourceType: 'Premium_LRS',
      sizeGb: '128',
      createdAt: new Date('2024-02-01T00:00:00Z'),
      details: { lastOwnershipUpdateTime: '2024-02-10T12:00:00.000Z', iops: 500, throughputMBps: 100 },
    });
    expect(byName.get('web-1_OsDisk')).toMatchObject({ state: 'Attached', attachedTo: WEB.toLowerCase(), sizeGb: '30' });
    expect(byName.get('snap-old')).toMatchObject({
      attachedTo: id('Microsoft.Compute/disks', 'deleted-disk').toLowerCase(),
      sizeGb: '64',
      createdAt: new Date('2023-06-01T00:00:00Z'),
    });
    expect(byName.get('web-1-ip')).toMatchObject({
      state: 'associated',
      attachedTo: id('Microsoft.Network/networkInterfaces', 'web-1-nic').toLowerCase(),
      details: { ipAddress: '20.1.2.3' },
    });
    expect(byName.get('spare-ip')).toMatchObject({ state: 'unassociated', attachedTo: null });
    expect(byName.get('lb-empty')).toMatchObject({ state: 'Succeeded', details: { targets: 0, rules: 0, frontends: 1 } });

    // Pages of two: every list followed its nextLink; one SKU listing for the one region; the VM
    // listing asked for the instance view.
    const vmCalls = server.requests.filter((r) => r.path.endsWith('/Microsoft.Compute/virtualMachines'));
    expect(vmCalls.map((r) => [r.query.statusOnly, r.query.$skiptoken])).toEqual([
      ['true', undefined],
      ['true', '2'],
    ]);
    expect(server.requests.filter((r) => r.path.endsWith('/skus')).map((r) => r.query.$filter)).toEqual([
      "location eq 'westeurope'",
      "location eq 'westeurope'",
    ]);
    expect(server.tokenRequests.at(-1)).toMatchObject({ grant_type: 'client_credentials', scope: `${server.endpoint}/.default` });
  });
});

describe('metrics', () => {
  let batches: SampleBatch[];
  beforeAll(async () => {
    const c = connector();
    const resources = await collect(c.listResources());
    const gone: ResourceRecord = {
      provider: 'azure',
      resourceId: GONE,
      kind: 'instance',
      resourceType: 'Standard_D2s_v3',
      regionId: 'westeurope',
    };
    batches = await collect(c.fetchMetrics([...resources, gone], WINDOW));
  });
  const find = (resourceId: string, metric: string, sub?: string) =>
    batches.find((b) => b.resourceId === resourceId.toLowerCase() && b.metric === metric && b.subResourceId === sub);

  it('maps Percentage CPU as it is and skips grains without a value', () => {
    expect(find(WEB, 'cpu_utilization')).toEqual({
      provider: 'azure',
      resourceId: WEB.toLowerCase(),
      metric: 'cpu_utilization',
      timestamps: [HOURS[0], HOURS[1], HOURS[3], HOURS[4]],
      values: [12.5, 80, 3.25, 50],
    });
  });

  it('turns Network In/Out Total (bytes per hour) into bytes per second', () => {
    // 3,600,000 B / 3600 s = 1000 B/s; 7,200,000 → 2000; 0 → 0; 360 → 0.1; 36 → 0.01.
    expect(find(WEB, 'network_in')?.values).toEqual([1000, 2000, 0, 0.1, 0.01]);
    expect(find(WEB, 'network_out')).toMatchObject({ timestamps: [HOURS[0], HOURS[4]], values: [10, 2] });
  });

  it('derives memory utilization from Available Memory Bytes and the size memory, or from Available Memory Percentage', () => {
    // 8 GiB VM: 6 GiB available → 25 % used; 2 GiB → 75 %; 8 GiB → 0 %.
    expect(find(WEB, 'memory_utilization')?.values).toEqual([25, 75, 0]);
    // 40 % and 90 % available → 60 % and 10 % used (the bytes, 1 B, are not used).
    expect(find(GPU, 'memory_utilization')?.values).toEqual([60, 10]);
  });

  it('reads Telegraf nvidia_smi custom metrics per GPU uuid, MiB converted to bytes', () => {
    const one = 'GPU-0a1b2c3d-0000-0000-0000-000000000001';
    const two = 'GPU-0a1b2c3d-0000-0000-0000-000000000002';
    // The example's BlobCount Hot series (7 at every hour) and Standard (2), renamed.
    expect(find(GPU, 'gpu_utilization', one)).toMatchObject({ timestamps: HOURS, values: [7, 7, 7, 7, 7] });
    expect(find(GPU, 'gpu_utilization', two)?.values).toEqual([2, 2, 2, 2, 2]);
    // BlobCapacity Standard 621492 and Hot 4733, read as MiB: × 1,048,576.
    expect(find(GPU, 'gpu_memory_used', two)?.values).toEqual(Array(5).fill(651_681_595_392));
    expect(find(GPU, 'gpu_memory_used', one)?.values).toEqual(Array(5).fill(4_962_910_208));
    // The three dimensionless tiers (Cool, Archive, Untiered) kept their names as uuids.
    expect(batches.filter((b) => b.resourceId === GPU.toLowerCase() && b.subResourceId !== undefined)).toHaveLength(10);
  });

  it('keeps nothing for a VM without the metrics or without GPUs, and skips a VM that vanished (404)', () => {
    expect(batches.filter((b) => b.resourceId === BATCH.toLowerCase())).toEqual([]);
    expect(batches.filter((b) => b.resourceId === GONE.toLowerCase())).toEqual([]);
    expect(find(GPU, 'network_in')).toBeUndefined();
    // Only the GPU size was asked for the custom namespace.
    const custom = server.requests.filter((r) => r.query.metricnamespace === 'Telegraf/nvidia_smi');
    expect(custom.map((r) => r.path.toLowerCase())).toContain(`${GPU.toLowerCase()}/providers/microsoft.insights/metrics`);
    expect(new Set(custom.map((r) => r.path.toLowerCase())).size).toBe(1);
  });
});

describe('failures', () => {
  it('retries a throttled call as Retry-After says, then succeeds', async () => {
    server.fail({
      status: 429,
      path: /web-1\/providers\/Microsoft\.Insights\/metrics$/,
      times: 2,
      retryAfter: '0',
      code: 'TooManyRequests',
    });
    const before = server.requests.length;
    const out = await collect(
      connector().fetchMetrics([{ provider: 'azure', resourceId: WEB, kind: 'instance', details: { memoryGb: 8 } }], WINDOW),
    );
    expect(out.map((b) => b.metric)).toEqual(['cpu_utilization', 'network_in', 'network_out', 'memory_utilization']);
    expect(server.requests.slice(before).filter((r) => r.path.endsWith('/metrics'))).toHaveLength(3);
  });

  it('gives up on throttling after the retries with THROTTLED', async () => {
    server.fail({
      status: 429,
      path: /web-1\/providers\/Microsoft\.Insights\/metrics$/,
      times: 3,
      retryAfter: '0',
      code: 'TooManyRequests',
    });
    const error = await connectorError(
      collect(connector(undefined, 2).fetchMetrics([{ provider: 'azure', resourceId: WEB, kind: 'instance' }], WINDOW)),
    );
    expect(error.code).toBe('THROTTLED');
    expect(error.message).toMatch(/throttled while reading the Azure Monitor metrics of .*web-1 after the retries \(HTTP 429\)/);
  });

  it('reports an expired client secret as AUTH, naming the principal and never the secret', async () => {
    const error = await connectorError(connector(server.expiredSecret).testConnection());
    expect(error.code).toBe('AUTH');
    expect(error.message).toContain(`the service principal ${server.clientId}`);
    expect(error.message).toContain('the client secret has expired');
    expect(error.message).toContain('AADSTS7000222');
    expect(error.message).not.toContain(server.expiredSecret);
  });

  it('reports a wrong client secret as AUTH without the secret', async () => {
    const wrong = 'wrong-secret-value-1234';
    const error = await connectorError(collect(connector(wrong).listResources()));
    expect(error.code).toBe('AUTH');
    expect(error.message).toMatch(
      /could not sign in as the service principal .* while listing the virtual machines of subscription .*: the client secret is wrong/,
    );
    expect(error.message).not.toContain(wrong);
  });

  it('reports a missing role assignment (403) as AUTH naming the roles', async () => {
    server.fail({
      status: 403,
      path: /Microsoft\.Compute\/disks$/,
      code: 'AuthorizationFailed',
      message: 'The client does not have authorization to perform action',
    });
    const error = await connectorError(collect(connector().listResources()));
    expect(error.code).toBe('AUTH');
    expect(error.message).toContain('is not allowed to list the managed disks');
    expect(error.message).toContain('Reader and Monitoring Reader');
  });

  it('refuses a configuration that is not Azure ids, naming the field', () => {
    expect(() =>
      createAzureInventoryConnector({ tenantId: 'x', clientId: 'not-a-guid', subscriptionIds: ' , ' }, { clientSecret: 's' }),
    ).toThrow(
      /tenantId: must be a tenant ID.*clientId: must be the application \(client\) ID.*subscriptionIds: name at least one subscription/,
    );
  });
});

describe('registry', () => {
  it('normalizes the subscription list as the form sends it, and needs the client secret', () => {
    const kind = inventoryKind('azure_inventory');
    expect(inventoryKindForSource('azure_inventory')).toBe(kind);
    const config = { tenantId: server.tenantId, clientId: server.clientId };
    const upper = SUB.toUpperCase();
    expect(kind?.configSchema.safeParse({ ...config, subscriptionIds: ` ${upper},${SUB}  ${SUB}` })).toEqual({
      success: true,
      data: { ...config, subscriptionIds: SUB },
    });
    expect(kind?.configSchema.safeParse({ ...config, subscriptionIds: `${SUB}, prod` }).success).toBe(false);
    expect(() => kind?.create({ ...config, subscriptionIds: SUB })).toThrow(
      'Invalid Azure service principal secret: clientSecret: is missing',
    );
    expect(kind?.credentialBoundFields).toEqual(['tenantId', 'clientId', 'authorityHost', 'resourceManagerEndpoint']);
  });
});

describe('into the database', () => {
  let url: string;
  beforeAll(async () => {
    url = await useTestDatabase();
  });

  it('syncs the inventory and samples under case-folded ids that a bill in upper case also meets; a deleted disk is marked gone', async () => {
    const [source] = await sql<{ id: number }>(
      url,
      `INSERT INTO billing_sources (name, provider, kind, inventory_enabled, inventory_config) VALUES ('azure-inv', 'azure', 'azure_inventory', true, '{}') RETURNING id`,
    );
    const sourceId = source?.id as number;
    const now = new Date('2021-04-20T14:00:00Z');
    const first = await syncInventory({ sourceId, sourceName: 'azure-inv', connector: connector(), now, stepSeconds: 3600 });
    // 3 VMs, 2 disks, 1 snapshot, 2 addresses, 1 load balancer.
    expect(first.resourcesListed).toBe(9);
    // A cost export spells the resource group in upper case.
    await upsertResources(getPool(), [{ provider: 'azure', resourceId: WEB.toUpperCase(), kind: 'instance' }], { origin: 'bill' });
    const rows = await sql<{ resource_id: string; state: string; seen_in_bill: boolean; seen_in_inventory: boolean; samples: string }>(
      url,
      `SELECT r.resource_id, r.state, r.seen_in_bill, r.seen_in_inventory,
              (SELECT count(*) FROM metric_samples m JOIN metric_series s ON s.id = m.series_id WHERE s.resource_pk = r.id)::text AS samples
         FROM resources r WHERE r.provider = 'azure' AND r.name = 'web-1'`,
    );
    // 4 CPU + 5 network in + 2 network out + 3 memory samples.
    expect(rows).toEqual([
      { resource_id: WEB.toLowerCase(), state: 'running', seen_in_bill: true, seen_in_inventory: true, samples: '14' },
    ]);

    const disksPath = `/subscriptions/${SUB}/providers/Microsoft.Compute/disks`;
    const disks = server.lists.get(disksPath) as { name: string }[];
    server.lists.set(
      disksPath,
      disks.filter((d) => d.name !== 'orphan-data'),
    );
    try {
      const second = await syncInventory({
        sourceId,
        sourceName: 'azure-inv',
        connector: connector(),
        now: new Date(now.getTime() + 3_600_000),
        stepSeconds: 3600,
      });
      expect(second.resourcesGone).toBe(1);
    } finally {
      server.lists.set(disksPath, disks);
    }
    const gone = await sql<{ resource_id: string }>(
      url,
      "SELECT resource_id FROM resources WHERE provider = 'azure' AND gone_at IS NOT NULL",
    );
    expect(gone.map((g) => g.resource_id)).toEqual([id('Microsoft.Compute/disks', 'orphan-data').toLowerCase()]);
  });
});
