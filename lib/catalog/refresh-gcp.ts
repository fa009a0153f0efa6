import { type FetchSkuPricesOptions, fetchSkuPrices, type SkuPrice } from '../connectors/gcp-billing-catalog';
import { ConnectorError } from '../connectors/types';
import { addDecimals, multiplyDecimals, trimDecimal } from '../decimal';
import { loadCatalog } from './load';
import type { RefreshedPrice } from './store';
import type { InstanceTypeSpec } from './types';

/**
 * GCE on-demand prices per machine type from the Cloud Billing Catalog (Compute Engine's SKUs,
 * through lib/connectors/gcp-billing-catalog.ts). Google prices a predefined machine type by its
 * parts: vCPUs × the family's "Instance Core" SKU + GiB × its "Instance Ram" SKU (+ GPUs × the
 * GPU's SKU for a2/a3/g2, whose GPUs come with the type). The catalog's GCP types give the
 * counts; a type whose parts are not all priced in a region gets no price there.
 */
export const COMPUTE_ENGINE_SERVICE_ID = '6F81-5844-456A';

/** A family's SKU description prefix where it is not '<FAMILY> Instance' ("N2 Instance Core running in Iowa"). */
const FAMILY_PREFIX: Readonly<Record<string, string>> = {
  n1: 'N1 Predefined Instance',
  n2d: 'N2D AMD Instance',
  c2d: 'C2D AMD Instance',
  t2d: 'T2D AMD Instance',
  c2: 'Compute optimized',
};

/** The GPU SKU's name ("Nvidia Tesla A100 GPU running in …", "Nvidia H100 80GB GPU …") per model and memory. */
function gpuSkuName(spec: InstanceTypeSpec): string | null {
  if (!spec.gpuModel) return null;
  if (spec.gpuModel === 'A100') return spec.gpuMemoryMib === 81920 ? 'A100 80GB' : 'A100';
  if (spec.gpuModel === 'H100') return 'H100 80GB';
  if (spec.gpuModel === 'H200') return 'H200 141GB';
  return spec.gpuModel;
}

const PART = /^(.+?) (Core|Ram) running in .+$/;
const GPU = /^Nvidia (?:Tesla )?(.+?) GPU running in .+$/;
const UNITS: Record<string, string> = { Core: 'h', Ram: 'GiBy.h', GPU: 'h' };

export interface GcpRefreshOptions extends Omit<FetchSkuPricesOptions, 'serviceId'> {
  /** Regions (us-central1, …) to keep; every region the SKUs name when empty. */
  regions?: readonly string[];
  /** The machine types to price; the shipped catalog's GCP types by default. */
  types?: readonly InstanceTypeSpec[];
}

interface Part {
  price: string;
  currency: string;
  skuId: string;
  effective: string;
}

export async function fetchGcpPrices(options: GcpRefreshOptions = {}): Promise<RefreshedPrice[]> {
  const { regions, types, ...query } = options;
  const wanted = regions?.length ? new Set(regions) : null;
  // (part key: 'N2 Instance|Core', 'GPU|L4') → region → price
  const parts = new Map<string, Map<string, Part>>();
  const keep = (key: string, unit: string, p: SkuPrice) => {
    if (p.unit !== unit) {
      throw new ConnectorError(
        `Cloud Billing Catalog SKU ${p.skuId} (${p.description}) is priced per ${p.unit}, not ${unit}`,
        'BAD_DELIVERY',
      );
    }
    let byRegion = parts.get(key);
    if (!byRegion) {
      byRegion = new Map();
      parts.set(key, byRegion);
    }
    for (const region of p.regions) {
      if (wanted && !wanted.has(region)) continue;
      const seen = byRegion.get(region);
      if (seen && (seen.price !== p.unitPrice || seen.currency !== p.currency)) {
        throw new ConnectorError(
          `Cloud Billing Catalog prices ${key.replace('|', ' ')} in ${region} twice: SKU ${seen.skuId} ${seen.price} ${seen.currency}, SKU ${p.skuId} ${p.unitPrice} ${p.currency}`,
          'BAD_DELIVERY',
        );
      }
      byRegion.set(region, { price: p.unitPrice, currency: p.currency, skuId: p.skuId, effective: p.effectiveTime });
    }
  };
  for await (const p of fetchSkuPrices({ ...query, serviceId: COMPUTE_ENGINE_SERVICE_ID })) {
    if (p.usageType !== 'OnDemand' || p.tierStart !== '0') continue;
    const part = PART.exec(p.description);
    if (part) {
      keep(`${part[1]}|${part[2]}`, UNITS[part[2]!]!, p);
      continue;
    }
    const gpu = GPU.exec(p.description);
    if (gpu) keep(`GPU|${gpu[1]}`, UNITS.GPU!, p);
  }

  const specs = types ?? (await loadCatalog()).types('gcp');
  const out: RefreshedPrice[] = [];
  for (const spec of specs) {
    const prefix = FAMILY_PREFIX[spec.family] ?? `${spec.family.toUpperCase()} Instance`;
    const core = parts.get(`${prefix}|Core`);
    const ram = parts.get(`${prefix}|Ram`);
    const gpuName = gpuSkuName(spec);
    const gpu = gpuName ? parts.get(`GPU|${gpuName}`) : undefined;
    if (!core || !ram || (gpuName && !gpu)) continue;
    for (const [region, c] of core) {
      const r = ram.get(region);
      const g = gpu?.get(region);
      if (!r || (gpuName && !g)) continue;
      const used = [c, r, ...(g ? [g] : [])];
      if (new Set(used.map((u) => u.currency)).size !== 1) {
        throw new ConnectorError(
          `Cloud Billing Catalog prices the parts of ${spec.type} in ${region} in different currencies`,
          'BAD_DELIVERY',
        );
      }
      // memoryMib / 1024 GiB: 1/1024 = 0.0009765625 exactly, so the product stays exact.
      const hourly = trimDecimal(
        addDecimals([
          multiplyDecimals(String(spec.vcpus), c.price),
          multiplyDecimals(multiplyDecimals(String(spec.memoryMib), '0.0009765625'), r.price),
          ...(g ? [multiplyDecimals(String(spec.gpuCount), g.price)] : []),
        ]),
      );
      const effective = used
        .map((u) => u.effective)
        .sort()
        .at(-1)!
        .slice(0, 10);
      out.push({
        type: spec.type,
        region,
        currency: c.currency,
        hourly,
        source: `GCP Cloud Billing Catalog (effective ${effective}; SKUs ${used.map((u) => u.skuId).join(' ')})`,
      });
    }
  }
  return out;
}
