import type pg from 'pg';
import type { Catalog, CatalogPrice, InstanceTypeSpec } from '../../catalog/types';
import { addDecimals, compareDecimals, divideDecimals } from '../../decimal';
import type { ResourceKind } from '../../inventory/types';
import type { MetricName } from '../../metrics/names';
import type { SeriesStats } from '../../metrics/stats';
import type { ResourceProvider } from '../../resources/normalize';
import type { Evidence, TypeEvidence } from '../types';

/** What the rules share: reading resources rows, the windows, the state words of the three clouds. */
export const DAY_MS = 86_400_000;

export interface ResourceRow {
  pk: string;
  provider: ResourceProvider;
  resourceId: string;
  subResourceId: string;
  kind: ResourceKind;
  accountId: string;
  regionId: string;
  resourceType: string | null;
  state: string | null;
  attachedTo: string | null;
  sizeGb: string | null;
  createdAt: Date | null;
  details: Record<string, unknown>;
  firstSeen: Date;
  lastSeen: Date;
  goneAt: Date | null;
  seenInBill: boolean;
  seenInInventory: boolean;
}

/** Resources of the given kinds that still exist (gone_at is null). */
export async function listResources(db: pg.Pool | pg.PoolClient, kinds: readonly ResourceKind[]): Promise<ResourceRow[]> {
  const { rows } = await db.query<{
    id: string;
    provider: ResourceProvider;
    resource_id: string;
    sub_resource_id: string;
    kind: ResourceKind;
    account_id: string;
    region_id: string;
    resource_type: string | null;
    state: string | null;
    attached_to: string | null;
    size_gb: string | null;
    created_at: Date | null;
    details: Record<string, unknown>;
    first_seen: Date;
    last_seen: Date;
    gone_at: Date | null;
    seen_in_bill: boolean;
    seen_in_inventory: boolean;
  }>(
    `SELECT id, provider, resource_id, sub_resource_id, kind, account_id, region_id, resource_type, state, attached_to, size_gb,
            created_at, details, first_seen, last_seen, gone_at, seen_in_bill, seen_in_inventory
       FROM resources WHERE kind = ANY($1::text[]) AND gone_at IS NULL ORDER BY id`,
    [kinds],
  );
  return rows.map((r) => ({
    pk: r.id,
    provider: r.provider,
    resourceId: r.resource_id,
    subResourceId: r.sub_resource_id,
    kind: r.kind,
    accountId: r.account_id,
    regionId: r.region_id,
    resourceType: r.resource_type,
    state: r.state,
    attachedTo: r.attached_to,
    sizeGb: r.size_gb,
    createdAt: r.created_at,
    details: r.details,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    goneAt: r.gone_at,
    seenInBill: r.seen_in_bill,
    seenInInventory: r.seen_in_inventory,
  }));
}

/**
 * Running as each cloud says it: EC2 `running`, Azure `VM running` (or the power state's code
 * `PowerState/running`), GCP `RUNNING`. A resource known only from the bill has no state: it is
 * billed, so it ran.
 */
export function isRunning(state: string | null): boolean {
  if (state === null) return true;
  return /(^|[\s/])running$/i.test(state.trim());
}

/** Stopped but still allocated somewhere: EC2 `stopped`, Azure `VM deallocated` / `VM stopped`, GCP `TERMINATED` / `SUSPENDED`. */
export function isStopped(state: string | null): boolean {
  if (state === null) return false;
  return /(^|[\s/])(stopped|deallocated|terminated|suspended)$/i.test(state.trim());
}

/** A date from a details field (ISO string or epoch milliseconds), or null. */
export function detailDate(details: Record<string, unknown>, key: string): Date | null {
  const v = details[key];
  if (typeof v === 'number' && Number.isFinite(v)) return new Date(v);
  if (typeof v === 'string' && v.trim() !== '') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : new Date(t);
  }
  return null;
}

export function daysBetween(from: Date, to: Date): number {
  return (to.getTime() - from.getTime()) / DAY_MS;
}

/** Rounded for display in evidence (the comparison is made on the unrounded value). */
export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function typeEvidence(catalog: Catalog, provider: ResourceProvider, type: string | null, region: string): TypeEvidence | null {
  if (type === null) return null;
  return { type, spec: catalog.spec(provider, type), price: catalog.price(provider, type, region) };
}

/** An evidence object with the fields a rule does not use left empty. */
export function evidence(e: Partial<Evidence> & Pick<Evidence, 'statistic' | 'value' | 'threshold'>): Evidence {
  return {
    window: null,
    metric: null,
    coverageHours: null,
    current: null,
    proposed: null,
    details: {},
    notes: [],
    ...e,
  };
}

/** Window statistics by resource pk, then by metric (one series per resource and metric). */
export function statsByResource(stats: readonly SeriesStats[]): Map<string, Map<MetricName, SeriesStats>> {
  const out = new Map<string, Map<MetricName, SeriesStats>>();
  for (const s of stats) {
    const m = out.get(s.resourcePk) ?? new Map<MetricName, SeriesStats>();
    m.set(s.metric, s);
    out.set(s.resourcePk, m);
  }
  return out;
}

/**
 * Burstable types (AWS t*, Azure B*, GCP shared-core) earn CPU credits instead of giving a
 * sustained core: never proposed for a type that is not one itself.
 */
export function isBurstable(spec: InstanceTypeSpec): boolean {
  if (spec.provider === 'aws') return /^t\d/.test(spec.family);
  if (spec.provider === 'azure') return /^B/.test(spec.family);
  if (spec.provider === 'gcp') return /^(f1|g1)-|^e2-(micro|small|medium)$/.test(spec.type);
  return false;
}

export interface PricedType {
  spec: InstanceTypeSpec;
  price: CatalogPrice;
}

/**
 * The cheapest of `candidates` in the region in the current price's currency (ties: the newer
 * generation, then the name), among those `fits` accepts; null when none is priced there.
 */
export function cheapest(
  catalog: Catalog,
  current: PricedType,
  region: string,
  candidates: readonly InstanceTypeSpec[],
  fits: (spec: InstanceTypeSpec) => boolean,
  maxHourly: { value: string; inclusive: boolean },
): PricedType | null {
  let best: PricedType | null = null;
  for (const spec of candidates) {
    if (spec.type === current.spec.type || !fits(spec)) continue;
    const price = catalog.price(spec.provider, spec.type, region);
    if (!price || price.currency !== current.price.currency) continue;
    const cmp = compareDecimals(price.hourly, maxHourly.value);
    if (cmp > 0 || (cmp === 0 && !maxHourly.inclusive)) continue;
    if (!best) {
      best = { spec, price };
      continue;
    }
    const byPrice = compareDecimals(price.hourly, best.price.hourly);
    if (
      byPrice < 0 ||
      (byPrice === 0 &&
        (spec.generation > best.spec.generation || (spec.generation === best.spec.generation && spec.type < best.spec.type)))
    )
      best = { spec, price };
  }
  return best;
}

/** 1 − new/old, to 6 places: the share of the current type's cost a move saves. */
export function priceRatioSavings(oldHourly: string, newHourly: string): string {
  return addDecimals(['1', `-${divideDecimals(newHourly, oldHourly, 6)}`]);
}
