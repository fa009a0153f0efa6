-- Daily FX rates (issue 10, Currency): loaded by finance from a CSV (the ECB's reference-rate file
-- or a simple date,from,to,rate file) through /settings/fx or `npm run fx -- import`, and read by
-- lib/fx/convert.ts to convert amounts into a reporting currency. One row per day and pair:
-- `rate` units of `quote` per 1 unit of `base` (the ECB's rows are base EUR). A reload of the same
-- day and pair replaces the row (lib/fx/store.ts, which counts new and changed rows for the audit
-- line). Rates are exact decimals as the file wrote them.
CREATE TABLE fx_rates (
  day            date NOT NULL,
  base           text NOT NULL,
  quote          text NOT NULL,
  rate           numeric NOT NULL,
  -- The file that last loaded the row and how it was read.
  source_file    text NOT NULL,
  source_format  text NOT NULL,
  loaded_at      timestamptz NOT NULL DEFAULT now(),
  -- The user's id (users.id; no foreign key: the row outlives the account), or 'cli'.
  loaded_by      text NOT NULL,
  PRIMARY KEY (day, base, quote),
  CONSTRAINT fx_rates_base_check CHECK (base ~ '^[A-Z]{3}$'),
  CONSTRAINT fx_rates_quote_check CHECK (quote ~ '^[A-Z]{3}$'),
  CONSTRAINT fx_rates_pair_check CHECK (base <> quote),
  CONSTRAINT fx_rates_rate_check CHECK (rate > 0),
  CONSTRAINT fx_rates_source_format_check CHECK (source_format IN ('ecb', 'simple'))
);

-- The loaded ranges per pair (the page, `npm run fx -- list`) and a pair's latest earlier rate.
CREATE INDEX fx_rates_pair_day_idx ON fx_rates (base, quote, day);
