// npm run catalog -- build [FIXTURES_DIR]: writes catalog/{aws,azure,gcp}-{types,prices}.csv from
// the public extracts in tests/fixtures/instance-catalog (sources in its SOURCE.md) plus
// the hand-entered rows below for the types the demo estate uses that no extract has. Every row
// names its source; catalog/README.md lists the sources with their repositories and commits.
// The output is committed: this script documents how it was made and re-makes it byte for byte.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PRICE_COLUMNS, TYPE_COLUMNS } from '../lib/catalog/load';
import { azureCurrentGeneration, GPU_MODELS, gpuModel, parseAzureSize, parseGcpMachineType } from '../lib/catalog/naming';
import { trimDecimal } from '../lib/decimal';
import { CsvParser, type CsvRecord } from '../lib/ingest/csv';

type Row = Record<(typeof TYPE_COLUMNS)[number], string>;
type PriceRow = Record<(typeof PRICE_COLUMNS)[number], string>;

/** Short source names used in the data's source column (catalog/README.md expands them). */
const SRC = {
  karpenterAws: 'karpenter-provider-aws@6fc13b5',
  ec2info: 'ec2instances.info@a19cd85 (2024-04 snapshot)',
  ec2infoX2: 'ec2instances.info@8e64e6e',
  karpenterAzurePrices: 'karpenter-provider-azure@2b431da (generated 2026-06-18)',
  azureSkus: 'karpenter-provider-azure@f4fb1c1 (resource SKUs southcentralus)',
  autoscaler: 'kubernetes/autoscaler@e72c7c6 gce_price_info.go (us-central1)',
  ccf: 'ccf-coefficients@b0032d9 gcp-instances-latest-2026',
  toolkit: 'cluster-toolkit@d26f635 machine_mappings',
  /** Hand-entered from the provider's public documentation: not in any fixture. */
  awsDocs: 'manual: AWS EC2 instance types docs (not in fixtures)',
  awsPricePage: 'manual: aws.amazon.com/ec2/pricing/on-demand us-east-1 list price entered 2026-12-03 (not in fixtures)',
  azureDocs: 'manual: learn.microsoft.com Azure VM sizes docs (not in fixtures)',
};

function readCsv(file: string): { header: string[]; rows: CsvRecord[] } {
  const parser = new CsvParser();
  const out: CsvRecord[] = [];
  parser.push(readFileSync(file, 'utf8'), out);
  parser.end(out);
  const [head, ...rows] = out;
  if (!head) throw new Error(`${file}: empty`);
  return { header: head.fields, rows };
}

function column(file: string, header: string[], name: string): number {
  const i = header.indexOf(name);
  if (i < 0) throw new Error(`${file}: no column ${name}`);
  return i;
}

function mib(gib: number): string {
  return String(Math.round(gib * 1024));
}

function gpuFields(key: string | null, count: number): Pick<Row, 'gpu_count' | 'gpu_model' | 'gpu_memory_mib' | 'mig_profiles'> {
  if (!key || count === 0) return { gpu_count: '0', gpu_model: '', gpu_memory_mib: '', mig_profiles: '' };
  const g = gpuModel(key);
  return { gpu_count: String(count), gpu_model: g.model, gpu_memory_mib: String(g.memoryMib), mig_profiles: g.migProfiles.join(' ') };
}

// ---------------------------------------------------------------------------------------------- AWS

/** karpenter's gpu_name + gpu_memory_mib → GPU_MODELS key. */
function awsGpuKey(name: string, memoryMib: number): string {
  if (name === 'a100') return memoryMib > 40960 ? 'A100-80GB' : 'A100-40GB';
  if (name === 'v100') return memoryMib > 16384 ? 'V100-32GB' : 'V100';
  const key = name.toUpperCase();
  if (!GPU_MODELS[key]) throw new Error(`karpenter gpu_name ${name}: no GPU model`);
  return key;
}

/** ec2instances.info's subset has no GPU model: the families it holds that karpenter's does not. */
const EC2INFO_GPU: Record<string, string> = { p3: 'V100', p3dn: 'V100-32GB' };

/** Families karpenter's extract has and ec2instances.info's does not: AWS lists them as current generation. */
const AWS_CURRENT_FROM_DOCS = new Set(['g6', 'g6e', 'p5e', 'p5en', 'm7g']);

function buildAws(dir: string): { types: Row[]; prices: PriceRow[] } {
  const types = new Map<string, Row>();
  const prices = new Map<string, PriceRow>();
  const info = JSON.parse(readFileSync(path.join(dir, 'aws/ec2instances-info/opszero-instances-subset.json'), 'utf8')) as {
    data: {
      'instance-type': string;
      arch: string;
      memory: number;
      vCPU: number;
      GPU: number;
      GPU_memory: number;
      'current-generation': boolean;
      region: string;
      ondemand: string;
    }[];
  };
  // AWS's flag is per family in practice: a type ec2instances.info's subset lacks (p5.4xlarge)
  // takes its family's.
  const currentFlag = new Map<string, boolean>();
  for (const r of info.data) currentFlag.set(r['instance-type'].split('.')[0]!, r['current-generation']);

  const kFile = path.join(dir, 'aws/karpenter/ec2-instance-types-subset.csv');
  const k = readCsv(kFile);
  const c = (n: string) => column(kFile, k.header, n);
  const [iType, iFamily, iGen, iArch, iVcpu, iMem, iGpuCount, iGpuName, iGpuMem, iPrice] = [
    'instance_type',
    'family',
    'generation',
    'arch',
    'vcpu',
    'memory_mib',
    'gpu_count',
    'gpu_name',
    'gpu_memory_mib',
    'ondemand_usd_per_hour_us_east_1',
  ].map(c) as number[];
  for (const { fields: f, line } of k.rows) {
    const type = f[iType!]!;
    const family = f[iFamily!]!;
    const flag = currentFlag.get(family) ?? (AWS_CURRENT_FROM_DOCS.has(family) ? true : undefined);
    if (flag === undefined) throw new Error(`${kFile}:${line}: no current-generation flag for ${type}`);
    const gpuCount = Number(f[iGpuCount!] || '0');
    types.set(type, {
      type,
      vcpus: f[iVcpu!]!,
      memory_mib: f[iMem!]!,
      arch: f[iArch!] === 'arm64' ? 'arm64' : 'x86_64',
      family,
      generation: f[iGen!]!,
      current_generation: String(flag),
      ...gpuFields(gpuCount ? awsGpuKey(f[iGpuName!]!, Number(f[iGpuMem!])) : null, gpuCount),
      source: currentFlag.has(family)
        ? `${SRC.karpenterAws}; current-generation ${SRC.ec2info}`
        : `${SRC.karpenterAws}; current-generation ${SRC.awsDocs}`,
    });
    const price = f[iPrice!];
    if (price)
      prices.set(`${type} us-east-1`, { type, region: 'us-east-1', currency: 'USD', hourly: trimDecimal(price), source: SRC.karpenterAws });
  }

  for (const r of info.data) {
    const type = r['instance-type'];
    if (!types.has(type)) {
      const family = type.split('.')[0]!;
      const gpuKey = r.GPU ? EC2INFO_GPU[family] : null;
      if (r.GPU && !gpuKey) throw new Error(`ec2instances.info ${type}: GPU model unknown`);
      types.set(type, {
        type,
        vcpus: String(r.vCPU),
        memory_mib: mib(r.memory),
        arch: r.arch === 'arm64' ? 'arm64' : 'x86_64',
        family,
        generation: /\d+/.exec(family)![0],
        current_generation: String(r['current-generation']),
        ...gpuFields(gpuKey ?? null, r.GPU),
        source: `${SRC.ec2info}${gpuKey ? `; GPU model ${SRC.awsDocs}` : ''}`,
      });
    }
    // "0" is ec2instances.info's "no price" (p4d/p5 in us-east-1 and us-west-2 in this snapshot).
    // karpenter's us-east-1 prices are the newer ones and win.
    const key = `${type} ${r.region}`;
    if (Number(r.ondemand) > 0 && !prices.has(key)) {
      prices.set(key, { type, region: r.region, currency: 'USD', hourly: trimDecimal(r.ondemand), source: SRC.ec2info });
    }
  }

  const x2 = JSON.parse(readFileSync(path.join(dir, 'aws/ec2instances-info/ec2_single_instance_x2iedn.32xlarge.json'), 'utf8')) as {
    instance_type: string;
    vCPU: number;
    memory: number;
    arch: string[];
    generation: string;
    pricing: Record<string, { linux?: { ondemand?: string } }>;
  };
  types.set(x2.instance_type, {
    type: x2.instance_type,
    vcpus: String(x2.vCPU),
    memory_mib: mib(x2.memory),
    arch: x2.arch.includes('arm64') ? 'arm64' : 'x86_64',
    family: 'x2iedn',
    generation: '2',
    current_generation: String(x2.generation === 'current'),
    ...gpuFields(null, 0),
    source: SRC.ec2infoX2,
  });
  for (const [region, p] of Object.entries(x2.pricing)) {
    const od = p.linux?.ondemand;
    if (od && Number(od) > 0) {
      prices.set(`${x2.instance_type} ${region}`, {
        type: x2.instance_type,
        region,
        currency: 'USD',
        hourly: trimDecimal(od),
        source: SRC.ec2infoX2,
      });
    }
  }

  // The demo estate's Graviton type (m7g.xlarge) and its family: no extract has arm64 types.
  const m7g: [string, number, number, string][] = [
    ['m7g.medium', 1, 4, '0.0408'],
    ['m7g.large', 2, 8, '0.0816'],
    ['m7g.xlarge', 4, 16, '0.1632'],
    ['m7g.2xlarge', 8, 32, '0.3264'],
    ['m7g.4xlarge', 16, 64, '0.6528'],
  ];
  for (const [type, vcpus, gib, price] of m7g) {
    types.set(type, {
      type,
      vcpus: String(vcpus),
      memory_mib: mib(gib),
      arch: 'arm64',
      family: 'm7g',
      generation: '7',
      current_generation: 'true',
      ...gpuFields(null, 0),
      source: SRC.awsDocs,
    });
    prices.set(`${type} us-east-1`, { type, region: 'us-east-1', currency: 'USD', hourly: price, source: SRC.awsPricePage });
  }
  return { types: [...types.values()], prices: [...prices.values()] };
}

// -------------------------------------------------------------------------------------------- Azure

/** Accelerator in an Azure size → GPU_MODELS key; sizes whose name has none listed by name. */
function azureGpuKey(name: string, accelerator: string): string | null {
  if (accelerator === 'A100') return /^Standard_NC\d+ads_A100_v4$|^Standard_ND\d+amsr_A100_v4$/.test(name) ? 'A100-80GB' : 'A100-40GB';
  if (accelerator === 'H100') return 'H100';
  if (accelerator === 'H200') return 'H200';
  if (accelerator === 'T4') return 'T4';
  if (/^Standard_NC\d+s_v3$/.test(name)) return 'V100';
  if (/^Standard_ND\d+asr_v4$/.test(name)) return 'A100-40GB';
  return null;
}

/** [size, vCPUs, memory GiB, GPUs]: the demo's sizes and their neighbours, from Microsoft's size tables. */
const AZURE_MANUAL: [string, number, number, number][] = [
  ['Standard_D2s_v5', 2, 8, 0],
  ['Standard_D4s_v5', 4, 16, 0],
  ['Standard_D8s_v5', 8, 32, 0],
  ['Standard_D16s_v5', 16, 64, 0],
  ['Standard_D32s_v5', 32, 128, 0],
  ['Standard_D8s_v3', 8, 32, 0],
  ['Standard_D16s_v3', 16, 64, 0],
  ['Standard_D32s_v3', 32, 128, 0],
  ['Standard_E2s_v5', 2, 16, 0],
  ['Standard_E4s_v5', 4, 32, 0],
  ['Standard_E8s_v5', 8, 64, 0],
  ['Standard_E16s_v5', 16, 128, 0],
  ['Standard_E32s_v5', 32, 256, 0],
  ['Standard_E8s_v3', 8, 64, 0],
  ['Standard_E16s_v3', 16, 128, 0],
  ['Standard_F2s_v2', 2, 4, 0],
  ['Standard_F4s_v2', 4, 8, 0],
  ['Standard_F8s_v2', 8, 16, 0],
  ['Standard_B2s', 2, 4, 0],
  ['Standard_B2ms', 2, 8, 0],
  ['Standard_B4ms', 4, 16, 0],
  ['Standard_NC48ads_A100_v4', 48, 440, 2],
  ['Standard_NC96ads_A100_v4', 96, 880, 4],
  ['Standard_NC4as_T4_v3', 4, 28, 1],
  ['Standard_NC8as_T4_v3', 8, 56, 1],
  ['Standard_NC64as_T4_v3', 64, 440, 4],
  ['Standard_NC12s_v3', 12, 224, 2],
  ['Standard_NC24s_v3', 24, 448, 4],
  ['Standard_ND96asr_v4', 96, 900, 8],
  ['Standard_ND96amsr_A100_v4', 96, 1900, 8],
  ['Standard_ND96isr_H100_v5', 96, 1900, 8],
  ['Standard_ND96isr_H200_v5', 96, 1850, 8],
];

function azureRow(name: string, vcpus: string, memoryMib: string, arch: string, gpus: number, source: string): Row {
  const size = parseAzureSize(name);
  if (!size) throw new Error(`Azure size ${name} outside the naming convention`);
  return {
    type: name,
    vcpus,
    memory_mib: memoryMib,
    arch,
    family: size.family,
    generation: String(size.version),
    current_generation: String(azureCurrentGeneration(size)),
    ...gpuFields(gpus ? azureGpuKey(name, size.accelerator) : null, gpus),
    source,
  };
}

function buildAzure(dir: string): { types: Row[]; prices: PriceRow[] } {
  const types = new Map<string, Row>();
  const skus = JSON.parse(readFileSync(path.join(dir, 'azure/karpenter-azure-resourceskus-southcentralus.json'), 'utf8')) as {
    value: { name: string; capabilities?: { name: string; value: string }[] }[];
  };
  for (const s of skus.value) {
    const cap = new Map((s.capabilities ?? []).map((x) => [x.name, x.value]));
    const arch = cap.get('CpuArchitectureType') === 'Arm64' ? 'arm64' : 'x86_64';
    types.set(
      s.name,
      azureRow(s.name, cap.get('vCPUs')!, mib(Number(cap.get('MemoryGB'))), arch, Number(cap.get('GPUs') ?? '0'), SRC.azureSkus),
    );
  }
  for (const [name, vcpus, gib, gpus] of AZURE_MANUAL) {
    if (!types.has(name)) types.set(name, azureRow(name, String(vcpus), mib(gib), 'x86_64', gpus, SRC.azureDocs));
  }
  const pFile = path.join(dir, 'azure/karpenter-azure-vm-ondemand-prices-subset.csv');
  const p = readCsv(pFile);
  const [iRegion, iSku, iPrice] = ['region', 'sku', 'ondemand_usd_per_hour'].map((n) => column(pFile, p.header, n)) as number[];
  const prices: PriceRow[] = [];
  for (const { fields: f } of p.rows) {
    const sku = f[iSku!]!;
    // Dedicated-host keys (…_Type1) are hosts, not VM sizes.
    if (/_Type\d+$/.test(sku)) continue;
    prices.push({ type: sku, region: f[iRegion!]!, currency: 'USD', hourly: trimDecimal(f[iPrice!]!), source: SRC.karpenterAzurePrices });
  }
  return { types: [...types.values()], prices };
}

// ---------------------------------------------------------------------------------------------- GCP

/** cluster-toolkit's accelerator label → GPU_MODELS key; a3-edgegpu (not in its map) carries H100 80GB. */
const GCP_LABEL_GPU: Record<string, string> = {
  'nvidia-l4': 'L4',
  'nvidia-h100-80gb': 'H100',
  'nvidia-h100-mega-80gb': 'H100',
  'nvidia-h200-141gb': 'H200',
  'nvidia-tesla-a100': 'A100-40GB',
};

/** g2 sizes' GPU counts (Google's G2 table); a2/a3 types end in the count ('-8g'). */
const G2_GPUS: Record<string, number> = {
  'g2-standard-4': 1,
  'g2-standard-8': 1,
  'g2-standard-12': 1,
  'g2-standard-16': 1,
  'g2-standard-24': 2,
  'g2-standard-32': 1,
  'g2-standard-48': 4,
  'g2-standard-96': 8,
};

function buildGcp(dir: string): { types: Row[]; prices: PriceRow[] } {
  const toolkit = JSON.parse(readFileSync(path.join(dir, 'gcp/cluster-toolkit-machine_mappings.json'), 'utf8')) as {
    machine_family_to_label_map: Record<string, string>;
  };
  const sFile = path.join(dir, 'gcp/ccf-gcp-instances-latest-2026.csv');
  const s = readCsv(sFile);
  const [iType, iVcpu, iMem, iMaker] = ['Instance Type', 'Instance vCPU', 'Instance Memory', 'Manufacturer'].map((n) =>
    column(sFile, s.header, n),
  ) as number[];
  const types = new Map<string, Row>();
  for (const { fields: f, line } of s.rows) {
    const type = f[iType!]!;
    // ccf's a2-highgpu-16g is no GCP machine type (the 16-GPU A2 is a2-megagpu-16g).
    if (type === 'a2-highgpu-16g') continue;
    const name = parseGcpMachineType(type);
    if (!name) throw new Error(`${sFile}:${line}: machine type ${type} outside GCP's naming`);
    let gpuKey: string | null = null;
    let gpus = 0;
    const label = toolkit.machine_family_to_label_map[name.series] ?? (name.series === 'a3-edgegpu' ? 'nvidia-h100-80gb' : undefined);
    if (label) {
      gpuKey = name.series === 'a2-ultragpu' ? 'A100-80GB' : (GCP_LABEL_GPU[label] ?? null);
      if (!gpuKey) throw new Error(`${sFile}:${line}: accelerator ${label} of ${type} has no GPU model`);
      gpus = G2_GPUS[type] ?? Number(/-(\d+)g$/.exec(type)?.[1] ?? Number.NaN);
      if (!Number.isInteger(gpus)) throw new Error(`${sFile}:${line}: GPU count of ${type} unknown`);
    }
    const maker = f[iMaker!]!;
    types.set(type, {
      type,
      vcpus: f[iVcpu!]!,
      memory_mib: mib(Number(f[iMem!])),
      arch: maker === 'Google' || maker === 'Ampere' ? 'arm64' : 'x86_64',
      family: name.family,
      generation: String(name.generation),
      current_generation: String(name.currentGeneration),
      ...gpuFields(gpuKey, gpus),
      source: label ? `${SRC.ccf}; GPU ${SRC.toolkit}` : SRC.ccf,
    });
  }
  const pFile = path.join(dir, 'gcp/autoscaler-gce-machine-type-prices.csv');
  const p = readCsv(pFile);
  const [pType, pPrice] = ['machine_type', 'ondemand_usd_per_hour'].map((n) => column(pFile, p.header, n)) as number[];
  const prices = new Map<string, PriceRow>();
  for (const { fields: f, line } of p.rows) {
    const type = f[pType!]!;
    // autoscaler inflates these two on purpose (so it never prefers them): not list prices.
    if (type === 'e2-micro' || type === 'e2-small') continue;
    const hourly = trimDecimal(f[pPrice!]!);
    const seen = prices.get(type);
    if (seen && seen.hourly !== hourly) throw new Error(`${pFile}:${line}: ${type} priced twice (${seen.hourly}, ${hourly})`);
    prices.set(type, { type, region: 'us-central1', currency: 'USD', hourly, source: SRC.autoscaler });
  }
  return { types: [...types.values()], prices: [...prices.values()] };
}

// ----------------------------------------------------------------------------------------- output

function csv(columns: readonly string[], rows: readonly Record<string, string>[]): string {
  const lines = [columns.join(',')];
  for (const r of rows) {
    const cells = columns.map((c) => {
      const v = r[c];
      if (v === undefined) throw new Error(`row ${JSON.stringify(r)} has no ${c}`);
      if (/[",\r\n]/.test(v)) throw new Error(`value ${JSON.stringify(v)} of ${c} needs quoting; keep the data plain`);
      return v;
    });
    lines.push(cells.join(','));
  }
  return `${lines.join('\n')}\n`;
}

function byTypeThenRegion(a: { type: string; region?: string }, b: { type: string; region?: string }): number {
  return a.type.localeCompare(b.type, 'en') || (a.region ?? '').localeCompare(b.region ?? '', 'en');
}

export function buildCatalog(fixturesDir: string, outDir: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [provider, build] of [
    ['aws', buildAws],
    ['azure', buildAzure],
    ['gcp', buildGcp],
  ] as const) {
    const { types, prices } = build(fixturesDir);
    types.sort(byTypeThenRegion);
    prices.sort(byTypeThenRegion);
    writeFileSync(path.join(outDir, `${provider}-types.csv`), csv(TYPE_COLUMNS, types));
    writeFileSync(path.join(outDir, `${provider}-prices.csv`), csv(PRICE_COLUMNS, prices));
    counts[`${provider} types`] = types.length;
    counts[`${provider} prices`] = prices.length;
  }
  return counts;
}
