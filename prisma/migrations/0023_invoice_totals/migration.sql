-- Invoice totals finance enters for a provider's billing account and month (issue 10,
-- reconciliation), where the provider delivers no FOCUS Invoice Detail data. One total per
-- provider, account, month and currency; a new entry replaces the old (the audit trail keeps both).
CREATE TABLE invoice_totals (
  id                  bigserial PRIMARY KEY,
  provider_name       text NOT NULL CHECK (length(btrim(provider_name)) > 0),
  billing_account_id  text NOT NULL,
  month               date NOT NULL CHECK (month = date_trunc('month', month)::date),
  currency            text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  amount              numeric NOT NULL,
  note                text NOT NULL DEFAULT '',
  entered_by          text NOT NULL,
  entered_at          timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT invoice_totals_key UNIQUE (provider_name, billing_account_id, month, currency)
);
