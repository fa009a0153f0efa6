'use server';

import { z } from 'zod';
import { auditView, deleteSharedCostRule as remove } from '../allocation/rules';
import { recordAudit } from '../audit/record';
import { withTransaction } from '../db/pool';
import { ActionError, formAction } from './safe-action';

/** /settings/allocation: deletes a shared-cost rule; audited with what it was. */
const run = formAction({
  name: 'deleteSharedCostRule',
  schema: z.object({ id: z.string().regex(/^\d{1,9}$/, { error: 'not a rule id' }) }),
  audit: (input) => ({ action: 'settings.delete', objectType: 'shared_cost_rule', objectId: input?.id }),
  revalidate: ['/settings/allocation', '/explorer'],
  handler: async ({ id }, { actor }) => {
    const deleted = await withTransaction(async (client) => {
      const d = await remove(client, Number(id));
      if (!d) throw new ActionError('There is no such rule (it may have been deleted already).');
      await recordAudit(client, { actor, action: 'settings.delete', objectType: 'shared_cost_rule', objectId: id, before: auditView(d) });
      return d;
    });
    return { message: `Deleted “${deleted.name}”.`, data: null, subject: `shared cost rule ${id}` };
  },
});

export async function deleteSharedCostRule(...args: Parameters<typeof run>) {
  return run(...args);
}
