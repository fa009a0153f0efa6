-- Burnrate initial schema: billing sources, ingest runs, the canonical FOCUS-shaped cost table
-- (partitioned by month of charge_period_start) and the daily rollup the dashboard reads.

CREATE TABLE billing_sources (
  id           serial PRIMARY KEY,
  name         text NOT NULL UNIQUE,
  provider     text NOT NULL,              -- aws | azure | gcp | focus (any FOCUS provider)
  kind         text NOT NULL DEFAULT 'file', -- file | aws_s3 | aws_cost_explorer | azure_blob | gcp_bigquery
  config       jsonb NOT NULL DEFAULT '{}'::jsonb,
  enabled      boolean NOT NULL DEFAULT true,
  schedule     text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ingest_runs (
  id               bigserial PRIMARY KEY,
  source_id        integer NOT NULL REFERENCES billing_sources(id) ON DELETE CASCADE,
  file_name        text NOT NULL,
  format           text,
  dataset          text,
  checksum         text,
  bytes            bigint,
  status           text NOT NULL DEFAULT 'running',  -- running | succeeded | failed
  row_count        bigint NOT NULL DEFAULT 0,
  billing_periods  date[] NOT NULL DEFAULT '{}',
  totals           jsonb NOT NULL DEFAULT '[]'::jsonb,  -- [{currency, billedCost, effectiveCost, ...}] as decimal strings
  started_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz,
  duration_ms      integer,
  error            text,
  CONSTRAINT ingest_runs_status_check CHECK (status IN ('running', 'succeeded', 'failed'))
);
CREATE INDEX ingest_runs_source_started_idx ON ingest_runs (source_id, started_at DESC);
CREATE INDEX ingest_runs_status_idx ON ingest_runs (status);

CREATE SEQUENCE cost_line_items_id_seq AS bigint CACHE 1000;

CREATE TABLE cost_line_items (
  id                            bigint NOT NULL DEFAULT nextval('cost_line_items_id_seq'),
  source_id                     integer NOT NULL,
  ingest_run_id                 bigint NOT NULL,
  cost_dataset                  text,             -- Azure: actual | amortized; null elsewhere
  provider_name                 text NOT NULL,
  publisher_name                text,
  invoice_issuer_name           text,
  billing_account_id            text,
  billing_account_name          text,
  sub_account_id                text,
  sub_account_name              text,
  invoice_id                    text,
  billing_period_start          timestamptz NOT NULL,
  billing_period_end            timestamptz NOT NULL,
  charge_period_start           timestamptz NOT NULL,
  charge_period_end             timestamptz NOT NULL,
  charge_category               text NOT NULL,
  charge_class                  text,
  charge_description            text,
  charge_frequency              text,
  service_name                  text,
  service_category              text,
  service_subcategory           text,
  region_id                     text,
  region_name                   text,
  availability_zone             text,
  resource_id                   text,
  resource_name                 text,
  resource_type                 text,
  sku_id                        text,
  sku_price_id                  text,
  pricing_category              text,
  pricing_quantity              numeric,
  pricing_unit                  text,
  list_unit_price               numeric,
  contracted_unit_price         numeric,
  consumed_quantity             numeric,
  consumed_unit                 text,
  list_cost                     numeric,
  contracted_cost               numeric,
  billed_cost                   numeric NOT NULL,
  effective_cost                numeric,
  billing_currency              text NOT NULL,
  commitment_discount_id        text,
  commitment_discount_type      text,
  commitment_discount_category  text,
  commitment_discount_status    text,
  tags                          jsonb,
  tags_normalized               jsonb,
  extras                        jsonb,
  CONSTRAINT cost_line_items_pkey PRIMARY KEY (charge_period_start, id)
) PARTITION BY RANGE (charge_period_start);

CREATE TABLE cost_line_items_default PARTITION OF cost_line_items DEFAULT;
CREATE INDEX cost_line_items_source_period_idx ON cost_line_items (source_id, billing_period_start);

-- Creates the month partition that holds `month` (any timestamp in it). Rows of that month that
-- already sit in the default partition are moved into the new partition, so the call is always safe.
CREATE FUNCTION burnrate_ensure_month_partition(month timestamptz) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  lo timestamptz := date_trunc('month', month AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
  hi timestamptz := (date_trunc('month', month AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC';
  part text := format('cost_line_items_y%sm%s', to_char(lo AT TIME ZONE 'UTC', 'YYYY'), to_char(lo AT TIME ZONE 'UTC', 'MM'));
  moved bigint;
BEGIN
  IF to_regclass(part) IS NOT NULL THEN
    RETURN false;
  END IF;
  CREATE TEMP TABLE IF NOT EXISTS burnrate_partition_move (LIKE cost_line_items) ON COMMIT DROP;
  WITH d AS (
    DELETE FROM cost_line_items_default WHERE charge_period_start >= lo AND charge_period_start < hi RETURNING *
  ) INSERT INTO burnrate_partition_move SELECT * FROM d;
  GET DIAGNOSTICS moved = ROW_COUNT;
  EXECUTE format('CREATE TABLE %I PARTITION OF cost_line_items FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
  IF moved > 0 THEN
    INSERT INTO cost_line_items SELECT * FROM burnrate_partition_move;
  END IF;
  TRUNCATE burnrate_partition_move;
  RETURN true;
END $$;

-- Daily rollup: what the dashboard reads. Refreshed by the ingest for exactly the days it touched.
CREATE TABLE cost_daily (
  id                    bigserial PRIMARY KEY,
  day                   date NOT NULL,
  source_id             integer NOT NULL REFERENCES billing_sources(id) ON DELETE CASCADE,
  billing_period_start  date NOT NULL,
  provider_name         text NOT NULL,
  billing_account_id    text NOT NULL DEFAULT '',
  sub_account_id        text NOT NULL DEFAULT '',
  sub_account_name      text NOT NULL DEFAULT '',
  service_name          text NOT NULL DEFAULT '',
  service_category      text NOT NULL DEFAULT '',
  region_id             text NOT NULL DEFAULT '',
  region_name           text NOT NULL DEFAULT '',
  charge_category       text NOT NULL,
  billing_currency      text NOT NULL,
  billed_cost           numeric NOT NULL,
  effective_cost        numeric,
  list_cost             numeric,
  contracted_cost       numeric,
  -- rows whose effective cost the export did not give: the UI says so instead of treating them as 0
  effective_cost_missing bigint NOT NULL DEFAULT 0,
  line_items            bigint NOT NULL
);
CREATE INDEX cost_daily_day_idx ON cost_daily (day);
CREATE INDEX cost_daily_source_day_idx ON cost_daily (source_id, day);
