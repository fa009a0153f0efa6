-- The data version (issue 10, serving many readers): one row counting the changes to the data the
-- dashboard's answers are computed from (costs and their rollups, recommendations, tag rules,
-- month closes, FX rates, invoice totals). Every write that changes such data bumps it in its own
-- transaction, last, just before COMMIT (lib/cache/data-version.ts, bumpDataVersion): the new
-- version becomes visible exactly when the data does, and the row lock is held only until then.
-- A server process keeps answers per (epoch, version, question); `epoch` is drawn once per
-- database, so a process that is pointed at another database (tests, a restore) never reuses the
-- answers of the first.
CREATE TABLE data_version (
  id          boolean PRIMARY KEY DEFAULT true CHECK (id),
  version     bigint NOT NULL DEFAULT 0,
  epoch       text NOT NULL DEFAULT gen_random_uuid()::text,
  changed_at  timestamptz NOT NULL DEFAULT now(),
  reason      text NOT NULL DEFAULT 'created' CHECK (length(reason) BETWEEN 1 AND 200)
);
INSERT INTO data_version DEFAULT VALUES;
