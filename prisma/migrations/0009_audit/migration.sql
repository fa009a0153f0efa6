-- The audit trail (issue 8): one row per change, and per refused or failed attempt at one. Written
-- only through lib/audit/record.ts, in the same transaction as the change it records where the
-- change is transactional.
--
-- Append-only: the trigger below refuses UPDATE, DELETE and TRUNCATE for every role that does not
-- drop or disable it, the application's own connection included, so a bug or an injected statement
-- cannot rewrite history. (A table owner or superuser can still drop the trigger; README, Audit
-- trail, says how to run the app under a role that cannot.) A later migration may add columns but
-- cannot backfill rows with UPDATE.
--
-- No foreign key to users: a user may be removed later, and their lines must stay; the email is
-- kept beside the id for that reason.
CREATE TABLE audit_log (
  id            bigserial PRIMARY KEY,
  at            timestamptz NOT NULL DEFAULT now(),
  actor_kind    text NOT NULL CHECK (actor_kind IN ('user', 'anonymous', 'cli', 'system')),
  actor_user_id text,
  actor_email   text,
  -- The OS user of a shell command, the component of the server itself, or 'api-token'.
  actor_detail  text,
  ip            text,
  -- Dotted verbs ('source.update', 'auth.sign_in_failed'). The "C" collation lets the btree index
  -- serve the /audit filter's prefix match (LIKE 'source.%').
  action        text COLLATE "C" NOT NULL CHECK (action ~ '^[a-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$'),
  object_type   text,
  object_id     text,
  outcome       text NOT NULL DEFAULT 'ok' CHECK (outcome IN ('ok', 'refused', 'failed')),
  -- Secret-bearing values are replaced by "[redacted]" before they get here (lib/audit/redact.ts).
  before        jsonb,
  after         jsonb,
  detail        jsonb
);

-- The /audit filters, each newest first with the keyset (at, id) that pages it.
CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_actor_user_idx ON audit_log (actor_user_id, at DESC, id DESC);
CREATE INDEX audit_log_actor_email_idx ON audit_log (actor_email, at DESC, id DESC);
CREATE INDEX audit_log_action_idx ON audit_log (action, at DESC, id DESC);
CREATE INDEX audit_log_object_idx ON audit_log (object_type, object_id, at DESC, id DESC);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % is refused', TG_OP
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'Audit lines are never changed or removed; record a new line instead.';
END
$$;

-- Statement-level, so that even an UPDATE or DELETE matching no row is refused (a row-level
-- trigger would let those through silently), and TRUNCATE, which fires no row triggers, too.
CREATE TRIGGER audit_log_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
