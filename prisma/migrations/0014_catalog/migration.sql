-- The instance catalog's refreshed prices (issue 9). The shipped data files under catalog/ hold
-- specs and prices with their source and date; `npm run catalog -- refresh aws|azure|gcp` stores
-- the providers' current on-demand Linux prices here, and lib/catalog/load.ts lets a row here win
-- over the shipped price of the same provider, type and region.
CREATE TABLE catalog_prices (
  provider       text NOT NULL,
  instance_type  text NOT NULL,
  region_id      text NOT NULL,
  currency       text NOT NULL,
  hourly         numeric NOT NULL,
  -- The API and the effective date of the price, e.g. 'AWS Price List API (effective 2026-11-01)'.
  source         text NOT NULL,
  refreshed_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, instance_type, region_id),
  CONSTRAINT catalog_prices_provider_check CHECK (provider IN ('aws', 'azure', 'gcp')),
  CONSTRAINT catalog_prices_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
  CONSTRAINT catalog_prices_hourly_check CHECK (hourly >= 0)
);

-- One row per refresh: what was asked, what it stored, when.
CREATE TABLE catalog_refreshes (
  id             bigserial PRIMARY KEY,
  provider       text NOT NULL,
  regions        text[] NOT NULL DEFAULT '{}',
  prices         integer NOT NULL,
  started_at     timestamptz NOT NULL,
  finished_at    timestamptz NOT NULL DEFAULT now()
);
