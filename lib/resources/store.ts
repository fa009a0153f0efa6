import type pg from 'pg';
import type { ResourceRecord } from '../inventory/types';
import { normalizeResourceId } from './normalize';

/**
 * Writes resources rows: the one place that does (bills, inventory syncs, metric imports). A row
 * is keyed by (provider, normalized resource id, GPU UUID); what a later source says overwrites
 * what it knows and keeps the rest (a bill knows the type, an inventory the state and tags).
 */
export interface UpsertOptions {
  /** Where the records come from: sets seen_in_bill / seen_in_inventory. 'metrics' sets neither. */
  origin: 'bill' | 'inventory' | 'metrics';
  /** When they were seen (default now): first_seen/last_seen move with it. */
  seenAt?: Date;
}

const COLUMNS = [
  'provider',
  'resource_id',
  'sub_resource_id',
  'kind',
  'account_id',
  'region_id',
  'name',
  'resource_type',
  'state',
  'attached_to',
  'size_gb',
  'created_at',
  'tags',
  'details',
] as const;

/** Upserts records in batches of 1000 (one statement each); returns the row ids in input order. */
export async function upsertResources(
  db: pg.Pool | pg.PoolClient,
  records: readonly ResourceRecord[],
  opts: UpsertOptions,
): Promise<string[]> {
  const ids: string[] = [];
  const seenAt = (opts.seenAt ?? new Date()).toISOString();
  for (let i = 0; i < records.length; i += 1000) {
    const batch = records.slice(i, i + 1000);
    // One row per identity per statement (ON CONFLICT cannot touch a row twice); later records win.
    const byKey = new Map<string, ResourceRecord>();
    for (const r of batch) byKey.set(identityKey(r), r);
    const rows = [...byKey.values()];
    const cols = COLUMNS.map(() => [] as unknown[]);
    for (const r of rows) {
      const values = [
        r.provider,
        normalizeResourceId(r.provider, r.resourceId),
        r.subResourceId ?? '',
        r.kind,
        r.accountId ?? '',
        r.regionId ?? '',
        r.name ?? null,
        r.resourceType ?? null,
        r.state ?? null,
        r.attachedTo === undefined || r.attachedTo === null ? null : normalizeResourceId(r.provider, r.attachedTo),
        r.sizeGb ?? null,
        r.createdAt ? r.createdAt.toISOString() : null,
        r.tags ? JSON.stringify(r.tags) : null,
        r.details ? JSON.stringify(r.details) : null,
      ];
      for (const [k, v] of values.entries()) cols[k]?.push(v);
    }
    const { rows: out } = await db.query<{ id: string; provider: string; resource_id: string; sub_resource_id: string }>(
      `INSERT INTO resources (${COLUMNS.join(', ')}, seen_in_bill, seen_in_inventory, first_seen, last_seen)
       SELECT provider, resource_id, sub_resource_id, kind, account_id, region_id, name, resource_type, state, attached_to,
              size_gb::numeric, created_at::timestamptz, COALESCE(tags::jsonb, '{}'), COALESCE(details::jsonb, '{}'),
              $15::text = 'bill', $15::text = 'inventory', $16::timestamptz, $16::timestamptz
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                     $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])
              AS t(provider, resource_id, sub_resource_id, kind, account_id, region_id, name, resource_type, state, attached_to,
                   size_gb, created_at, tags, details)
       ON CONFLICT (provider, resource_id, sub_resource_id) DO UPDATE SET
         kind = CASE WHEN EXCLUDED.kind = 'other' OR ($15::text = 'metrics' AND resources.kind <> 'other') THEN resources.kind ELSE EXCLUDED.kind END,
         account_id = COALESCE(NULLIF(EXCLUDED.account_id, ''), resources.account_id),
         region_id = COALESCE(NULLIF(EXCLUDED.region_id, ''), resources.region_id),
         name = COALESCE(EXCLUDED.name, resources.name),
         resource_type = COALESCE(EXCLUDED.resource_type, resources.resource_type),
         state = COALESCE(EXCLUDED.state, resources.state),
         attached_to = CASE WHEN $15::text = 'inventory' THEN EXCLUDED.attached_to ELSE COALESCE(EXCLUDED.attached_to, resources.attached_to) END,
         size_gb = COALESCE(EXCLUDED.size_gb, resources.size_gb),
         created_at = COALESCE(EXCLUDED.created_at, resources.created_at),
         tags = resources.tags || EXCLUDED.tags,
         details = resources.details || EXCLUDED.details,
         seen_in_bill = resources.seen_in_bill OR EXCLUDED.seen_in_bill,
         seen_in_inventory = resources.seen_in_inventory OR EXCLUDED.seen_in_inventory,
         first_seen = LEAST(resources.first_seen, EXCLUDED.first_seen),
         last_seen = GREATEST(resources.last_seen, EXCLUDED.last_seen),
         gone_at = CASE WHEN $15::text = 'inventory' THEN NULL ELSE resources.gone_at END
       RETURNING id, provider, resource_id, sub_resource_id`,
      [...cols, opts.origin, seenAt],
    );
    const idOf = new Map(out.map((r) => [`${r.provider}\u0000${r.resource_id}\u0000${r.sub_resource_id}`, r.id]));
    for (const r of batch) ids.push(idOf.get(identityKey(r)) as string);
  }
  return ids;
}

function identityKey(r: Pick<ResourceRecord, 'provider' | 'resourceId' | 'subResourceId'>): string {
  return `${r.provider}\u0000${normalizeResourceId(r.provider, r.resourceId)}\u0000${r.subResourceId ?? ''}`;
}

/**
 * After a complete inventory listing of a scope (an account's regions, a subscription, a project),
 * marks what it no longer lists as gone: the resource vanished (a rule resolves its recommendations).
 */
export async function markGone(
  db: pg.Pool | pg.PoolClient,
  scope: { provider: string; accountIds: readonly string[]; listedBefore: Date },
): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE resources SET gone_at = now()
      WHERE provider = $1 AND account_id = ANY($2::text[]) AND seen_in_inventory AND gone_at IS NULL AND last_seen < $3`,
    [scope.provider, scope.accountIds, scope.listedBefore.toISOString()],
  );
  return rowCount ?? 0;
}
