-- Email delivery (issue 10, Finance exports): the SMTP server an admin saves on /settings/email
-- (one row, like sso_settings) and the scheduled monthly report's deliveries, one row per report
-- kind and month, so a month's report is sent once (lib/mail/monthly-report.ts).
-- The password is lib/secrets.ts encryptSecret's ciphertext, never shown again.

CREATE TABLE smtp_settings (
  id                 boolean PRIMARY KEY DEFAULT true CHECK (id),
  host               text NOT NULL CHECK (host <> ''),
  port               integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
  -- none: plain SMTP; starttls: plain then upgraded (required); tls: TLS from the first byte (465)
  security           text NOT NULL CHECK (security IN ('none', 'starttls', 'tls')),
  username           text,             -- null: the server takes mail without authentication
  password           text,             -- encryptSecret ciphertext; only with a user name
  from_address       text NOT NULL CHECK (from_address <> ''),
  report_recipients  text[] NOT NULL DEFAULT '{}',
  monthly_report     boolean NOT NULL DEFAULT true,
  updated_at         timestamptz NOT NULL DEFAULT now(),
  updated_by         text,
  CHECK (password IS NULL OR username IS NOT NULL)
);

CREATE TABLE report_deliveries (
  id           bigserial PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('monthly')),
  month        date NOT NULL CHECK (month = date_trunc('month', month)::date),
  -- sending: claimed by a worker (one at a time); sent: final; failed: tried again the next day
  status       text NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
  attempts     integer NOT NULL DEFAULT 1,
  recipients   text[] NOT NULL,
  started_at   timestamptz NOT NULL DEFAULT now(),
  sent_at      timestamptz,
  message_id   text,
  error        text,
  CONSTRAINT report_deliveries_kind_month_key UNIQUE (kind, month),
  CHECK (status <> 'sent' OR sent_at IS NOT NULL)
);
