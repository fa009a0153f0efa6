import type pg from 'pg';
import { getPool } from '../db/pool';
import type { RuleDefinition } from '../recommendations/types';

/** An admin's stored value of one rule parameter, with who set it and when. */
export interface StoredRuleSetting {
  value: unknown;
  updatedAt: Date;
  updatedBy: string | null;
}

/** rule id → parameter key → what rule_settings holds (absent: the default applies). */
export async function getRuleSettings(
  rules: readonly RuleDefinition[],
  db: pg.Pool | pg.PoolClient = getPool(),
): Promise<Map<string, Map<string, StoredRuleSetting>>> {
  const { rows } = await db.query<{ rule: string; parameter: string; value: unknown; updated_at: Date; updated_by: string | null }>(
    'SELECT rule, parameter, value, updated_at, updated_by FROM rule_settings WHERE rule = ANY($1::text[])',
    [rules.map((r) => r.id)],
  );
  const out = new Map<string, Map<string, StoredRuleSetting>>();
  for (const r of rows) {
    const perRule = out.get(r.rule) ?? new Map<string, StoredRuleSetting>();
    perRule.set(r.parameter, { value: r.value, updatedAt: r.updated_at, updatedBy: r.updated_by });
    out.set(r.rule, perRule);
  }
  return out;
}
