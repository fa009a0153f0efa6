import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectFocusDataset } from './datasets';

const header = (file: string) => (readFileSync(path.resolve('tests/fixtures', file), 'utf8').split('\n')[0] as string).split(',');

describe('detectFocusDataset', () => {
  it('recognises each supporting dataset from its header row', () => {
    expect(detectFocusDataset(header('focus-datasets/contract-commitment-1.3.csv'))?.id).toBe('contract-commitment');
    expect(detectFocusDataset(header('focus-datasets/contract-commitment-1.4.csv'))?.id).toBe('contract-commitment');
    expect(detectFocusDataset(header('focus-datasets/invoice-detail-1.4.csv'))?.id).toBe('invoice-detail');
    expect(detectFocusDataset(header('focus-datasets/billing-period-1.4.csv'))?.id).toBe('billing-period');
  });

  it('still recognises a dataset whose mandatory columns are partly missing (so the reader can name them)', () => {
    expect(detectFocusDataset(['BillingPeriodStart', 'BillingPeriodStatus', 'BillingPeriodCreated'])?.id).toBe('billing-period');
    expect(detectFocusDataset([' invoiceissuestatus ', 'PaymentTerms', 'BilledCost'])?.id).toBe('invoice-detail');
  });

  it('leaves Cost and Usage alone, including 1.4 files that carry InvoiceId and InvoiceDetailId', () => {
    expect(detectFocusDataset(header('focus/focus-1.2-multi-currency.csv'))).toBeNull();
    const cu14 = [
      'BilledCost',
      'BillingCurrency',
      'BillingPeriodStart',
      'ChargePeriodStart',
      'ChargeCategory',
      'InvoiceId',
      'InvoiceDetailId',
    ];
    expect(detectFocusDataset(cu14)).toBeNull();
    // A Cost and Usage file with custom columns named like a dataset's is still Cost and Usage.
    expect(detectFocusDataset([...cu14, 'PaymentTerms', 'InvoiceIssueStatus'])).toBeNull();
    expect(detectFocusDataset(['BillingPeriodStatus'])).toBeNull();
  });
});
