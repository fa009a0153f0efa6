'use server';

import { connectorKind } from '../connectors/registry';
import { getPrisma } from '../db/prisma';
import { ActionError, type ActionState, formAction } from './safe-action';
import { SetSourceEnabledSchema } from './source-schemas';

const run = formAction({
  name: 'setSourceEnabled',
  schema: SetSourceEnabledSchema,
  revalidate: ['/sources'],
  handler: async ({ id, enabled }) => {
    const prisma = getPrisma();
    const source = await prisma.billingSource.findUnique({ where: { id }, select: { name: true, kind: true } });
    if (!source) throw new ActionError('This source no longer exists.');
    if (!connectorKind(source.kind))
      throw new ActionError(`${source.name} is a file source: it is never synced, so there is nothing to enable or disable.`);
    await prisma.billingSource.update({ where: { id }, data: { enabled, updatedAt: new Date() } });
    return {
      message: enabled
        ? `Enabled ${source.name}: it syncs on its schedule again.`
        : `Disabled ${source.name}: it is not synced until enabled again.`,
      data: null,
      subject: `source ${id}`,
    };
  },
});

/** Enables or disables a connector source's scheduled (and manual) syncs. */
export async function setSourceEnabled(prev: ActionState, form: FormData): Promise<ActionState> {
  return run(prev, form);
}
