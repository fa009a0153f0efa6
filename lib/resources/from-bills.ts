import type pg from 'pg';
import type { ResourceKind, ResourceRecord } from '../inventory/types';
import { normalizeResourceIdSql, type ResourceProvider, resourceProvider, resourceProviderSql } from './normalize';
import { upsertResources } from './store';

/**
 * Resources as the bills know them (issue 9: rules that need only the bill work on the first day
 * with nothing but an export). For every resource id billed in the lookback, its latest usage line
 * says what it is: the kind from the id's shape and the usage type, the type from the export's own
 * field — CUR `product/instanceType` (extras.instanceType), the usage type (`BoxUsage:m5.large`,
 * `EBS:VolumeUsage.gp2`), Azure's AdditionalInfo (ServiceType / VMSize) or VM meter name
 * (`D4s v5`), a GCP machine type in the SKU description or usage text (`n2-standard-8`), FOCUS
 * SkuPriceDetails and x_ columns. Written through upsertResources with origin 'bill', so an
 * inventory's richer record of the same resource keeps what only it knows.
 */
export interface BillLineFacts {
  providerName: string;
  resourceId: string;
  accountId: string | null;
  regionId: string | null;
  /** FOCUS ResourceType ('Virtual machine', 'Instance', 'Volume', …). */
  resourceType: string | null;
  usageType: string | null;
  instanceType: string | null;
  additionalInfo: unknown;
  meterCategory: string | null;
  meterName: string | null;
  skuDescription: string | null;
  skuInstanceType: string | null;
}

const AWS_INSTANCE_USAGE = /(BoxUsage|SpotUsage|DedicatedUsage|HostBoxUsage)(:(.+))?$/;
const AWS_VOLUME_USAGE = /EBS:VolumeUsage(\.([\w.-]+))?$/;
const GCP_MACHINE_TYPE =
  /\b([a-z][0-9][a-z]?-(?:standard|highmem|highcpu|megamem|ultramem|highgpu|megagpu|ultragpu|micro|small|medium|custom)(?:-[0-9]+[a-z]?)?)\b/;
const AZURE_VM_METER = /^([A-Z]{1,3}[0-9]+[a-z]*)(?: v([0-9]+))?(?: (?:Spot|Low Priority))?$/;

function kindFromId(provider: ResourceProvider, id: string): ResourceKind | null {
  const lower = id.toLowerCase();
  if (provider === 'aws') {
    if (/^i-[0-9a-f]+$/.test(id) || lower.includes(':instance/')) return 'instance';
    if (/^vol-/.test(id) || lower.includes(':volume/')) return 'volume';
    if (/^snap-/.test(id) || lower.includes(':snapshot/')) return 'snapshot';
    if (/^eipalloc-/.test(id) || lower.includes(':elastic-ip/') || /^\d{1,3}(\.\d{1,3}){3}$/.test(id)) return 'address';
    if (lower.includes(':loadbalancer/')) return 'load_balancer';
    return null;
  }
  if (provider === 'azure') {
    if (lower.includes('/providers/microsoft.compute/virtualmachines/')) return 'instance';
    if (lower.includes('/providers/microsoft.compute/disks/')) return 'volume';
    if (lower.includes('/providers/microsoft.compute/snapshots/')) return 'snapshot';
    if (lower.includes('/providers/microsoft.network/publicipaddresses/')) return 'address';
    if (lower.includes('/providers/microsoft.network/loadbalancers/')) return 'load_balancer';
    return null;
  }
  if (provider === 'gcp') {
    if (lower.includes('/instances/')) return 'instance';
    if (lower.includes('/disks/')) return 'volume';
    if (lower.includes('/snapshots/')) return 'snapshot';
    if (lower.includes('/addresses/')) return 'address';
    if (lower.includes('/forwardingrules/')) return 'load_balancer';
  }
  return null;
}

function additionalInfoType(info: unknown): string | null {
  if (info === null || typeof info !== 'object') return null;
  const o = info as Record<string, unknown>;
  for (const key of ['ServiceType', 'VMSize', 'vmSize']) {
    const v = o[key];
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
  }
  return null;
}

/** What one bill line says about its resource; null when the line is not about a resource at all. */
export function resourceFromBillLine(line: BillLineFacts): ResourceRecord | null {
  const provider = resourceProvider(line.providerName);
  const id = line.resourceId.trim();
  if (id === '') return null;
  const usage = line.usageType ?? '';
  let kind = kindFromId(provider, id);
  let type: string | null = null;

  if (provider === 'aws') {
    const inst = AWS_INSTANCE_USAGE.exec(usage);
    const vol = AWS_VOLUME_USAGE.exec(usage);
    if (inst) {
      kind ??= 'instance';
      type = line.instanceType ?? inst[3] ?? null;
    } else if (vol) {
      kind ??= 'volume';
      type = vol[2] ?? 'standard';
    } else if (/EBS:SnapshotUsage/.test(usage)) kind ??= 'snapshot';
    else if (/IdleAddress|ElasticIP|PublicIPv4/.test(usage)) kind ??= 'address';
    else if (/LoadBalancerUsage|LCUUsage/.test(usage)) kind ??= 'load_balancer';
    if (kind === 'instance') type ??= line.instanceType;
  } else if (provider === 'azure') {
    if (kind === null && line.meterCategory === 'Virtual Machines') kind = 'instance';
    if (kind === 'instance') {
      type = additionalInfoType(line.additionalInfo);
      const m = type === null ? AZURE_VM_METER.exec((line.meterName ?? usage).trim()) : null;
      if (m) type = `Standard_${m[1]}${m[2] ? `_v${m[2]}` : ''}`;
    }
  } else if (provider === 'gcp' && kind === 'instance') {
    type = GCP_MACHINE_TYPE.exec(line.skuDescription ?? '')?.[1] ?? GCP_MACHINE_TYPE.exec(usage)?.[1] ?? null;
  }
  type = line.skuInstanceType ?? type;
  if (kind === null) {
    const rt = (line.resourceType ?? '').toLowerCase();
    if (/virtual machine|^instance$/.test(rt)) kind = 'instance';
    else if (/volume|disk/.test(rt)) kind = 'volume';
    else kind = 'other';
  }
  return {
    provider,
    resourceId: id,
    kind,
    accountId: line.accountId ?? undefined,
    regionId: line.regionId ?? undefined,
    resourceType: type,
  };
}

export interface DeriveSummary {
  lines: number;
  resources: number;
}

/**
 * Upserts a resource for every resource id billed since `since` (default: the 35 days before
 * `now`), described by its latest usage line. Run after each billing ingest (the recommendations
 * job does, before the rules).
 */
export async function deriveResourcesFromBills(
  db: pg.Pool | pg.PoolClient,
  options: { now?: Date; since?: Date } = {},
): Promise<DeriveSummary> {
  const now = options.now ?? new Date();
  const since = options.since ?? new Date(now.getTime() - 35 * 86_400_000);
  const prov = resourceProviderSql('c.provider_name');
  const { rows } = await db.query<{
    provider_name: string;
    resource_id: string;
    account_id: string | null;
    region_id: string | null;
    resource_type: string | null;
    usage_type: string | null;
    instance_type: string | null;
    additional_info: unknown;
    meter_category: string | null;
    meter_name: string | null;
    sku_description: string | null;
    sku_instance_type: string | null;
  }>(
    `SELECT DISTINCT ON (${prov}, ${normalizeResourceIdSql(prov, 'c.resource_id')})
            c.provider_name, c.resource_id, COALESCE(c.sub_account_id, c.billing_account_id) AS account_id, c.region_id, c.resource_type,
            COALESCE(c.extras->>'usageType', c.extras->>'x_UsageType', c.extras->>'UsageType') AS usage_type,
            c.extras->>'instanceType' AS instance_type, c.extras->'AdditionalInfo' AS additional_info,
            c.extras->>'MeterCategory' AS meter_category, COALESCE(c.extras->>'MeterName', c.extras->>'x_SkuMeterName') AS meter_name,
            COALESCE(c.extras->>'sku_description', c.charge_description) AS sku_description,
            COALESCE(c.sku_price_details->>'InstanceType', c.sku_price_details->>'x_InstanceType', c.extras->>'x_InstanceType') AS sku_instance_type
       FROM cost_line_items c
      WHERE c.charge_period_start >= $1 AND c.charge_period_start < $2 AND c.resource_id IS NOT NULL AND btrim(c.resource_id) <> ''
      ORDER BY ${prov}, ${normalizeResourceIdSql(prov, 'c.resource_id')}, (c.charge_category = 'Usage') DESC, c.charge_period_start DESC`,
    [since.toISOString(), now.toISOString()],
  );
  const records: ResourceRecord[] = [];
  for (const r of rows) {
    const rec = resourceFromBillLine({
      providerName: r.provider_name,
      resourceId: r.resource_id,
      accountId: r.account_id,
      regionId: r.region_id,
      resourceType: r.resource_type,
      usageType: r.usage_type,
      instanceType: r.instance_type,
      additionalInfo: r.additional_info,
      meterCategory: r.meter_category,
      meterName: r.meter_name,
      skuDescription: r.sku_description,
      skuInstanceType: r.sku_instance_type,
    });
    if (rec) records.push(rec);
  }
  await upsertResources(db, records, { origin: 'bill', seenAt: now });
  return { lines: rows.length, resources: records.length };
}
