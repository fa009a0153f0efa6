'use server';

import { auditView, SharedCostRuleError, saveSharedCostRule as store } from '../allocation/rules';
import { recordAudit } from '../audit/record';
import { changedFields } from '../audit/redact';
import { withTransaction } from '../db/pool';
import { ActionError, formAction } from './safe-action';
import { readSharedCostRuleForm, ruleFromForm, ruleIdOf, SharedCostRuleFormSchema } from './shared-cost-rule-form';

/**
 * /settings/allocation: creates a shared-cost rule (last in priority) or replaces one. One audit
 * line (`settings.update` on `shared_cost_rule`) in the save's transaction, before and after.
 */
const run = formAction({
  name: 'saveSharedCostRule',
  schema: SharedCostRuleFormSchema,
  fromForm: readSharedCostRuleForm,
  audit: (input) => ({ action: 'settings.update', objectType: 'shared_cost_rule', objectId: input?.id || undefined }),
  revalidate: ['/settings/allocation', '/explorer'],
  handler: async (input, { actor }) => {
    const rule = ruleFromForm(input, 'Nothing was saved.');
    const by = actor.kind === 'user' ? actor.email : actor.kind;
    const saved = await withTransaction(async (client) => {
      let result: Awaited<ReturnType<typeof store>>;
      try {
        result = await store(client, rule, ruleIdOf(input), by);
      } catch (error) {
        if (!(error instanceof SharedCostRuleError)) throw error;
        throw new ActionError(`Nothing was saved. ${error.message}`, { [error.field]: [error.message] });
      }
      const before = result.before ? auditView(result.before) : null;
      const after = auditView(result.after);
      await recordAudit(client, {
        actor,
        action: 'settings.update',
        objectType: 'shared_cost_rule',
        objectId: String(result.after.id),
        before,
        after,
        detail: { changed: before ? changedFields(before, after) : ['created'] },
      });
      return result.after;
    });
    return {
      message: `Saved “${saved.name}”. The explorer's allocated view applies it to every month at once.`,
      data: { id: saved.id },
      subject: `shared cost rule ${saved.id}`,
    };
  },
});

export async function saveSharedCostRule(...args: Parameters<typeof run>) {
  return run(...args);
}
