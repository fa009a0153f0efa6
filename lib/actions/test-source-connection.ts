'use server';

import { recordAudit } from '../audit/record';
import { isNetworkFailure, unreachableEndpoint } from '../connectors/messages';
import { connectorForSource } from '../connectors/registry';
import { ConnectorError } from '../connectors/types';
import { getPool } from '../db/pool';
import { getPrisma } from '../db/prisma';
import { inventoryConnectorForSource } from '../inventory/registry';
import { ActionError, type ActionState, formAction } from './safe-action';
import { SaveSourceSchema, SourceIdInputSchema, sourceFormToInput, sourceKind } from './source-schemas';
import { assertStoredCredentialsBound } from './stored-credentials';

const TEST_TIMEOUT_MS = 30_000;

/** A network failure, in the one generic text (lib/connectors/messages.ts); the cause is logged under its ref. */
function unreachable(detail: string): ActionError {
  return new ActionError(`Connection failed: ${unreachableEndpoint('test connection', detail)}`, {}, 'failed');
}

/**
 * The connector's cheap test (list the exports), with its failures as messages for the page. The
 * audit trail keeps the outcome only (a failure as 'failed' with the page's message); a test
 * changes nothing.
 */
async function testConnector(connect: () => { testConnection(signal?: AbortSignal): Promise<void> }, what = ''): Promise<void> {
  try {
    await connect().testConnection(AbortSignal.timeout(TEST_TIMEOUT_MS));
  } catch (error) {
    if (what && error instanceof ConnectorError) throw new ActionError(`Connection failed (${what}): ${error.message}`, {}, 'failed');
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
      throw unreachable(`no answer within ${TEST_TIMEOUT_MS / 1000} s`);
    }
    if (isNetworkFailure(error)) throw unreachable((error as Error).message);
    if (error instanceof ConnectorError) throw new ActionError(`Connection failed: ${error.message}`, {}, 'failed');
    throw error;
  }
}

function canDo(billing: boolean, inventory: boolean, article: 'its' | 'the'): string {
  if (billing && inventory) return `list ${article} billing exports and ${article} inventory`;
  return billing ? `list ${article} billing exports` : `list ${article} inventory`;
}

const runSaved = formAction({
  name: 'testSourceConnection',
  schema: SourceIdInputSchema,
  audit: (input) => ({ action: 'source.test_connection', objectType: 'source', objectId: input?.id }),
  handler: async ({ id }, { actor }) => {
    const source = await getPrisma().billingSource.findUnique({
      where: { id },
      select: { name: true, kind: true, config: true, secretCiphertext: true, inventoryEnabled: true, inventoryConfig: true },
    });
    if (!source) throw new ActionError('This source no longer exists.');
    const kind = sourceKind(source.kind);
    if (!kind) throw new ActionError(`${source.name} is a file source: it has no connection to test.`);
    const inventory = kind.inventory !== null && (kind.inventoryOnly || source.inventoryEnabled);
    if (kind.billing) await testConnector(() => connectorForSource(source), inventory ? 'billing exports' : '');
    if (inventory) await testConnector(() => inventoryConnectorForSource(source).connector, kind.billing ? 'inventory and metrics' : '');
    await recordAudit(getPool(), { actor, action: 'source.test_connection', objectType: 'source', objectId: id });
    return {
      message: `Connection works: ${source.name} can ${canDo(kind.billing !== null, inventory, 'its')}.`,
      data: null,
      subject: `source ${id}`,
    };
  },
});

/** Checks the saved source's configuration and credentials with the connector's cheap test. */
export async function testSourceConnection(prev: ActionState, form: FormData): Promise<ActionState> {
  return runSaved(prev, form);
}

const runForm = formAction({
  name: 'testSourceSettings',
  schema: SaveSourceSchema,
  // A name is not needed to test a connection; the form may not have one yet.
  fromForm: (form) => {
    const input = sourceFormToInput(form) as Record<string, unknown>;
    if (typeof input.name === 'string' && input.name.trim() === '') input.name = 'this source';
    return input;
  },
  audit: (input) => ({ action: 'source.test_settings', objectType: 'source', objectId: input?.id }),
  handler: async (input, { actor }) => {
    const kind = sourceKind(input.kind);
    if (!kind) throw new ActionError(`This version of Burnrate has no source kind "${input.kind}".`);
    const inventory = kind.inventory !== null && input.inventory.enabled;
    // Typed credentials are tested as typed; blank ones on an edit mean the stored ones, as Save
    // keeps them, but only with the endpoint/account they were saved for.
    let stored: string | null = null;
    if (input.secret === undefined && input.id !== undefined && !input.clearSecret) {
      const existing = await getPrisma().billingSource.findUnique({
        where: { id: input.id },
        select: { kind: true, config: true, secretCiphertext: true, inventoryConfig: true },
      });
      if (!existing) throw new ActionError('This source no longer exists; it may have been deleted.');
      if (existing.kind === input.kind) stored = existing.secretCiphertext;
      if (stored !== null && kind.billing) assertStoredCredentialsBound(kind.billing, existing.config, input.config);
      if (stored !== null && kind.inventory && inventory)
        assertStoredCredentialsBound(kind.inventory, existing.inventoryConfig, input.inventory.config, 'inventory.config');
    }
    if (kind.secretRequired && input.secret === undefined && stored === null) {
      const message = `${kind.label} needs a ${kind.secretLabel}`;
      throw new ActionError(`${message}.`, { secret: [message] });
    }
    const billing = kind.billing;
    if (billing) {
      await testConnector(
        () =>
          input.secret !== undefined
            ? billing.create(input.config, input.secret)
            : connectorForSource({ name: input.name, kind: input.kind, config: input.config, secretCiphertext: stored }),
        inventory ? 'billing exports' : '',
      );
    }
    const inventoryKind = kind.inventory;
    if (inventoryKind && inventory) {
      await testConnector(
        () =>
          input.secret !== undefined
            ? inventoryKind.create(input.inventory.config, input.secret)
            : inventoryConnectorForSource({
                name: input.name,
                kind: input.kind,
                inventoryEnabled: true,
                inventoryConfig: input.inventory.config,
                secretCiphertext: stored,
              }).connector,
        billing ? 'inventory and metrics' : '',
      );
    }
    await recordAudit(getPool(), { actor, action: 'source.test_settings', objectType: 'source', objectId: input.id });
    const what = input.id === undefined ? 'these settings' : `${input.name} with these settings`;
    return {
      message: `Connection works: ${what} can ${canDo(billing !== null, inventory, 'the')}. Nothing was saved yet.`,
      data: null,
      subject: input.id === undefined ? 'unsaved source' : `source ${input.id} (unsaved changes)`,
    };
  },
});

/**
 * Tests the values in the add/edit form before they are saved: the same validation as Save, then
 * the connector's cheap test with the typed credentials (or, editing with blank credential
 * fields, the stored ones). Nothing is written.
 */
export async function testSourceSettings(prev: ActionState, form: FormData): Promise<ActionState> {
  return runForm(prev, form);
}
