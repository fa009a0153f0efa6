-- The explorer's rollups (issue 10), kept by the ingest for exactly the billing periods it replaces
-- (lib/ingest/explorer-rollups.ts), like cost_daily. No row identity: nothing addresses one row, and
-- a key per row would cost the COPY a btree insert (as cost_line_items, migration 0004).
-- Group columns are '' for a missing value, as in cost_daily; tags_normalized stays null for
-- untagged rows.

-- Per UTC charge month, every dimension the explorer groups or filters by, resource and tags included.
CREATE TABLE cost_monthly_detail (
  month                  date NOT NULL,
  source_id              integer NOT NULL REFERENCES billing_sources(id) ON DELETE CASCADE,
  billing_period_start   date NOT NULL,
  provider_name          text NOT NULL,
  billing_account_id     text NOT NULL DEFAULT '',
  sub_account_id         text NOT NULL DEFAULT '',
  service_name           text NOT NULL DEFAULT '',
  service_category       text NOT NULL DEFAULT '',
  region_id              text NOT NULL DEFAULT '',
  availability_zone      text NOT NULL DEFAULT '',
  sku_id                 text NOT NULL DEFAULT '',
  charge_category        text NOT NULL,
  pricing_category       text NOT NULL DEFAULT '',
  commitment_discount_id text NOT NULL DEFAULT '',
  resource_id            text NOT NULL DEFAULT '',
  resource_name          text NOT NULL DEFAULT '',
  billing_currency       text NOT NULL,
  consumed_unit          text NOT NULL DEFAULT '',
  tags_normalized        jsonb,
  billed_cost            numeric NOT NULL,
  effective_cost         numeric,
  list_cost              numeric,
  contracted_cost        numeric,
  consumed_quantity      numeric,
  effective_cost_missing bigint NOT NULL DEFAULT 0,
  line_items             bigint NOT NULL
);
CREATE INDEX cost_monthly_detail_month_idx ON cost_monthly_detail (month);
CREATE INDEX cost_monthly_detail_source_period_idx ON cost_monthly_detail (source_id, billing_period_start);

-- The same months without resource, SKU, zone and unit.
CREATE TABLE cost_monthly (
  month                  date NOT NULL,
  source_id              integer NOT NULL REFERENCES billing_sources(id) ON DELETE CASCADE,
  billing_period_start   date NOT NULL,
  provider_name          text NOT NULL,
  billing_account_id     text NOT NULL DEFAULT '',
  sub_account_id         text NOT NULL DEFAULT '',
  service_name           text NOT NULL DEFAULT '',
  service_category       text NOT NULL DEFAULT '',
  region_id              text NOT NULL DEFAULT '',
  charge_category        text NOT NULL,
  pricing_category       text NOT NULL DEFAULT '',
  commitment_discount_id text NOT NULL DEFAULT '',
  billing_currency       text NOT NULL,
  tags_normalized        jsonb,
  billed_cost            numeric NOT NULL,
  effective_cost         numeric,
  list_cost              numeric,
  contracted_cost        numeric,
  effective_cost_missing bigint NOT NULL DEFAULT 0,
  line_items             bigint NOT NULL
);
CREATE INDEX cost_monthly_month_idx ON cost_monthly (month);
CREATE INDEX cost_monthly_source_period_idx ON cost_monthly (source_id, billing_period_start);

-- Per day, provider, region, charge category and currency (from cost_daily): a year of spend by
-- region and day reads about one row per region and day.
CREATE TABLE cost_daily_region (
  day                    date NOT NULL,
  source_id              integer NOT NULL REFERENCES billing_sources(id) ON DELETE CASCADE,
  billing_period_start   date NOT NULL,
  provider_name          text NOT NULL,
  region_id              text NOT NULL DEFAULT '',
  charge_category        text NOT NULL,
  billing_currency       text NOT NULL,
  billed_cost            numeric NOT NULL,
  effective_cost         numeric,
  list_cost              numeric,
  contracted_cost        numeric,
  effective_cost_missing bigint NOT NULL DEFAULT 0,
  line_items             bigint NOT NULL
);
CREATE INDEX cost_daily_region_day_idx ON cost_daily_region (day);
CREATE INDEX cost_daily_region_source_period_idx ON cost_daily_region (source_id, billing_period_start);

-- What is already stored. The same expressions as lib/ingest/daily-rollup.ts (MONTHLY_DETAIL_SPEC)
-- and explorer-rollups.ts; lib/db/explorer-rollups-migration.test.ts compares the two.
SET LOCAL work_mem = '256MB';
INSERT INTO cost_monthly_detail
SELECT date_trunc('month', charge_period_start AT TIME ZONE 'UTC')::date, source_id,
       (billing_period_start AT TIME ZONE 'UTC')::date, provider_name, coalesce(billing_account_id, ''),
       coalesce(sub_account_id, ''), coalesce(service_name, ''), coalesce(service_category, ''), coalesce(region_id, ''),
       coalesce(availability_zone, ''), coalesce(sku_id, ''), charge_category, coalesce(pricing_category, ''),
       coalesce(commitment_discount_id, ''), coalesce(resource_id, ''), coalesce(resource_name, ''), billing_currency,
       coalesce(consumed_unit, ''), tags_normalized,
       sum(billed_cost), sum(effective_cost), sum(list_cost), sum(contracted_cost), sum(consumed_quantity),
       count(*) FILTER (WHERE effective_cost IS NULL), count(*)
  FROM cost_line_items
 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19;

INSERT INTO cost_monthly
SELECT month, source_id, billing_period_start, provider_name, billing_account_id, sub_account_id, service_name,
       service_category, region_id, charge_category, pricing_category, commitment_discount_id, billing_currency,
       tags_normalized, sum(billed_cost), sum(effective_cost), sum(list_cost), sum(contracted_cost),
       sum(effective_cost_missing), sum(line_items)
  FROM cost_monthly_detail
 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14;

INSERT INTO cost_daily_region
SELECT day, source_id, billing_period_start, provider_name, region_id, charge_category, billing_currency,
       sum(billed_cost), sum(effective_cost), sum(list_cost), sum(contracted_cost), sum(effective_cost_missing), sum(line_items)
  FROM cost_daily
 GROUP BY 1, 2, 3, 4, 5, 6, 7;
