-- The FOCUS datasets other than Cost and Usage (lib/focus/datasets.ts): Contract Commitment (FOCUS
-- 1.3; the 1.4 columns nullable so 1.3 files land), Invoice Detail and Billing Period (FOCUS 1.4).
-- Each row belongs to a billing source and to the ingest run that wrote it; a delivery replaces the
-- source's rows of its billing periods (Invoice Detail, Billing Period) or the source's whole
-- dataset (Contract Commitment) in one transaction (lib/ingest/focus-datasets.ts).
-- NOT NULL where the specification says the column is mandatory and allows no nulls; amounts and
-- quantities numeric, dates timestamptz, JSON columns jsonb, columns FOCUS does not define in extras.

CREATE TABLE focus_contract_commitments (
  id                                              bigserial PRIMARY KEY,
  source_id                                       integer NOT NULL REFERENCES billing_sources(id) ON DELETE CASCADE,
  ingest_run_id                                   bigint NOT NULL,
  billing_currency                                text,
  contract_commitment_category                    text NOT NULL,
  contract_commitment_cost                        numeric,
  contract_commitment_description                 text,
  contract_commitment_id                          text NOT NULL,
  contract_commitment_period_end                  timestamptz NOT NULL,
  contract_commitment_period_start                timestamptz NOT NULL,
  contract_commitment_quantity                    numeric,
  contract_commitment_type                        text NOT NULL,
  contract_commitment_unit                        text,
  contract_id                                     text NOT NULL,
  contract_period_end                             timestamptz NOT NULL,
  contract_period_start                           timestamptz NOT NULL,
  contract_commitment_applicability               jsonb,
  contract_commitment_benefit_category            text,
  contract_commitment_created                     timestamptz,
  contract_commitment_discount_percentage         numeric,
  contract_commitment_duration_type               text,
  contract_commitment_fulfillment_interval        text,
  contract_commitment_last_updated                timestamptz,
  contract_commitment_lifecycle_status            text,
  contract_commitment_model                       text,
  contract_commitment_offer_category              text,
  contract_commitment_payment_interval            text,
  contract_commitment_payment_model               text,
  contract_commitment_payment_upfront_percentage  numeric,
  invoice_issuer_name                             text,
  pricing_currency                                text,
  pricing_currency_contract_commitment_cost       numeric,
  service_provider_name                           text,
  extras                                          jsonb
);
CREATE INDEX focus_contract_commitments_source_commitment_idx ON focus_contract_commitments (source_id, contract_commitment_id);

CREATE TABLE focus_invoice_details (
  id                                  bigserial PRIMARY KEY,
  source_id                           integer NOT NULL REFERENCES billing_sources(id) ON DELETE CASCADE,
  ingest_run_id                       bigint NOT NULL,
  billed_cost                         numeric NOT NULL,
  billing_account_id                  text NOT NULL,
  billing_currency                    text NOT NULL,
  billing_period_end                  timestamptz NOT NULL,
  billing_period_start                timestamptz NOT NULL,
  charge_category                     text NOT NULL,
  invoice_detail_created              timestamptz NOT NULL,
  invoice_detail_description          text,
  invoice_detail_grain                jsonb,
  invoice_detail_id                   text NOT NULL,
  invoice_detail_last_updated         timestamptz NOT NULL,
  invoice_id                          text NOT NULL,
  invoice_issue_date                  timestamptz,
  invoice_issue_status                text NOT NULL,
  invoice_issuer_name                 text NOT NULL,
  payment_currency                    text,
  payment_currency_billed_cost        numeric,
  payment_currency_invoice_detail_id  text,
  payment_due_date                    timestamptz,
  payment_terms                       text NOT NULL,
  purchase_order_number               text,
  reference_invoice_id                text NOT NULL,
  extras                              jsonb
);
CREATE INDEX focus_invoice_details_source_period_idx ON focus_invoice_details (source_id, billing_period_start);
-- Invoice reconciliation joins Cost and Usage on issuer and invoice (FOCUS 1.4, Invoice Detail relationships).
CREATE INDEX focus_invoice_details_invoice_idx ON focus_invoice_details (invoice_issuer_name, invoice_id);

CREATE TABLE focus_billing_periods (
  id                           bigserial PRIMARY KEY,
  source_id                    integer NOT NULL REFERENCES billing_sources(id) ON DELETE CASCADE,
  ingest_run_id                bigint NOT NULL,
  billing_period_created       timestamptz NOT NULL,
  billing_period_end           timestamptz NOT NULL,
  billing_period_last_updated  timestamptz NOT NULL,
  billing_period_start         timestamptz NOT NULL,
  billing_period_status        text NOT NULL,
  invoice_issuer_name          text NOT NULL,
  extras                       jsonb
);
CREATE INDEX focus_billing_periods_source_period_idx ON focus_billing_periods (source_id, billing_period_start);
