import type pg from 'pg';
import { recordAudit } from '../audit/record';
import type { Actor } from '../auth/actor';
import { bumpDataVersion } from '../cache/data-version';
import { addMonths, monthOf, utcToday } from '../calendar';
import { getPool, withTransaction } from '../db/pool';
import { lockSourceForIngest } from '../ingest/replace';
import { conceptValueSql, loadTagRules, type TagRule } from '../tags/rules';

/**
 * Month close (migration 0022). A month is a billing period's month (cost_daily.billing_period_start):
 * the period an invoice covers, so a charge that arrives late in a later billing period does not
 * reopen an earlier close. Closing keeps the month's cost_daily figures in month_close_figures; a
 * later ingest that restates the month changes cost_daily only, and closedMonthDifference says by
 * how much, per currency and per the snapshot's dimensions. Team figures (migration 0026) are kept
 * per team under the team tag rule of the close, which is kept with it (closedTeamDifference).
 *
 * Locking: close and reopen hold this module's own transaction lock (one close or reopen at a
 * time), then close takes every existing source's ingest lock (INGEST_LOCK_CLASS, in id order),
 * so an ingest that is swapping a billing period finishes first and is part of the close, and none
 * commits between the snapshot and the close's commit. Ingests hold one source's lock and take no
 * other, so the ordered waits cannot deadlock. The snapshot itself is one INSERT … SELECT, a
 * consistent view even of a source created after the lock list was read.
 */

const CLOSE_LOCK = "hashtext('burnrate month close')";

export const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

/** A refusal the person closing can act on (already closed, not yet ended, no reason). */
export class MonthCloseError extends Error {
  override name = 'MonthCloseError';
}

export type MonthStatus = 'open' | 'closed' | 'reopened';

export interface CurrencyTotals {
  currency: string;
  billedCost: string;
  effectiveCost: string;
  lineItems: string;
}

export interface MonthCloseResult {
  month: string;
  status: 'closed' | 'reopened';
  totals: CurrencyTotals[];
}

function actorLabel(actor: Actor): string {
  switch (actor.kind) {
    case 'user':
      return actor.email;
    case 'cli':
      return `cli:${actor.osUser}`;
    case 'system':
      return `system:${actor.component}`;
    case 'anonymous':
      return 'anonymous';
  }
}

function checkMonth(month: string): string {
  if (!MONTH_PATTERN.test(month)) throw new MonthCloseError(`${JSON.stringify(month)} is not a month (YYYY-MM)`);
  return `${month}-01`;
}

async function closedTotals(client: pg.PoolClient | pg.Pool, start: string): Promise<CurrencyTotals[]> {
  const { rows } = await client.query<CurrencyTotals>(
    `SELECT billing_currency AS currency, sum(billed_cost)::text AS "billedCost",
            sum(effective_cost)::text AS "effectiveCost", sum(line_items)::text AS "lineItems"
       FROM month_close_figures WHERE month = $1::date GROUP BY billing_currency ORDER BY billing_currency`,
    [start],
  );
  return rows;
}

interface CloseRow {
  status: 'closed' | 'reopened';
  closed_at: Date;
  closed_by: string;
  reopened_at: Date | null;
  reopened_by: string | null;
  reason: string | null;
}

/** Closes `month` ('YYYY-MM'): snapshots its figures and writes the `close.month` audit line, all in one transaction. */
export async function closeMonth(month: string, actor: Actor, now: Date = new Date()): Promise<MonthCloseResult> {
  const start = checkMonth(month);
  const current = monthOf(utcToday(now));
  if (month >= current) throw new MonthCloseError(`${month} has not ended yet: a month can be closed from ${addMonths(month, 1)}-01 on`);
  return withTransaction(async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(${CLOSE_LOCK})`);
    const existing = await client.query<CloseRow>('SELECT * FROM month_closes WHERE month = $1::date FOR UPDATE', [start]);
    const before = existing.rows[0];
    if (before?.status === 'closed') {
      throw new MonthCloseError(
        `${month} is already closed (by ${before.closed_by} at ${before.closed_at.toISOString()}); reopen it with a reason to close it again`,
      );
    }
    const beforeTotals = before ? await closedTotals(client, start) : [];
    const sources = await client.query<{ id: number }>('SELECT id FROM billing_sources ORDER BY id');
    for (const s of sources.rows) await lockSourceForIngest(client, s.id);
    const by = actorLabel(actor);
    await client.query(
      `INSERT INTO month_closes (month, status, closed_at, closed_by)
       VALUES ($1::date, 'closed', $2, $3)
       ON CONFLICT (month) DO UPDATE SET status = 'closed', closed_at = $2, closed_by = $3,
         reopened_at = NULL, reopened_by = NULL, reason = NULL`,
      [start, now, by],
    );
    // A reopened month closed again: its new figures replace the old ones (the audit lines keep both totals).
    await client.query('DELETE FROM month_close_figures WHERE month = $1::date', [start]);
    await client.query(
      `INSERT INTO month_close_figures (month, source_id, provider_name, billing_account_id, sub_account_id, service_name,
         region_id, charge_category, billing_currency, billed_cost, effective_cost, effective_cost_missing, line_items)
       SELECT $1::date, source_id, provider_name, billing_account_id, sub_account_id, service_name, region_id,
              charge_category, billing_currency, sum(billed_cost), coalesce(sum(effective_cost), 0),
              sum(effective_cost_missing), sum(line_items)
         FROM cost_daily
        WHERE billing_period_start >= $1::date AND billing_period_start < ($1::date + interval '1 month')
        GROUP BY source_id, provider_name, billing_account_id, sub_account_id, service_name, region_id,
                 charge_category, billing_currency`,
      [start],
    );
    // Team figures under the team rule as it is now, kept with the close (migration 0026).
    const teamRule = (await loadTagRules(client)).team;
    await client.query('DELETE FROM month_close_team_figures WHERE month = $1::date', [start]);
    const teamSql = teamFiguresSql(teamRule, [start]);
    await client.query(
      `INSERT INTO month_close_team_figures (month, source_id, team, billing_currency, billed_cost, effective_cost)
       SELECT $1::date, source_id, team, billing_currency, billed, effective FROM (${teamSql.text}) t`,
      teamSql.values,
    );
    await client.query('UPDATE month_closes SET team_rule = $2 WHERE month = $1::date', [start, JSON.stringify(ruleView(teamRule))]);
    const totals = await closedTotals(client, start);
    await recordAudit(client, {
      actor,
      action: 'close.month',
      objectType: 'month',
      objectId: month,
      before: before
        ? { status: before.status, reopenedBy: before.reopened_by, reason: before.reason, totals: beforeTotals }
        : { status: 'open' },
      after: { status: 'closed', closedBy: by, totals },
    });
    await bumpDataVersion(client, `close ${month}`);
    return { month, status: 'closed', totals };
  });
}

/** Reopens a closed month; `reason` is required. The closed figures stay until the month is closed again. */
export async function reopenMonth(month: string, reason: string, actor: Actor, now: Date = new Date()): Promise<MonthCloseResult> {
  const start = checkMonth(month);
  const why = reason.trim();
  if (why === '') throw new MonthCloseError(`a reason is required to reopen ${month}`);
  return withTransaction(async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(${CLOSE_LOCK})`);
    const existing = await client.query<CloseRow>('SELECT * FROM month_closes WHERE month = $1::date FOR UPDATE', [start]);
    const before = existing.rows[0];
    if (before?.status !== 'closed') throw new MonthCloseError(`${month} is not closed, so there is nothing to reopen`);
    const totals = await closedTotals(client, start);
    const by = actorLabel(actor);
    await client.query(
      `UPDATE month_closes SET status = 'reopened', reopened_at = $2, reopened_by = $3, reason = $4 WHERE month = $1::date`,
      [start, now, by, why],
    );
    await recordAudit(client, {
      actor,
      action: 'close.reopen',
      objectType: 'month',
      objectId: month,
      before: { status: 'closed', closedBy: before.closed_by, closedAt: before.closed_at.toISOString(), totals },
      after: { status: 'reopened', reopenedBy: by, reason: why },
      detail: { reason: why },
    });
    await bumpDataVersion(client, `reopen ${month}`);
    return { month, status: 'reopened', totals };
  });
}

export interface DifferenceRow {
  sourceId: number;
  providerName: string;
  billingAccountId: string;
  subAccountId: string;
  serviceName: string;
  regionId: string;
  chargeCategory: string;
  currency: string;
  closedBilled: string;
  currentBilled: string;
  billedDifference: string;
  closedEffective: string;
  currentEffective: string;
  effectiveDifference: string;
  closedLineItems: string;
  currentLineItems: string;
}

export interface CurrencyDifference {
  currency: string;
  closedBilled: string;
  currentBilled: string;
  billedDifference: string;
  closedEffective: string;
  currentEffective: string;
  effectiveDifference: string;
}

export interface ClosedMonthDifference {
  month: string;
  status: MonthStatus;
  closedAt: Date | null;
  closedBy: string | null;
  /** Per currency: the figure at the close, the figure now, now − closed. */
  totals: CurrencyDifference[];
  /** Per the snapshot's dimensions, only where something differs. */
  rows: DifferenceRow[];
}

const DIMENSIONS =
  'source_id, provider_name, billing_account_id, sub_account_id, service_name, region_id, charge_category, billing_currency';

/**
 * The closed figures of `month` against the current data (cost_daily) and their difference
 * (current − closed), exact, per currency and per dimension. A month never closed has no closed
 * figures: its status says so and totals and rows are empty.
 */
export async function closedMonthDifference(month: string, db: pg.Pool | pg.PoolClient = getPool()): Promise<ClosedMonthDifference> {
  const start = checkMonth(month);
  const head = await db.query<{ status: 'closed' | 'reopened'; closed_at: Date; closed_by: string }>(
    'SELECT status, closed_at, closed_by FROM month_closes WHERE month = $1::date',
    [start],
  );
  const close = head.rows[0];
  if (!close) return { month, status: 'open', closedAt: null, closedBy: null, totals: [], rows: [] };
  const { rows } = await db.query<DifferenceRow & { changed: boolean }>(
    `WITH closed AS (
       SELECT ${DIMENSIONS}, sum(billed_cost) AS billed, sum(effective_cost) AS effective, sum(line_items) AS n
         FROM month_close_figures WHERE month = $1::date GROUP BY ${DIMENSIONS}
     ), now AS (
       SELECT ${DIMENSIONS}, sum(billed_cost) AS billed, coalesce(sum(effective_cost), 0) AS effective, sum(line_items) AS n
         FROM cost_daily
        WHERE billing_period_start >= $1::date AND billing_period_start < ($1::date + interval '1 month')
        GROUP BY ${DIMENSIONS}
     )
     SELECT source_id AS "sourceId", provider_name AS "providerName", billing_account_id AS "billingAccountId",
            sub_account_id AS "subAccountId", service_name AS "serviceName", region_id AS "regionId",
            charge_category AS "chargeCategory", billing_currency AS currency,
            coalesce(c.billed, 0)::text AS "closedBilled", coalesce(k.billed, 0)::text AS "currentBilled",
            (coalesce(k.billed, 0) - coalesce(c.billed, 0))::text AS "billedDifference",
            coalesce(c.effective, 0)::text AS "closedEffective", coalesce(k.effective, 0)::text AS "currentEffective",
            (coalesce(k.effective, 0) - coalesce(c.effective, 0))::text AS "effectiveDifference",
            coalesce(c.n, 0)::text AS "closedLineItems", coalesce(k.n, 0)::text AS "currentLineItems",
            (c.billed IS DISTINCT FROM k.billed OR c.effective IS DISTINCT FROM k.effective OR c.n IS DISTINCT FROM k.n) AS changed
       FROM closed c FULL JOIN now k USING (${DIMENSIONS})
      ORDER BY billing_currency, provider_name, billing_account_id, sub_account_id, service_name, region_id, charge_category, source_id`,
    [start],
  );
  const totals = await db.query<CurrencyDifference>(
    `SELECT currency, sum(closed_billed)::text AS "closedBilled", sum(current_billed)::text AS "currentBilled",
            (sum(current_billed) - sum(closed_billed))::text AS "billedDifference",
            sum(closed_effective)::text AS "closedEffective", sum(current_effective)::text AS "currentEffective",
            (sum(current_effective) - sum(closed_effective))::text AS "effectiveDifference"
       FROM unnest($1::text[], $2::numeric[], $3::numeric[], $4::numeric[], $5::numeric[])
            AS t(currency, closed_billed, current_billed, closed_effective, current_effective)
      GROUP BY currency ORDER BY currency`,
    [
      rows.map((r) => r.currency),
      rows.map((r) => r.closedBilled),
      rows.map((r) => r.currentBilled),
      rows.map((r) => r.closedEffective),
      rows.map((r) => r.currentEffective),
    ],
  );
  const changed = rows.filter((r) => r.changed).map(({ changed: _, ...r }) => r);
  return { month, status: close.status, closedAt: close.closed_at, closedBy: close.closed_by, totals: totals.rows, rows: changed };
}

type TeamRuleView = Pick<TagRule, 'keys' | 'caseFold' | 'mappings'>;

function ruleView(rule: TeamRuleView): TeamRuleView {
  return { keys: rule.keys, caseFold: rule.caseFold, mappings: rule.mappings };
}

/** Billed and effective cost per source, team (under `rule`) and currency of the billing month at $1 (cost_monthly). */
function teamFiguresSql(rule: TeamRuleView, values: unknown[]): { text: string; values: unknown[] } {
  const sink = {
    param(v: unknown) {
      values.push(v);
      return `$${values.length}`;
    },
  };
  const team = conceptValueSql(rule, sink);
  return {
    text: `SELECT source_id, ${team} AS team, billing_currency, sum(billed_cost) AS billed, coalesce(sum(effective_cost), 0) AS effective
             FROM cost_monthly
            WHERE billing_period_start >= $1::date AND billing_period_start < ($1::date + interval '1 month')
            GROUP BY 1, 2, 3`,
    values,
  };
}

export interface TeamDifference {
  /** '' is untagged. */
  team: string;
  currency: string;
  closedBilled: string;
  currentBilled: string;
  billedDifference: string;
}

/**
 * A closed month's billed cost per team and currency at the close, now, and now − closed. Today's
 * figures use the team rule kept with the close, so only a restatement of the data shows as a
 * difference, never a later rule change. null when the close kept no team figures (closed before
 * migration 0026, or never closed).
 */
export async function closedTeamDifference(
  month: string,
  db: pg.Pool | pg.PoolClient = getPool(),
): Promise<{ rule: TeamRuleView; rows: TeamDifference[] } | null> {
  const start = checkMonth(month);
  const head = await db.query<{ team_rule: TeamRuleView | null }>('SELECT team_rule FROM month_closes WHERE month = $1::date', [start]);
  const rule = head.rows[0]?.team_rule;
  if (!rule) return null;
  const now = teamFiguresSql(rule, [start]);
  const { rows } = await db.query<TeamDifference>(
    `WITH closed AS (
       SELECT team, billing_currency, sum(billed_cost) AS billed FROM month_close_team_figures WHERE month = $1::date GROUP BY 1, 2
     ), current AS (
       SELECT team, billing_currency, sum(billed) AS billed FROM (${now.text}) t GROUP BY 1, 2
     )
     SELECT team, billing_currency AS currency, coalesce(c.billed, 0)::text AS "closedBilled", coalesce(k.billed, 0)::text AS "currentBilled",
            (coalesce(k.billed, 0) - coalesce(c.billed, 0))::text AS "billedDifference"
       FROM closed c FULL JOIN current k USING (team, billing_currency)
      ORDER BY billing_currency, team COLLATE "C"`,
    now.values,
  );
  return { rule, rows };
}
