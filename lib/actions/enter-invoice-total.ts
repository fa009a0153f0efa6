'use server';

import { type EnteredInvoiceTotal, enterInvoiceTotal as enter, InvoiceTotalSchema } from '../reconciliation/reconciliation';
import { type ActionState, formAction } from './safe-action';

const run = formAction({
  name: 'enterInvoiceTotal',
  schema: InvoiceTotalSchema,
  audit: (input) => ({
    action: 'invoice.total',
    objectType: 'invoice_total',
    objectId: input ? `${input.providerName} ${input.billingAccountId} ${input.month} ${input.currency}` : undefined,
  }),
  revalidate: ['/reconciliation'],
  handler: async (input, { actor }) => {
    const saved = await enter(input, actor);
    return {
      message: `Saved the invoice total of ${saved.providerName} ${saved.billingAccountId || '(no account)'} for ${saved.month}: ${saved.amount} ${saved.currency}.`,
      data: saved,
      subject: `invoice_total ${saved.providerName} ${saved.month}`,
    };
  },
});

/** Enters (or replaces) an invoice total for a provider's billing account and month (finance, admins). */
export async function enterInvoiceTotal(prev: ActionState<EnteredInvoiceTotal>, form: FormData): Promise<ActionState<EnteredInvoiceTotal>> {
  return run(prev, form);
}
