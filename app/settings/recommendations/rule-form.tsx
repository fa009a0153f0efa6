'use client';

import { useActionState } from 'react';
import type { ActionState } from '@/lib/actions/safe-action';
import { saveRuleSettings } from '@/lib/actions/save-rule-settings';
import styles from '../../recommendations/_components/recommendations.module.css';
import { ActionMessage } from '../../ui/action-message';

export interface RuleParameterView {
  key: string;
  label: string;
  unit: string;
  default: number;
  min: number;
  max: number;
  help: string;
  /** The admin's value; null: the default applies. */
  stored: number | null;
  /** "by someone@example.com, Dec 3, 14:02 UTC" when stored. */
  setBy: string | null;
}

const IDLE: ActionState = { status: 'idle' };

/** One rule's parameters; a blank field means the default. The server checks every bound again. */
export function RuleSettingsForm({ rule, parameters }: { rule: string; parameters: RuleParameterView[] }) {
  const [state, action, pending] = useActionState(saveRuleSettings, IDLE);
  const errors = state.status === 'error' ? state.fieldErrors : {};
  return (
    <form action={action} noValidate data-testid={`rule-form-${rule}`}>
      <input type="hidden" name="rule" value={rule} />
      <table className="table">
        <thead>
          <tr>
            <th>Parameter</th>
            <th>Value</th>
            <th>Default</th>
            <th>Allowed</th>
            <th>Why this default</th>
          </tr>
        </thead>
        <tbody>
          {parameters.map((p) => {
            const id = `param-${rule}-${p.key}`;
            const error = errors[`param.${p.key}`]?.[0];
            return (
              <tr key={p.key} data-testid="rule-parameter" data-key={p.key}>
                <td>
                  <label htmlFor={id} className="cell-main">
                    {p.label}
                  </label>
                  <div className="cell-sub">
                    {p.key} · {p.unit}
                  </div>
                </td>
                <td>
                  <input
                    id={id}
                    name={`param.${p.key}`}
                    inputMode="decimal"
                    defaultValue={p.stored === null ? '' : String(p.stored)}
                    placeholder={String(p.default)}
                    size={10}
                    className={styles.input}
                    aria-invalid={error ? 'true' : undefined}
                  />
                  {error ? (
                    <p className={styles.error} data-testid={`error-param.${p.key}`}>
                      {error}
                    </p>
                  ) : null}
                  {p.setBy ? <div className="cell-sub">set {p.setBy}</div> : <div className="cell-sub">default</div>}
                </td>
                <td className="num">{p.default}</td>
                <td className="num nowrap">
                  {p.min} – {p.max}
                </td>
                <td className="cell-sub">{p.help}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p>
        <button type="submit" className="btn btn-primary" disabled={pending} data-testid={`save-rule-${rule}`}>
          {pending ? 'Saving…' : 'Save'}
        </button>
      </p>
      <ActionMessage state={state} testId={`rule-message-${rule}`} />
    </form>
  );
}
