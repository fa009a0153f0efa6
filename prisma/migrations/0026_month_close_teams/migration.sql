-- Month close keeps team figures too (issue 10: "the closed month's figures (per account, service,
-- region, team, currency) are snapshotted"). A team is the team tag rule's value (lib/tags/rules.ts)
-- as it was at the close: the rule is kept with the close, and today's figures for the difference are
-- computed with that same rule, so a later rule change is not mistaken for a restatement. Months
-- closed before this migration have no team figures (team_rule stays null) until closed again.
ALTER TABLE month_closes ADD COLUMN team_rule jsonb;

CREATE TABLE month_close_team_figures (
  month            date NOT NULL REFERENCES month_closes(month) ON DELETE CASCADE,
  source_id        integer NOT NULL,
  team             text NOT NULL,
  billing_currency text NOT NULL,
  billed_cost      numeric NOT NULL,
  effective_cost   numeric NOT NULL,
  PRIMARY KEY (month, source_id, team, billing_currency)
);
