-- Every Cost and Usage column of FOCUS 1.0-1.4 as a real column of cost_line_items (lib/focus/columns.ts).
-- Until now the columns below landed as strings in `extras`, so they could not be grouped, filtered
-- or indexed, and the JSON ones were strings inside JSON.
-- Nullable columns without a default: ALTER TABLE on the partitioned parent reaches every partition
-- and changes only the catalog, whatever the number of rows.
ALTER TABLE cost_line_items
  ADD COLUMN commitment_discount_name               text,
  ADD COLUMN commitment_discount_quantity           numeric,
  ADD COLUMN commitment_discount_unit               text,
  ADD COLUMN commitment_program_eligibility_details jsonb,
  ADD COLUMN capacity_reservation_id                text,
  ADD COLUMN capacity_reservation_status            text,
  ADD COLUMN service_provider_name                  text,
  ADD COLUMN host_provider_name                     text,
  ADD COLUMN billing_account_type                   text,
  ADD COLUMN sub_account_type                       text,
  ADD COLUMN invoice_detail_id                      text,
  ADD COLUMN sku_meter                              text,
  ADD COLUMN sku_price_details                      jsonb,
  ADD COLUMN pricing_currency                       text,
  ADD COLUMN pricing_currency_contracted_unit_price numeric,
  ADD COLUMN pricing_currency_effective_cost        numeric,
  ADD COLUMN pricing_currency_list_unit_price       numeric,
  ADD COLUMN contract_applied                       jsonb,
  ADD COLUMN allocated_method_id                    text,
  ADD COLUMN allocated_method_details               jsonb,
  ADD COLUMN allocated_resource_id                  text,
  ADD COLUMN allocated_resource_name                text,
  ADD COLUMN allocated_tags                         jsonb;

-- Rows that the FOCUS reader ingested before this migration keep those values in extras, under the
-- header name as the file spelled it, as the raw CSV string. Each value that the reader now stores
-- as it is (lib/focus/normalize.ts: text() trims, decimal() and jsonText() validate) moves to its
-- column and leaves extras; anything else (another spelling of the name, surrounding blanks, a
-- value the reader would refuse) stays in extras. Other formats' extras are not FOCUS columns
-- (Azure's PricingCurrency is the export's own column) and stay as they are.
-- ServiceProviderName read as provider_name when ProviderName was absent never reached extras:
-- those rows get service_provider_name when their file is ingested again.
CREATE FUNCTION pg_temp.burnrate_text(v text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  -- null when v has blanks around it: ASCII ones and the Unicode spaces JavaScript's trim() removes
  SELECT CASE WHEN v ~ '^[[:space:]\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]'
                OR v ~ '[[:space:]\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]$'
              THEN NULL ELSE v END
$$;
CREATE FUNCTION pg_temp.burnrate_decimal(v text) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF v !~ '^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$' THEN
    RETURN NULL;
  END IF;
  RETURN v::numeric;
EXCEPTION WHEN others THEN
  RETURN NULL;
END $$;
CREATE FUNCTION pg_temp.burnrate_jsonb(v text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  IF pg_temp.burnrate_text(v) IS NULL THEN
    RETURN NULL;
  END IF;
  RETURN v::jsonb;
EXCEPTION WHEN others THEN
  RETURN NULL;
END $$;

UPDATE cost_line_items c
   SET (commitment_discount_name,
        commitment_discount_quantity,
        commitment_discount_unit,
        commitment_program_eligibility_details,
        capacity_reservation_id,
        capacity_reservation_status,
        service_provider_name,
        host_provider_name,
        billing_account_type,
        sub_account_type,
        invoice_detail_id,
        sku_meter,
        sku_price_details,
        pricing_currency,
        pricing_currency_contracted_unit_price,
        pricing_currency_effective_cost,
        pricing_currency_list_unit_price,
        contract_applied,
        allocated_method_id,
        allocated_method_details,
        allocated_resource_id,
        allocated_resource_name,
        allocated_tags,
        extras) =
       (SELECT max(x.commitment_discount_name),
               max(x.commitment_discount_quantity),
               max(x.commitment_discount_unit),
               (array_agg(x.commitment_program_eligibility_details) FILTER (WHERE x.commitment_program_eligibility_details IS NOT NULL))[1],
               max(x.capacity_reservation_id),
               max(x.capacity_reservation_status),
               max(x.service_provider_name),
               max(x.host_provider_name),
               max(x.billing_account_type),
               max(x.sub_account_type),
               max(x.invoice_detail_id),
               max(x.sku_meter),
               (array_agg(x.sku_price_details) FILTER (WHERE x.sku_price_details IS NOT NULL))[1],
               max(x.pricing_currency),
               max(x.pricing_currency_contracted_unit_price),
               max(x.pricing_currency_effective_cost),
               max(x.pricing_currency_list_unit_price),
               (array_agg(x.contract_applied) FILTER (WHERE x.contract_applied IS NOT NULL))[1],
               max(x.allocated_method_id),
               (array_agg(x.allocated_method_details) FILTER (WHERE x.allocated_method_details IS NOT NULL))[1],
               max(x.allocated_resource_id),
               max(x.allocated_resource_name),
               (array_agg(x.allocated_tags) FILTER (WHERE x.allocated_tags IS NOT NULL))[1],
               nullif(c.extras - coalesce(array_agg(x.key) FILTER (WHERE x.moved), '{}'), '{}'::jsonb)
          FROM (SELECT e.key,
                       CASE WHEN e.key = 'CommitmentDiscountName' THEN pg_temp.burnrate_text(e.value #>> '{}') END AS commitment_discount_name,
                       CASE WHEN e.key = 'CommitmentDiscountQuantity' THEN pg_temp.burnrate_decimal(e.value #>> '{}') END AS commitment_discount_quantity,
                       CASE WHEN e.key = 'CommitmentDiscountUnit' THEN pg_temp.burnrate_text(e.value #>> '{}') END AS commitment_discount_unit,
                       CASE WHEN e.key = 'CommitmentProgramEligibilityDetails' THEN pg_temp.burnrate_jsonb(e.value #>> '{}') END AS commitment_program_eligibility_details,
                       CASE WHEN e.key = 'CapacityReservationId' THEN pg_temp.burnrate_text(e.value #>> '{}') END AS capacity_reservation_id,
                       CASE WHEN e.key = 'CapacityReservationStatus' THEN pg_temp.burnrate_text(e.value #>> '{}') END AS capacity_reservation_status,
                       CASE WHEN e.key = 'ServiceProviderName' THEN pg_temp.burnrate_text(e.value #>> '{}') END AS service_provider_name,
                       CASE WHEN e.key = 'HostProviderName' THEN pg_temp.burnrate_text(e.value #>> '{}') END AS host_provider_name,
                       CASE WHEN e.key = 'BillingAccountType' THEN pg_temp.burnrate_text(e.value #>> '{}') END AS billing_account_type,
                       CASE WHEN e.key = 'SubAccountType' THEN pg_temp.burnrate_text(e.value #>> '{}') END AS sub_account_type,
                       CASE WHEN e.key = 'InvoiceDetailId' THEN pg_temp.burnrate_text(e.value #>> '{}') END AS invoice_detail_id,
                       CASE WHEN e.key = 'SkuMeter' THEN pg_temp.burnrate_text(e.value #>> '{}') END AS sku_meter,
                       CASE WHEN e.key = 'SkuPriceDetails' THEN pg_temp.burnrate_jsonb(e.value #>> '{}') END AS sku_price_details,
                       CASE WHEN e.key = 'PricingCurrency' THEN pg_temp.burnrate_text(e.value #>> '{}') END AS pricing_currency,
                       CASE WHEN e.key = 'PricingCurrencyContractedUnitPrice' THEN pg_temp.burnrate_decimal(e.value #>> '{}') END AS pricing_currency_contracted_unit_price,
                       CASE WHEN e.key = 'PricingCurrencyEffectiveCost' THEN pg_temp.burnrate_decimal(e.value #>> '{}') END AS pricing_currency_effective_cost,
                       CASE WHEN e.key = 'PricingCurrencyListUnitPrice' THEN pg_temp.burnrate_decimal(e.value #>> '{}') END AS pricing_currency_list_unit_price,
                       CASE WHEN e.key = 'ContractApplied' THEN pg_temp.burnrate_jsonb(e.value #>> '{}') END AS contract_applied,
                       CASE WHEN e.key = 'AllocatedMethodId' THEN pg_temp.burnrate_text(e.value #>> '{}') END AS allocated_method_id,
                       CASE WHEN e.key = 'AllocatedMethodDetails' THEN pg_temp.burnrate_jsonb(e.value #>> '{}') END AS allocated_method_details,
                       CASE WHEN e.key = 'AllocatedResourceId' THEN pg_temp.burnrate_text(e.value #>> '{}') END AS allocated_resource_id,
                       CASE WHEN e.key = 'AllocatedResourceName' THEN pg_temp.burnrate_text(e.value #>> '{}') END AS allocated_resource_name,
                       CASE WHEN e.key = 'AllocatedTags' THEN pg_temp.burnrate_jsonb(e.value #>> '{}') END AS allocated_tags
                  FROM jsonb_each(c.extras) e
                 WHERE jsonb_typeof(e.value) = 'string') y
         CROSS JOIN LATERAL (SELECT y.*, num_nonnulls(y.commitment_discount_name, y.commitment_discount_quantity, y.commitment_discount_unit, y.commitment_program_eligibility_details, y.capacity_reservation_id, y.capacity_reservation_status, y.service_provider_name, y.host_provider_name, y.billing_account_type, y.sub_account_type, y.invoice_detail_id, y.sku_meter, y.sku_price_details, y.pricing_currency, y.pricing_currency_contracted_unit_price, y.pricing_currency_effective_cost, y.pricing_currency_list_unit_price, y.contract_applied, y.allocated_method_id, y.allocated_method_details, y.allocated_resource_id, y.allocated_resource_name, y.allocated_tags) > 0 AS moved) x)
 WHERE c.extras ?| ARRAY['CommitmentDiscountName', 'CommitmentDiscountQuantity', 'CommitmentDiscountUnit', 'CommitmentProgramEligibilityDetails', 'CapacityReservationId', 'CapacityReservationStatus', 'ServiceProviderName', 'HostProviderName', 'BillingAccountType', 'SubAccountType', 'InvoiceDetailId', 'SkuMeter', 'SkuPriceDetails', 'PricingCurrency', 'PricingCurrencyContractedUnitPrice', 'PricingCurrencyEffectiveCost', 'PricingCurrencyListUnitPrice', 'ContractApplied', 'AllocatedMethodId', 'AllocatedMethodDetails', 'AllocatedResourceId', 'AllocatedResourceName', 'AllocatedTags']
   AND c.ingest_run_id IN (SELECT id FROM ingest_runs WHERE format = 'focus');
