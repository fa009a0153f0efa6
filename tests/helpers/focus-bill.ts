// Bills for tests that need a resource's cost (recommendation baselines, realized savings): a
// minimal FOCUS CSV written to a temp file and ingested through the real pipeline (ingestFile), so
// cost_line_items and the daily rollup hold what a real export would put there.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { addMonths, monthOf, monthStart } from '../../lib/calendar';
import { csvLine } from '../../lib/csv-export';
import { ingestFile } from '../../lib/ingest/pipeline';
import { tempDir } from './temp-dir';

export interface BillLine {
  /** The UTC day charged (ChargePeriodStart = that midnight, End = the next). */
  day: string;
  resourceId: string;
  /** EffectiveCost; BilledCost is the same unless `billed` says otherwise. */
  cost: string;
  billed?: string;
  currency?: string;
  /** FOCUS ProviderName: 'AWS', 'Microsoft', 'Google Cloud'. */
  provider?: string;
  account?: string;
  region?: string;
  service?: string;
}

const HEADER = [
  'ProviderName',
  'BillingAccountId',
  'SubAccountId',
  'BillingPeriodStart',
  'BillingPeriodEnd',
  'ChargePeriodStart',
  'ChargePeriodEnd',
  'ChargeCategory',
  'ServiceName',
  'RegionId',
  'ResourceId',
  'BilledCost',
  'EffectiveCost',
  'BillingCurrency',
];

function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** The CSV text of these lines (one billing period per line's month). */
export function focusBillCsv(lines: readonly BillLine[]): string {
  let out = csvLine(HEADER);
  for (const l of lines) {
    const month = monthOf(l.day);
    out += csvLine([
      l.provider ?? 'AWS',
      l.account ?? '111122223333',
      l.account ?? '111122223333',
      `${monthStart(month)}T00:00:00Z`,
      `${monthStart(addMonths(month, 1))}T00:00:00Z`,
      `${l.day}T00:00:00Z`,
      `${nextDay(l.day)}T00:00:00Z`,
      'Usage',
      l.service ?? 'Amazon Elastic Compute Cloud',
      l.region ?? 'us-east-1',
      l.resourceId,
      l.billed ?? l.cost,
      l.cost,
      l.currency ?? 'USD',
    ]);
  }
  return out;
}

/**
 * Ingests the lines as one FOCUS file of source `source`. Like a real delivery, it replaces what
 * that source had for the billing periods the file covers.
 */
export async function ingestBill(source: string, lines: readonly BillLine[]): Promise<void> {
  const dir = await tempDir('burnrate-bill-');
  const file = path.join(dir, `${source.replace(/[^\w-]/g, '_')}.csv`);
  await writeFile(file, focusBillCsv(lines));
  await ingestFile({ file, format: 'focus', sourceName: source });
}
