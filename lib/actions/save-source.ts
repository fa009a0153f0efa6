'use server';

import pg from 'pg';
import { recordAudit } from '../audit/record';
import { changedFields } from '../audit/redact';
import { withTransaction } from '../db/pool';
import { encryptSecret, SecretKeyError } from '../secrets';
import { ActionError, type ActionState, formAction } from './safe-action';
import { SOURCE_AUDIT_COLUMNS, type SourceAuditRow, sourceAuditView } from './source-audit';
import { SaveSourceSchema, sourceFormToInput, sourceKind } from './source-schemas';
import { assertStoredCredentialsBound } from './stored-credentials';

/** What happened to the stored credentials, for the audit line (never their values). */
type CredentialsChange = 'entered' | 'replaced' | 'cleared' | null;

const run = formAction({
  name: 'saveSource',
  schema: SaveSourceSchema,
  fromForm: sourceFormToInput,
  revalidate: ['/sources'],
  audit: (input) =>
    input === undefined
      ? { action: 'source.save', objectType: 'source' }
      : input.id === undefined
        ? { action: 'source.create', objectType: 'source' }
        : { action: 'source.update', objectType: 'source', objectId: input.id },
  handler: async (input, { actor }) => {
    const kind = sourceKind(input.kind);
    if (!kind) throw new ActionError(`This version of Burnrate has no source kind "${input.kind}".`, { kind: ['unknown kind'] });
    try {
      return await withTransaction(async (client) => {
        // Locked until commit: the before of the audit line is what this save replaced.
        let existing: (SourceAuditRow & { has_secret: boolean }) | undefined;
        if (input.id !== undefined) {
          const { rows } = await client.query<SourceAuditRow & { has_secret: boolean }>(
            `SELECT ${SOURCE_AUDIT_COLUMNS}, secret_ciphertext IS NOT NULL AS has_secret FROM billing_sources WHERE id = $1 FOR UPDATE`,
            [input.id],
          );
          existing = rows[0];
          if (!existing) throw new ActionError('This source no longer exists; it may have been deleted.');
          if (existing.kind !== input.kind) {
            throw new ActionError('The kind of a source cannot change.', {
              kind: ['the kind of a source cannot change; add a new source instead'],
            });
          }
        }
        const hadSecret = existing?.has_secret ?? false;
        const keepsSecret = hadSecret && !input.clearSecret;
        if (keepsSecret && input.secret === undefined) {
          if (kind.billing) assertStoredCredentialsBound(kind.billing, existing?.config ?? null, input.config);
          // The inventory's endpoints are bound too: the same stored key goes to them.
          if (kind.inventory && input.inventory.enabled)
            assertStoredCredentialsBound(kind.inventory, existing?.inventory_config ?? null, input.inventory.config, 'inventory.config');
        }
        if (kind.secretRequired && input.secret === undefined && !keepsSecret) {
          const message = `${kind.label} needs a ${kind.secretLabel}`;
          throw new ActionError(`${message}.`, { secret: [message] });
        }
        let secretCiphertext: string | null | undefined;
        let credentials: CredentialsChange = null;
        if (input.secret !== undefined) {
          try {
            secretCiphertext = encryptSecret(JSON.stringify(input.secret));
          } catch (error) {
            if (error instanceof SecretKeyError)
              throw new ActionError(`The credentials were not saved: ${error.message}`, { secret: [error.message] });
            throw error;
          }
          credentials = hadSecret ? 'replaced' : 'entered';
        } else if (input.clearSecret) {
          secretCiphertext = null;
          if (hadSecret) credentials = 'cleared';
        }
        // Inventory turned off keeps its stored settings, for when it is turned on again.
        const inventoryConfig = input.inventory.enabled ? JSON.stringify(input.inventory.config) : null;
        const values = [
          input.name,
          kind.provider,
          input.kind,
          JSON.stringify(input.config),
          input.enabled,
          input.schedule,
          input.inventory.enabled,
          inventoryConfig,
        ];
        // The stored values (config as PostgreSQL normalized it) are the audit line's after.
        const { rows: saved } =
          input.id === undefined
            ? await client.query<SourceAuditRow & { id: number }>(
                `INSERT INTO billing_sources (name, provider, kind, config, enabled, schedule, inventory_enabled, inventory_config, secret_ciphertext)
                 VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, COALESCE($8::jsonb, '{}'), $9) RETURNING id, ${SOURCE_AUDIT_COLUMNS}`,
                [...values, secretCiphertext ?? null],
              )
            : await client.query<SourceAuditRow & { id: number }>(
                `UPDATE billing_sources
                    SET name = $1, provider = $2, kind = $3, config = $4::jsonb, enabled = $5, schedule = $6, updated_at = now(),
                        inventory_enabled = $7, inventory_config = COALESCE($8::jsonb, inventory_config),
                        secret_ciphertext = CASE WHEN $9 THEN $10 ELSE secret_ciphertext END
                  WHERE id = $11
              RETURNING id, ${SOURCE_AUDIT_COLUMNS}`,
                [...values, secretCiphertext !== undefined, secretCiphertext ?? null, input.id],
              );
        const row = saved[0];
        if (!row) throw new Error(`billing source ${input.id ?? input.name} was not written`);
        const id = row.id;
        const after = sourceAuditView(row);
        if (existing === undefined) {
          await recordAudit(client, {
            actor,
            action: 'source.create',
            objectType: 'source',
            objectId: id,
            after,
            detail: credentials === null ? undefined : { note: `credentials ${credentials}` },
          });
        } else {
          const before = sourceAuditView(existing);
          const changed = changedFields(before, after);
          await recordAudit(client, {
            actor,
            action: 'source.update',
            objectType: 'source',
            objectId: id,
            before,
            after,
            // Credentials by name only ("credentials replaced"); their key would be redacted anyway.
            detail: credentials === null ? { changed } : { changed: [...changed, 'credentials'], note: `credentials ${credentials}` },
          });
        }
        return {
          message: input.id === undefined ? `Added ${input.name}.` : `Saved ${input.name}.`,
          data: { id, created: input.id === undefined },
          subject: `source ${id}`,
        };
      });
    } catch (error) {
      if (error instanceof pg.DatabaseError && error.code === '23505' && error.constraint === 'billing_sources_name_key') {
        throw new ActionError('Another source has this name.', { name: [`a source named "${input.name}" already exists`] });
      }
      throw error;
    }
  },
  // A new source opens on its own page (test connection, sync now); an edit stays on it.
  redirect: (data) => (data.created ? `/sources/${data.id}` : null),
});

/** Adds a connector source (no id) or saves an edited one. Credentials are stored encrypted and never returned. */
export async function saveSource(
  prev: ActionState<{ id: number; created: boolean }>,
  form: FormData,
): Promise<ActionState<{ id: number; created: boolean }>> {
  return run(prev, form);
}
