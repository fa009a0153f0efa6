/**
 * The allocated view's facts, in SQL: rows of a monthly rollup with every shared pool split across
 * its teams (rules.ts). Used by the explorer's query builder (lib/explorer/query.ts), which knows
 * the dimensions and hands over its expressions; this module knows pools and splitting.
 *
 * How a pool is split, exactly:
 * - A row belongs to the first rule (in priority order) it matches; rows no rule matches are direct
 *   spend of their team (the team tag rule's value; '' is untagged).
 * - Each team's weight is 1 (even), its percentage (fixed), or its direct spend in the same month
 *   and currency, of the metric the view shows (proportional; a team with none or a credit weighs
 *   0; when every listed team weighs 0 they are split evenly; with no listed teams, every team with
 *   direct spend, and a month where none has any leaves the pool unallocated, as it was).
 * - Every pooled row of the rollup is split on its own, at its own precision (at least cents: the
 *   row's digits after the point, or 2): each team gets the truncated share of the row in units of
 *   that precision, and the units left over (fewer than the number of teams) go one each to the
 *   teams with the largest remainders, ties by team name in byte order (largest remainder method).
 *   All in numeric: div/mod are exact. So the shares of a row add up to the row, and every view of
 *   the allocated data adds up to the unallocated totals to the last digit.
 * - The basis is the whole month, whatever the view filters: a filter on service or region shows a
 *   part of the same allocation, never a different one.
 */
import type { ParamSink } from '../tags/rules';
import type { SharedCostRuleInput } from './rules';

export interface AllocatedFactsInput {
  /** A monthly rollup with the pool columns (cost_monthly or cost_monthly_detail). */
  table: string;
  /** A join the group expression needs (the region map), or ''. */
  join: string;
  /** The range condition on `month`. */
  rangeWhere: string;
  period: string;
  /** The group's expression on the original row; ignored when `groupIsTeam`. */
  group: string;
  groupIsTeam: boolean;
  /** Every filter except those on the team, as one condition ('true' for none). */
  keep: string;
  /** The team tag rule's value (conceptValueSql). */
  team: string;
  /** The metric's column and the unit's expression (the billing currency). */
  metric: string;
  unit: string;
  rules: readonly SharedCostRuleInput[];
  sql: ParamSink;
}

function matchSql(rule: SharedCostRuleInput, sql: ParamSink): string {
  if (rule.poolDimension === 'untagged') return "team = ''";
  const column =
    rule.poolDimension === 'team'
      ? 'team'
      : rule.poolDimension === 'service'
        ? 'service_name'
        : rule.poolDimension === 'billing_account'
          ? 'billing_account_id'
          : 'sub_account_id';
  return `${column} = ANY(${sql.param(rule.poolValues)}::text[])`;
}

/**
 * A query (WITH … SELECT) yielding one row per fact: period, grp, unit, team (after allocation),
 * amount, shared (the part of amount that came from a pool: amount on a split share, else 0),
 * pooled (amount on any row a rule took, split or left unallocated, else 0),
 * line_items and missing (a split row's counts go with its first share only). The caller filters
 * on team and groups.
 */
export function allocatedFactsSql(p: AllocatedFactsInput): string {
  const { sql } = p;
  const ruleNo = p.rules.length ? `CASE ${p.rules.map((r, i) => `WHEN ${matchSql(r, sql)} THEN ${i + 1}`).join(' ')} ELSE 0 END` : '0';
  const targetRule: number[] = [];
  const targetTeam: string[] = [];
  const targetWeight: (string | null)[] = [];
  p.rules.forEach((r, i) => {
    r.targets.forEach((t, j) => {
      targetRule.push(i + 1);
      targetTeam.push(t);
      targetWeight.push(r.method === 'even' ? '1' : r.method === 'fixed' ? (r.percents[j] as string) : null);
    });
  });
  const methods = p.rules.map((r) => r.method);
  const allocatedGroup = p.groupIsTeam ? 'to_team' : 'grp';
  return `WITH r0 AS (
    SELECT ${p.period} AS period, month, ${p.unit} AS unit, ${p.metric} AS amount, line_items, effective_cost_missing AS missing,
           ${p.team} AS team, ${p.groupIsTeam ? "''" : p.group} AS grp, (${p.keep}) AS keep,
           service_name, billing_account_id, sub_account_id
      FROM ${p.table} ${p.join}
     WHERE ${p.rangeWhere}
  ), r AS (
    SELECT r0.*, ${ruleNo} AS rule_no FROM r0
  ), direct AS (
    SELECT month, unit, team, sum(amount) AS amount FROM r WHERE rule_no = 0 AND team <> '' GROUP BY 1, 2, 3
  ), targets AS (
    SELECT * FROM unnest(${sql.param(targetRule)}::int[], ${sql.param(targetTeam)}::text[], ${sql.param(targetWeight)}::numeric[])
      AS t(rule_no, team, weight)
  ), methods AS (
    SELECT m.method, m.rule_no::int AS rule_no FROM unnest(${sql.param(methods)}::text[]) WITH ORDINALITY AS m(method, rule_no)
  ), pool AS (
    SELECT row_number() OVER () AS pid, r.*, greatest(scale(r.amount), 2) AS digits
      FROM r WHERE rule_no > 0 AND keep AND amount IS NOT NULL
  ), keys AS (
    SELECT DISTINCT rule_no, month, unit FROM pool
  ), w0 AS (
    SELECT k.rule_no, k.month, k.unit, t.team, coalesce(t.weight, greatest(coalesce(d.amount, 0), 0)) AS weight
      FROM keys k JOIN targets t ON t.rule_no = k.rule_no
      LEFT JOIN direct d ON d.month = k.month AND d.unit = k.unit AND d.team = t.team
    UNION ALL
    SELECT k.rule_no, k.month, k.unit, d.team, d.amount
      FROM keys k JOIN methods m ON m.rule_no = k.rule_no AND m.method = 'proportional'
      JOIN direct d ON d.month = k.month AND d.unit = k.unit AND d.amount > 0
     WHERE NOT EXISTS (SELECT 1 FROM targets t WHERE t.rule_no = k.rule_no)
  ), w AS (
    SELECT * FROM (
      SELECT rule_no, month, unit, team,
             CASE WHEN sum(weight) OVER (PARTITION BY rule_no, month, unit) = 0 THEN 1 ELSE weight END AS weight
        FROM w0) x
     WHERE weight > 0
  ), s1 AS (
    SELECT p.pid, p.period, p.unit, p.grp, p.amount, p.digits, p.line_items, p.missing, w.team AS to_team,
           abs(p.amount) * ('1e' || p.digits)::numeric AS units,
           abs(p.amount) * ('1e' || p.digits)::numeric * w.weight AS num,
           sum(w.weight) OVER (PARTITION BY p.pid) AS den
      FROM pool p JOIN w ON w.rule_no = p.rule_no AND w.month = p.month AND w.unit = p.unit
  ), s2 AS (
    SELECT s1.*, div(num, den) AS base, mod(num, den) AS rem FROM s1
  ), s3 AS (
    SELECT s2.*, units - sum(base) OVER (PARTITION BY pid) AS leftover,
           row_number() OVER (PARTITION BY pid ORDER BY rem DESC, to_team COLLATE "C") AS rnk
      FROM s2
  ), split AS (
    SELECT period, ${allocatedGroup} AS grp, unit, to_team AS team,
           sign(amount) * (base + CASE WHEN rnk <= leftover THEN 1 ELSE 0 END) * ('1e-' || digits)::numeric AS amount,
           CASE WHEN rnk = 1 THEN line_items ELSE 0 END AS line_items,
           CASE WHEN rnk = 1 THEN missing ELSE 0 END AS missing
      FROM s3
  )
  SELECT period, ${p.groupIsTeam ? 'team' : 'grp'} AS grp, unit, team, amount, 0::numeric AS shared, 0::numeric AS pooled, line_items, missing
    FROM r WHERE keep AND (rule_no = 0 OR amount IS NULL)
  UNION ALL
  SELECT period, ${p.groupIsTeam ? 'team' : 'grp'}, unit, team, amount, 0::numeric, amount, line_items, missing
    FROM pool p WHERE NOT EXISTS (SELECT 1 FROM w WHERE w.rule_no = p.rule_no AND w.month = p.month AND w.unit = p.unit)
  UNION ALL
  SELECT period, grp, unit, team, amount, amount, amount, line_items, missing FROM split`;
}
