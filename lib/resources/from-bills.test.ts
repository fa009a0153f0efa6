// What one bill line says about its resource, for each export's way of naming a type.
import { describe, expect, it } from 'vitest';
import { type BillLineFacts, resourceFromBillLine } from './from-bills';

const base: BillLineFacts = {
  providerName: 'AWS',
  resourceId: '',
  accountId: '123456789012',
  regionId: 'us-east-1',
  resourceType: null,
  usageType: null,
  instanceType: null,
  additionalInfo: null,
  meterCategory: null,
  meterName: null,
  skuDescription: null,
  skuInstanceType: null,
};

describe('resourceFromBillLine', () => {
  it('AWS CUR: the instance type from product/instanceType, else from the usage type', () => {
    expect(resourceFromBillLine({ ...base, resourceId: 'i-0abc', usageType: 'USE1-BoxUsage:m5.large', instanceType: 'm5.large' })).toEqual({
      provider: 'aws',
      resourceId: 'i-0abc',
      kind: 'instance',
      accountId: '123456789012',
      regionId: 'us-east-1',
      resourceType: 'm5.large',
    });
    expect(resourceFromBillLine({ ...base, resourceId: 'i-0def', usageType: 'APN2-SpotUsage:c5.xlarge' })?.resourceType).toBe('c5.xlarge');
  });

  it('AWS volumes, snapshots, addresses and load balancers from the usage type', () => {
    expect(resourceFromBillLine({ ...base, resourceId: 'vol-1', usageType: 'EBS:VolumeUsage.gp2' })).toMatchObject({
      kind: 'volume',
      resourceType: 'gp2',
    });
    expect(resourceFromBillLine({ ...base, resourceId: 'vol-2', usageType: 'EBS:VolumeUsage' })).toMatchObject({
      kind: 'volume',
      resourceType: 'standard',
    });
    expect(resourceFromBillLine({ ...base, resourceId: 'snap-1', usageType: 'EBS:SnapshotUsage' })?.kind).toBe('snapshot');
    expect(resourceFromBillLine({ ...base, resourceId: '54.12.34.56', usageType: 'USE1-ElasticIP:IdleAddress' })?.kind).toBe('address');
    expect(
      resourceFromBillLine({
        ...base,
        resourceId: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/1',
        usageType: 'USE1-LoadBalancerUsage',
      })?.kind,
    ).toBe('load_balancer');
    expect(resourceFromBillLine({ ...base, resourceId: 'my-bucket', usageType: 'TimedStorage-ByteHrs' })?.kind).toBe('other');
  });

  it('Azure: the size from AdditionalInfo, else from the VM meter name', () => {
    const vm = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1';
    expect(
      resourceFromBillLine({
        ...base,
        providerName: 'Microsoft',
        resourceId: vm,
        additionalInfo: { ServiceType: 'Standard_D4s_v5', VCPUs: 4 },
      }),
    ).toMatchObject({ provider: 'azure', kind: 'instance', resourceType: 'Standard_D4s_v5' });
    expect(resourceFromBillLine({ ...base, providerName: 'Microsoft', resourceId: vm, meterName: 'E8as v5 Spot' })?.resourceType).toBe(
      'Standard_E8as_v5',
    );
    expect(resourceFromBillLine({ ...base, providerName: 'Microsoft', resourceId: vm, meterName: 'A1' })?.resourceType).toBe('Standard_A1');
  });

  it('GCP: the machine type in the SKU description or usage text; FOCUS SkuPriceDetails wins', () => {
    const id = 'projects/p/zones/us-central1-a/instances/box';
    expect(
      resourceFromBillLine({ ...base, providerName: 'Google Cloud', resourceId: id, skuDescription: 'n2-standard-8 running' }),
    ).toMatchObject({
      provider: 'gcp',
      kind: 'instance',
      resourceType: 'n2-standard-8',
    });
    expect(
      resourceFromBillLine({
        ...base,
        providerName: 'Google Cloud',
        resourceId: id,
        skuDescription: 'N2 Instance Core',
        skuInstanceType: 'n2-highmem-4',
      })?.resourceType,
    ).toBe('n2-highmem-4');
  });

  it('a line without a resource id is about no resource', () => {
    expect(resourceFromBillLine({ ...base, resourceId: '  ' })).toBeNull();
  });
});
