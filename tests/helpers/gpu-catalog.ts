// A catalog of a few GPU types for the GPU tests, written out here (specs as AWS and Google
// document them; hourly on-demand prices in USD for one region each) so that the tests' expected
// savings are worked out by hand from these literals, whatever the shipped catalog holds.
import type { Catalog, CatalogPrice, InstanceTypeSpec } from '../../lib/catalog/types';
import type { ResourceProvider } from '../../lib/resources/normalize';

const H100_MIG = ['1g.10gb', '1g.20gb', '2g.20gb', '3g.40gb', '4g.40gb', '7g.80gb'];
const H200_MIG = ['1g.18gb', '1g.35gb', '2g.35gb', '3g.71gb', '4g.71gb', '7g.141gb'];

type Row = Pick<InstanceTypeSpec, 'provider' | 'type' | 'vcpus' | 'gpuCount' | 'gpuModel' | 'gpuMemoryMib' | 'migProfiles'> & {
  memoryGib: number;
  family: string;
  region: string;
  /** null: the catalog has no price for it (as for GCP's a3 machines in the shipped data). */
  hourly: string | null;
};

export const GPU_TYPES: readonly Row[] = [
  {
    provider: 'aws',
    type: 'p5.48xlarge',
    family: 'p5',
    vcpus: 192,
    memoryGib: 2048,
    gpuCount: 8,
    gpuModel: 'H100',
    gpuMemoryMib: 81920,
    migProfiles: H100_MIG,
    region: 'us-east-1',
    hourly: '98.32',
  },
  {
    provider: 'aws',
    type: 'p5.4xlarge',
    family: 'p5',
    vcpus: 16,
    memoryGib: 256,
    gpuCount: 1,
    gpuModel: 'H100',
    gpuMemoryMib: 81920,
    migProfiles: H100_MIG,
    region: 'us-east-1',
    hourly: '6.88',
  },
  {
    provider: 'aws',
    type: 'p5e.48xlarge',
    family: 'p5e',
    vcpus: 192,
    memoryGib: 2048,
    gpuCount: 8,
    gpuModel: 'H200',
    gpuMemoryMib: 144384,
    migProfiles: H200_MIG,
    region: 'us-east-1',
    hourly: '113.9',
  },
  {
    provider: 'aws',
    type: 'g5.48xlarge',
    family: 'g5',
    vcpus: 192,
    memoryGib: 768,
    gpuCount: 8,
    gpuModel: 'A10G',
    gpuMemoryMib: 24576,
    migProfiles: [],
    region: 'us-east-1',
    hourly: '16.288',
  },
  {
    provider: 'aws',
    type: 'g5.24xlarge',
    family: 'g5',
    vcpus: 96,
    memoryGib: 384,
    gpuCount: 4,
    gpuModel: 'A10G',
    gpuMemoryMib: 24576,
    migProfiles: [],
    region: 'us-east-1',
    hourly: '8.144',
  },
  {
    provider: 'aws',
    type: 'g5.12xlarge',
    family: 'g5',
    vcpus: 48,
    memoryGib: 192,
    gpuCount: 4,
    gpuModel: 'A10G',
    gpuMemoryMib: 24576,
    migProfiles: [],
    region: 'us-east-1',
    hourly: '5.672',
  },
  {
    provider: 'aws',
    type: 'g5.2xlarge',
    family: 'g5',
    vcpus: 8,
    memoryGib: 32,
    gpuCount: 1,
    gpuModel: 'A10G',
    gpuMemoryMib: 24576,
    migProfiles: [],
    region: 'us-east-1',
    hourly: '1.212',
  },
  {
    provider: 'aws',
    type: 'g6e.xlarge',
    family: 'g6e',
    vcpus: 4,
    memoryGib: 32,
    gpuCount: 1,
    gpuModel: 'L40S',
    gpuMemoryMib: 49152,
    migProfiles: [],
    region: 'us-east-1',
    hourly: '1.861',
  },
  {
    provider: 'aws',
    type: 'g6.xlarge',
    family: 'g6',
    vcpus: 4,
    memoryGib: 16,
    gpuCount: 1,
    gpuModel: 'L4',
    gpuMemoryMib: 24576,
    migProfiles: [],
    region: 'us-east-1',
    hourly: '0.8048',
  },
  {
    provider: 'aws',
    type: 'g6.2xlarge',
    family: 'g6',
    vcpus: 8,
    memoryGib: 32,
    gpuCount: 1,
    gpuModel: 'L4',
    gpuMemoryMib: 24576,
    migProfiles: [],
    region: 'us-east-1',
    hourly: '0.9776',
  },
  {
    provider: 'gcp',
    type: 'a3-highgpu-1g',
    family: 'a3',
    vcpus: 26,
    memoryGib: 234,
    gpuCount: 1,
    gpuModel: 'H100',
    gpuMemoryMib: 81920,
    migProfiles: H100_MIG,
    region: 'us-central1',
    hourly: '11.06',
  },
  {
    provider: 'gcp',
    type: 'a3-highgpu-2g',
    family: 'a3',
    vcpus: 52,
    memoryGib: 468,
    gpuCount: 2,
    gpuModel: 'H100',
    gpuMemoryMib: 81920,
    migProfiles: H100_MIG,
    region: 'us-central1',
    hourly: null,
  },
  {
    provider: 'gcp',
    type: 'a3-highgpu-8g',
    family: 'a3',
    vcpus: 208,
    memoryGib: 1872,
    gpuCount: 8,
    gpuModel: 'H100',
    gpuMemoryMib: 81920,
    migProfiles: H100_MIG,
    region: 'us-central1',
    hourly: null,
  },
];

function spec(r: Row): InstanceTypeSpec {
  return {
    provider: r.provider,
    type: r.type,
    vcpus: r.vcpus,
    memoryMib: r.memoryGib * 1024,
    arch: 'x86_64',
    family: r.family,
    generation: Number(/\d+/.exec(r.family)?.[0] ?? 0),
    currentGeneration: true,
    gpuCount: r.gpuCount,
    gpuModel: r.gpuModel,
    gpuMemoryMib: r.gpuMemoryMib,
    migProfiles: r.migProfiles,
  };
}

export function gpuTestCatalog(rows: readonly Row[] = GPU_TYPES): Catalog {
  const specs = rows.map(spec);
  return {
    spec: (provider, type) => specs.find((s) => s.provider === provider && s.type === type) ?? null,
    price: (provider, type, region): CatalogPrice | null => {
      const r = rows.find((x) => x.provider === provider && x.type === type && x.region === region);
      return r?.hourly ? { currency: 'USD', hourly: r.hourly, source: 'test catalog' } : null;
    },
    types: (provider: ResourceProvider) => specs.filter((s) => s.provider === provider),
  };
}
