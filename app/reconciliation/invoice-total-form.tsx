'use client';

import { useActionState } from 'react';
import { enterInvoiceTotal } from '@/lib/actions/enter-invoice-total';
import type { ActionState } from '@/lib/actions/safe-action';
import type { EnteredInvoiceTotal } from '@/lib/reconciliation/reconciliation';
import { ActionMessage } from '../ui/action-message';
import styles from '../ui/controls.module.css';

const IDLE: ActionState<EnteredInvoiceTotal> = { status: 'idle' };

const FIELDS = [
  { name: 'providerName', label: 'Provider', placeholder: 'AWS' },
  { name: 'billingAccountId', label: 'Billing account', placeholder: '123456789012' },
  { name: 'month', label: 'Month (YYYY-MM)', placeholder: '2026-01' },
  { name: 'currency', label: 'Currency', placeholder: 'USD' },
  { name: 'amount', label: 'Invoice total', placeholder: '1234.56' },
  { name: 'note', label: 'Note', placeholder: 'invoice number' },
] as const;

/** Enters (or replaces) the invoice total of a provider's account and month, for providers without FOCUS invoice data. */
export function InvoiceTotalForm() {
  const [state, action, pending] = useActionState(enterInvoiceTotal, IDLE);
  const errors = state.status === 'error' ? state.fieldErrors : {};
  return (
    <form action={action} data-testid="invoice-total-form">
      {FIELDS.map((f) => (
        <div className={styles.field} key={f.name}>
          <label className={styles.label} htmlFor={`inv-${f.name}`}>
            {f.label}
          </label>
          <input
            id={`inv-${f.name}`}
            name={f.name}
            className={styles.input}
            placeholder={f.placeholder}
            aria-invalid={errors[f.name] ? 'true' : undefined}
          />
          {errors[f.name] ? <p className={styles.error}>{errors[f.name]?.[0]}</p> : null}
        </div>
      ))}
      <p>
        <button type="submit" className="btn btn-primary" disabled={pending} data-testid="invoice-total-save">
          {pending ? 'Saving…' : 'Save invoice total'}
        </button>
      </p>
      <ActionMessage state={state} testId="invoice-total-message" />
    </form>
  );
}
