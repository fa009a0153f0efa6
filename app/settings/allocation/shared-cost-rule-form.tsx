'use client';

import { useActionState, useState } from 'react';
import { previewSharedCostRule } from '@/lib/actions/preview-shared-cost-rule';
import type { ActionState } from '@/lib/actions/safe-action';
import { saveSharedCostRule } from '@/lib/actions/save-shared-cost-rule';
import type { SharedCostPreview } from '@/lib/allocation/preview';
import { formatMoney } from '@/lib/format';
import { ActionMessage } from '../../ui/action-message';
import styles from '../../ui/controls.module.css';

export interface SharedCostRuleFormValues {
  id: number | null;
  name: string;
  poolDimension: string;
  poolValues: string;
  method: string;
  targets: string;
}

const IDLE = { status: 'idle' } as const;

function PreviewTable({ preview }: { preview: SharedCostPreview }) {
  const units = preview.totals.map((t) => t.unit);
  return (
    <div data-testid="allocation-preview">
      <p className="sub" data-testid="allocation-preview-pool">
        Pool in {preview.month}:{' '}
        {preview.pool.length
          ? preview.pool.map((p) => formatMoney(p.amount, p.unit)).join(', ')
          : 'nothing (no spend matches, or an earlier rule takes it)'}
        {preview.unallocated.length
          ? `; left unallocated (no team with direct spend in that currency): ${preview.unallocated.map((p) => formatMoney(p.amount, p.unit)).join(', ')}`
          : ''}
      </p>
      <table className="table">
        <thead>
          <tr>
            <th>Team</th>
            {units.map((u) => (
              <th key={u} className="num" colSpan={3}>
                {u}: before · after · change
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {preview.teams.map((t) => (
            <tr key={t.key} data-testid="allocation-preview-row" data-key={t.key}>
              <td className="cell-main">{t.label}</td>
              {units.map((u) => {
                const a = t.amounts.find((x) => x.unit === u);
                return a ? (
                  <FragmentCells key={u} unit={u} before={a.before} after={a.after} change={a.change} />
                ) : (
                  <td key={u} colSpan={3} className="num">
                    —
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr data-testid="allocation-preview-total">
            <th>Total</th>
            {preview.totals.map((t) => (
              <FragmentCells key={t.unit} unit={t.unit} before={t.before} after={t.after} change={null} />
            ))}
          </tr>
        </tfoot>
      </table>
      <p className="sub" data-testid="allocation-preview-balance" data-balanced={preview.balanced ? 'yes' : 'no'}>
        {preview.balanced
          ? 'Totals before and after are equal to the last digit: nothing lost or invented.'
          : 'The totals differ: this is a fault, please report it.'}
      </p>
    </div>
  );
}

function FragmentCells({ unit, before, after, change }: { unit: string; before: string; after: string; change: string | null }) {
  return (
    <>
      <td className="num" data-unit={unit} data-col="before" data-amount={before}>
        {formatMoney(before, unit)}
      </td>
      <td className="num" data-unit={unit} data-col="after" data-amount={after}>
        {formatMoney(after, unit)}
      </td>
      <td className="num" data-unit={unit} data-col="change" data-amount={change ?? ''}>
        {change === null ? '' : formatMoney(change, unit, { sign: 'always' })}
      </td>
    </>
  );
}

/**
 * A shared-cost rule: what is shared, how it is split, across which teams. Preview runs the rule
 * over a month without saving; Save stores it. Controlled, so a refused save keeps what was typed.
 */
export function SharedCostRuleForm({ saved, months }: { saved: SharedCostRuleFormValues; months: string[] }) {
  const [previewState, preview, previewing] = useActionState<ActionState<SharedCostPreview>, FormData>(previewSharedCostRule, IDLE);
  const [saveState, save, saving] = useActionState<ActionState<{ id: number }>, FormData>(saveSharedCostRule, IDLE);
  const [name, setName] = useState(saved.name);
  const [poolDimension, setPoolDimension] = useState(saved.poolDimension);
  const [poolValues, setPoolValues] = useState(saved.poolValues);
  const [method, setMethod] = useState(saved.method);
  const [targets, setTargets] = useState(saved.targets);
  const [month, setMonth] = useState(months[0] ?? '');
  const errors = {
    ...(previewState.status === 'error' ? previewState.fieldErrors : {}),
    ...(saveState.status === 'error' ? saveState.fieldErrors : {}),
  };
  const field = (key: string) => (errors[key] ? <p className={styles.error}>{errors[key]?.[0]}</p> : null);
  return (
    <form noValidate data-testid="allocation-form">
      <input type="hidden" name="id" value={saved.id ?? ''} />
      <div className={styles.field}>
        <label className={styles.label} htmlFor="al-name">
          Name
        </label>
        <input
          id="al-name"
          name="name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          className={styles.input}
          aria-invalid={errors.name ? 'true' : undefined}
          data-testid="allocation-name"
        />
        {field('name')}
      </div>
      <div className={styles.field}>
        <label className={styles.label} htmlFor="al-pool">
          What is shared
        </label>
        <select
          id="al-pool"
          name="poolDimension"
          value={poolDimension}
          onChange={(e) => setPoolDimension(e.target.value)}
          data-testid="allocation-pool"
        >
          <option value="untagged">Untagged spend (no team)</option>
          <option value="service">Services</option>
          <option value="billing_account">Billing accounts</option>
          <option value="sub_account">Sub-accounts</option>
          <option value="team">Teams</option>
        </select>
        {field('poolDimension')}
      </div>
      {poolDimension !== 'untagged' ? (
        <div className={styles.field}>
          <label className={styles.label} htmlFor="al-values">
            Which, one per line (as the explorer shows them)
          </label>
          <textarea
            id="al-values"
            name="poolValues"
            rows={3}
            value={poolValues}
            onChange={(e) => setPoolValues(e.target.value)}
            className={styles.input}
            aria-invalid={errors.poolValues ? 'true' : undefined}
            data-testid="allocation-values"
          />
          {field('poolValues')}
        </div>
      ) : (
        <input type="hidden" name="poolValues" value="" />
      )}
      <div className={styles.field}>
        <label className={styles.label} htmlFor="al-method">
          Split
        </label>
        <select id="al-method" name="method" value={method} onChange={(e) => setMethod(e.target.value)} data-testid="allocation-method">
          <option value="even">Evenly</option>
          <option value="fixed">By fixed percentages</option>
          <option value="proportional">In proportion to each team's direct spend</option>
        </select>
        {field('method')}
      </div>
      <div className={styles.field}>
        <label className={styles.label} htmlFor="al-targets">
          {method === 'fixed' ? 'Teams, one "team = percent" per line, adding up to 100' : 'Teams, one per line'}
        </label>
        <textarea
          id="al-targets"
          name="targets"
          rows={5}
          value={targets}
          onChange={(e) => setTargets(e.target.value)}
          className={styles.input}
          aria-invalid={errors.targets ? 'true' : undefined}
          placeholder={method === 'fixed' ? 'ml = 50\nsearch = 50' : 'ml\nsearch'}
          data-testid="allocation-targets"
        />
        <p className={styles.help}>
          Team values as the team tag rule yields them.{' '}
          {method === 'proportional' ? 'Leave empty to split across every team with direct spend in the month.' : ''}
        </p>
        {field('targets')}
      </div>
      <div className={styles.field}>
        <label className={styles.label} htmlFor="al-month">
          Preview month
        </label>
        <select id="al-month" name="month" value={month} onChange={(e) => setMonth(e.target.value)} data-testid="allocation-month">
          {months.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
      </div>
      <p>
        <button type="submit" formAction={preview} className="btn" disabled={previewing} data-testid="allocation-preview-button">
          {previewing ? 'Previewing…' : 'Preview'}
        </button>{' '}
        <button type="submit" formAction={save} className="btn btn-primary" disabled={saving} data-testid="allocation-save">
          {saving ? 'Saving…' : saved.id ? 'Save changes' : 'Save rule'}
        </button>
      </p>
      <ActionMessage state={previewState} testId="allocation-preview-message" />
      {previewState.status === 'success' ? <PreviewTable preview={previewState.data} /> : null}
      <ActionMessage state={saveState} testId="allocation-message" />
    </form>
  );
}
