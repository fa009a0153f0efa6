'use server';

import { z } from 'zod';
import { recordAudit } from '../audit/record';
import { withTransaction } from '../db/pool';
import { RuleParameterError, setRuleParameter, validateParameter } from '../recommendations/params';
import { RULES, ruleById } from '../recommendations/rules';
import { ActionError, type ActionState, type FieldErrors, formAction } from './safe-action';

/**
 * /settings/recommendations: one rule's parameters. A blank field restores the default (the row
 * is deleted); a value outside the parameter's bounds is refused next to its field and nothing is
 * saved. One audit line per save, in its transaction, with each changed parameter before and after
 * (null: the default).
 */
const SaveRuleSettingsSchema = z.object({
  rule: z.string().trim().min(1, 'required').max(100, 'not a rule id'),
  values: z.record(z.string(), z.string().trim().max(40, 'at most 40 characters')),
});

function fromForm(form: FormData) {
  const values: Record<string, string> = {};
  for (const [key, value] of form.entries()) {
    if (typeof value === 'string' && key.startsWith('param.')) values[key.slice('param.'.length)] = value;
  }
  return { rule: form.get('rule'), values };
}

const run = formAction({
  name: 'saveRuleSettings',
  schema: SaveRuleSettingsSchema,
  fromForm,
  audit: (input) => ({ action: 'settings.update', objectType: 'rule', objectId: input?.rule }),
  revalidate: ['/settings/recommendations'],
  handler: async ({ rule: ruleId, values }, { actor }) => {
    const rule = ruleById(ruleId);
    if (!rule) throw new ActionError(`There is no rule ${ruleId}.`);
    const wanted: Record<string, number | null> = {};
    const errors: FieldErrors = {};
    for (const p of rule.parameters) {
      const raw = values[p.key];
      if (raw === undefined) continue; // not on this form: unchanged
      if (raw === '') {
        wanted[p.key] = null;
        continue;
      }
      try {
        wanted[p.key] = validateParameter(rule, p, raw);
      } catch (error) {
        if (!(error instanceof RuleParameterError)) throw error;
        errors[`param.${p.key}`] = [`must be a number from ${p.min} to ${p.max}`];
      }
    }
    if (Object.keys(errors).length)
      throw new ActionError(
        `Nothing was saved: ${Object.keys(errors).length === 1 ? 'one value is' : 'some values are'} out of bounds.`,
        errors,
      );
    const by = actor.kind === 'user' ? actor.email : actor.kind;
    const changed = await withTransaction(async (client) => {
      // Row locks on this rule's settings, so two admins saving at once each record what they replaced.
      const { rows } = await client.query<{ parameter: string; value: number }>(
        'SELECT parameter, value FROM rule_settings WHERE rule = $1 FOR UPDATE',
        [rule.id],
      );
      const stored = new Map(rows.map((r) => [r.parameter, r.value]));
      const before: Record<string, number | null> = {};
      const after: Record<string, number | null> = {};
      for (const [key, value] of Object.entries(wanted)) {
        const old = stored.get(key) ?? null;
        if (old === value) continue;
        before[key] = old;
        after[key] = value;
        await setRuleParameter(client, RULES, { rule: rule.id, parameter: key, value, updatedBy: by });
      }
      const keys = Object.keys(after);
      if (keys.length) {
        await recordAudit(client, {
          actor,
          action: 'settings.update',
          objectType: 'rule',
          objectId: rule.id,
          before,
          after,
          detail: { changed: keys },
        });
      }
      return keys;
    });
    return {
      message: changed.length
        ? `Saved ${rule.label}: ${changed.join(', ')}. The next recomputation uses ${changed.length === 1 ? 'it' : 'them'}.`
        : `${rule.label}: nothing changed.`,
      data: null,
      subject: `rule ${rule.id}`,
    };
  },
});

/** Saves one rule's parameters (admins). */
export async function saveRuleSettings(prev: ActionState, form: FormData): Promise<ActionState> {
  return run(prev, form);
}
