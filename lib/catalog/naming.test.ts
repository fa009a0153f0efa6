import { describe, expect, it } from 'vitest';
import { azureCurrentGeneration, parseAzureSize, parseGcpMachineType } from './naming';

describe('Azure size names', () => {
  it('reads series, vCPUs, features, accelerator and version', () => {
    expect(parseAzureSize('Standard_NC24ads_A100_v4')).toEqual({
      series: 'NC',
      vcpus: 24,
      features: 'ads',
      accelerator: 'A100',
      version: 4,
      family: 'NCadsA100v4',
    });
    expect(parseAzureSize('Standard_M8-2ms')).toMatchObject({ series: 'M', vcpus: 8, features: 'ms', version: 1, family: 'Mms' });
    expect(parseAzureSize('Standard_B2ms')).toMatchObject({ version: 1, family: 'Bms' });
    expect(parseAzureSize('Basic_A0')).toBeNull();
    expect(parseAzureSize('Standard_D2s_v3_Type1')).toBeNull();
  });

  it('D and E up to v3 are previous generation, v4 on current; F v2 and B are current; A is retired', () => {
    const current = (n: string) => azureCurrentGeneration(parseAzureSize(n)!);
    expect(current('Standard_D4s_v3')).toBe(false);
    expect(current('Standard_DS2_v2')).toBe(false);
    expect(current('Standard_E8s_v3')).toBe(false);
    expect(current('Standard_D4s_v5')).toBe(true);
    expect(current('Standard_E4d_v5')).toBe(true);
    expect(current('Standard_F8s_v2')).toBe(true);
    expect(current('Standard_B2ms')).toBe(true);
    expect(current('Standard_A0')).toBe(false);
  });
});

describe('GCP machine type names', () => {
  it('family, generation and series; N1 (and f1/g1) previous generation', () => {
    expect(parseGcpMachineType('n2d-highmem-16')).toEqual({ family: 'n2d', generation: 2, series: 'n2d-highmem', currentGeneration: true });
    expect(parseGcpMachineType('a3-highgpu-8g')).toMatchObject({ family: 'a3', generation: 3, series: 'a3-highgpu' });
    expect(parseGcpMachineType('n1-standard-8')).toMatchObject({ currentGeneration: false, generation: 1 });
    expect(parseGcpMachineType('f1-micro')).toMatchObject({ family: 'f1', currentGeneration: false });
    expect(parseGcpMachineType('custom')).toBeNull();
  });
});
