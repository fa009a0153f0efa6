/**
 * Shared-cost rules (showback by team): a pool of spend that belongs to no one team — untagged
 * spend, a service such as a support plan, a shared billing account or sub-account, or a team
 * such as `platform` — split across teams evenly, by fixed percentages or in proportion to each
 * team's direct spend. Stored in `shared_cost_rules` (migration 0025), in priority order (a row
 * belongs to the first rule it matches), and applied at query time by allocation-sql.ts, so a rule
 * change shows at once on every month and nothing is rewritten.
 *
 * Teams are the team tag rule's values (lib/tags/rules.ts), as the explorer groups them.
 */
import type pg from 'pg';
import { z } from 'zod';
import { bumpDataVersion } from '../cache/data-version';
import { addDecimals, compareDecimals } from '../decimal';

export const POOL_DIMENSIONS = {
  untagged: { label: 'Untagged spend (no team)' },
  service: { label: 'Service' },
  billing_account: { label: 'Billing account' },
  sub_account: { label: 'Sub-account' },
  team: { label: 'Team' },
} as const;
export type PoolDimension = keyof typeof POOL_DIMENSIONS;

export const METHODS = {
  even: { label: 'Evenly' },
  fixed: { label: 'Fixed percentages' },
  proportional: { label: 'In proportion to direct spend' },
} as const;
export type AllocationMethod = keyof typeof METHODS;

export interface SharedCostRule {
  id: number;
  name: string;
  position: number;
  poolDimension: PoolDimension;
  /** Service names, account ids or team values; empty for untagged spend. */
  poolValues: string[];
  method: AllocationMethod;
  /** Team values; empty only for proportional: every team with direct spend in the month. */
  targets: string[];
  /** Fixed only: targets[i]'s percentage, decimal strings adding up to exactly 100. */
  percents: string[];
  updatedAt: Date | null;
  updatedBy: string | null;
}

/** A rule before it has an id or a place: what the form sends and the preview applies. */
export type SharedCostRuleInput = Pick<SharedCostRule, 'name' | 'poolDimension' | 'poolValues' | 'method' | 'targets' | 'percents'>;

const MAX_VALUES = 100;
const MAX_TARGETS = 200;
const PERCENT = /^(?:100(?:\.0{1,4})?|\d{1,2}(?:\.\d{1,4})?)$/;

export class SharedCostRuleError extends Error {
  constructor(
    message: string,
    readonly field: 'name' | 'poolDimension' | 'poolValues' | 'method' | 'targets',
    readonly line: number | null = null,
  ) {
    super(message);
    this.name = 'SharedCostRuleError';
  }
}

function fail(message: string, field: SharedCostRuleError['field'], line: number | null = null): never {
  throw new SharedCostRuleError(message, field, line);
}

/** Non-blank lines, trimmed, with their 1-based line numbers. */
function linesOf(text: string): { text: string; line: number }[] {
  return text
    .split(/\r?\n/)
    .map((t, i) => ({ text: t.trim(), line: i + 1 }))
    .filter((l) => l.text !== '');
}

/**
 * The form's text: pool values one per line; targets one team per line, or `team = percent` per
 * line for fixed percentages (adding up to exactly 100). A bad line is a SharedCostRuleError
 * naming its field and line; nothing is guessed.
 */
export function parseSharedCostRuleForm(input: {
  name: string;
  poolDimension: string;
  poolValues: string;
  method: string;
  targets: string;
}): SharedCostRuleInput {
  const name = input.name.trim();
  if (!name) fail('Name: required', 'name');
  if (name.length > 100) fail('Name: at most 100 characters', 'name');
  if (!(input.poolDimension in POOL_DIMENSIONS)) fail(`What is shared: one of ${Object.keys(POOL_DIMENSIONS).join(', ')}`, 'poolDimension');
  const poolDimension = input.poolDimension as PoolDimension;
  if (!(input.method in METHODS)) fail(`Split: one of ${Object.keys(METHODS).join(', ')}`, 'method');
  const method = input.method as AllocationMethod;

  const poolValues: string[] = [];
  if (poolDimension !== 'untagged') {
    for (const l of linesOf(input.poolValues)) {
      if (l.text.length > 512) fail(`Values, line ${l.line}: at most 512 characters`, 'poolValues', l.line);
      if (poolValues.includes(l.text)) fail(`Values, line ${l.line}: "${l.text}" is listed twice`, 'poolValues', l.line);
      poolValues.push(l.text);
    }
    if (!poolValues.length) fail(`Values: at least one ${POOL_DIMENSIONS[poolDimension].label.toLowerCase()}`, 'poolValues');
    if (poolValues.length > MAX_VALUES) fail(`Values: at most ${MAX_VALUES}`, 'poolValues');
  }

  const targets: string[] = [];
  const percents: string[] = [];
  for (const l of linesOf(input.targets)) {
    let team = l.text;
    if (method === 'fixed') {
      const at = l.text.lastIndexOf('=');
      if (at < 0) fail(`Teams, line ${l.line}: write "team = percent" (got ${JSON.stringify(l.text)})`, 'targets', l.line);
      team = l.text.slice(0, at).trim();
      const pct = l.text
        .slice(at + 1)
        .trim()
        .replace(/%$/, '')
        .trim();
      if (!PERCENT.test(pct))
        fail(`Teams, line ${l.line}: "${pct}" is not a percentage from 0 to 100 with at most 4 decimals`, 'targets', l.line);
      percents.push(pct);
    }
    if (!team) fail(`Teams, line ${l.line}: a team cannot be empty`, 'targets', l.line);
    if (team.length > 512) fail(`Teams, line ${l.line}: at most 512 characters`, 'targets', l.line);
    if (targets.includes(team)) fail(`Teams, line ${l.line}: "${team}" is listed twice`, 'targets', l.line);
    targets.push(team);
  }
  if (targets.length > MAX_TARGETS) fail(`Teams: at most ${MAX_TARGETS}`, 'targets');
  if (method !== 'proportional' && !targets.length) fail('Teams: at least one team to split across', 'targets');
  if (method === 'fixed') {
    const sum = addDecimals(percents);
    if (compareDecimals(sum, '100') !== 0) fail(`Teams: the percentages add up to ${sum}, not 100`, 'targets');
  }
  if (poolDimension === 'team') {
    const inBoth = targets.find((t) => poolValues.includes(t));
    if (inBoth) fail(`Teams: "${inBoth}" is both shared and a team it is split across`, 'targets');
  }
  return { name, poolDimension, poolValues, method, targets, percents };
}

/** The form's text of a rule. */
export function ruleFormText(rule: SharedCostRuleInput): { poolValues: string; targets: string } {
  return {
    poolValues: rule.poolValues.join('\n'),
    targets: rule.method === 'fixed' ? rule.targets.map((t, i) => `${t} = ${rule.percents[i]}`).join('\n') : rule.targets.join('\n'),
  };
}

/** One line describing a rule: "Service Support → ml, search, evenly". */
export function describeRule(rule: SharedCostRuleInput): string {
  const pool =
    rule.poolDimension === 'untagged'
      ? 'untagged spend'
      : `${POOL_DIMENSIONS[rule.poolDimension].label.toLowerCase()} ${rule.poolValues.join(', ')}`;
  const to =
    rule.method === 'fixed'
      ? rule.targets.map((t, i) => `${t} ${rule.percents[i]}%`).join(', ')
      : rule.targets.length
        ? rule.targets.join(', ')
        : 'every team with direct spend';
  return `${pool} → ${to}, ${METHODS[rule.method].label.toLowerCase()}`;
}

interface RuleRow {
  id: number;
  name: string;
  position: number;
  pool_dimension: PoolDimension;
  pool_values: string[];
  method: AllocationMethod;
  targets: string[];
  percents: string[];
  updated_at: Date;
  updated_by: string | null;
}

const COLUMNS = 'id, name, position, pool_dimension, pool_values, method, targets, percents::text[] AS percents, updated_at, updated_by';

function ruleOf(r: RuleRow): SharedCostRule {
  return {
    id: r.id,
    name: r.name,
    position: r.position,
    poolDimension: r.pool_dimension,
    poolValues: r.pool_values,
    method: r.method,
    targets: r.targets,
    percents: r.percents,
    updatedAt: r.updated_at,
    updatedBy: r.updated_by,
  };
}

/** Every rule in priority order: one query. */
export async function loadSharedCostRules(db: pg.Pool | pg.PoolClient): Promise<SharedCostRule[]> {
  const { rows } = await db.query<RuleRow>(`SELECT ${COLUMNS} FROM shared_cost_rules ORDER BY position`);
  return rows.map(ruleOf);
}

const LOCK = "SELECT pg_advisory_xact_lock(hashtext('burnrate shared cost rules'))";

/**
 * Creates a rule (last in priority) or replaces rule `id`, in the caller's transaction; returns the
 * rule before (null for a new one) and after. A name another rule has is refused.
 */
export async function saveSharedCostRule(
  client: pg.PoolClient,
  rule: SharedCostRuleInput,
  id: number | null,
  updatedBy: string,
): Promise<{ before: SharedCostRule | null; after: SharedCostRule }> {
  await client.query(LOCK);
  const { rows: clash } = await client.query<{ id: number }>(
    'SELECT id FROM shared_cost_rules WHERE name = $1 AND id IS DISTINCT FROM $2',
    [rule.name, id],
  );
  if (clash.length) fail(`Name: another rule is called "${rule.name}"`, 'name');
  const values = [rule.name, rule.poolDimension, rule.poolValues, rule.method, rule.targets, rule.percents, updatedBy];
  if (id === null) {
    const { rows } = await client.query<RuleRow>(
      `INSERT INTO shared_cost_rules (name, position, pool_dimension, pool_values, method, targets, percents, updated_by)
       VALUES ($1, (SELECT coalesce(max(position), 0) + 1 FROM shared_cost_rules), $2, $3::text[], $4, $5::text[], $6::numeric[], $7)
       RETURNING ${COLUMNS}`,
      values,
    );
    // The explorer's allocated view follows the rules (its cached answers are per data version).
    await bumpDataVersion(client, 'shared cost rule');
    return { before: null, after: ruleOf(rows[0] as RuleRow) };
  }
  const { rows: old } = await client.query<RuleRow>(`SELECT ${COLUMNS} FROM shared_cost_rules WHERE id = $1 FOR UPDATE`, [id]);
  if (!old[0]) fail(`Rule ${id} no longer exists: it was deleted`, 'name');
  const { rows } = await client.query<RuleRow>(
    `UPDATE shared_cost_rules SET name = $1, pool_dimension = $2, pool_values = $3::text[], method = $4, targets = $5::text[],
            percents = $6::numeric[], updated_by = $7, updated_at = now()
      WHERE id = $8 RETURNING ${COLUMNS}`,
    [...values, id],
  );
  await bumpDataVersion(client, 'shared cost rule');
  return { before: ruleOf(old[0]), after: ruleOf(rows[0] as RuleRow) };
}

/** Deletes rule `id` in the caller's transaction; returns it (null when it was already gone). */
export async function deleteSharedCostRule(client: pg.PoolClient, id: number): Promise<SharedCostRule | null> {
  await client.query(LOCK);
  const { rows } = await client.query<RuleRow>(`DELETE FROM shared_cost_rules WHERE id = $1 RETURNING ${COLUMNS}`, [id]);
  if (!rows[0]) return null;
  await bumpDataVersion(client, 'shared cost rule');
  return ruleOf(rows[0]);
}

/** The audit trail's view of a rule (what an editor sets). */
export function auditView(rule: SharedCostRuleInput): Record<string, unknown> {
  return {
    name: rule.name,
    pool: rule.poolDimension,
    values: rule.poolValues,
    method: rule.method,
    targets: rule.targets,
    percents: rule.percents,
  };
}

export const RuleIdSchema = z.coerce.number().int().positive();
