-- Raw utilization samples stored one row per series and hour: the hour, and the hour's samples as
-- parallel arrays of millisecond offsets into the hour and values (issue 9's benchmark: a row and a
-- primary-key entry per sample made the import about a tenth of a plain COPY's speed; a row per
-- hour writes 12 times fewer rows and index entries for 5-minute data, 60 for 1-minute data).
-- lib/metrics/store.ts is the only writer. Day partitions as before (retention drops them whole).
-- `metric_samples` stays as a view with one row per sample (series_id, ts, value) for reading.
CREATE TABLE metric_raw (
  series_id   integer NOT NULL,
  hour        timestamptz NOT NULL,
  -- Sample times as milliseconds after `hour` (0 ≤ offset < 3,600,000), ascending, no repeats.
  offsets_ms  integer[] NOT NULL,
  vals        double precision[] NOT NULL,
  CONSTRAINT metric_raw_pkey PRIMARY KEY (series_id, hour),
  CONSTRAINT metric_raw_arrays CHECK (cardinality(offsets_ms) = cardinality(vals) AND cardinality(vals) > 0)
) PARTITION BY RANGE (hour);
CREATE TABLE metric_raw_default PARTITION OF metric_raw DEFAULT;

-- Creates the day partition that holds `day`; rows of that day parked in the default partition move in.
CREATE OR REPLACE FUNCTION burnrate_ensure_metric_partition(day timestamptz) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  lo timestamptz := date_trunc('day', day AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
  hi timestamptz := (date_trunc('day', day AT TIME ZONE 'UTC') + interval '1 day') AT TIME ZONE 'UTC';
  part text := format('metric_raw_d%s', to_char(lo AT TIME ZONE 'UTC', 'YYYYMMDD'));
  moved bigint;
BEGIN
  IF to_regclass(part) IS NOT NULL THEN
    RETURN false;
  END IF;
  CREATE TEMP TABLE IF NOT EXISTS burnrate_metric_raw_move (LIKE metric_raw) ON COMMIT DROP;
  WITH d AS (
    DELETE FROM metric_raw_default WHERE hour >= lo AND hour < hi RETURNING *
  ) INSERT INTO burnrate_metric_raw_move SELECT * FROM d;
  GET DIAGNOSTICS moved = ROW_COUNT;
  EXECUTE format('CREATE TABLE %I PARTITION OF metric_raw FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
  IF moved > 0 THEN
    INSERT INTO metric_raw SELECT * FROM burnrate_metric_raw_move;
  END IF;
  TRUNCATE burnrate_metric_raw_move;
  RETURN true;
END $$;

-- Samples already stored move into hour rows (sub-millisecond parts of their times are dropped:
-- every writer gives milliseconds).
DO $$
DECLARE d timestamptz;
BEGIN
  FOR d IN SELECT DISTINCT date_trunc('day', ts, 'UTC') FROM metric_samples LOOP
    PERFORM burnrate_ensure_metric_partition(d);
  END LOOP;
END $$;
INSERT INTO metric_raw (series_id, hour, offsets_ms, vals)
SELECT series_id, hour, array_agg(ms ORDER BY ms), array_agg(value ORDER BY ms)
  FROM (SELECT DISTINCT ON (series_id, hour, ms) series_id, hour, ms, value
          FROM (SELECT series_id, date_trunc('hour', ts, 'UTC') AS hour,
                       floor(extract(epoch FROM ts - date_trunc('hour', ts, 'UTC')) * 1000)::integer AS ms, value, ts
                  FROM metric_samples) s
         ORDER BY series_id, hour, ms, ts DESC) d
 GROUP BY series_id, hour;
DROP TABLE metric_samples;

-- One row per sample, for reading (tests, ad-hoc SQL); a query bounded by series reads that
-- series' hour rows through metric_raw's primary key.
CREATE VIEW metric_samples AS
  SELECT r.series_id, r.hour + u.ms * interval '1 millisecond' AS ts, u.value
    FROM metric_raw r CROSS JOIN LATERAL unnest(r.offsets_ms, r.vals) AS u(ms, value);

-- metric_hourly loses its foreign key: its check (a key-share lock on the series row per inserted
-- row) was a third of an import's database time, and lib/metrics/store.ts, the only writer, takes
-- series ids from metric_series in the same transaction. Deleting series deletes their rows, raw
-- and hourly, as the cascade did (and as metric_raw, which never had the key, now gets too).
ALTER TABLE metric_hourly DROP CONSTRAINT metric_hourly_series_id_fkey;
CREATE FUNCTION burnrate_metric_series_deleted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM metric_hourly h USING gone g WHERE h.series_id = g.id;
  DELETE FROM metric_raw r USING gone g WHERE r.series_id = g.id;
  RETURN NULL;
END $$;
CREATE TRIGGER metric_series_deleted AFTER DELETE ON metric_series
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION burnrate_metric_series_deleted();
