/**
 * The canonical FOCUS Cost and Usage columns Burnrate stores (every column of FOCUS 1.0 to 1.4, see
 * DEVELOPERS.md), in the order the COPY stream writes them. `kind` drives validation: numeric
 * values must be exact decimal strings, timestamps ISO-8601 UTC, json values valid JSON (stored
 * as jsonb, as written). ProviderName and PublisherName were deprecated in 1.3 and removed in 1.4;
 * provider_name stays the dashboard's grouping key (read from ServiceProviderName when ProviderName
 * is absent, see readers/focus.ts).
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
  // Added by migration 0005 (columns of FOCUS 1.0-1.4 that earlier versions of Burnrate kept in extras).
  { column: 'commitment_discount_name', focus: 'CommitmentDiscountName', kind: 'text' },
  { column: 'commitment_discount_quantity', focus: 'CommitmentDiscountQuantity', kind: 'numeric' },
  { column: 'commitment_discount_unit', focus: 'CommitmentDiscountUnit', kind: 'text' },
  { column: 'commitment_program_eligibility_details', focus: 'CommitmentProgramEligibilityDetails', kind: 'json' },
  { column: 'capacity_reservation_id', focus: 'CapacityReservationId', kind: 'text' },
  { column: 'capacity_reservation_status', focus: 'CapacityReservationStatus', kind: 'text' },
  { column: 'service_provider_name', focus: 'ServiceProviderName', kind: 'text' },
  { column: 'host_provider_name', focus: 'HostProviderName', kind: 'text' },
  { column: 'billing_account_type', focus: 'BillingAccountType', kind: 'text' },
  { column: 'sub_account_type', focus: 'SubAccountType', kind: 'text' },
  { column: 'invoice_detail_id', focus: 'InvoiceDetailId', kind: 'text' },
  { column: 'sku_meter', focus: 'SkuMeter', kind: 'text' },
  { column: 'sku_price_details', focus: 'SkuPriceDetails', kind: 'json' },
  { column: 'pricing_currency', focus: 'PricingCurrency', kind: 'text' },
  { column: 'pricing_currency_contracted_unit_price', focus: 'PricingCurrencyContractedUnitPrice', kind: 'numeric' },
  { column: 'pricing_currency_effective_cost', focus: 'PricingCurrencyEffectiveCost', kind: 'numeric' },
  { column: 'pricing_currency_list_unit_price', focus: 'PricingCurrencyListUnitPrice', kind: 'numeric' },
  { column: 'contract_applied', focus: 'ContractApplied', kind: 'json' },
  { column: 'allocated_method_id', focus: 'AllocatedMethodId', kind: 'text' },
  { column: 'allocated_method_details', focus: 'AllocatedMethodDetails', kind: 'json' },
  { column: 'allocated_resource_id', focus: 'AllocatedResourceId', kind: 'text' },
  { column: 'allocated_resource_name', focus: 'AllocatedResourceName', kind: 'text' },
  { column: 'allocated_tags', focus: 'AllocatedTags', kind: 'json' },
] as const satisfies readonly {
  column: string;
  focus: string;
  kind: 'text' | 'numeric' | 'timestamp' | 'json';
  required?: boolean;
}[];

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
