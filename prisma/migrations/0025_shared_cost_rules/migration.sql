-- Shared-cost rules (issue 10, Showback by team): spend that belongs to no one team (a support
-- plan, a shared account, untagged spend) split across teams, evenly, by fixed percentages or in
-- proportion to each team's direct spend. Applied at query time by lib/allocation (the explorer's
-- allocated view): a rule change shows at once on every month, and the line items and rollups are
-- never rewritten. Rules apply in `position` order; a row belongs to the first rule it matches.
CREATE TABLE shared_cost_rules (
  id           serial PRIMARY KEY,
  name         text NOT NULL UNIQUE CHECK (length(btrim(name)) BETWEEN 1 AND 100),
  position     integer NOT NULL UNIQUE,
  -- What is shared: untagged spend (no team: pool_values empty), or rows whose service, billing
  -- account, sub-account or team (the team tag rule's value) is one of pool_values.
  pool_dimension text NOT NULL CHECK (pool_dimension IN ('untagged', 'service', 'billing_account', 'sub_account', 'team')),
  pool_values  text[] NOT NULL CHECK (cardinality(pool_values) <= 100),
  method       text NOT NULL CHECK (method IN ('even', 'fixed', 'proportional')),
  -- The teams it is split across (team values as the team rule yields them); empty only for
  -- 'proportional', meaning every team with direct spend in the month.
  targets      text[] NOT NULL DEFAULT '{}',
  -- 'fixed' only: targets[i] gets percents[i] percent; they add up to exactly 100.
  percents     numeric[] NOT NULL DEFAULT '{}',
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  updated_by   text,
  CHECK ((pool_dimension = 'untagged') = (cardinality(pool_values) = 0)),
  CHECK (method = 'proportional' OR cardinality(targets) >= 1),
  CHECK ((method = 'fixed' AND cardinality(percents) = cardinality(targets)) OR (method <> 'fixed' AND cardinality(percents) = 0))
);
