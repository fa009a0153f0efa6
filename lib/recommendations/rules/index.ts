import type { RuleDefinition } from '../types';
import { idleInstanceRule } from './idle-instance';

/**
 * THE rule registry: every rule the engine runs and the settings page lists, in display order.
 * A rule is one module in this folder (its parameters and their defaults at the top, a function
 * from the stored resources, metrics and bills to findings); add it here to run it.
 */
export const RULES: readonly RuleDefinition[] = [idleInstanceRule];

export function ruleById(id: string): RuleDefinition | undefined {
  return RULES.find((r) => r.id === id);
}
