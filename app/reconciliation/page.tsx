import { can } from '@/lib/auth/permissions';
import { requirePage } from '@/lib/auth/session';
import { formatCount, formatMoney, formatMonthLong } from '@/lib/format';
import { defaultReconciliationRange, getReconciliation } from '@/lib/reconciliation/reconciliation';
import { InvoiceTotalForm } from './invoice-total-form';

export const metadata = { title: 'Reconciliation' };
export const dynamic = 'force-dynamic';

/** Ingested billed totals against invoice totals per provider, account, month and currency; finance enters missing invoice totals. */
export default async function ReconciliationPage() {
  const actor = await requirePage('/reconciliation');
  if (!actor) return null;
  const rows = await getReconciliation(defaultReconciliationRange());
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Reconciliation</h1>
          <p className="sub">
            Billed cost ingested per billing period against the invoice: from the provider&apos;s FOCUS invoice details where delivered,
            otherwise the total finance entered. Late charges are line items of the billing period charged in an earlier month; after close
            is what the month&apos;s billed cost changed by since it was closed. Missing days have no cost rows for the account.
          </p>
        </div>
      </div>
      {can(actor.role, 'action', 'enterInvoiceTotal') ? (
        <section className="panel" data-testid="invoice-total">
          <div className="panel-head">
            <h2>Enter an invoice total</h2>
            <span className="meta">replaces an earlier entry for the same account, month and currency</span>
          </div>
          <InvoiceTotalForm />
        </section>
      ) : null}
      <section className="panel" data-testid="reconciliation">
        <div className="panel-head">
          <h2>Last 12 months</h2>
          <span className="meta">{rows.length === 1 ? '1 row' : `${rows.length} rows`}</span>
        </div>
        {rows.length === 0 ? (
          <p className="sub">No billed costs or invoices in the last 12 months.</p>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>Month</th>
                <th>Provider</th>
                <th>Billing account</th>
                <th className="num">Billed (ingested)</th>
                <th className="num">Invoice</th>
                <th className="num">Difference</th>
                <th className="num">Late charges</th>
                <th className="num">After close</th>
                <th className="num">Days without data</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr
                  key={`${r.month}-${r.providerName}-${r.billingAccountId}-${r.currency}`}
                  data-testid="reconciliation-row"
                  data-month={r.month}
                  data-account={r.billingAccountId}
                  data-currency={r.currency}
                >
                  <td className="nowrap">{formatMonthLong(r.month)}</td>
                  <td>{r.providerName}</td>
                  <td className="cell-main">{r.billingAccountId || '—'}</td>
                  <td className="num">{formatMoney(r.billed, r.currency)}</td>
                  <td className="num">
                    {r.invoice === null ? '—' : formatMoney(r.invoice, r.currency)}
                    {r.invoiceSource ? (
                      <div className="cell-sub">
                        {r.invoiceSource === 'focus' ? 'FOCUS invoice' : `entered${r.invoiceNote ? `: ${r.invoiceNote}` : ''}`}
                      </div>
                    ) : null}
                  </td>
                  <td className="num" data-testid="reconciliation-difference" data-amount={r.difference ?? ''}>
                    {r.difference === null ? '—' : formatMoney(r.difference, r.currency, { sign: 'always' })}
                  </td>
                  <td className="num">
                    {r.lateLineItems === '0' ? '—' : `${formatMoney(r.lateBilled, r.currency)} (${formatCount(r.lateLineItems)})`}
                  </td>
                  <td className="num">{r.afterClose === null ? '—' : formatMoney(r.afterClose, r.currency, { sign: 'always' })}</td>
                  <td className="num" title={r.missingDays.join(', ')}>
                    {r.missingDays.length}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
