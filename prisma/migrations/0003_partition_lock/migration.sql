-- Two ingests that both need a new month used to race between the "does the partition exist"
-- check and CREATE TABLE (one failed with "relation ... already exists"). A transaction-scoped
-- advisory lock makes the check-and-create one step.
CREATE OR REPLACE FUNCTION burnrate_ensure_month_partition(month timestamptz) RETURNS boolean
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
  PERFORM pg_advisory_xact_lock(hashtext('burnrate_ensure_month_partition'));
  -- Read pg_class with a fresh snapshot: to_regclass's cache may not yet see a partition that the
  -- lock holder just committed.
  IF EXISTS (SELECT 1 FROM pg_class WHERE relname = part AND relnamespace = current_schema()::regnamespace) THEN
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
