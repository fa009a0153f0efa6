-- Single sign-on (issue 8): the OpenID Connect provider an admin saves on /settings/sso, one row.
-- BURNRATE_OIDC_* in the environment win over it (lib/auth/sso-settings.ts). The client secret is
-- stored as lib/secrets.ts encryptSecret's ciphertext, like source credentials, and never shown.
-- Automatic sign-up needs an allowed domain list and never makes admins (the CHECKs hold the
-- rules the page enforces, so a hand-edited row cannot loosen them).

CREATE TABLE sso_settings (
  id              boolean PRIMARY KEY DEFAULT true CHECK (id),
  enabled         boolean NOT NULL DEFAULT true,
  issuer          text NOT NULL,
  client_id       text NOT NULL,
  client_secret   text NOT NULL,
  display_name    text NOT NULL,
  auto_sign_up    boolean NOT NULL DEFAULT false,
  default_role    text NOT NULL DEFAULT 'viewer' CHECK (default_role IN ('viewer', 'engineer', 'finance')),
  allowed_domains text[] NOT NULL DEFAULT '{}',
  updated_at      timestamptz NOT NULL DEFAULT now(),
  updated_by      text,
  CHECK (NOT auto_sign_up OR cardinality(allowed_domains) > 0)
);
