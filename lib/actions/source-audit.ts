/**
 * What the audit trail keeps of a billing source: the fields an admin edits on its form, never its
 * credentials (those are only ever named: "credentials replaced"). The source actions select these
 * columns in the transaction of their change and record them as before/after.
 */
export const SOURCE_AUDIT_COLUMNS = 'name, kind, provider, enabled, schedule, config, inventory_enabled, inventory_config';

export interface SourceAuditRow {
  name: string;
  kind: string;
  provider: string;
  enabled: boolean;
  schedule: string | null;
  config: unknown;
  inventory_enabled: boolean;
  inventory_config: unknown;
}

export function sourceAuditView(row: SourceAuditRow): SourceAuditRow {
  return {
    name: row.name,
    kind: row.kind,
    provider: row.provider,
    enabled: row.enabled,
    schedule: row.schedule,
    config: row.config,
    inventory_enabled: row.inventory_enabled,
    inventory_config: row.inventory_config,
  };
}
