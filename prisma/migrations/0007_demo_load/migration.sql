-- The demo dataset's load, one row: written when `npm start` begins loading the demo into an empty
-- database and completed when every file is in. A load interrupted (Ctrl-C, a crash) leaves
-- completed_at null, and the next start loads it again with the same end date (each file replaces
-- its own billing periods, so nothing is counted twice) instead of keeping a half-loaded demo.
CREATE TABLE demo_load (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  end_date date NOT NULL,
  rows_target integer,
  started_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz
);
