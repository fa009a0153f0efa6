'use client';

import { useActionState, useState } from 'react';
import type { ActionState } from '@/lib/actions/safe-action';
import { saveTagRule } from '@/lib/actions/save-tag-rule';
import { ActionMessage } from '../../ui/action-message';
import styles from '../../ui/controls.module.css';

export interface TagRuleFormValues {
  concept: string;
  label: string;
  /** One key per line, in priority order. */
  keys: string;
  caseFold: boolean;
  /** One `from => to` per line. */
  mappings: string;
}

const IDLE: ActionState = { status: 'idle' };

/** One concept's rule. Controlled, so a refused save keeps what was typed; the server parses every line again. */
export function TagRuleForm({ saved }: { saved: TagRuleFormValues }) {
  const [state, action, pending] = useActionState(saveTagRule, IDLE);
  const [keys, setKeys] = useState(saved.keys);
  const [caseFold, setCaseFold] = useState(saved.caseFold);
  const [mappings, setMappings] = useState(saved.mappings);
  const errors = state.status === 'error' ? state.fieldErrors : {};
  const c = saved.concept;
  return (
    <form action={action} noValidate data-testid={`tag-rule-form-${c}`}>
      <input type="hidden" name="concept" value={c} />
      <div className={styles.field}>
        <label className={styles.label} htmlFor={`keys-${c}`}>
          Tag keys, one per line, first present wins
        </label>
        <textarea
          id={`keys-${c}`}
          name="keys"
          rows={4}
          value={keys}
          onChange={(e) => setKeys(e.target.value)}
          className={styles.input}
          aria-invalid={errors.keys ? 'true' : undefined}
          data-testid={`tag-keys-${c}`}
        />
        <p className={styles.help}>Keys are compared trimmed and in lower case (`Team` and `team` are one key).</p>
        {errors.keys ? <p className={styles.error}>{errors.keys[0]}</p> : null}
      </div>
      <div className={styles.field}>
        <label className={styles.label}>
          <input
            type="checkbox"
            name="caseFold"
            checked={caseFold}
            onChange={(e) => setCaseFold(e.target.checked)}
            data-testid={`tag-casefold-${c}`}
          />{' '}
          Fold case of values (`ML` and `ml` are one {saved.label.toLowerCase()})
        </label>
      </div>
      <div className={styles.field}>
        <label className={styles.label} htmlFor={`mappings-${c}`}>
          Value mappings, one <code>from =&gt; to</code> per line
        </label>
        <textarea
          id={`mappings-${c}`}
          name="mappings"
          rows={5}
          value={mappings}
          onChange={(e) => setMappings(e.target.value)}
          className={styles.input}
          aria-invalid={errors.mappings ? 'true' : undefined}
          placeholder="machine-learning => ml"
          data-testid={`tag-mappings-${c}`}
        />
        {errors.mappings ? <p className={styles.error}>{errors.mappings[0]}</p> : null}
      </div>
      <p>
        <button type="submit" className="btn btn-primary" disabled={pending} data-testid={`tag-save-${c}`}>
          {pending ? 'Saving…' : `Save the ${saved.label.toLowerCase()} rule`}
        </button>
      </p>
      <ActionMessage state={state} testId={`tag-message-${c}`} />
    </form>
  );
}
