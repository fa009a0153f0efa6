import type { RuleDefinition } from '../types';
import { gp2ToGp3Rule } from './gp2-to-gp3';
import { gpuRule } from './gpu';
import { idleAddressRule } from './idle-address';
import { idleInstanceRule } from './idle-instance';
import { idleLoadBalancerRule } from './idle-load-balancer';
import { oldSnapshotRule } from './old-snapshot';
import { previousGenerationRule } from './previous-generation';
import { rightsizeRule } from './rightsize';
import { stoppedInstanceRule } from './stopped-instance';
import { unattachedVolumeRule } from './unattached-volume';

/**
 * THE rule registry: every rule the engine runs and the settings page lists, in display order.
 * A rule is one module in this folder (its parameters and their defaults at the top, a function
 * from the stored resources, metrics and bills to findings); add it here to run it.
 */
export const RULES: readonly RuleDefinition[] = [
  rightsizeRule,
  idleInstanceRule,
  stoppedInstanceRule,
  unattachedVolumeRule,
  oldSnapshotRule,
  idleAddressRule,
  idleLoadBalancerRule,
  previousGenerationRule,
  gp2ToGp3Rule,
  gpuRule,
];

export function ruleById(id: string): RuleDefinition | undefined {
  return RULES.find((r) => r.id === id);
}
