-- Inventory and metrics syncs (issue 9). A source can also list what exists in the cloud and how
-- busy it was: a billing source whose credentials can (aws_s3, aws_cost_explorer) turns it on with
-- inventory_enabled and keeps its inventory settings (regions, endpoints) in inventory_config, next
-- to its billing config and sharing its stored credentials; an inventory-only source (a kind of
-- lib/inventory/registry.ts, e.g. aws_inventory) has inventory_enabled and an empty config.
ALTER TABLE billing_sources
  ADD COLUMN inventory_enabled boolean NOT NULL DEFAULT false,
  ADD COLUMN inventory_config  jsonb NOT NULL DEFAULT '{}'::jsonb;

-- One row per inventory sync of a source (lib/inventory/sync.ts). The metrics window of the last
-- successful run is where the next one starts, so samples are fetched once; a run holds its run
-- lock (lib/db/run-lock.ts) like sync_runs, so a killed worker's run is marked failed.
CREATE TABLE inventory_runs (
  id                bigserial PRIMARY KEY,
  source_id         integer NOT NULL REFERENCES billing_sources(id) ON DELETE CASCADE,
  trigger           text NOT NULL DEFAULT 'schedule',   -- schedule | manual
  status            text NOT NULL DEFAULT 'running',    -- running | succeeded | failed
  started_at        timestamptz NOT NULL DEFAULT now(),
  finished_at       timestamptz,
  resources_listed  integer NOT NULL DEFAULT 0,
  resources_gone    integer NOT NULL DEFAULT 0,
  series            integer NOT NULL DEFAULT 0,
  samples           bigint NOT NULL DEFAULT 0,
  metrics_start     timestamptz,
  metrics_end       timestamptz,
  error             text,
  CONSTRAINT inventory_runs_status_check CHECK (status IN ('running', 'succeeded', 'failed'))
);
CREATE INDEX inventory_runs_source_started_idx ON inventory_runs (source_id, started_at DESC);
