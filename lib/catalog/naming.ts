/**
 * What a type's name says about it, for the providers whose data has no family, generation or
 * current-generation flag of its own (Azure, GCP), and the GPU facts every provider shares.
 * scripts/catalog-build.ts applies these rules when it writes catalog/*.csv; catalog/README.md
 * states them for readers of the data.
 */

/** A GPU model as the catalog names it, with the memory of one GPU and its MIG profiles. */
export interface GpuModel {
  model: string;
  memoryMib: number;
  migProfiles: readonly string[];
}

/**
 * MIG profiles per GPU, from NVIDIA's MIG user guide ("Supported MIG Profiles"): A100-SXM4-40GB,
 * A100 80GB, H100 80GB, H200 141GB. The '+me' variants (the same slice with the media engines) are
 * left out: a sizing recommendation names a slice, and '+me' is the same size.
 */
export const MIG_PROFILES = {
  a100_40: ['1g.5gb', '1g.10gb', '2g.10gb', '3g.20gb', '4g.20gb', '7g.40gb'],
  a100_80: ['1g.10gb', '1g.20gb', '2g.20gb', '3g.40gb', '4g.40gb', '7g.80gb'],
  h100_80: ['1g.10gb', '1g.20gb', '2g.20gb', '3g.40gb', '4g.40gb', '7g.80gb'],
  h200_141: ['1g.18gb', '1g.35gb', '2g.35gb', '3g.71gb', '4g.71gb', '7g.141gb'],
} as const;

/**
 * One memory figure per GPU model, so that the same GPU has the same memory on every cloud: the
 * MiB EC2 DescribeInstanceTypes reports (karpenter-provider-aws's instance-types reference), which
 * is what the driver makes usable (A10G and L4 show 22888, not 24576). A100 80GB, not on EC2 in
 * the fixture, is 80 GiB as the H100's 81920.
 */
export const GPU_MODELS: Readonly<Record<string, GpuModel>> = {
  T4: { model: 'T4', memoryMib: 16384, migProfiles: [] },
  V100: { model: 'V100', memoryMib: 16384, migProfiles: [] },
  'V100-32GB': { model: 'V100', memoryMib: 32768, migProfiles: [] },
  A10G: { model: 'A10G', memoryMib: 22888, migProfiles: [] },
  L4: { model: 'L4', memoryMib: 22888, migProfiles: [] },
  L40S: { model: 'L40S', memoryMib: 45776, migProfiles: [] },
  'A100-40GB': { model: 'A100', memoryMib: 40960, migProfiles: MIG_PROFILES.a100_40 },
  'A100-80GB': { model: 'A100', memoryMib: 81920, migProfiles: MIG_PROFILES.a100_80 },
  H100: { model: 'H100', memoryMib: 81920, migProfiles: MIG_PROFILES.h100_80 },
  H200: { model: 'H200', memoryMib: 144384, migProfiles: MIG_PROFILES.h200_141 },
};

export function gpuModel(key: string): GpuModel {
  const g = GPU_MODELS[key];
  if (!g) throw new Error(`unknown GPU model ${JSON.stringify(key)} (add it to GPU_MODELS in lib/catalog/naming.ts)`);
  return g;
}

export interface AzureSizeName {
  /** Series letters: D, E, F, B, NC, ND, M, … */
  series: string;
  vcpus: number;
  /** Additive feature letters after the vCPU count: s, ds, ads, isr, ms, … */
  features: string;
  /** Accelerator in the name (A100, H100, T4), or ''. */
  accelerator: string;
  /** The _vN suffix; 1 when the name has none (the series' first version). */
  version: number;
  /** Dsv5, NCadsA100v4, Bms: series + features + accelerator + 'v' version (no 'v1'). */
  family: string;
}

/**
 * Azure's size naming convention ("Azure virtual machine sizes naming conventions"):
 * Standard_<series><vCPUs>[-<constrained vCPUs>]<features>[_<accelerator>][_v<version>].
 * Returns null for a name outside it (Basic_A0, dedicated host types).
 */
export function parseAzureSize(name: string): AzureSizeName | null {
  const m = /^Standard_([A-Z]+)(\d+)(?:-\d+)?([a-z]*)(?:_([A-Z][A-Z0-9]*))?(?:_v(\d+))?$/.exec(name);
  if (!m) return null;
  const [, series = '', vcpus = '0', features = '', accelerator = '', version] = m;
  const v = version ? Number(version) : 1;
  return {
    series,
    vcpus: Number(vcpus),
    features,
    accelerator,
    version: v,
    family: `${series}${features}${accelerator}${version ? `v${version}` : ''}`,
  };
}

/**
 * The first version of an Azure series that is current generation: D and E up to v3 are previous
 * generation (their v4/v5 successors cost the same or less), the A series is retired, F's current
 * version is v2, NC's v3 (T4, V100) and ND's v4 (A100) onwards. Series not listed are current.
 */
export const AZURE_CURRENT_FROM_VERSION: Readonly<Record<string, number>> = {
  A: Number.POSITIVE_INFINITY,
  D: 4,
  DS: 4,
  E: 4,
  F: 2,
  NC: 3,
  ND: 4,
  NV: 4,
};

export function azureCurrentGeneration(size: AzureSizeName): boolean {
  return size.version >= (AZURE_CURRENT_FROM_VERSION[size.series] ?? 1);
}

/** GCP families Google lists as first generation (N1 and its shared-core f1/g1): previous generation. */
export const GCP_PREVIOUS_FAMILIES: ReadonlySet<string> = new Set(['n1', 'f1', 'g1']);

export interface GcpMachineName {
  /** n2, n2d, c3, a3 */
  family: string;
  /** The family's digit: n2d → 2, c3 → 3, f1 → 1. */
  generation: number;
  /** n2-standard, a3-highgpu: the family and its shape. */
  series: string;
  currentGeneration: boolean;
}

export function parseGcpMachineType(name: string): GcpMachineName | null {
  const m = /^([a-z]+(\d+)[a-z]*)-([a-z]+)(?:-|$)/.exec(name);
  if (!m) return null;
  const [, family = '', generation = '0', shape = ''] = m;
  return { family, generation: Number(generation), series: `${family}-${shape}`, currentGeneration: !GCP_PREVIOUS_FAMILIES.has(family) };
}
