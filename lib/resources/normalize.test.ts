import { describe, expect, it } from 'vitest';
import { normalizeResourceId, resourceProvider } from './normalize';

describe('normalizeResourceId', () => {
  it('case-folds Azure ids and keeps AWS and GCP ids as given', () => {
    expect(normalizeResourceId('azure', ' /subscriptions/ABC/resourceGroups/RG/providers/Microsoft.Compute/virtualMachines/Vm1 ')).toBe(
      '/subscriptions/abc/resourcegroups/rg/providers/microsoft.compute/virtualmachines/vm1',
    );
    expect(normalizeResourceId('gcp', 'projects/P/zones/z/instances/Box')).toBe('projects/P/zones/z/instances/Box');
    expect(normalizeResourceId('aws', 'i-0ABC')).toBe('i-0ABC');
  });

  it('names an EC2 resource by its id whether the bill gives the ARN (FOCUS) or the id (CUR, EC2 API)', () => {
    expect(normalizeResourceId('aws', 'arn:aws:ec2:us-east-1:123456789012:instance/i-0abc')).toBe('i-0abc');
    expect(normalizeResourceId('aws', 'arn:aws:ec2:eu-west-1:123456789012:volume/vol-1')).toBe('vol-1');
    expect(normalizeResourceId('aws', 'arn:aws-cn:ec2:cn-north-1:123456789012:snapshot/snap-1')).toBe('snap-1');
    // Other services' ARNs are their ids.
    const lb = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188';
    expect(normalizeResourceId('aws', lb)).toBe(lb);
  });

  it('maps bill provider names to resource providers', () => {
    expect(['AWS', 'Amazon Web Services', 'Microsoft', 'Azure', 'Google Cloud', 'GCP', 'Oracle'].map(resourceProvider)).toEqual([
      'aws',
      'aws',
      'azure',
      'azure',
      'gcp',
      'gcp',
      'other',
    ]);
  });
});
