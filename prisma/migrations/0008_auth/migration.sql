-- Sign-in (issue 8). better-auth's four tables under our names and snake_case columns
-- (lib/auth/server.ts maps them; lib/auth/tables.test.ts checks the mapping against better-auth's
-- own schema), plus Burnrate's: the role and the disabled flag on users, hashed API tokens,
-- one-time links (first-admin setup, invitations, password resets) and sign-in attempts for rate
-- limiting. Ids are better-auth's random text ids.

CREATE TABLE users (
  id              text PRIMARY KEY,
  name            text NOT NULL,
  -- better-auth lower-cases emails before storing and looking them up.
  email           text NOT NULL UNIQUE,
  email_verified  boolean NOT NULL DEFAULT false,
  image           text,
  role            text NOT NULL DEFAULT 'viewer' CHECK (role IN ('viewer', 'engineer', 'finance', 'admin')),
  disabled_at     timestamptz,
  last_sign_in_at timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE auth_sessions (
  id          text PRIMARY KEY,
  user_id     text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token       text NOT NULL UNIQUE,
  expires_at  timestamptz NOT NULL,
  ip_address  text,
  user_agent  text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX auth_sessions_user_id_idx ON auth_sessions (user_id);

-- One row per way of signing in: provider_id 'credential' holds the argon2id hash in password;
-- an OpenID Connect provider's row holds its subject in account_id.
CREATE TABLE auth_accounts (
  id                        text PRIMARY KEY,
  user_id                   text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  account_id                text NOT NULL,
  provider_id               text NOT NULL,
  access_token              text,
  refresh_token             text,
  id_token                  text,
  access_token_expires_at   timestamptz,
  refresh_token_expires_at  timestamptz,
  scope                     text,
  password                  text,
  created_at                timestamptz NOT NULL DEFAULT now(),
  updated_at                timestamptz NOT NULL DEFAULT now(),
  UNIQUE (provider_id, account_id)
);
CREATE INDEX auth_accounts_user_id_idx ON auth_accounts (user_id);

-- better-auth's short-lived values (OAuth state, PKCE verifiers).
CREATE TABLE auth_verifications (
  id          text PRIMARY KEY,
  identifier  text NOT NULL,
  value       text NOT NULL,
  expires_at  timestamptz NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX auth_verifications_identifier_idx ON auth_verifications (identifier);

-- Read-only tokens for scripts (Authorization: Bearer …). Only a SHA-256 of the token is kept; the
-- prefix (its first characters) lets a user tell their tokens apart.
CREATE TABLE api_tokens (
  id            bigserial PRIMARY KEY,
  user_id       text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  token_hash    bytea NOT NULL UNIQUE,
  prefix        text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz
);
CREATE INDEX api_tokens_user_id_idx ON api_tokens (user_id);

-- Links shown once: 'setup' creates the first admin (while no user exists), 'invite' sets an
-- invited user's password, 'reset' replaces a password. Only a SHA-256 of the token is kept.
CREATE TABLE one_time_links (
  token_hash  bytea PRIMARY KEY,
  purpose     text NOT NULL CHECK (purpose IN ('setup', 'invite', 'reset')),
  user_id     text REFERENCES users (id) ON DELETE CASCADE,
  created_by  text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  CHECK ((purpose = 'setup') = (user_id IS NULL))
);

-- Failed password sign-ins, counted per account and per address over a sliding window
-- (lib/auth/rate-limit.ts). Old rows are pruned as new ones arrive.
CREATE TABLE sign_in_attempts (
  id       bigserial PRIMARY KEY,
  at       timestamptz NOT NULL DEFAULT now(),
  email    text NOT NULL,
  ip       text
);
CREATE INDEX sign_in_attempts_email_idx ON sign_in_attempts (email, at);
CREATE INDEX sign_in_attempts_ip_idx ON sign_in_attempts (ip, at);
