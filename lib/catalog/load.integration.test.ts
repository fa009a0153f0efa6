// The shipped catalog against its sources: the expected values below were read by hand from the
// extracts in tests/fixtures/instance-catalog (file and row named at each), not computed by the
// build. Refreshed prices in catalog_prices win over the shipped ones; the data files are what
// scripts/catalog-build.ts makes from the extracts.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCatalog } from '../../scripts/catalog-build';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { getPool } from '../db/pool';
import { CATALOG_DIR, CatalogFileError, loadCatalog } from './load';
import type { Catalog } from './types';

let url: string;
let shipped: Catalog;

beforeAll(async () => {
  url = await useTestDatabase();
  shipped = await loadCatalog();
});

describe('shipped AWS data agrees with the extracts', () => {
  it('g5.xlarge: karpenter ec2-instance-types-subset.csv row g5.xlarge', () => {
    expect(shipped.spec('aws', 'g5.xlarge')).toEqual({
      provider: 'aws',
      type: 'g5.xlarge',
      vcpus: 4,
      memoryMib: 16384,
      arch: 'x86_64',
      family: 'g5',
      generation: 5,
      currentGeneration: true,
      gpuCount: 1,
      gpuModel: 'A10G',
      gpuMemoryMib: 22888,
      migProfiles: [],
    });
    // ondemand_usd_per_hour_us_east_1 1.006000
    expect(shipped.price('aws', 'g5.xlarge', 'us-east-1')).toMatchObject({ currency: 'USD', hourly: '1.006' });
    // ec2instances.info opszero subset: g5.xlarge eu-west-1 "ondemand": "1.123"
    expect(shipped.price('aws', 'g5.xlarge', 'eu-west-1')).toMatchObject({ currency: 'USD', hourly: '1.123' });
  });

  it('p4d.24xlarge: A100 40GB with its MIG profiles; karpenter us-east-1, ec2instances.info elsewhere', () => {
    const p4d = shipped.spec('aws', 'p4d.24xlarge');
    expect(p4d).toMatchObject({ vcpus: 96, memoryMib: 1179648, gpuCount: 8, gpuModel: 'A100', gpuMemoryMib: 40960 });
    expect(p4d?.migProfiles).toEqual(['1g.5gb', '1g.10gb', '2g.10gb', '3g.20gb', '4g.20gb', '7g.40gb']);
    expect(shipped.price('aws', 'p4d.24xlarge', 'us-east-1')?.hourly).toBe('21.957642');
    expect(shipped.price('aws', 'p4d.24xlarge', 'ap-northeast-2')?.hourly).toBe('45.38848');
    expect(shipped.price('aws', 'p4d.24xlarge', 'eu-west-1')?.hourly).toBe('35.39655');
    // ec2instances.info says "0" (no price) for us-west-2 and karpenter has us-east-1 only.
    expect(shipped.price('aws', 'p4d.24xlarge', 'us-west-2')).toBeNull();
  });

  it('p5.48xlarge H100 and p5e.48xlarge H200 (karpenter: p5e has no price)', () => {
    expect(shipped.spec('aws', 'p5.48xlarge')).toMatchObject({
      vcpus: 192,
      memoryMib: 2097152,
      gpuCount: 8,
      gpuModel: 'H100',
      gpuMemoryMib: 81920,
    });
    expect(shipped.spec('aws', 'p5.48xlarge')?.migProfiles).toContain('7g.80gb');
    expect(shipped.price('aws', 'p5.48xlarge', 'us-east-1')?.hourly).toBe('55.04');
    expect(shipped.spec('aws', 'p5e.48xlarge')).toMatchObject({ gpuModel: 'H200', gpuMemoryMib: 144384 });
    expect(shipped.spec('aws', 'p5e.48xlarge')?.migProfiles).toEqual(['1g.18gb', '1g.35gb', '2g.35gb', '3g.71gb', '4g.71gb', '7g.141gb']);
    expect(shipped.price('aws', 'p5e.48xlarge', 'us-east-1')).toBeNull();
  });

  it('x2iedn.32xlarge from the single ec2instances.info record: 128 vCPUs, 4096 GiB, per-region Linux prices', () => {
    expect(shipped.spec('aws', 'x2iedn.32xlarge')).toMatchObject({ vcpus: 128, memoryMib: 4096 * 1024, currentGeneration: true });
    expect(shipped.price('aws', 'x2iedn.32xlarge', 'us-east-1')?.hourly).toBe('26.676');
  });

  it('the hand-entered Graviton type says it is not from a fixture', () => {
    expect(shipped.spec('aws', 'm7g.xlarge')).toMatchObject({ arch: 'arm64', vcpus: 4, memoryMib: 16384 });
    expect(shipped.price('aws', 'm7g.xlarge', 'us-east-1')).toMatchObject({ hourly: '0.1632' });
    expect(shipped.price('aws', 'm7g.xlarge', 'us-east-1')?.source).toMatch(/not in fixtures/);
  });
});

describe('shipped Azure data agrees with the extracts', () => {
  it('Standard_NC24ads_A100_v4 from the resource SKUs (vCPUs 24, MemoryGB 220, GPUs 1)', () => {
    expect(shipped.spec('azure', 'Standard_NC24ads_A100_v4')).toMatchObject({
      vcpus: 24,
      memoryMib: 220 * 1024,
      gpuCount: 1,
      gpuModel: 'A100',
      gpuMemoryMib: 81920,
      family: 'NCadsA100v4',
      generation: 4,
      currentGeneration: true,
    });
    // karpenter-azure-vm-ondemand-prices-subset.csv: koreacentral,Standard_NC24ads_A100_v4,4.959000
    expect(shipped.price('azure', 'Standard_NC24ads_A100_v4', 'koreacentral')?.hourly).toBe('4.959');
  });

  it('an Arm64 SKU and the v3/v5 generation rule', () => {
    expect(shipped.spec('azure', 'Standard_D16plds_v5')).toMatchObject({ arch: 'arm64', vcpus: 16, memoryMib: 32768 });
    expect(shipped.spec('azure', 'Standard_D4s_v3')).toMatchObject({ family: 'Dsv3', generation: 3, currentGeneration: false });
    expect(shipped.spec('azure', 'Standard_D4s_v5')).toMatchObject({ family: 'Dsv5', generation: 5, currentGeneration: true });
  });

  it('prices per region: southcentralus,Standard_D4s_v5,0.230000; westeurope ND96isr_H100_v5 127.816000; H200 only in westus2', () => {
    expect(shipped.price('azure', 'Standard_D4s_v5', 'southcentralus')).toMatchObject({ currency: 'USD', hourly: '0.23' });
    expect(shipped.price('azure', 'Standard_ND96isr_H100_v5', 'westeurope')?.hourly).toBe('127.816');
    expect(shipped.price('azure', 'Standard_ND96isr_H200_v5', 'westus2')?.hourly).toBe('84.8');
    expect(shipped.price('azure', 'Standard_ND96isr_H200_v5', 'eastus')).toBeNull();
  });
});

describe('shipped GCP data agrees with the extracts', () => {
  it('n2-standard-8: ccf 8 vCPUs 32 GB; autoscaler 0.3885 (us-central1)', () => {
    expect(shipped.spec('gcp', 'n2-standard-8')).toMatchObject({
      vcpus: 8,
      memoryMib: 32768,
      family: 'n2',
      generation: 2,
      currentGeneration: true,
    });
    expect(shipped.price('gcp', 'n2-standard-8', 'us-central1')).toMatchObject({ currency: 'USD', hourly: '0.3885' });
  });

  it('n1 is previous generation; n1-standard-8 has 30 GB', () => {
    expect(shipped.spec('gcp', 'n1-standard-8')).toMatchObject({ memoryMib: 30720, currentGeneration: false, generation: 1 });
  });

  it('a3-highgpu-8g: 208 vCPUs, 1872 GB, 8 H100 (cluster-toolkit a3-highgpu → nvidia-h100-80gb); no price in any extract', () => {
    expect(shipped.spec('gcp', 'a3-highgpu-8g')).toMatchObject({ vcpus: 208, memoryMib: 1872 * 1024, gpuCount: 8, gpuModel: 'H100' });
    expect(shipped.price('gcp', 'a3-highgpu-8g', 'us-central1')).toBeNull();
    expect(shipped.spec('gcp', 'g2-standard-24')).toMatchObject({ gpuCount: 2, gpuModel: 'L4' });
    expect(shipped.spec('gcp', 'a2-ultragpu-1g')).toMatchObject({ gpuCount: 1, gpuModel: 'A100', gpuMemoryMib: 81920 });
  });

  it("autoscaler's deliberately inflated e2-micro is not shipped as a price", () => {
    expect(shipped.spec('gcp', 'e2-micro')).not.toBeNull();
    expect(shipped.price('gcp', 'e2-micro', 'us-central1')).toBeNull();
  });
});

describe('catalog lookups', () => {
  it('every instance type the demo estate bills has a spec', () => {
    const demo: [string, string][] = [
      ['aws', 'm6i.2xlarge'],
      ['aws', 'm6i.4xlarge'],
      ['aws', 'c6i.4xlarge'],
      ['aws', 'r6i.2xlarge'],
      ['aws', 't3.large'],
      ['aws', 'm7g.xlarge'],
      ['aws', 'g5.xlarge'],
      ['aws', 'g5.12xlarge'],
      ['aws', 'p5.48xlarge'],
      ['azure', 'Standard_D4s_v5'],
      ['azure', 'Standard_D8s_v5'],
      ['azure', 'Standard_E8s_v5'],
      ['azure', 'Standard_F8s_v2'],
      ['azure', 'Standard_B2ms'],
      ['azure', 'Standard_NC24ads_A100_v4'],
      ['azure', 'Standard_ND96isr_H100_v5'],
      ['gcp', 'n2-standard-8'],
      ['gcp', 'e2-standard-4'],
      ['gcp', 'c3-standard-8'],
      ['gcp', 'n2-highmem-16'],
      ['gcp', 'g2-standard-8'],
      ['gcp', 'a3-highgpu-8g'],
    ];
    const missing = demo.filter(([p, t]) => shipped.spec(p as 'aws', t) === null);
    expect(missing).toEqual([]);
  });

  it('unknown types, regions and providers are null, and types() lists one provider', () => {
    expect(shipped.spec('aws', 'm99.huge')).toBeNull();
    expect(shipped.price('aws', 'g5.xlarge', 'mars-north-1')).toBeNull();
    expect(shipped.spec('other', 'g5.xlarge')).toBeNull();
    expect(shipped.types('other')).toEqual([]);
    const aws = shipped.types('aws');
    expect(aws.every((t) => t.provider === 'aws')).toBe(true);
    expect(aws.some((t) => t.type === 'g5.xlarge')).toBe(true);
  });

  it('a refreshed price in catalog_prices wins over the shipped one; other prices stay shipped', async () => {
    await sql(
      url,
      `INSERT INTO catalog_prices (provider, instance_type, region_id, currency, hourly, source)
       VALUES ('aws', 'g5.xlarge', 'us-east-1', 'USD', 0.9870, 'AWS Price List API (effective 2026-11-01)'),
              ('gcp', 'a3-highgpu-8g', 'us-central1', 'USD', 88.2531, 'Cloud Billing Catalog (effective 2026-10-01)')`,
    );
    const cat = await loadCatalog(getPool());
    expect(cat.price('aws', 'g5.xlarge', 'us-east-1')).toEqual({
      currency: 'USD',
      hourly: '0.987',
      source: 'AWS Price List API (effective 2026-11-01)',
    });
    expect(cat.price('gcp', 'a3-highgpu-8g', 'us-central1')?.hourly).toBe('88.2531');
    expect(cat.price('aws', 'g5.xlarge', 'eu-west-1')?.hourly).toBe('1.123');
    // Without a database: the shipped data alone.
    expect((await loadCatalog()).price('aws', 'g5.xlarge', 'us-east-1')?.hourly).toBe('1.006');
  });
});

describe('the data files', () => {
  it('are what scripts/catalog-build.ts makes from tests/fixtures/instance-catalog', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'catalog-'));
    buildCatalog(path.resolve('tests/fixtures/instance-catalog'), out);
    for (const p of ['aws', 'azure', 'gcp']) {
      for (const kind of ['types', 'prices']) {
        const name = `${p}-${kind}.csv`;
        expect(readFileSync(path.join(out, name), 'utf8'), name).toBe(readFileSync(path.join(CATALOG_DIR, name), 'utf8'));
      }
    }
  });

  it('a bad value is an error naming the file, line, column and value', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'catalog-bad-'));
    for (const p of ['aws', 'azure', 'gcp']) {
      for (const kind of ['types', 'prices']) {
        writeFileSync(path.join(dir, `${p}-${kind}.csv`), readFileSync(path.join(CATALOG_DIR, `${p}-${kind}.csv`)));
      }
    }
    const file = path.join(dir, 'azure-prices.csv');
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[3] = lines[3]!.replace(/,USD,[^,]+,/, ',USD,1.2e3,');
    writeFileSync(file, lines.join('\n'));
    await expect(loadCatalog(undefined, { dir })).rejects.toThrow(CatalogFileError);
    await expect(loadCatalog(undefined, { dir })).rejects.toThrow(`${file}, line 4, column hourly: "1.2e3" is not a decimal price`);
  });
});
