import type pg from 'pg';
import { bumpDataVersion } from '../cache/data-version';
import { loadCatalog } from '../catalog/load';
import type { Catalog } from '../catalog/types';
import { addDecimals, multiplyDecimals } from '../decimal';
import { normalizeResourceIdSql, resourceProviderSql } from '../resources/normalize';
import { loadRuleParams } from './params';
import { RULES } from './rules';
import type { Finding, RecommendationKind, RuleDefinition } from './types';

/**
 * The one writer of recommendations rows besides the lifecycle actions (accept, snooze, dismiss).
 * Runs every rule with its parameters in force, then, in one transaction under an advisory lock
 * (a recompute after a billing ingest and one after a metrics sync may overlap):
 * - ends snoozes whose date has come (snoozed → open);
 * - upserts each finding by fingerprint (kind|provider|resource id|GPU UUID): a new one is open,
 *   an existing one keeps its status (accepted, snoozed, dismissed stay so) and gets the new
 *   evidence; a resolved one whose finding is back is open again;
 * - prices it from the resource's own bill: monthly cost = COALESCE(effective_cost, billed_cost)
 *   of its lines over the 30 days before `now`, savings = cost × the finding's fraction. A resource
 *   billed in two currencies over those days gets no figure (amounts in different currencies are
 *   never added; the fingerprint is one row per resource, so one row per currency is not an option):
 *   the evidence lists each currency's cost and says why;
 * - keeps one course of action per instance (stop > resize > generation upgrade: applyPrecedence);
 * - resolves the open, snoozed and accepted recommendations of the rules that ran whose finding is
 *   gone, with the reason (resource gone, type changed, state changed, utilization up, or the
 *   condition no longer holds). A metric rule's recommendation on a running resource that has no
 *   metrics in the last two days is left as it is: no data is not evidence of a change;
 * - computes realized savings of accepted ones (and of ones resolved because the resource went or
 *   changed type): cost per day over the 30 days before the change (days the bill has lines for the
 *   resource) minus cost per day from the day after it to the end of what the provider's bills cover.
 * A rule that throws is reported in the summary; its recommendations are left untouched.
 */
export interface RecomputeOptions {
  /** End of every window (tests pin it); default the current time. */
  now?: Date;
  /** Default: lib/catalog/load.ts (shipped files with refreshed prices). */
  catalog?: Catalog;
  /** Default: the registry (lib/recommendations/rules/index.ts). */
  rules?: readonly RuleDefinition[];
}

export interface RuleRun {
  id: string;
  findings: number;
  ms: number;
  error: string | null;
}

export interface RecomputeSummary {
  rules: RuleRun[];
  /** New recommendations. */
  created: number;
  /** Existing ones found again (status kept). */
  updated: number;
  /** Resolved ones found again: open again. */
  reopened: number;
  resolved: number;
  snoozesEnded: number;
  /** Recommendations whose realized savings were computed. */
  realized: number;
  /** Settings that were not used (out of bounds), rules that failed. */
  warnings: string[];
  durationMs: number;
}

/** Kinds decided on utilization metrics: their absence of data is not a resolution. */
const METRIC_KINDS: readonly RecommendationKind[] = [
  'rightsize',
  'idle-instance',
  'idle-load-balancer',
  'gpu-idle',
  'gpu-memory-held',
  'gpu-underused',
  'gpu-bursty',
];

const COST_DAYS = 30;
const DAY_MS = 86_400_000;

export function fingerprintOf(f: Pick<Finding, 'kind' | 'provider' | 'resourceId' | 'subResourceId'>): string {
  return `${f.kind}|${f.provider}|${f.resourceId}|${f.subResourceId ?? ''}`;
}

export async function recomputeRecommendations(db: pg.Pool, options: RecomputeOptions = {}): Promise<RecomputeSummary> {
  const started = Date.now();
  const now = options.now ?? new Date();
  const rules = options.rules ?? RULES;
  const catalog = options.catalog ?? (await loadCatalog(db));
  const { values, warnings } = await loadRuleParams(db, rules);

  // The rules only read, each on its own pooled connection: they run at once, so their queries
  // share the database's cores instead of waiting in turn (a rule's `ms` is its wall time, spent
  // partly waiting for the others). Results are kept in the registry's order.
  const outcomes = await Promise.all(
    rules.map(async (rule) => {
      const t0 = Date.now();
      const params = values.get(rule.id) as Record<string, number>;
      try {
        const findings = await rule.evaluate({ db, catalog, params, now });
        return { rule, findings, ms: Date.now() - t0, error: null };
      } catch (error) {
        return { rule, findings: [] as Finding[], ms: Date.now() - t0, error: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
  const runs: RuleRun[] = [];
  const found: { finding: Finding; ruleId: string }[] = [];
  for (const { rule, findings, ms, error } of outcomes) {
    for (const finding of findings) found.push({ finding, ruleId: rule.id });
    runs.push({ id: rule.id, findings: findings.length, ms, error });
    if (error !== null) warnings.push(`rule ${rule.id} failed: ${error}; its recommendations were left as they were`);
  }
  const okKinds = [...new Set(rules.filter((r) => runs.find((x) => x.id === r.id)?.error === null).flatMap((r) => r.kinds))];
  const { kept, superseded } = applyPrecedence(found);

  const client = await db.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT pg_advisory_xact_lock(hashtext('burnrate recommendations'))");
    const snoozesEnded = await endSnoozes(client, now);
    const costs = await thirtyDayCosts(
      client,
      kept.flatMap(({ finding }) => finding.pricedResourcePks ?? [finding.resourcePk]),
      now,
    );
    const written = await upsertFindings(client, kept, costs, values, now);
    const resolved =
      (await resolveSuperseded(client, superseded, now)) + (await resolveVanished(client, okKinds, [...written.fingerprints], now));
    const realized = await computeRealizedSavings(client, now);
    await bumpDataVersion(client, 'recommendations');
    await client.query('COMMIT');
    return {
      rules: runs,
      created: written.created,
      updated: written.updated,
      reopened: written.reopened,
      resolved,
      snoozesEnded,
      realized,
      warnings,
      durationMs: Date.now() - started,
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

async function endSnoozes(client: pg.PoolClient, now: Date): Promise<number> {
  const { rowCount } = await client.query(
    `UPDATE recommendations SET status = 'open', snoozed_until = NULL, status_changed_at = $1, status_changed_by = 'system'
      WHERE status = 'snoozed' AND snoozed_until <= ($1::timestamptz AT TIME ZONE 'UTC')::date`,
    [now.toISOString()],
  );
  return rowCount ?? 0;
}

/** Resource pk → currency → cost of its bill lines over the 30 days before `now`. */
async function thirtyDayCosts(client: pg.PoolClient, pks: readonly string[], now: Date): Promise<Map<string, Map<string, string>>> {
  const out = new Map<string, Map<string, string>>();
  if (pks.length === 0) return out;
  const prov = resourceProviderSql('c.provider_name');
  const { rows } = await client.query<{ pk: string; currency: string; cost: string }>(
    `WITH r AS (SELECT id, provider, resource_id FROM resources WHERE id = ANY($1::bigint[])),
          c AS (SELECT ${prov} AS provider, ${normalizeResourceIdSql(prov, 'c.resource_id')} AS rid, c.billing_currency,
                       COALESCE(c.effective_cost, c.billed_cost) AS cost
                  FROM cost_line_items c
                 WHERE c.charge_period_start >= $2 AND c.charge_period_start < $3 AND c.resource_id IS NOT NULL)
     SELECT r.id AS pk, c.billing_currency AS currency, sum(c.cost)::text AS cost
       FROM c JOIN r ON r.provider = c.provider AND r.resource_id = c.rid
      GROUP BY 1, 2`,
    [[...new Set(pks)], new Date(now.getTime() - COST_DAYS * DAY_MS).toISOString(), now.toISOString()],
  );
  for (const row of rows) {
    const m = out.get(row.pk) ?? new Map<string, string>();
    m.set(row.currency, row.cost);
    out.set(row.pk, m);
  }
  return out;
}

interface Priced {
  currency: string | null;
  monthlyCost: string | null;
  monthlySavings: string | null;
  notes: string[];
  details: Record<string, string>;
}

function price(finding: Finding, costs: Map<string, Map<string, string>>): Priced {
  const byCurrency = new Map<string, string[]>();
  for (const pk of finding.pricedResourcePks ?? [finding.resourcePk]) {
    for (const [currency, cost] of costs.get(pk) ?? []) {
      const list = byCurrency.get(currency) ?? [];
      list.push(cost);
      byCurrency.set(currency, list);
    }
  }
  if (byCurrency.size === 0) {
    return {
      currency: null,
      monthlyCost: null,
      monthlySavings: null,
      notes: ['No bill lines for this resource in the last 30 days: no savings figure.'],
      details: {},
    };
  }
  if (byCurrency.size > 1) {
    const details: Record<string, string> = {};
    for (const [currency, list] of [...byCurrency].sort(([a], [b]) => a.localeCompare(b)))
      details[`cost30d_${currency}`] = addDecimals(list);
    return {
      currency: null,
      monthlyCost: null,
      monthlySavings: null,
      notes: [
        `Billed in ${[...byCurrency.keys()].sort().join(' and ')} over the last 30 days: amounts in different currencies are not added, so there is no savings figure.`,
      ],
      details,
    };
  }
  const [[currency, list]] = [...byCurrency] as [[string, string[]]];
  const monthlyCost = addDecimals(list);
  return {
    currency,
    monthlyCost,
    monthlySavings: finding.savingsFraction === null ? null : multiplyDecimals(monthlyCost, finding.savingsFraction),
    notes: [],
    details: {},
  };
}

async function upsertFindings(
  client: pg.PoolClient,
  found: readonly { finding: Finding; ruleId: string }[],
  costs: Map<string, Map<string, string>>,
  params: Map<string, Record<string, number>>,
  now: Date,
): Promise<{ created: number; updated: number; reopened: number; fingerprints: Set<string> }> {
  const rows = new Map<string, Record<string, unknown>>();
  for (const { finding, ruleId } of found) {
    const priced = price(finding, costs);
    const fingerprint = fingerprintOf(finding);
    // Two findings of one identity (a rule listing a resource twice): the last one stands.
    rows.set(fingerprint, {
      fingerprint,
      kind: finding.kind,
      provider: finding.provider,
      resource_pk: finding.resourcePk,
      resource_id: finding.resourceId,
      sub_resource_id: finding.subResourceId,
      current_type: finding.currentType,
      proposed_type: finding.proposedType,
      action: finding.action,
      currency: priced.currency,
      monthly_cost: priced.monthlyCost,
      monthly_savings: priced.monthlySavings,
      evidence: {
        ...finding.evidence,
        details: { ...finding.evidence.details, ...priced.details },
        notes: [...finding.evidence.notes, ...priced.notes],
        savingsFraction: finding.savingsFraction,
      },
      parameters: { rule: ruleId, ...params.get(ruleId) },
    });
  }
  const fingerprints = new Set(rows.keys());
  if (rows.size === 0) return { created: 0, updated: 0, reopened: 0, fingerprints };
  const { rows: before } = await client.query<{ status: string }>(
    'SELECT status FROM recommendations WHERE fingerprint = ANY($1::text[])',
    [[...fingerprints]],
  );
  const reopened = before.filter((r) => r.status === 'resolved').length;
  await client.query(
    `INSERT INTO recommendations (fingerprint, kind, provider, resource_pk, resource_id, sub_resource_id, account_id, region_id, team,
                                  current_type, proposed_type, action, currency, monthly_cost, monthly_savings, evidence, parameters,
                                  status, first_detected_at, last_detected_at)
     SELECT t.fingerprint, t.kind, t.provider, t.resource_pk, t.resource_id, t.sub_resource_id, COALESCE(r.account_id, ''), COALESCE(r.region_id, ''),
            COALESCE(r.tags->>'team', r.tags->>'Team', r.tags->>'TEAM'),
            t.current_type, t.proposed_type, t.action, t.currency, t.monthly_cost, t.monthly_savings, t.evidence, t.parameters,
            'open', $2, $2
       FROM jsonb_to_recordset($1::jsonb) AS t(fingerprint text, kind text, provider text, resource_pk bigint, resource_id text,
              sub_resource_id text, current_type text, proposed_type text, action text, currency text, monthly_cost numeric,
              monthly_savings numeric, evidence jsonb, parameters jsonb)
       LEFT JOIN resources r ON r.id = t.resource_pk
     ON CONFLICT (fingerprint) DO UPDATE SET
       resource_pk = EXCLUDED.resource_pk, account_id = EXCLUDED.account_id, region_id = EXCLUDED.region_id, team = EXCLUDED.team,
       current_type = EXCLUDED.current_type, proposed_type = EXCLUDED.proposed_type, action = EXCLUDED.action,
       currency = EXCLUDED.currency, monthly_cost = EXCLUDED.monthly_cost, monthly_savings = EXCLUDED.monthly_savings,
       evidence = EXCLUDED.evidence, parameters = EXCLUDED.parameters, last_detected_at = EXCLUDED.last_detected_at,
       status = CASE WHEN recommendations.status = 'resolved' THEN 'open' ELSE recommendations.status END,
       status_changed_at = CASE WHEN recommendations.status = 'resolved' THEN EXCLUDED.last_detected_at ELSE recommendations.status_changed_at END,
       status_changed_by = CASE WHEN recommendations.status = 'resolved' THEN 'system' ELSE recommendations.status_changed_by END,
       resolved_reason = CASE WHEN recommendations.status = 'resolved' THEN NULL ELSE recommendations.resolved_reason END,
       resolved_at = CASE WHEN recommendations.status = 'resolved' THEN NULL ELSE recommendations.resolved_at END,
       accepted_at = CASE WHEN recommendations.status = 'resolved' THEN NULL ELSE recommendations.accepted_at END,
       accepted_by = CASE WHEN recommendations.status = 'resolved' THEN NULL ELSE recommendations.accepted_by END,
       baseline_daily_cost = CASE WHEN recommendations.status = 'resolved' THEN NULL ELSE recommendations.baseline_daily_cost END,
       realized_daily_savings = CASE WHEN recommendations.status = 'resolved' THEN NULL ELSE recommendations.realized_daily_savings END`,
    [JSON.stringify([...rows.values()]), now.toISOString()],
  );
  return { created: rows.size - before.length, updated: before.length - reopened, reopened, fingerprints };
}

/**
 * One instance, one course of action: stopping or terminating it (stopped-instance, idle-instance)
 * makes resizing it moot, and a resize to the cheapest fitting type makes a generation upgrade moot.
 * Listing them all would add the same money up to three times in the totals. The first kind found
 * for a resource in this order stands; the others are resolved as superseded by it.
 */
const PRECEDENCE: readonly RecommendationKind[] = ['stopped-instance', 'idle-instance', 'rightsize', 'previous-generation'];

function applyPrecedence(found: readonly { finding: Finding; ruleId: string }[]): {
  kept: { finding: Finding; ruleId: string }[];
  superseded: { fingerprint: string; by: RecommendationKind }[];
} {
  const best = new Map<string, number>();
  for (const { finding } of found) {
    const rank = PRECEDENCE.indexOf(finding.kind);
    if (rank < 0) continue;
    const key = `${finding.resourcePk}\u0000${finding.subResourceId ?? ''}`;
    best.set(key, Math.min(best.get(key) ?? rank, rank));
  }
  const kept: { finding: Finding; ruleId: string }[] = [];
  const superseded: { fingerprint: string; by: RecommendationKind }[] = [];
  for (const f of found) {
    const rank = PRECEDENCE.indexOf(f.finding.kind);
    const top = best.get(`${f.finding.resourcePk}\u0000${f.finding.subResourceId ?? ''}`);
    if (rank < 0 || top === undefined || rank === top) kept.push(f);
    else superseded.push({ fingerprint: fingerprintOf(f.finding), by: PRECEDENCE[top] as RecommendationKind });
  }
  return { kept, superseded };
}

async function resolveSuperseded(
  client: pg.PoolClient,
  superseded: readonly { fingerprint: string; by: string }[],
  now: Date,
): Promise<number> {
  if (superseded.length === 0) return 0;
  const { rowCount } = await client.query(
    `UPDATE recommendations rec SET status = 'resolved', resolved_reason = 'superseded by ' || t.by, resolved_at = $2, snoozed_until = NULL,
            status_changed_at = $2, status_changed_by = 'system',
            accepted_at = COALESCE(rec.accepted_at, CASE WHEN rec.status = 'accepted' THEN rec.status_changed_at END),
            accepted_by = COALESCE(rec.accepted_by, CASE WHEN rec.status = 'accepted' THEN rec.status_changed_by END)
       FROM unnest($1::text[], $3::text[]) AS t(fingerprint, by)
      WHERE rec.fingerprint = t.fingerprint AND rec.status IN ('open', 'snoozed', 'accepted')`,
    [superseded.map((x) => x.fingerprint), now.toISOString(), superseded.map((x) => x.by)],
  );
  return rowCount ?? 0;
}

async function resolveVanished(
  client: pg.PoolClient,
  kinds: readonly string[],
  fingerprints: readonly string[],
  now: Date,
): Promise<number> {
  if (kinds.length === 0) return 0;
  const { rowCount } = await client.query(
    `WITH cand AS (
       SELECT rec.id,
              CASE
                WHEN r.id IS NULL OR r.gone_at IS NOT NULL THEN 'resource gone'
                WHEN rec.current_type IS NOT NULL AND r.resource_type IS DISTINCT FROM rec.current_type
                  THEN 'type changed: ' || rec.current_type || ' → ' || COALESCE(r.resource_type, 'unknown')
                WHEN rec.kind = ANY($4::text[]) AND r.kind IN ('instance', 'gpu') AND NOT ${runningSql('r.state')}
                  THEN 'state changed: ' || r.state
                WHEN rec.kind = ANY($4::text[]) THEN 'utilization up'
                ELSE 'condition no longer holds (state ' || COALESCE(r.state, 'unknown')
                     || COALESCE(', attached to ' || r.attached_to, '') || ')'
              END AS reason,
              rec.kind = ANY($4::text[]) AND r.id IS NOT NULL AND r.gone_at IS NULL AND ${runningSql('r.state')}
                AND NOT EXISTS (SELECT 1 FROM metric_series ms JOIN metric_hourly mh ON mh.series_id = ms.id
                                 WHERE ms.resource_pk = r.id AND mh.hour >= $3::timestamptz - interval '2 days' AND mh.hour < $3)
                AND rec.current_type IS NOT DISTINCT FROM COALESCE(r.resource_type, rec.current_type) AS no_data
         FROM recommendations rec LEFT JOIN resources r ON r.id = rec.resource_pk
        WHERE rec.status IN ('open', 'snoozed', 'accepted') AND rec.kind = ANY($1::text[]) AND rec.fingerprint <> ALL($2::text[]))
     UPDATE recommendations SET status = 'resolved', resolved_reason = cand.reason, resolved_at = $3, snoozed_until = NULL,
            status_changed_at = $3, status_changed_by = 'system',
            accepted_at = COALESCE(recommendations.accepted_at,
                                   CASE WHEN recommendations.status = 'accepted' THEN recommendations.status_changed_at END),
            accepted_by = COALESCE(recommendations.accepted_by,
                                   CASE WHEN recommendations.status = 'accepted' THEN recommendations.status_changed_by END)
       FROM cand WHERE recommendations.id = cand.id AND NOT cand.no_data`,
    [kinds, fingerprints, now.toISOString(), METRIC_KINDS],
  );
  return rowCount ?? 0;
}

/** Running or unknown (a resource known from the bill alone has no state); the SQL twin of rules/common.ts isRunning. */
function runningSql(column: string): string {
  return `(${column} IS NULL OR ${column} ~* '(^|[[:space:]/])running$')`;
}

/**
 * Realized savings of the recommendations acted upon: the change instant is the acceptance (or,
 * without one, the resolution because the resource went or changed type). Cost per day before:
 * the resource's lines in the recommendation's currency over the 30 days before the change day,
 * divided by the days that have lines. After: the lines from the day after the change to the last
 * day the provider's bills cover, divided by those days (a deleted resource has no lines: all saved).
 * No figure until the bills cover a whole day after the change. `ids` limits it to those
 * recommendations: accepting one (lib/recommendations/lifecycle.ts) records its baseline this way,
 * so the figure the page shows at once is the one every recompute keeps.
 */
export async function computeRealizedSavings(client: pg.PoolClient, now: Date, ids: readonly string[] | null = null): Promise<number> {
  await client.query(
    `UPDATE recommendations SET accepted_at = status_changed_at, accepted_by = status_changed_by
      WHERE status = 'accepted' AND accepted_at IS NULL AND status_changed_at IS NOT NULL`,
  );
  const prov = resourceProviderSql('c.provider_name');
  const { rowCount } = await client.query(
    `WITH rec AS (
       SELECT rec.id, r.provider, r.resource_id, rec.currency,
              date_trunc('day', COALESCE(rec.accepted_at, rec.resolved_at) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS d0
         FROM recommendations rec JOIN resources r ON r.id = rec.resource_pk
        WHERE rec.currency IS NOT NULL AND ($2::bigint[] IS NULL OR rec.id = ANY($2::bigint[]))
          AND (rec.accepted_at IS NOT NULL
               OR (rec.status = 'resolved' AND (rec.resolved_reason = 'resource gone' OR rec.resolved_reason LIKE 'type changed:%')))),
     bounds AS (SELECT min(d0) - interval '${COST_DAYS} days' AS lo FROM rec),
     c AS (
       SELECT ${prov} AS provider, ${normalizeResourceIdSql(prov, 'c.resource_id')} AS rid, c.billing_currency AS currency,
              c.charge_period_start AS ts, c.charge_period_end AS te, COALESCE(c.effective_cost, c.billed_cost) AS cost
         FROM cost_line_items c, bounds
        WHERE c.charge_period_start >= bounds.lo AND c.charge_period_start < $1),
     coverage AS (SELECT provider, max(te) AS until FROM c GROUP BY 1),
     per AS (
       SELECT rec.id,
              sum(c.cost) FILTER (WHERE c.ts >= rec.d0 - interval '${COST_DAYS} days' AND c.ts < rec.d0) AS before_cost,
              count(DISTINCT date_trunc('day', c.ts AT TIME ZONE 'UTC'))
                FILTER (WHERE c.ts >= rec.d0 - interval '${COST_DAYS} days' AND c.ts < rec.d0) AS before_days,
              COALESCE(sum(c.cost) FILTER (WHERE c.ts >= rec.d0 + interval '1 day'), 0) AS after_cost
         FROM rec LEFT JOIN c ON c.provider = rec.provider AND c.rid = rec.resource_id AND c.currency = rec.currency
        GROUP BY rec.id),
     fig AS (
       SELECT per.id, per.before_cost / per.before_days AS baseline,
              floor(extract(epoch FROM (cov.until - (rec.d0 + interval '1 day'))) / 86400) AS after_days, per.after_cost
         FROM per JOIN rec ON rec.id = per.id JOIN coverage cov ON cov.provider = rec.provider
        WHERE per.before_days > 0)
     UPDATE recommendations SET baseline_daily_cost = round(fig.baseline, 10),
            realized_daily_savings = CASE WHEN fig.after_days >= 1
                                          THEN round(fig.baseline - fig.after_cost / fig.after_days, 10) END
       FROM fig WHERE recommendations.id = fig.id`,
    [now.toISOString(), ids],
  );
  return rowCount ?? 0;
}
