/**
 * The FOCUS datasets other than Cost and Usage that Burnrate stores: Contract Commitment (FOCUS
 * 1.3, extended in 1.4), Invoice Detail and Billing Period (FOCUS 1.4). Column lists, types,
 * presence and nullability come from the specification's dataset pages
 * (FinOps-Open-Cost-and-Usage-Spec/FOCUS_Spec, specification/datasets/<dataset>/dataset.md; the
 * exact files are cited in tests/fixtures/focus-datasets/SOURCE.md).
 *
 * - `mandatory`: the column must be in the header (Feature Level "Mandatory" in the version that
 *   introduced the dataset; columns a later version added, or "Conditional" ones, may be absent).
 * - `notNull`: a mandatory column whose "Allows Nulls" is False; an empty value is an error.
 * - `currency`: for an amount, the column holding its currency (every amount travels with one).
 * - kind `currency`: an ISO 4217 code (billing and payment currencies); a column that may hold a
 *   virtual currency (PricingCurrency) is `text`.
 */

export type DatasetColumnKind = 'text' | 'numeric' | 'timestamp' | 'json' | 'currency';

export interface DatasetColumn {
  /** The FOCUS column ID, as it appears in the header. */
  focus: string;
  /** The snake_case column of the dataset's table. */
  column: string;
  kind: DatasetColumnKind;
  mandatory?: true;
  notNull?: true;
  /** FOCUS column ID of the currency of this amount. */
  currency?: string;
}

const FOCUS_DATASET_IDS = ['contract-commitment', 'invoice-detail', 'billing-period'] as const;
export type FocusDatasetId = (typeof FOCUS_DATASET_IDS)[number];

export interface FocusDataset {
  id: FocusDatasetId;
  /** The specification's Dataset ID. */
  datasetId: string;
  label: string;
  /** FOCUS version that introduced the dataset. */
  since: '1.3' | '1.4';
  table: string;
  columns: readonly DatasetColumn[];
  /**
   * Columns only this dataset has (not Cost and Usage, not the other datasets): two of them in a
   * header without ChargePeriodStart make the file this dataset.
   */
  distinctive: readonly string[];
  /**
   * What one delivery replaces: the rows of the source for the billing periods the file has, or
   * the source's whole dataset (a contract commitment file lists every commitment, the
   * specification's DatasetCompleteness attribute).
   */
  replaces: 'billing-period' | 'all';
}

const M = { mandatory: true } as const;
const MN = { mandatory: true, notNull: true } as const;

const CONTRACT_COMMITMENT: FocusDataset = {
  id: 'contract-commitment',
  datasetId: 'ContractCommitment',
  label: 'FOCUS Contract Commitment',
  since: '1.3',
  table: 'focus_contract_commitments',
  replaces: 'all',
  columns: [
    // FOCUS 1.3: the thirteen columns of the dataset.
    { focus: 'BillingCurrency', column: 'billing_currency', kind: 'currency', ...M },
    { focus: 'ContractCommitmentCategory', column: 'contract_commitment_category', kind: 'text', ...MN },
    { focus: 'ContractCommitmentCost', column: 'contract_commitment_cost', kind: 'numeric', ...M, currency: 'BillingCurrency' },
    { focus: 'ContractCommitmentDescription', column: 'contract_commitment_description', kind: 'text', ...M },
    { focus: 'ContractCommitmentId', column: 'contract_commitment_id', kind: 'text', ...MN },
    { focus: 'ContractCommitmentPeriodEnd', column: 'contract_commitment_period_end', kind: 'timestamp', ...MN },
    { focus: 'ContractCommitmentPeriodStart', column: 'contract_commitment_period_start', kind: 'timestamp', ...MN },
    { focus: 'ContractCommitmentQuantity', column: 'contract_commitment_quantity', kind: 'numeric', ...M },
    { focus: 'ContractCommitmentType', column: 'contract_commitment_type', kind: 'text', ...MN },
    { focus: 'ContractCommitmentUnit', column: 'contract_commitment_unit', kind: 'text', ...M },
    { focus: 'ContractId', column: 'contract_id', kind: 'text', ...MN },
    { focus: 'ContractPeriodEnd', column: 'contract_period_end', kind: 'timestamp', ...MN },
    { focus: 'ContractPeriodStart', column: 'contract_period_start', kind: 'timestamp', ...MN },
    // FOCUS 1.4 additions: read when present, so 1.3 files still land.
    { focus: 'ContractCommitmentApplicability', column: 'contract_commitment_applicability', kind: 'json' },
    { focus: 'ContractCommitmentBenefitCategory', column: 'contract_commitment_benefit_category', kind: 'text' },
    { focus: 'ContractCommitmentCreated', column: 'contract_commitment_created', kind: 'timestamp' },
    { focus: 'ContractCommitmentDiscountPercentage', column: 'contract_commitment_discount_percentage', kind: 'numeric' },
    { focus: 'ContractCommitmentDurationType', column: 'contract_commitment_duration_type', kind: 'text' },
    { focus: 'ContractCommitmentFulfillmentInterval', column: 'contract_commitment_fulfillment_interval', kind: 'text' },
    { focus: 'ContractCommitmentLastUpdated', column: 'contract_commitment_last_updated', kind: 'timestamp' },
    { focus: 'ContractCommitmentLifecycleStatus', column: 'contract_commitment_lifecycle_status', kind: 'text' },
    { focus: 'ContractCommitmentModel', column: 'contract_commitment_model', kind: 'text' },
    { focus: 'ContractCommitmentOfferCategory', column: 'contract_commitment_offer_category', kind: 'text' },
    { focus: 'ContractCommitmentPaymentInterval', column: 'contract_commitment_payment_interval', kind: 'text' },
    { focus: 'ContractCommitmentPaymentModel', column: 'contract_commitment_payment_model', kind: 'text' },
    { focus: 'ContractCommitmentPaymentUpfrontPercentage', column: 'contract_commitment_payment_upfront_percentage', kind: 'numeric' },
    { focus: 'InvoiceIssuerName', column: 'invoice_issuer_name', kind: 'text' },
    // CurrencyFormat allows a virtual currency here ("Credits", "Tokens"), not only an ISO 4217 code:
    // text, as Cost and Usage's PricingCurrency. Its amount still needs it (`currency` below).
    { focus: 'PricingCurrency', column: 'pricing_currency', kind: 'text' },
    {
      focus: 'PricingCurrencyContractCommitmentCost',
      column: 'pricing_currency_contract_commitment_cost',
      kind: 'numeric',
      currency: 'PricingCurrency',
    },
    { focus: 'ServiceProviderName', column: 'service_provider_name', kind: 'text' },
  ],
  distinctive: [
    'ContractCommitmentCategory',
    'ContractCommitmentCost',
    'ContractCommitmentDescription',
    'ContractCommitmentId',
    'ContractCommitmentPeriodEnd',
    'ContractCommitmentPeriodStart',
    'ContractCommitmentQuantity',
    'ContractCommitmentType',
    'ContractCommitmentUnit',
    'ContractPeriodEnd',
    'ContractPeriodStart',
  ],
};

const INVOICE_DETAIL: FocusDataset = {
  id: 'invoice-detail',
  datasetId: 'InvoiceDetail',
  label: 'FOCUS Invoice Detail',
  since: '1.4',
  table: 'focus_invoice_details',
  replaces: 'billing-period',
  columns: [
    { focus: 'BilledCost', column: 'billed_cost', kind: 'numeric', ...MN, currency: 'BillingCurrency' },
    { focus: 'BillingAccountId', column: 'billing_account_id', kind: 'text', ...MN },
    { focus: 'BillingCurrency', column: 'billing_currency', kind: 'currency', ...MN },
    { focus: 'BillingPeriodEnd', column: 'billing_period_end', kind: 'timestamp', ...MN },
    { focus: 'BillingPeriodStart', column: 'billing_period_start', kind: 'timestamp', ...MN },
    { focus: 'ChargeCategory', column: 'charge_category', kind: 'text', ...MN },
    { focus: 'InvoiceDetailCreated', column: 'invoice_detail_created', kind: 'timestamp', ...MN },
    { focus: 'InvoiceDetailDescription', column: 'invoice_detail_description', kind: 'text', ...M },
    { focus: 'InvoiceDetailGrain', column: 'invoice_detail_grain', kind: 'json', ...M },
    { focus: 'InvoiceDetailId', column: 'invoice_detail_id', kind: 'text', ...MN },
    { focus: 'InvoiceDetailLastUpdated', column: 'invoice_detail_last_updated', kind: 'timestamp', ...MN },
    { focus: 'InvoiceId', column: 'invoice_id', kind: 'text', ...MN },
    { focus: 'InvoiceIssueDate', column: 'invoice_issue_date', kind: 'timestamp', ...M },
    { focus: 'InvoiceIssueStatus', column: 'invoice_issue_status', kind: 'text', ...MN },
    { focus: 'InvoiceIssuerName', column: 'invoice_issuer_name', kind: 'text', ...MN },
    // Conditional: present when the issuer bills and is paid in different currencies.
    { focus: 'PaymentCurrency', column: 'payment_currency', kind: 'currency' },
    { focus: 'PaymentCurrencyBilledCost', column: 'payment_currency_billed_cost', kind: 'numeric', currency: 'PaymentCurrency' },
    { focus: 'PaymentCurrencyInvoiceDetailId', column: 'payment_currency_invoice_detail_id', kind: 'text' },
    { focus: 'PaymentDueDate', column: 'payment_due_date', kind: 'timestamp', ...M },
    { focus: 'PaymentTerms', column: 'payment_terms', kind: 'text', ...MN },
    // Conditional: present when the issuer takes purchase order numbers.
    { focus: 'PurchaseOrderNumber', column: 'purchase_order_number', kind: 'text' },
    { focus: 'ReferenceInvoiceId', column: 'reference_invoice_id', kind: 'text', ...MN },
  ],
  // InvoiceId and InvoiceDetailId are Cost and Usage columns too (1.4), so they do not count.
  distinctive: [
    'InvoiceDetailCreated',
    'InvoiceDetailDescription',
    'InvoiceDetailGrain',
    'InvoiceDetailLastUpdated',
    'InvoiceIssueDate',
    'InvoiceIssueStatus',
    'PaymentCurrency',
    'PaymentCurrencyBilledCost',
    'PaymentCurrencyInvoiceDetailId',
    'PaymentDueDate',
    'PaymentTerms',
    'PurchaseOrderNumber',
    'ReferenceInvoiceId',
  ],
};

const BILLING_PERIOD: FocusDataset = {
  id: 'billing-period',
  datasetId: 'BillingPeriod',
  label: 'FOCUS Billing Period',
  since: '1.4',
  table: 'focus_billing_periods',
  replaces: 'billing-period',
  columns: [
    { focus: 'BillingPeriodCreated', column: 'billing_period_created', kind: 'timestamp', ...MN },
    { focus: 'BillingPeriodEnd', column: 'billing_period_end', kind: 'timestamp', ...MN },
    { focus: 'BillingPeriodLastUpdated', column: 'billing_period_last_updated', kind: 'timestamp', ...MN },
    { focus: 'BillingPeriodStart', column: 'billing_period_start', kind: 'timestamp', ...MN },
    { focus: 'BillingPeriodStatus', column: 'billing_period_status', kind: 'text', ...MN },
    { focus: 'InvoiceIssuerName', column: 'invoice_issuer_name', kind: 'text', ...MN },
  ],
  distinctive: ['BillingPeriodCreated', 'BillingPeriodLastUpdated', 'BillingPeriodStatus'],
};

export const FOCUS_DATASETS: readonly FocusDataset[] = [CONTRACT_COMMITMENT, INVOICE_DETAIL, BILLING_PERIOD];

/**
 * The supporting FOCUS dataset a header row is, or null (Cost and Usage, or another format).
 * A Cost and Usage file always has ChargePeriodStart; a supporting dataset never does, and has at
 * least two columns only it defines. Missing mandatory columns are reported later, by the reader,
 * so a damaged file is still recognised and its error names what is missing.
 */
export function detectFocusDataset(headers: readonly string[]): FocusDataset | null {
  const names = new Set(headers.map((h) => h.trim().toLowerCase()));
  if (names.has('chargeperiodstart')) return null;
  let best: FocusDataset | null = null;
  let bestScore = 1;
  for (const dataset of FOCUS_DATASETS) {
    const score = dataset.distinctive.filter((c) => names.has(c.toLowerCase())).length;
    if (score > bestScore) {
      best = dataset;
      bestScore = score;
    }
  }
  return best;
}
