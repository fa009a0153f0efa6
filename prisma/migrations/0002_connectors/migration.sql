-- Connectors: what each scheduled sync did, which deliveries of a source were already ingested,
-- and the encrypted credentials a user typed in (never returned to the browser).

ALTER TABLE billing_sources
  ADD COLUMN secret_ciphertext   text,
  ADD COLUMN last_sync_at        timestamptz,
  ADD COLUMN last_sync_status    text,
  ADD COLUMN consecutive_failures integer NOT NULL DEFAULT 0;

CREATE TABLE sync_runs (
  id                   bigserial PRIMARY KEY,
  source_id            integer NOT NULL REFERENCES billing_sources(id) ON DELETE CASCADE,
  trigger              text NOT NULL DEFAULT 'schedule',   -- schedule | manual
  status               text NOT NULL DEFAULT 'running',    -- running | succeeded | failed
  started_at           timestamptz NOT NULL DEFAULT now(),
  finished_at          timestamptz,
  deliveries_seen      integer NOT NULL DEFAULT 0,
  deliveries_ingested  integer NOT NULL DEFAULT 0,
  row_count            bigint NOT NULL DEFAULT 0,
  billing_periods      date[] NOT NULL DEFAULT '{}',
  totals               jsonb NOT NULL DEFAULT '[]'::jsonb,
  error                text,
  CONSTRAINT sync_runs_status_check CHECK (status IN ('running', 'succeeded', 'failed'))
);
CREATE INDEX sync_runs_source_started_idx ON sync_runs (source_id, started_at DESC);

ALTER TABLE ingest_runs ADD COLUMN sync_run_id bigint REFERENCES sync_runs(id) ON DELETE SET NULL;

-- One row per delivery (a manifest, an export run, a query window) a connector ingested; a
-- delivery whose fingerprint (ETag, manifest id, export time) is unchanged is not ingested again.
CREATE TABLE source_deliveries (
  id                    bigserial PRIMARY KEY,
  source_id             integer NOT NULL REFERENCES billing_sources(id) ON DELETE CASCADE,
  delivery_key          text NOT NULL,
  fingerprint           text NOT NULL,
  billing_period_start  date,
  ingest_run_id         bigint REFERENCES ingest_runs(id) ON DELETE SET NULL,
  ingested_at           timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT source_deliveries_source_key UNIQUE (source_id, delivery_key)
);
