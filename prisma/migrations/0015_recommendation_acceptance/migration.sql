-- Recommendations, rules (issue 9): realized savings compare a resource's cost per day before and
-- after the change it was accepted for. status_changed_at moves again when the recommendation is
-- resolved, so the acceptance instant is kept in a column of its own (the engine fills it from
-- status_changed_at for a recommendation accepted before this column existed).
ALTER TABLE recommendations ADD COLUMN accepted_at timestamptz;
ALTER TABLE recommendations ADD COLUMN accepted_by text;
-- The bill's per-resource cost lookups (30-day cost, realized savings) filter on the resource id.
CREATE INDEX recommendations_resource_idx ON recommendations (resource_pk);
