/**
 * What the explorer groups and filters by: the FOCUS dimensions the rollups keep, two derived from
 * the region (geography, country), and any normalized tag key (`tag:<key>`). One list for the query
 * builder, the URL, the page's pickers and the exports.
 */
import { z } from 'zod';

export const COLUMN_DIMENSIONS = {
  provider: { label: 'Provider', column: 'provider_name' },
  billing_account: { label: 'Billing account', column: 'billing_account_id' },
  sub_account: { label: 'Sub-account', column: 'sub_account_id' },
  service: { label: 'Service', column: 'service_name' },
  service_category: { label: 'Service category', column: 'service_category' },
  region: { label: 'Region', column: 'region_id' },
  availability_zone: { label: 'Availability zone', column: 'availability_zone' },
  sku: { label: 'SKU', column: 'sku_id' },
  charge_category: { label: 'Charge category', column: 'charge_category' },
  pricing_category: { label: 'Pricing category', column: 'pricing_category' },
  commitment_discount: { label: 'Commitment discount', column: 'commitment_discount_id' },
  resource: { label: 'Resource', column: 'resource_id' },
} as const;
export type ColumnDimension = keyof typeof COLUMN_DIMENSIONS;

/** Dimensions computed from the region id (lib/focus/regions.ts). */
export const REGION_DIMENSIONS = {
  geography: { label: 'Geography' },
  country: { label: 'Country' },
} as const;
export type RegionDimension = keyof typeof REGION_DIMENSIONS;

/** Showback concepts: the value of a tag rule (lib/tags/rules.ts: aliases, case-folding, mappings). */
export const TAG_CONCEPTS = ['team', 'environment', 'cost_centre'] as const;
export type TagConcept = (typeof TAG_CONCEPTS)[number];
export const CONCEPT_DIMENSIONS: Record<TagConcept, { label: string }> = {
  team: { label: 'Team' },
  environment: { label: 'Environment' },
  cost_centre: { label: 'Cost centre' },
};

export const FIXED_DIMENSIONS = [...Object.keys(COLUMN_DIMENSIONS), ...Object.keys(REGION_DIMENSIONS), ...TAG_CONCEPTS] as (
  | ColumnDimension
  | RegionDimension
  | TagConcept
)[];

/** A tag key as stored in tags_normalized: trimmed, lower case (lib/focus/normalize.ts normalizeTags). */
export const TagKeySchema = z
  .string()
  .min(1, { error: 'a tag key cannot be empty' })
  .max(128, { error: 'a tag key is at most 128 characters' })
  .refine((k) => k === k.trim().toLowerCase(), { error: 'tag keys are compared trimmed and in lower case' });

export type Dimension = ColumnDimension | RegionDimension | TagConcept | `tag:${string}`;

export const DimensionSchema = z.string().transform((value, ctx): Dimension => {
  if (value in COLUMN_DIMENSIONS || value in REGION_DIMENSIONS || value in CONCEPT_DIMENSIONS) return value as Dimension;
  if (value.startsWith('tag:')) {
    const key = TagKeySchema.safeParse(value.slice(4));
    if (key.success) return `tag:${key.data}`;
    ctx.addIssue({ code: 'custom', message: `tag dimension ${JSON.stringify(value)}: ${key.error.issues[0]?.message}` });
    return z.NEVER;
  }
  ctx.addIssue({
    code: 'custom',
    message: `unknown dimension ${JSON.stringify(value)}: one of ${FIXED_DIMENSIONS.join(', ')}, or tag:<key>`,
  });
  return z.NEVER;
});

export function isTagDimension(d: Dimension): d is `tag:${string}` {
  return d.startsWith('tag:');
}

export function isConceptDimension(d: Dimension): d is TagConcept {
  return d in CONCEPT_DIMENSIONS;
}

export function tagKeyOf(d: `tag:${string}`): string {
  return d.slice(4);
}

export function dimensionLabel(d: Dimension): string {
  if (isTagDimension(d)) return `Tag: ${tagKeyOf(d)}`;
  if (d in COLUMN_DIMENSIONS) return COLUMN_DIMENSIONS[d as ColumnDimension].label;
  if (isConceptDimension(d)) return CONCEPT_DIMENSIONS[d].label;
  return REGION_DIMENSIONS[d as RegionDimension].label;
}

/** What a missing value is called in a group or filter: untagged spend is shown, never hidden. */
export function emptyValueLabel(d: Dimension): string {
  return isTagDimension(d) || isConceptDimension(d) ? '(untagged)' : d === 'geography' || d === 'country' ? '(unknown location)' : '(none)';
}

export const METRICS = {
  billed: { label: 'Billed cost', column: 'billed_cost' },
  effective: { label: 'Effective (amortized) cost', column: 'effective_cost' },
  list: { label: 'List cost', column: 'list_cost' },
  contracted: { label: 'Contracted cost', column: 'contracted_cost' },
  usage: { label: 'Usage quantity', column: 'consumed_quantity' },
} as const;
export type Metric = keyof typeof METRICS;
export const MetricSchema = z.enum(Object.keys(METRICS) as [Metric, ...Metric[]], {
  error: `metric must be one of ${Object.keys(METRICS).join(', ')}`,
});

export const GRANULARITIES = ['day', 'week', 'month', 'total'] as const;
export type Granularity = (typeof GRANULARITIES)[number];
export const GranularitySchema = z.enum(GRANULARITIES, { error: `granularity must be one of ${GRANULARITIES.join(', ')}` });
