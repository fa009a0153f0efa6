-- Month close (issue 10, "Reconciliation and month close"): finance closes a billing month and its
-- figures are kept as they were, so that a later ingest that restates the month shows up as a
-- difference instead of silently changing a closed number. A month is a billing period's month
-- (cost_daily.billing_period_start), the period an invoice covers. Written by lib/close only.
CREATE TABLE month_closes (
  month        date PRIMARY KEY CHECK (month = date_trunc('month', month)::date),
  status       text NOT NULL CHECK (status IN ('closed', 'reopened')),
  closed_at    timestamptz NOT NULL,
  closed_by    text NOT NULL,
  reopened_at  timestamptz,
  reopened_by  text,
  reason       text,
  CHECK (status = 'closed' OR (reopened_at IS NOT NULL AND reopened_by IS NOT NULL AND length(btrim(reason)) > 0))
);

-- The closed month's figures from cost_daily, summed per source and the dimensions below. Team
-- (tag) figures are not kept yet. source_id has no foreign key: deleting a source must not change
-- a closed month's figure (the restatement then shows the source's whole amount as removed).
CREATE TABLE month_close_figures (
  id                     bigserial PRIMARY KEY,
  month                  date NOT NULL REFERENCES month_closes(month) ON DELETE CASCADE,
  source_id              integer NOT NULL,
  provider_name          text NOT NULL,
  billing_account_id     text NOT NULL,
  sub_account_id         text NOT NULL,
  service_name           text NOT NULL,
  region_id              text NOT NULL,
  charge_category        text NOT NULL,
  billing_currency       text NOT NULL,
  billed_cost            numeric NOT NULL,
  effective_cost         numeric NOT NULL,
  effective_cost_missing bigint NOT NULL,
  line_items             bigint NOT NULL
);
CREATE INDEX month_close_figures_month_idx ON month_close_figures (month);
