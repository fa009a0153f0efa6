-- Tag rules (issue 10, Showback by team): which normalized tag keys mean a concept (team,
-- environment, cost centre), in priority order, whether its values are case-folded, and value
-- mappings (map_from[i] -> map_to[i]). Applied at query time by lib/tags/rules.ts, so a change shows
-- at once on every past month. One row per concept; no row: the tag key of the concept's own name.
CREATE TABLE tag_rules (
  concept     text PRIMARY KEY CHECK (concept IN ('team', 'environment', 'cost_centre')),
  -- Stored as tags_normalized holds keys: trimmed, lower case.
  keys        text[] NOT NULL CHECK (cardinality(keys) BETWEEN 1 AND 20),
  case_fold   boolean NOT NULL DEFAULT true,
  map_from    text[] NOT NULL DEFAULT '{}',
  map_to      text[] NOT NULL DEFAULT '{}',
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text,
  CHECK (cardinality(map_from) = cardinality(map_to))
);
