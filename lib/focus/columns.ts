/**
 * The canonical FOCUS 1.2 columns Burnrate stores, in the order the COPY stream writes them.
 * `kind` drives validation: numeric values must be exact decimal strings, timestamps ISO-8601 UTC.
 */
export const FOCUS_COLUMNS = [
  { column: 'provider_name', focus: 'ProviderName', kind: 'text', required: true },
  { column: 'publisher_name', focus: 'PublisherName', kind: 'text' },
  { column: 'invoice_issuer_name', focus: 'InvoiceIssuerName', kind: 'text' },
  { column: 'billing_account_id', focus: 'BillingAccountId', kind: 'text' },
  { column: 'billing_account_name', focus: 'BillingAccountName', kind: 'text' },
  { column: 'sub_account_id', focus: 'SubAccountId', kind: 'text' },
  { column: 'sub_account_name', focus: 'SubAccountName', kind: 'text' },
  { column: 'invoice_id', focus: 'InvoiceId', kind: 'text' },
  { column: 'billing_period_start', focus: 'BillingPeriodStart', kind: 'timestamp', required: true },
  { column: 'billing_period_end', focus: 'BillingPeriodEnd', kind: 'timestamp', required: true },
  { column: 'charge_period_start', focus: 'ChargePeriodStart', kind: 'timestamp', required: true },
  { column: 'charge_period_end', focus: 'ChargePeriodEnd', kind: 'timestamp', required: true },
  { column: 'charge_category', focus: 'ChargeCategory', kind: 'text', required: true },
  { column: 'charge_class', focus: 'ChargeClass', kind: 'text' },
  { column: 'charge_description', focus: 'ChargeDescription', kind: 'text' },
  { column: 'charge_frequency', focus: 'ChargeFrequency', kind: 'text' },
  { column: 'service_name', focus: 'ServiceName', kind: 'text' },
  { column: 'service_category', focus: 'ServiceCategory', kind: 'text' },
  { column: 'service_subcategory', focus: 'ServiceSubcategory', kind: 'text' },
  { column: 'region_id', focus: 'RegionId', kind: 'text' },
  { column: 'region_name', focus: 'RegionName', kind: 'text' },
  { column: 'availability_zone', focus: 'AvailabilityZone', kind: 'text' },
  { column: 'resource_id', focus: 'ResourceId', kind: 'text' },
  { column: 'resource_name', focus: 'ResourceName', kind: 'text' },
  { column: 'resource_type', focus: 'ResourceType', kind: 'text' },
  { column: 'sku_id', focus: 'SkuId', kind: 'text' },
  { column: 'sku_price_id', focus: 'SkuPriceId', kind: 'text' },
  { column: 'pricing_category', focus: 'PricingCategory', kind: 'text' },
  { column: 'pricing_quantity', focus: 'PricingQuantity', kind: 'numeric' },
  { column: 'pricing_unit', focus: 'PricingUnit', kind: 'text' },
  { column: 'list_unit_price', focus: 'ListUnitPrice', kind: 'numeric' },
  { column: 'contracted_unit_price', focus: 'ContractedUnitPrice', kind: 'numeric' },
  { column: 'consumed_quantity', focus: 'ConsumedQuantity', kind: 'numeric' },
  { column: 'consumed_unit', focus: 'ConsumedUnit', kind: 'text' },
  { column: 'list_cost', focus: 'ListCost', kind: 'numeric' },
  { column: 'contracted_cost', focus: 'ContractedCost', kind: 'numeric' },
  { column: 'billed_cost', focus: 'BilledCost', kind: 'numeric', required: true },
  { column: 'effective_cost', focus: 'EffectiveCost', kind: 'numeric' },
  { column: 'billing_currency', focus: 'BillingCurrency', kind: 'text', required: true },
  { column: 'commitment_discount_id', focus: 'CommitmentDiscountId', kind: 'text' },
  { column: 'commitment_discount_type', focus: 'CommitmentDiscountType', kind: 'text' },
  { column: 'commitment_discount_category', focus: 'CommitmentDiscountCategory', kind: 'text' },
  { column: 'commitment_discount_status', focus: 'CommitmentDiscountStatus', kind: 'text' },
] as const satisfies readonly { column: string; focus: string; kind: 'text' | 'numeric' | 'timestamp'; required?: boolean }[];

export type FocusColumn = (typeof FOCUS_COLUMNS)[number]['column'];

/**
 * One canonical line item as produced by a reader: every value a string (decimals stay exact
 * strings such as "0.0000012", timestamps ISO-8601) or null where the export has no value.
 */
export type CostRow = { [K in FocusColumn]?: string | null } & {
  /** Tags exactly as the provider gave them. */
  tags?: Record<string, string> | null;
  /** Provider-specific columns worth keeping (x_ prefixed in FOCUS terms). */
  extras?: Record<string, unknown> | null;
  /** Azure only: which Cost Management dataset the row came from. */
  cost_dataset?: 'actual' | 'amortized' | null;
};
