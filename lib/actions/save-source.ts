'use server';

import { CONNECTOR_KINDS } from '../connectors/registry';
import { getPrisma } from '../db/prisma';
import { Prisma } from '../generated/prisma/client';
import { encryptSecret, SecretKeyError } from '../secrets';
import { ActionError, type ActionState, formAction } from './safe-action';
import { SaveSourceSchema, sourceFormToInput } from './source-schemas';
import { assertStoredCredentialsBound } from './stored-credentials';

const run = formAction({
  name: 'saveSource',
  schema: SaveSourceSchema,
  fromForm: sourceFormToInput,
  revalidate: ['/sources'],
  handler: async (input) => {
    const prisma = getPrisma();
    const kind = CONNECTOR_KINDS[input.kind];
    let hadSecret = false;
    let storedConfig: unknown = null;
    if (input.id !== undefined) {
      const existing = await prisma.billingSource.findUnique({
        where: { id: input.id },
        select: { kind: true, config: true, secretCiphertext: true },
      });
      if (!existing) throw new ActionError('This source no longer exists; it may have been deleted.');
      if (existing.kind !== input.kind) {
        throw new ActionError('The kind of a source cannot change.', {
          kind: ['the kind of a source cannot change; add a new source instead'],
        });
      }
      hadSecret = existing.secretCiphertext !== null;
      storedConfig = existing.config;
    }
    const keepsSecret = hadSecret && !input.clearSecret;
    if (keepsSecret && input.secret === undefined) assertStoredCredentialsBound(kind, storedConfig, input.config);
    if (kind.secretRequired && input.secret === undefined && !keepsSecret) {
      const message = `${kind.label} needs a ${kind.secretLabel}`;
      throw new ActionError(`${message}.`, { secret: [message] });
    }
    let secretCiphertext: string | null | undefined;
    if (input.secret !== undefined) {
      try {
        secretCiphertext = encryptSecret(JSON.stringify(input.secret));
      } catch (error) {
        if (error instanceof SecretKeyError)
          throw new ActionError(`The credentials were not saved: ${error.message}`, { secret: [error.message] });
        throw error;
      }
    } else if (input.clearSecret) {
      secretCiphertext = null;
    }
    const data = {
      name: input.name,
      provider: kind.provider,
      kind: input.kind,
      config: input.config as Prisma.InputJsonObject,
      enabled: input.enabled,
      schedule: input.schedule,
      updatedAt: new Date(),
      ...(secretCiphertext === undefined ? {} : { secretCiphertext }),
    };
    try {
      const saved =
        input.id === undefined
          ? await prisma.billingSource.create({ data, select: { id: true } })
          : await prisma.billingSource.update({ where: { id: input.id }, data, select: { id: true } });
      return {
        message: input.id === undefined ? `Added ${input.name}.` : `Saved ${input.name}.`,
        data: { id: saved.id, created: input.id === undefined },
        subject: `source ${saved.id}`,
      };
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
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
