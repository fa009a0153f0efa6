'use server';

import { connectorForSource, connectorKind } from '../connectors/registry';
import { ConnectorError } from '../connectors/types';
import { getPrisma } from '../db/prisma';
import { ActionError, type ActionState, formAction } from './safe-action';
import { SourceIdInputSchema } from './source-schemas';

const TEST_TIMEOUT_MS = 30_000;

const run = formAction({
  name: 'testSourceConnection',
  schema: SourceIdInputSchema,
  handler: async ({ id }) => {
    const source = await getPrisma().billingSource.findUnique({
      where: { id },
      select: { name: true, kind: true, config: true, secretCiphertext: true },
    });
    if (!source) throw new ActionError('This source no longer exists.');
    if (!connectorKind(source.kind)) throw new ActionError(`${source.name} is a file source: it has no connection to test.`);
    try {
      const connector = connectorForSource(source);
      await connector.testConnection(AbortSignal.timeout(TEST_TIMEOUT_MS));
    } catch (error) {
      if (error instanceof ConnectorError) throw new ActionError(`Connection failed: ${error.message}`);
      if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
        throw new ActionError(
          `Connection failed: no answer within ${TEST_TIMEOUT_MS / 1000} s. Check the endpoint and the network path to it.`,
        );
      }
      throw error;
    }
    return { message: `Connection works: ${source.name} can list its billing exports.`, data: null, subject: `source ${id}` };
  },
});

/** Checks the saved source's configuration and credentials with the connector's cheap test. */
export async function testSourceConnection(prev: ActionState, form: FormData): Promise<ActionState> {
  return run(prev, form);
}
