-- Saved explorer views (issue 10): a name and the view's query string (lib/explorer/url.ts), private
-- to its owner or shared with everyone signed in. A user's names are unique.
CREATE TABLE saved_views (
  id          bigserial PRIMARY KEY,
  owner_id    text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  search      text NOT NULL CHECK (length(search) <= 8000),
  shared      boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT saved_views_owner_name_key UNIQUE (owner_id, name)
);
CREATE INDEX saved_views_shared_idx ON saved_views (shared) WHERE shared;
