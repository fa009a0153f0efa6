/**
 * Stored credentials go only where they were saved for: an edit that changes where a source's
 * requests go (endpoint, account URL, region, bucket: the kind's `credentialBoundFields`) with the
 * credential fields left blank would send the stored secret to the new place. Test connection and
 * Save both refuse that and ask for the credentials again.
 */
import { type ConnectorKind, changedCredentialBindings } from '../connectors/registry';
import { ActionError } from './safe-action';

/** A billing connector kind or an inventory kind: what the check needs of either. */
type BoundKind = Pick<ConnectorKind, 'configSchema' | 'credentialBoundFields' | 'configFields' | 'secretLabel'>;

function fieldLabel(kind: BoundKind, name: string): string {
  const label = kind.configFields.find((f) => f.name === name)?.label ?? (name === 'apiEndpoint' ? 'API endpoint' : name);
  // "Endpoint URL" → "endpoint URL": keep acronyms, lower the first word.
  return label.replace(/^[A-Z][a-z]/, (s) => s.toLowerCase());
}

/**
 * Throws when the stored credentials would be used with a changed credential-bound field.
 * `prefix` is where the form keeps the fields: `config` (billing) or `inventory.config`.
 */
export function assertStoredCredentialsBound(kind: BoundKind, storedConfig: unknown, config: unknown, prefix = 'config'): void {
  const changed = changedCredentialBindings(kind, storedConfig, config);
  if (changed.length === 0) return;
  const what = changed.map((f) => `the ${fieldLabel(kind, f)}`).join(', ');
  const fieldErrors: Record<string, string[]> = {
    secret: [`enter the ${kind.secretLabel} again: ${what} changed, and the stored one is only sent where it was saved for`],
  };
  for (const field of changed) fieldErrors[`${prefix}.${field}`] = [`enter the credentials again: the ${fieldLabel(kind, field)} changed`];
  throw new ActionError(
    `Enter the credentials again: ${what} changed. Stored credentials are only sent where they were saved for.`,
    fieldErrors,
  );
}
