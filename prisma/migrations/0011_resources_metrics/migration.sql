-- Recommendations, part 1 (issue 9): the second data path. What exists (resources, filled from the
-- bills and from inventory APIs), what it did (metric samples and their hourly aggregates), and the
-- recommendations built on both. The instance catalog and prices come in their own migration.

-- One row per thing a cloud bills or lists: an instance, a volume, a snapshot, an address, a load
-- balancer, or one GPU of a machine (kind 'gpu': resource_id is the machine's, sub_resource_id the
-- GPU's UUID). resource_id is normalized by lib/resources/normalize.ts (Azure ids case-folded).
CREATE TABLE resources (
  id                   bigserial PRIMARY KEY,
  provider             text NOT NULL,
  resource_id          text NOT NULL,
  sub_resource_id      text NOT NULL DEFAULT '',
  kind                 text NOT NULL,
  account_id           text NOT NULL DEFAULT '',
  region_id            text NOT NULL DEFAULT '',
  name                 text,
  resource_type        text,            -- instance type, VM size, machine type, volume type, GPU model
  state                text,            -- provider's state: running, stopped, available, in-use, ...
  attached_to          text,            -- volume → instance, address → instance/interface, snapshot → source volume
  size_gb              numeric,
  created_at           timestamptz,     -- when the provider says it was created
  tags                 jsonb NOT NULL DEFAULT '{}'::jsonb,
  details              jsonb NOT NULL DEFAULT '{}'::jsonb,
  seen_in_bill         boolean NOT NULL DEFAULT false,
  seen_in_inventory    boolean NOT NULL DEFAULT false,
  first_seen           timestamptz NOT NULL DEFAULT now(),
  last_seen            timestamptz NOT NULL DEFAULT now(),
  gone_at              timestamptz,     -- the inventory stopped listing it
  CONSTRAINT resources_kind_check CHECK (kind IN ('instance', 'volume', 'snapshot', 'address', 'load_balancer', 'gpu', 'other')),
  CONSTRAINT resources_identity UNIQUE (provider, resource_id, sub_resource_id)
);
CREATE INDEX resources_kind_idx ON resources (kind, provider);

-- A metric of a resource under its canonical name (lib/metrics/names.ts). Samples and aggregates
-- refer to the series by id, so a sample row is 16 bytes of payload.
CREATE TABLE metric_series (
  id           serial PRIMARY KEY,
  resource_pk  bigint NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
  metric       text NOT NULL,
  unit         text NOT NULL,
  CONSTRAINT metric_series_metric_check CHECK (metric IN ('cpu_utilization', 'memory_utilization', 'network_in', 'network_out',
    'disk_read_ops', 'disk_write_ops', 'gpu_utilization', 'gpu_memory_used', 'gpu_memory_total', 'gpu_sm_active',
    'load_balancer_requests', 'load_balancer_healthy_targets')),
  CONSTRAINT metric_series_identity UNIQUE (resource_pk, metric)
);

-- Raw samples, kept for a window (default 14 days) in day partitions that retention drops whole.
CREATE TABLE metric_samples (
  series_id  integer NOT NULL,
  ts         timestamptz NOT NULL,
  value      double precision NOT NULL,
  CONSTRAINT metric_samples_pkey PRIMARY KEY (series_id, ts)
) PARTITION BY RANGE (ts);
CREATE TABLE metric_samples_default PARTITION OF metric_samples DEFAULT;

-- Creates the day partition that holds `day`; rows of that day parked in the default partition move in.
CREATE FUNCTION burnrate_ensure_metric_partition(day timestamptz) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  lo timestamptz := date_trunc('day', day AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
  hi timestamptz := (date_trunc('day', day AT TIME ZONE 'UTC') + interval '1 day') AT TIME ZONE 'UTC';
  part text := format('metric_samples_d%s', to_char(lo AT TIME ZONE 'UTC', 'YYYYMMDD'));
  moved bigint;
BEGIN
  IF to_regclass(part) IS NOT NULL THEN
    RETURN false;
  END IF;
  CREATE TEMP TABLE IF NOT EXISTS burnrate_metric_move (LIKE metric_samples) ON COMMIT DROP;
  WITH d AS (
    DELETE FROM metric_samples_default WHERE ts >= lo AND ts < hi RETURNING *
  ) INSERT INTO burnrate_metric_move SELECT * FROM d;
  GET DIAGNOSTICS moved = ROW_COUNT;
  EXECUTE format('CREATE TABLE %I PARTITION OF metric_samples FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
  IF moved > 0 THEN
    INSERT INTO metric_samples SELECT * FROM burnrate_metric_move;
  END IF;
  TRUNCATE burnrate_metric_move;
  RETURN true;
END $$;

-- Hourly aggregates, kept 13 months: count, sum, min, max and a DDSketch (lib/metrics/sketch.ts:
-- log buckets with 1% relative error, values under 1e-3 in bucket key -32768) as parallel arrays
-- of bucket keys and counts. Mergeable: a window's percentile adds the hours' counts per key.
CREATE TABLE metric_hourly (
  series_id      integer NOT NULL REFERENCES metric_series(id) ON DELETE CASCADE,
  hour           timestamptz NOT NULL,
  n              integer NOT NULL,
  sum            double precision NOT NULL,
  min            double precision NOT NULL,
  max            double precision NOT NULL,
  sketch_keys    smallint[] NOT NULL,
  sketch_counts  integer[] NOT NULL,
  CONSTRAINT metric_hourly_pkey PRIMARY KEY (series_id, hour)
);

-- A recommendation keeps its identity across recomputations through `fingerprint` (kind, provider,
-- resource, GPU), and with it its status. Savings are per currency: one amount, one currency.
CREATE TABLE recommendations (
  id                    bigserial PRIMARY KEY,
  fingerprint           text NOT NULL,
  kind                  text NOT NULL,
  provider              text NOT NULL,
  resource_pk           bigint REFERENCES resources(id) ON DELETE SET NULL,
  resource_id           text NOT NULL,
  sub_resource_id       text,
  account_id            text NOT NULL DEFAULT '',
  region_id             text NOT NULL DEFAULT '',
  team                  text,            -- the resource's team tag value, for filters and grouping
  current_type          text,
  proposed_type         text,
  action                text NOT NULL,   -- what to do, one line: 'Resize to m6i.large', 'Delete the volume'
  currency              text,
  monthly_cost          numeric,         -- the resource's effective cost over the last 30 days
  monthly_savings       numeric,
  evidence              jsonb NOT NULL,  -- window, statistic, value, threshold, coverage hours, specs, prices
  parameters            jsonb NOT NULL,  -- the rule's parameters as they were when computed
  status                text NOT NULL DEFAULT 'open',
  snoozed_until         date,
  dismiss_reason        text,
  status_changed_at     timestamptz,
  status_changed_by     text,
  resolved_reason       text,
  baseline_daily_cost   numeric,         -- cost per day before acceptance, for realized savings
  realized_daily_savings numeric,
  first_detected_at     timestamptz NOT NULL DEFAULT now(),
  last_detected_at      timestamptz NOT NULL DEFAULT now(),
  resolved_at           timestamptz,
  CONSTRAINT recommendations_fingerprint_key UNIQUE (fingerprint),
  CONSTRAINT recommendations_kind_check CHECK (kind IN ('rightsize', 'idle-instance', 'stopped-instance', 'unattached-volume',
    'old-snapshot', 'idle-address', 'idle-load-balancer', 'previous-generation', 'gp2-to-gp3', 'gpu-idle', 'gpu-memory-held',
    'gpu-underused', 'gpu-bursty')),
  CONSTRAINT recommendations_status_check CHECK (status IN ('open', 'accepted', 'snoozed', 'dismissed', 'resolved')),
  CONSTRAINT recommendations_savings_currency CHECK (monthly_savings IS NULL OR currency IS NOT NULL),
  CONSTRAINT recommendations_snooze_check CHECK (status <> 'snoozed' OR snoozed_until IS NOT NULL),
  CONSTRAINT recommendations_dismiss_check CHECK (status <> 'dismissed' OR dismiss_reason IS NOT NULL)
);
CREATE INDEX recommendations_status_idx ON recommendations (status, monthly_savings DESC NULLS LAST);

-- Rule parameters an admin changed on the settings page; a rule's defaults live in its module.
CREATE TABLE rule_settings (
  rule        text NOT NULL,
  parameter   text NOT NULL,
  value       jsonb NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text,
  CONSTRAINT rule_settings_pkey PRIMARY KEY (rule, parameter)
);
