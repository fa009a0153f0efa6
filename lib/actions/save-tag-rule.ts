'use server';

import { z } from 'zod';
import { recordAudit } from '../audit/record';
import { changedFields } from '../audit/redact';
import { withTransaction } from '../db/pool';
import { TAG_CONCEPTS } from '../explorer/dimensions';
import { auditView, parseRuleForm, saveTagRule as storeTagRule, TagRuleError } from '../tags/rules';
import { ActionError, type ActionState, formAction } from './safe-action';

/**
 * /settings/tags: one concept's tag rule (keys one per line, case-folding, `from => to` lines).
 * A bad line is refused next to its field, naming the line; nothing is saved. One audit line
 * (`settings.update` on `tag_rule`) per save, in its transaction, with the rule before and after.
 */
const SaveTagRuleSchema = z.object({
  concept: z.enum(TAG_CONCEPTS, { error: `concept must be one of ${TAG_CONCEPTS.join(', ')}` }),
  keys: z.string().max(4000, { error: 'at most 4000 characters' }),
  caseFold: z.boolean(),
  mappings: z.string().max(100_000, { error: 'at most 100,000 characters' }),
});

const run = formAction({
  name: 'saveTagRule',
  schema: SaveTagRuleSchema,
  fromForm: (form) => ({
    concept: form.get('concept'),
    keys: form.get('keys') ?? '',
    caseFold: form.get('caseFold') === 'on',
    mappings: form.get('mappings') ?? '',
  }),
  audit: (input) => ({ action: 'settings.update', objectType: 'tag_rule', objectId: input?.concept }),
  revalidate: ['/settings/tags', '/explorer'],
  handler: async (input, { actor }) => {
    let rule: ReturnType<typeof parseRuleForm>;
    try {
      rule = parseRuleForm(input);
    } catch (error) {
      if (!(error instanceof TagRuleError)) throw error;
      throw new ActionError(`Nothing was saved. ${error.message}`, { [error.field]: [error.message] });
    }
    const by = actor.kind === 'user' ? actor.email : actor.kind;
    const changed = await withTransaction(async (client) => {
      const { before, after } = await storeTagRule(client, rule, by);
      const b = auditView(before);
      const a = auditView(after);
      const fields = changedFields(b, a);
      if (fields.length) {
        await recordAudit(client, {
          actor,
          action: 'settings.update',
          objectType: 'tag_rule',
          objectId: rule.concept,
          before: b,
          after: a,
          detail: { changed: fields },
        });
      }
      return fields;
    });
    return {
      message: changed.length
        ? `Saved the ${rule.concept.replace('_', ' ')} rule (${changed.join(', ')}). Every month shows it at once.`
        : `The ${rule.concept.replace('_', ' ')} rule: nothing changed.`,
      data: null,
      subject: `tag rule ${rule.concept}`,
    };
  },
});

/** Saves one concept's tag rule (finance, admins). */
export async function saveTagRule(prev: ActionState, form: FormData): Promise<ActionState> {
  return run(prev, form);
}
