import type { ResourceProvider } from '../resources/normalize';

/**
 * The instance catalog (issue 9): what a type is (vCPUs, memory, architecture, family and
 * generation, GPUs) and what it costs on demand per region. Shipped as data files under
 * catalog/ with their source and date (lib/catalog/load.ts), refreshable from the providers'
 * price APIs (lib/catalog/refresh-*.ts). Rules read it through this interface only.
 */
export interface InstanceTypeSpec {
  provider: ResourceProvider;
  /** m6i.large, Standard_D4s_v5, n2-standard-8 */
  type: string;
  vcpus: number;
  memoryMib: number;
  arch: 'x86_64' | 'arm64';
  /** m6i, Dsv5, n2 */
  family: string;
  /** Family generation number (m5 → 5, Dsv5 → 5, n2 → 2). */
  generation: number;
  /** false for a previous-generation family (AWS's own flag; Azure/GCP from the catalog's data). */
  currentGeneration: boolean;
  gpuCount: number;
  gpuModel: string | null;
  /** Memory of one GPU. */
  gpuMemoryMib: number | null;
  /** MIG profiles one GPU of this type supports ('1g.10gb', …); empty when none. */
  migProfiles: string[];
}

/** An on-demand price: hourly, in a currency (USD in the shipped data), as a decimal string. */
export interface CatalogPrice {
  currency: string;
  hourly: string;
  /** Where the figure comes from and when it was taken (e.g. 'AWS Price List API 2026-11-30'). */
  source: string;
}

export interface Catalog {
  spec(provider: ResourceProvider, type: string): InstanceTypeSpec | null;
  /** Linux on-demand price of the type in the region; null when the catalog has none. */
  price(provider: ResourceProvider, type: string, region: string): CatalogPrice | null;
  /** Every type of a provider (for candidate search). */
  types(provider: ResourceProvider): readonly InstanceTypeSpec[];
}
