/**
 * The inventory connector kinds (issue 9): what each needs (config and secret schemas, the form
 * fields generated from them) and how to build its InventoryConnector — the inventory side of
 * lib/connectors/registry.ts, with the same field, credential and endpoint rules.
 *
 * A source reads inventory in one of two ways:
 * - a billing source whose credentials can also list resources and read metrics (`billingKinds`:
 *   aws_s3 and aws_cost_explorer for AWS) turns on `inventory_enabled`; its inventory settings
 *   (regions, endpoints) are `inventory_config`, and it shares the billing kind's stored secret,
 *   which this kind's secret schema must therefore accept;
 * - an inventory-only source, for credentials no billing kind has (an Azure service principal, a
 *   Prometheus URL) or a separate AWS role: billing_sources.kind is the inventory kind's id, its
 *   settings are `inventory_config` too and `inventory_enabled` is always true.
 *
 * Adding a kind = one `defineInventoryKind({...})` entry in INVENTORY_KINDS (its id ends in
 * `_inventory` or names the system, e.g. `prometheus`, and must not be a billing kind's). The
 * sources page, the save action, the hourly job and lib/inventory/sync.ts read everything from here.
 */
import type { z } from 'zod';
import { assertEndpointAllowed } from '../connectors/endpoint-guard';
import { GcpServiceAccountCredentials } from '../connectors/gcp-bigquery';
import type { ConnectorKindId } from '../connectors/kinds';
import {
  type ConnectorKindForm,
  connectorKindForms,
  customEndpoints,
  describeIssues,
  readStoredSecret,
  type SourceFormField,
} from '../connectors/registry';
import { ConnectorError } from '../connectors/types';
import type { ResourceProvider } from '../resources/normalize';
import { AwsInventoryConfig, AwsInventoryCredentials, createAwsInventoryConnector } from './aws';
import { AzureInventoryConfig, AzureInventoryCredentials, createAzureInventoryConnector } from './azure';
import { createGcpInventoryConnector, GcpInventoryConfig } from './gcp';
import { createPrometheusConnector, PrometheusInventoryConfig, PrometheusSecret } from './prometheus';
import type { InventoryConnector } from './types';

/** An inventory kind with its types erased, as the registry stores it; create() validates its inputs. */
export interface InventoryKind {
  kind: string;
  label: string;
  /** The provider of the resources it lists (what a listing's scope marks gone); 'other' for mixed. */
  provider: ResourceProvider;
  description: string;
  /** Billing kinds whose sources can turn this inventory on with their own stored credentials. */
  billingKinds: readonly ConnectorKindId[];
  configSchema: z.ZodType;
  secretSchema?: z.ZodType;
  /** false: without a typed secret the SDK's default credential chain is used. */
  secretRequired: boolean;
  configFields: readonly SourceFormField[];
  /** The credential fields of an inventory-only source (a billing source's are its billing kind's). */
  secretFields: readonly SourceFormField[];
  secretLabel: string;
  /** Config fields that decide where the credentials are sent; changing one needs them typed again. */
  credentialBoundFields: readonly string[];
  create(config: unknown, secret?: unknown): InventoryConnector;
}

interface InventoryKindDefinition<C extends z.ZodType, S extends z.ZodType> {
  label: string;
  provider: ResourceProvider;
  description: string;
  billingKinds?: readonly ConnectorKindId[];
  configSchema: C;
  secretSchema?: S;
  secretRequired: boolean;
  configFields: readonly SourceFormField[];
  secretFields?: readonly SourceFormField[];
  secretLabel?: string;
  credentialBoundFields: readonly (keyof z.output<C> & string)[];
  create(config: z.output<C>, secret?: z.output<S>): InventoryConnector;
}

function defineInventoryKind<C extends z.ZodType, S extends z.ZodType>(kind: string, def: InventoryKindDefinition<C, S>): InventoryKind {
  return {
    kind,
    label: def.label,
    provider: def.provider,
    description: def.description,
    billingKinds: def.billingKinds ?? [],
    configSchema: def.configSchema,
    secretSchema: def.secretSchema,
    secretRequired: def.secretRequired,
    configFields: def.configFields,
    secretFields: def.secretFields ?? [],
    secretLabel: def.secretLabel ?? 'credentials',
    credentialBoundFields: def.credentialBoundFields,
    create(config, secret) {
      const cfg = def.configSchema.safeParse(config);
      if (!cfg.success)
        throw new ConnectorError(`${def.label}: the stored inventory settings are invalid (${describeIssues(cfg.error)})`, 'CONFIG');
      const endpoints = customEndpoints(def.credentialBoundFields, cfg.data as Record<string, unknown>);
      if (secret === undefined || def.secretSchema === undefined) return guardEndpoints(def.create(cfg.data), endpoints);
      const sec = def.secretSchema.safeParse(secret);
      // Paths and rules only: zod does not quote the (secret) values.
      if (!sec.success)
        throw new ConnectorError(`${def.label}: the stored credentials are invalid (${describeIssues(sec.error)})`, 'CONFIG');
      return guardEndpoints(def.create(cfg.data, sec.data), endpoints);
    },
  };
}

/** Every call first checks the custom endpoints (no link-local or cloud metadata address), as billing connectors do. */
function guardEndpoints(connector: InventoryConnector, endpoints: readonly string[]): InventoryConnector {
  if (endpoints.length === 0) return connector;
  const check = async () => {
    for (const endpoint of endpoints) await assertEndpointAllowed(endpoint);
  };
  return {
    testConnection: async (signal) => {
      await check();
      return connector.testConnection(signal);
    },
    listResources: (signal) =>
      (async function* () {
        await check();
        yield* connector.listResources(signal);
      })(),
    fetchMetrics: (resources, window, signal) =>
      (async function* () {
        await check();
        yield* connector.fetchMetrics(resources, window, signal);
      })(),
    listedScope: connector.listedScope ? () => connector.listedScope?.() ?? [] : undefined,
  };
}

const AWS_CREDENTIAL_FIELDS: readonly SourceFormField[] = [
  { name: 'accessKeyId', label: 'Access key ID', input: 'text', placeholder: 'AKIA…' },
  { name: 'secretAccessKey', label: 'Secret access key', input: 'password' },
  { name: 'sessionToken', label: 'Session token', input: 'password', help: 'Only for temporary credentials.' },
];

export const INVENTORY_KINDS: Readonly<Record<string, InventoryKind>> = {
  aws_inventory: defineInventoryKind('aws_inventory', {
    label: 'AWS inventory and CloudWatch metrics',
    provider: 'aws',
    description:
      'EC2 instances, EBS volumes and snapshots, Elastic IPs and load balancers in the listed regions, with their CloudWatch utilization (CPU, network, disk, and memory and GPU from the CloudWatch agent). Needs ec2:Describe*, elasticloadbalancing:Describe* and cloudwatch:GetMetricData.',
    billingKinds: ['aws_s3', 'aws_cost_explorer'],
    configSchema: AwsInventoryConfig,
    secretSchema: AwsInventoryCredentials,
    secretRequired: false,
    secretLabel: 'access key',
    credentialBoundFields: ['endpoint'],
    configFields: [
      {
        name: 'regions',
        label: 'Regions',
        input: 'text',
        required: true,
        placeholder: 'us-east-1, eu-west-1',
        help: 'The regions to list and read metrics in, separated by commas.',
      },
      {
        name: 'endpoint',
        label: 'Endpoint URL',
        input: 'url',
        advanced: true,
        help: 'Only for testing: one endpoint for EC2, ELB, CloudWatch and STS. Leave empty for AWS.',
      },
    ],
    secretFields: AWS_CREDENTIAL_FIELDS,
    create: (config, secret) => createAwsInventoryConnector(config, secret),
  }),
  prometheus: defineInventoryKind('prometheus', {
    label: 'Prometheus (node_exporter and DCGM exporter)',
    // Mixed: the label mapping names AWS, Azure or GCP ids, and unmapped hosts are 'other'.
    provider: 'other',
    description:
      "Machines and GPUs a Prometheus server scrapes with node_exporter and NVIDIA's DCGM exporter, on-premises included, and their utilization (CPU, memory, network, GPU utilization, SM activity and memory), mapped to cloud resource ids by a label, a host table or a regex. Needs read access to /api/v1/query and /api/v1/query_range.",
    configSchema: PrometheusInventoryConfig,
    secretSchema: PrometheusSecret,
    secretRequired: false,
    secretLabel: 'Prometheus credentials',
    credentialBoundFields: ['url'],
    configFields: [
      {
        name: 'url',
        label: 'Prometheus URL',
        input: 'url',
        required: true,
        placeholder: 'https://prometheus.example.com',
        help: 'With its path prefix if it has one (https://mon.example.com/prometheus).',
      },
      {
        name: 'provider',
        label: 'Cloud of the mapped machines',
        input: 'select',
        options: [
          { value: 'other', label: 'None (on-premises)' },
          { value: 'aws', label: 'AWS' },
          { value: 'azure', label: 'Azure' },
          { value: 'gcp', label: 'Google Cloud' },
        ],
        help: 'The provider of the ids found by the label or the regex below, and of host table entries without a provider: prefix.',
      },
      {
        name: 'resourceIdLabel',
        label: 'Resource id label',
        input: 'text',
        placeholder: 'instance_id',
        help: 'A label on the series holding the cloud resource id, e.g. relabeled from __meta_ec2_instance_id.',
      },
      {
        name: 'hosts',
        label: 'Host table',
        input: 'textarea',
        placeholder: '10.0.2.5 = i-0b2c3d4e5f6a7b8c9\ngpu-node-1 = gcp:projects/p/zones/z/instances/gpu-node-1',
        help: 'One "host = resource id" per line (host without its port); "host = provider:id" for another provider.',
      },
      {
        name: 'hostRegex',
        label: 'Host regex',
        input: 'text',
        placeholder: '(i-[0-9a-f]+)[.].*',
        help: "RE2, matched by Prometheus against the host label's whole value (port included); the id is the replacement below.",
      },
      { name: 'resourceIdReplacement', label: 'Regex replacement', input: 'text', placeholder: '$1', advanced: true },
      {
        name: 'selector',
        label: 'Label matchers',
        input: 'text',
        placeholder: 'job=~"node|dcgm",env="prod"',
        help: 'Added to every query, without braces.',
      },
      { name: 'nodeHostLabel', label: 'node_exporter host label', input: 'text', placeholder: 'instance', advanced: true },
      {
        name: 'gpuHostLabel',
        label: 'DCGM exporter host label',
        input: 'text',
        placeholder: 'Hostname',
        advanced: true,
        help: "Under Kubernetes, the node label your relabeling adds (DCGM's Hostname is its pod's).",
      },
      { name: 'scrapeIntervalSeconds', label: 'Scrape interval (seconds)', input: 'text', placeholder: '60', advanced: true },
      { name: 'lookbackMinutes', label: 'Listed when scraped within (minutes)', input: 'text', placeholder: '60', advanced: true },
      {
        name: 'networkDeviceExclude',
        label: 'Interfaces left out of network traffic (regex)',
        input: 'text',
        placeholder: 'lo|veth.*|docker[0-9]+|br-.*|cni[0-9]+|flannel[.].*|cali.*|virbr[0-9]+',
        advanced: true,
      },
      { name: 'timeoutSeconds', label: 'Request timeout (seconds)', input: 'text', placeholder: '60', advanced: true },
    ],
    secretFields: [
      {
        name: 'kind',
        label: 'Authentication',
        input: 'select',
        required: true,
        options: [
          { value: 'none', label: 'None' },
          { value: 'bearer', label: 'Bearer token' },
          { value: 'basic', label: 'User and password' },
        ],
      },
      { name: 'token', label: 'Bearer token', input: 'password', required: true, when: { field: 'kind', equals: 'bearer' } },
      { name: 'username', label: 'User', input: 'text', required: true, when: { field: 'kind', equals: 'basic' } },
      { name: 'password', label: 'Password', input: 'password', required: true, when: { field: 'kind', equals: 'basic' } },
    ],
    create: (config, secret) => createPrometheusConnector(config, secret),
  }),
  azure_inventory: defineInventoryKind('azure_inventory', {
    label: 'Azure inventory and Azure Monitor metrics',
    provider: 'azure',
    description:
      'Virtual machines with their power state, managed disks, snapshots, public IP addresses and load balancers of the listed subscriptions, with their Azure Monitor utilization (CPU, memory, network, disk, and GPU from Telegraf’s nvidia_smi custom metrics). Signs in as a service principal that needs Reader and Monitoring Reader on each subscription.',
    configSchema: AzureInventoryConfig,
    secretSchema: AzureInventoryCredentials,
    secretRequired: true,
    secretLabel: 'client secret',
    // The secret goes to the tenant's authority; the tokens it buys go to Resource Manager.
    credentialBoundFields: ['tenantId', 'clientId', 'authorityHost', 'resourceManagerEndpoint'],
    configFields: [
      { name: 'tenantId', label: 'Tenant ID', input: 'text', required: true, placeholder: '00000000-0000-0000-0000-000000000000' },
      {
        name: 'clientId',
        label: 'Application (client) ID',
        input: 'text',
        required: true,
        help: 'The service principal’s app registration.',
      },
      {
        name: 'subscriptionIds',
        label: 'Subscription IDs',
        input: 'text',
        required: true,
        help: 'The subscriptions to list and read metrics in, separated by commas.',
      },
      {
        name: 'resourceManagerEndpoint',
        label: 'Resource Manager URL',
        input: 'url',
        advanced: true,
        help: 'Only for other Azure clouds (China, US Government, Azure Stack) and tests. Leave empty for Azure.',
      },
      {
        name: 'authorityHost',
        label: 'Sign-in authority URL',
        input: 'url',
        advanced: true,
        help: 'Microsoft Entra ID’s sign-in host for those clouds. Leave empty for Azure.',
      },
    ],
    secretFields: [{ name: 'clientSecret', label: 'Client secret', input: 'password', help: 'The secret’s value, not its ID.' }],
    create: (config, secret) => createAzureInventoryConnector(config, secret ?? { clientSecret: '' }),
  }),
  gcp_inventory: defineInventoryKind('gcp_inventory', {
    label: 'Google Cloud inventory and Cloud Monitoring metrics',
    provider: 'gcp',
    description:
      'Compute Engine instances, persistent disks, snapshots, addresses and forwarding rules of the listed projects, with their Cloud Monitoring utilization (CPU, network, disk, and memory and GPU from the Ops Agent). Needs roles/compute.viewer and roles/monitoring.viewer on each project.',
    // The BigQuery export's service-account key can also list the projects it is granted on.
    billingKinds: ['gcp_bigquery'],
    configSchema: GcpInventoryConfig,
    secretSchema: GcpServiceAccountCredentials,
    secretRequired: false,
    secretLabel: 'service account key',
    credentialBoundFields: ['computeEndpoint', 'monitoringEndpoint'],
    configFields: [
      {
        name: 'projectIds',
        label: 'Project IDs',
        input: 'text',
        required: true,
        placeholder: 'shop-prod, ml-training',
        help: 'The projects to list and read metrics in, separated by commas.',
      },
      {
        name: 'computeEndpoint',
        label: 'Compute Engine API URL',
        input: 'url',
        advanced: true,
        help: 'Only for testing. Leave empty for Google Cloud.',
      },
      {
        name: 'monitoringEndpoint',
        label: 'Cloud Monitoring API URL',
        input: 'url',
        advanced: true,
        help: 'Only for testing. Leave empty for Google Cloud.',
      },
    ],
    secretFields: [
      {
        name: 'serviceAccountKey',
        label: 'Service account key (JSON)',
        input: 'textarea',
        help: 'Leave empty to use the application default credentials of the machine.',
      },
    ],
    create: (config, secret) => createGcpInventoryConnector(config, secret),
  }),
};

export const INVENTORY_KIND_IDS: readonly string[] = Object.keys(INVENTORY_KINDS);

/** The inventory kind of that id, or null. */
export function inventoryKind(id: string): InventoryKind | null {
  return Object.hasOwn(INVENTORY_KINDS, id) ? (INVENTORY_KINDS[id] ?? null) : null;
}

/**
 * The inventory kind a source of this billing_sources.kind uses: itself for an inventory-only
 * source, the kind listing the billing kind in `billingKinds` for a billing source; null when the
 * source cannot read inventory (a file source, Azure blob exports, BigQuery).
 */
export function inventoryKindForSource(sourceKind: string): InventoryKind | null {
  return inventoryKind(sourceKind) ?? Object.values(INVENTORY_KINDS).find((k) => k.billingKinds.some((b) => b === sourceKind)) ?? null;
}

/** Whether a billing_sources.kind names an inventory-only source. */
export function isInventoryOnlyKind(sourceKind: string): boolean {
  return inventoryKind(sourceKind) !== null;
}

/** A stored source, as far as building its inventory connector goes. */
export interface StoredInventorySource {
  name: string;
  kind: string;
  inventoryEnabled: boolean;
  inventoryConfig: unknown;
  secretCiphertext: string | null;
}

/**
 * The inventory connector of a stored source: its inventory kind's create() with the stored
 * inventory settings and the source's decrypted secret. Every failure is a ConnectorError('CONFIG')
 * saying what to fix; none quotes the secret.
 */
export function inventoryConnectorForSource(source: StoredInventorySource): { kind: InventoryKind; connector: InventoryConnector } {
  const kind = inventoryKindForSource(source.kind);
  if (!kind) throw new ConnectorError(`${source.name} (kind "${source.kind}") cannot read inventory or metrics`, 'CONFIG');
  if (!source.inventoryEnabled && !isInventoryOnlyKind(source.kind))
    throw new ConnectorError(`${source.name} does not have inventory and metrics turned on`, 'CONFIG');
  return { kind, connector: kind.create(source.inventoryConfig, readStoredSecret(source.name, source.secretCiphertext)) };
}

/** What the form needs of an inventory kind: everything but the schemas and create(). */
export interface InventoryKindForm {
  kind: string;
  label: string;
  provider: ResourceProvider;
  description: string;
  billingKinds: readonly string[];
  secretRequired: boolean;
  secretLabel: string;
  configFields: readonly SourceFormField[];
  secretFields: readonly SourceFormField[];
}

export function inventoryKindForms(): InventoryKindForm[] {
  return Object.values(INVENTORY_KINDS).map((k) => ({
    kind: k.kind,
    label: k.label,
    provider: k.provider,
    description: k.description,
    billingKinds: k.billingKinds,
    secretRequired: k.secretRequired,
    secretLabel: k.secretLabel,
    configFields: k.configFields,
    secretFields: k.secretFields,
  }));
}

/** What the add/edit form of one source kind needs: billing kinds with their inventory option, then inventory-only kinds. */
export interface SourceKindFormSpec {
  kind: Omit<ConnectorKindForm, 'provider'> & { provider: string };
  inventory: InventoryKindForm | null;
  inventoryOnly: boolean;
}

export function sourceKindForms(): SourceKindFormSpec[] {
  const inventories = inventoryKindForms();
  return [
    ...connectorKindForms().map((k) => ({
      kind: k,
      inventory: inventories.find((i) => i.billingKinds.includes(k.kind)) ?? null,
      inventoryOnly: false,
    })),
    ...inventories.map((i) => ({
      kind: {
        kind: i.kind,
        label: i.label,
        provider: i.provider,
        description: i.description,
        secretRequired: i.secretRequired,
        secretLabel: i.secretLabel,
        configFields: [],
        secretFields: i.secretFields,
      },
      inventory: i,
      inventoryOnly: true,
    })),
  ];
}
