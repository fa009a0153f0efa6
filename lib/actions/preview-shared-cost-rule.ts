'use server';

import { previewSharedCostRule as preview, type SharedCostPreview } from '../allocation/preview';
import { getPool } from '../db/pool';
import { formAction } from './safe-action';
import { readSharedCostRuleForm, ruleFromForm, ruleIdOf, SharedCostRuleFormSchema } from './shared-cost-rule-form';

/**
 * /settings/allocation: what the rule in the form would do to a month's spend by team, before it is
 * saved (the saved rules, with this one in its place or last). Reads only; nothing is recorded.
 */
const run = formAction({
  name: 'previewSharedCostRule',
  schema: SharedCostRuleFormSchema,
  fromForm: readSharedCostRuleForm,
  handler: async (input) => {
    const rule = ruleFromForm(input, 'No preview.');
    const data: SharedCostPreview = await preview(getPool(), rule, ruleIdOf(input), input.month);
    return {
      message: data.balanced
        ? `Preview of “${rule.name}” for ${input.month}: the totals are unchanged, to the last digit. Not saved yet.`
        : `Preview of “${rule.name}” for ${input.month}: the totals moved. Not saved.`,
      data,
    };
  },
});

export async function previewSharedCostRule(...args: Parameters<typeof run>) {
  return run(...args);
}
