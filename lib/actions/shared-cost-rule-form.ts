import { z } from 'zod';
import { parseSharedCostRuleForm, SharedCostRuleError, type SharedCostRuleInput } from '../allocation/rules';
import { ActionError } from './safe-action';

/** /settings/allocation's rule form, as its preview and save actions read it. */
export const SharedCostRuleFormSchema = z.object({
  id: z.string().regex(/^(\d{1,9})?$/, { error: 'not a rule id' }),
  name: z.string().max(200, { error: 'at most 200 characters' }),
  poolDimension: z.string().max(40),
  poolValues: z.string().max(60_000, { error: 'at most 60,000 characters' }),
  method: z.string().max(40),
  targets: z.string().max(120_000, { error: 'at most 120,000 characters' }),
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: 'a month as YYYY-MM' }),
});
export type SharedCostRuleForm = z.output<typeof SharedCostRuleFormSchema>;

export function readSharedCostRuleForm(form: FormData): Record<string, unknown> {
  const text = (k: string) => {
    const v = form.get(k);
    return typeof v === 'string' ? v : '';
  };
  return {
    id: text('id'),
    name: text('name'),
    poolDimension: text('poolDimension'),
    poolValues: text('poolValues'),
    method: text('method'),
    targets: text('targets'),
    month: text('month'),
  };
}

/** The rule the form describes; a bad line is refused next to its field, naming the line. */
export function ruleFromForm(input: SharedCostRuleForm, refused: string): SharedCostRuleInput {
  try {
    return parseSharedCostRuleForm(input);
  } catch (error) {
    if (!(error instanceof SharedCostRuleError)) throw error;
    throw new ActionError(`${refused} ${error.message}`, { [error.field]: [error.message] });
  }
}

export function ruleIdOf(input: SharedCostRuleForm): number | null {
  return input.id ? Number(input.id) : null;
}
