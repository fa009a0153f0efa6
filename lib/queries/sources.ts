import { z } from 'zod';
import { DEFAULT_SYNC_SCHEDULE, nextScheduledSync } from '../../jobs/schedule';
import { connectorKindInfo, PROVIDER_LABELS, type SourceProvider } from '../connectors/kinds';
import { getPool } from '../db/pool';
import { getPrisma } from '../db/prisma';
import { reapDeadRuns } from '../db/run-lock';
import { inventoryKind, inventoryKindForSource, isInventoryOnlyKind } from '../inventory/registry';
import { SecretKeyError, secretKeyFromEnv } from '../secrets';

/** Whether credentials typed into the page can be stored: BURNRATE_SECRET_KEY is set and valid. */
export function canStoreSecrets(): { ok: true } | { ok: false; reason: string } {
  try {
    secretKeyFromEnv();
    return { ok: true };
  } catch (error) {
    if (error instanceof SecretKeyError) return { ok: false, reason: error.message };
    throw error;
  }
}

/** A connector source that failed this many syncs in a row is flagged on the page. */
export const FAILING_AFTER = 3;

export interface SourceListItem {
  id: number;
  name: string;
  /** As stored: the connector's provider, or what the ingested files said (e.g. 'aws', 'microsoft-azure'). */
  provider: string;
  providerLabel: string;
  /** 'file', or a connector kind of the registry. */
  kind: string;
  kindLabel: string;
  /** Has a connector: can be tested, synced and scheduled. */
  isConnector: boolean;
  enabled: boolean;
  /** The stored cron expression; null = the default. */
  schedule: string | null;
  /** What the scheduler uses (connector sources only). */
  effectiveSchedule: string | null;
  /** When the scheduler next enqueues a sync; at or before now = at its next tick. Null: not scheduled. */
  nextSyncAt: Date | null;
  lastSyncAt: Date | null;
  lastSyncStatus: string | null;
  consecutiveFailures: number;
  failing: boolean;
  /** The latest ingest of any kind (CLI, demo or sync). */
  lastIngestAt: Date | null;
  lastIngestStatus: string | null;
  /** Line items the source holds (decimal string). */
  rows: string;
  /** Credentials are stored (encrypted). The credentials themselves are never read by these queries. */
  hasSecret: boolean;
  createdAt: Date;
  /** The inventory kind the source can use (its own for an inventory-only source); null: none. */
  inventoryKind: string | null;
  /** An inventory-only source: no billing exports, inventory always on. */
  inventoryOnly: boolean;
  /** Inventory and metrics are synced hourly. */
  inventoryEnabled: boolean;
  lastInventoryAt: Date | null;
  lastInventoryStatus: string | null;
}

export interface SourceDetail extends SourceListItem {
  /** The connector's configuration as stored (no secrets: those live only in secret_ciphertext). */
  config: Record<string, string | boolean>;
  /** The inventory settings as stored (no secrets). */
  inventoryConfig: Record<string, string | boolean>;
  updatedAt: Date;
}

interface SourceRow {
  id: number;
  name: string;
  provider: string;
  kind: string;
  enabled: boolean;
  schedule: string | null;
  last_sync_at: Date | null;
  last_sync_status: string | null;
  consecutive_failures: number;
  has_secret: boolean;
  created_at: Date;
  updated_at: Date;
  row_count: string;
  last_ingest_at: Date | null;
  last_ingest_status: string | null;
  inventory_enabled: boolean;
  last_inventory_at: Date | null;
  last_inventory_status: string | null;
}

// secret_ciphertext appears only as IS NOT NULL: it never leaves the database through this module.
const SOURCE_SELECT = `
  SELECT s.id, s.name, s.provider, s.kind, s.enabled, s.schedule, s.last_sync_at, s.last_sync_status,
         s.consecutive_failures, s.secret_ciphertext IS NOT NULL AS has_secret, s.created_at, s.updated_at,
         COALESCE((SELECT sum(d.line_items) FROM cost_daily d WHERE d.source_id = s.id), 0)::text AS row_count,
         i.started_at AS last_ingest_at, i.status AS last_ingest_status,
         s.inventory_enabled, v.started_at AS last_inventory_at, v.status AS last_inventory_status
    FROM billing_sources s
    LEFT JOIN LATERAL (
      SELECT r.started_at, r.status FROM ingest_runs r WHERE r.source_id = s.id ORDER BY r.started_at DESC, r.id DESC LIMIT 1
    ) i ON true
    LEFT JOIN LATERAL (
      SELECT r.started_at, r.status FROM inventory_runs r WHERE r.source_id = s.id ORDER BY r.started_at DESC, r.id DESC LIMIT 1
    ) v ON true`;

// What file ingests store: the FOCUS ProviderName, lower-cased and hyphenated.
const FILE_PROVIDER_LABELS: Record<string, string> = {
  microsoft: 'Microsoft',
  'google-cloud': 'Google Cloud',
  'amazon-web-services': 'AWS',
  focus: 'FOCUS',
};

function providerLabel(provider: string): string {
  if (Object.hasOwn(PROVIDER_LABELS, provider)) return PROVIDER_LABELS[provider as SourceProvider];
  if (Object.hasOwn(FILE_PROVIDER_LABELS, provider)) return FILE_PROVIDER_LABELS[provider] as string;
  return provider.replace(/(^|-)(\w)/g, (_, sep: string, c: string) => `${sep ? ' ' : ''}${c.toUpperCase()}`);
}

function toListItem(r: SourceRow): SourceListItem {
  const kind = connectorKindInfo(r.kind);
  const effectiveSchedule = kind ? (r.schedule ?? DEFAULT_SYNC_SCHEDULE) : null;
  return {
    id: r.id,
    name: r.name,
    provider: r.provider,
    providerLabel: providerLabel(r.provider),
    kind: r.kind,
    kindLabel: kind
      ? kind.label
      : (inventoryKind(r.kind)?.label ?? (r.kind === 'file' ? 'File (npm run ingest)' : `${r.kind} (unknown kind)`)),
    isConnector: kind !== null,
    enabled: r.enabled,
    schedule: r.schedule,
    effectiveSchedule,
    nextSyncAt: kind && r.enabled ? (r.last_sync_at ? nextScheduledSync(r.schedule, r.last_sync_at) : r.created_at) : null,
    lastSyncAt: r.last_sync_at,
    lastSyncStatus: r.last_sync_status,
    consecutiveFailures: r.consecutive_failures,
    failing: kind !== null && r.consecutive_failures >= FAILING_AFTER,
    lastIngestAt: r.last_ingest_at,
    lastIngestStatus: r.last_ingest_status,
    rows: r.row_count,
    hasSecret: r.has_secret,
    createdAt: r.created_at,
    inventoryKind: inventoryKindForSource(r.kind)?.kind ?? null,
    inventoryOnly: isInventoryOnlyKind(r.kind),
    inventoryEnabled: r.inventory_enabled || isInventoryOnlyKind(r.kind),
    lastInventoryAt: r.last_inventory_at,
    lastInventoryStatus: r.last_inventory_status,
  };
}

/**
 * Runs whose process died are marked failed before anything is listed (their sources' last sync
 * too), so the page never shows a sync or an ingest that is no longer happening.
 */
async function reapDead(): Promise<void> {
  await reapDeadRuns(getPool(), 'sync_runs');
  await reapDeadRuns(getPool(), 'ingest_runs');
  await reapDeadRuns(getPool(), 'inventory_runs');
}

/** Every billing source, connectors and file sources alike, by name. */
export async function listSources(): Promise<SourceListItem[]> {
  await reapDead();
  const { rows } = await getPool().query<SourceRow>(`${SOURCE_SELECT} ORDER BY s.name`);
  return rows.map(toListItem);
}

/** One source with its stored (non-secret) configuration, for its page and edit form; null if it does not exist. */
export async function getSource(id: number): Promise<SourceDetail | null> {
  await reapDead();
  const { rows } = await getPool().query<SourceRow>(`${SOURCE_SELECT} WHERE s.id = $1`, [id]);
  const row = rows[0];
  if (!row) return null;
  const stored = await getPrisma().billingSource.findUnique({ where: { id }, select: { config: true, inventoryConfig: true } });
  return {
    ...toListItem(row),
    config: formValues(stored?.config),
    inventoryConfig: formValues(stored?.inventoryConfig),
    updatedAt: row.updated_at,
  };
}

/** A stored settings object as the form's initial values (strings and booleans). */
function formValues(raw: unknown): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    for (const [key, value] of Object.entries(raw)) {
      if (typeof value === 'string' || typeof value === 'boolean') out[key] = value;
      else if (typeof value === 'number') out[key] = String(value);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Inventory run history

export interface InventoryRunItem {
  id: string;
  trigger: string;
  status: 'running' | 'succeeded' | 'failed';
  startedAt: Date;
  finishedAt: Date | null;
  resourcesListed: number;
  resourcesGone: number;
  series: number;
  samples: string;
  metricsStart: Date | null;
  metricsEnd: Date | null;
  error: string | null;
}

/** The source's latest inventory runs, newest first. */
export async function getInventoryHistory(sourceId: number, limit = 20): Promise<InventoryRunItem[]> {
  await reapDeadRuns(getPool(), 'inventory_runs');
  const { rows } = await getPool().query<{
    id: string;
    trigger: string;
    status: string;
    started_at: Date;
    finished_at: Date | null;
    resources_listed: number;
    resources_gone: number;
    series: number;
    samples: string;
    metrics_start: Date | null;
    metrics_end: Date | null;
    error: string | null;
  }>(
    `SELECT id::text AS id, trigger, status, started_at, finished_at, resources_listed, resources_gone, series,
            samples::text AS samples, metrics_start, metrics_end, error
       FROM inventory_runs WHERE source_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2`,
    [sourceId, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    trigger: r.trigger,
    status: r.status === 'succeeded' || r.status === 'failed' ? r.status : 'running',
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    resourcesListed: r.resources_listed,
    resourcesGone: r.resources_gone,
    series: r.series,
    samples: r.samples,
    metricsStart: r.metrics_start,
    metricsEnd: r.metrics_end,
    error: r.error,
  }));
}

// ---------------------------------------------------------------------------------------------
// Run history

const CurrencyTotalSchema = z.object({ currency: z.string(), billedCost: z.string(), effectiveCost: z.string().nullable() });
export type SyncCurrencyTotal = z.infer<typeof CurrencyTotalSchema>;

export interface SyncRunItem {
  id: string;
  trigger: string;
  status: 'running' | 'succeeded' | 'failed';
  startedAt: Date;
  finishedAt: Date | null;
  durationMs: number | null;
  deliveriesSeen: number;
  deliveriesIngested: number;
  rows: string;
  billingPeriods: string[];
  /** Per currency, summed over the deliveries the run ingested (decimal strings). */
  totals: SyncCurrencyTotal[];
  error: string | null;
}

interface SyncRunRow {
  id: string;
  trigger: string;
  status: string;
  started_at: Date;
  finished_at: Date | null;
  duration_ms: number | null;
  deliveries_seen: number;
  deliveries_ingested: number;
  row_count: string;
  billing_periods: string[];
  totals: unknown;
  error: string | null;
}

/** The source's latest sync runs, newest first. */
export async function getSyncHistory(sourceId: number, limit = 20): Promise<SyncRunItem[]> {
  await reapDeadRuns(getPool(), 'sync_runs');
  // sync_runs.totals holds [{key, totals: [{currency, billedCost, effectiveCost, ...}]}] per ingested delivery.
  const { rows } = await getPool().query<SyncRunRow>(
    `SELECT r.id::text AS id, r.trigger, r.status, r.started_at, r.finished_at,
            (extract(epoch FROM r.finished_at - r.started_at) * 1000)::float8 AS duration_ms,
            r.deliveries_seen, r.deliveries_ingested, r.row_count::text AS row_count,
            r.billing_periods::text[] AS billing_periods, r.error,
            COALESCE((
              SELECT jsonb_agg(jsonb_build_object('currency', t.currency, 'billedCost', t.billed, 'effectiveCost', t.effective) ORDER BY t.currency)
                FROM (
                  SELECT e->>'currency' AS currency,
                         sum((e->>'billedCost')::numeric)::text AS billed,
                         sum((e->>'effectiveCost')::numeric)::text AS effective
                    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(r.totals) = 'array' THEN r.totals ELSE '[]'::jsonb END) d
                    CROSS JOIN LATERAL jsonb_array_elements(
                      CASE WHEN jsonb_typeof(d->'totals') = 'array' THEN d->'totals' ELSE '[]'::jsonb END) e
                   WHERE e->>'currency' IS NOT NULL
                   GROUP BY 1
                ) t
            ), '[]'::jsonb) AS totals
       FROM sync_runs r
      WHERE r.source_id = $1
      ORDER BY r.started_at DESC, r.id DESC
      LIMIT $2`,
    [sourceId, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    trigger: r.trigger,
    status: r.status === 'succeeded' || r.status === 'failed' ? r.status : 'running',
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    durationMs: r.duration_ms === null ? null : Math.round(r.duration_ms),
    deliveriesSeen: r.deliveries_seen,
    deliveriesIngested: r.deliveries_ingested,
    rows: r.row_count,
    billingPeriods: r.billing_periods,
    totals: z.array(CurrencyTotalSchema).parse(r.totals),
    error: r.error,
  }));
}
