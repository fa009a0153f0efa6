import type pg from 'pg';
import type { RuleDefinition, RuleParameter } from './types';

/**
 * A rule's parameters as the engine uses them: each parameter's default (declared in the rule's
 * module) unless an admin changed it on /settings/recommendations (a rule_settings row). Writes go
 * through setRuleParameter, which refuses a value outside the parameter's bounds; a stored value
 * that is out of bounds anyway (bounds tightened in a later release, a hand-edited row) is not
 * used: the default applies and the engine reports it, so one bad setting never stops the rules.
 */
export class RuleParameterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuleParameterError';
  }
}

/** The parameter's value if `value` is a number within its bounds; a RuleParameterError naming rule, parameter and value otherwise. */
export function validateParameter(rule: Pick<RuleDefinition, 'id'>, parameter: RuleParameter, value: unknown): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) {
    throw new RuleParameterError(`${rule.id}.${parameter.key}: ${JSON.stringify(value)} is not a number`);
  }
  if (n < parameter.min || n > parameter.max) {
    throw new RuleParameterError(
      `${rule.id}.${parameter.key}: ${n} is outside ${parameter.min}–${parameter.max} (${parameter.unit}; default ${parameter.default})`,
    );
  }
  return n;
}

export interface ResolvedParams {
  /** Rule id → parameter key → value in force. */
  values: Map<string, Record<string, number>>;
  /** Stored values that were not used, one sentence each. */
  warnings: string[];
}

/** Defaults with the stored overrides applied, for every rule given. */
export async function loadRuleParams(db: pg.Pool | pg.PoolClient, rules: readonly RuleDefinition[]): Promise<ResolvedParams> {
  const { rows } = await db.query<{ rule: string; parameter: string; value: unknown }>('SELECT rule, parameter, value FROM rule_settings');
  const values = new Map<string, Record<string, number>>();
  for (const rule of rules) values.set(rule.id, Object.fromEntries(rule.parameters.map((p) => [p.key, p.default])));
  const warnings: string[] = [];
  for (const row of rows) {
    const rule = rules.find((r) => r.id === row.rule);
    const parameter = rule?.parameters.find((p) => p.key === row.parameter);
    // A setting of a rule or parameter that no longer exists is history, not an error.
    if (!rule || !parameter) continue;
    try {
      (values.get(rule.id) as Record<string, number>)[parameter.key] = validateParameter(rule, parameter, row.value);
    } catch (error) {
      if (!(error instanceof RuleParameterError)) throw error;
      warnings.push(`${error.message}: the default ${parameter.default} applies`);
    }
  }
  return { values, warnings };
}

/** Stores an admin's value for one parameter (validated); null restores the default. */
export async function setRuleParameter(
  db: pg.Pool | pg.PoolClient,
  rules: readonly RuleDefinition[],
  change: { rule: string; parameter: string; value: number | null; updatedBy: string | null },
): Promise<void> {
  const rule = rules.find((r) => r.id === change.rule);
  if (!rule) throw new RuleParameterError(`no rule ${JSON.stringify(change.rule)}`);
  const parameter = rule.parameters.find((p) => p.key === change.parameter);
  if (!parameter) throw new RuleParameterError(`rule ${rule.id} has no parameter ${JSON.stringify(change.parameter)}`);
  if (change.value === null) {
    await db.query('DELETE FROM rule_settings WHERE rule = $1 AND parameter = $2', [rule.id, parameter.key]);
    return;
  }
  const value = validateParameter(rule, parameter, change.value);
  await db.query(
    `INSERT INTO rule_settings (rule, parameter, value, updated_at, updated_by) VALUES ($1, $2, $3::jsonb, now(), $4)
     ON CONFLICT (rule, parameter) DO UPDATE SET value = EXCLUDED.value, updated_at = now(), updated_by = EXCLUDED.updated_by`,
    [rule.id, parameter.key, JSON.stringify(value), change.updatedBy],
  );
}
