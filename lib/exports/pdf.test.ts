// The monthly report PDF read back with pdf.js (tests/helpers/pdf-text.ts): its sections, the
// figures as a reader sees them (each with its currency), untagged spend, and charts drawn as
// vector paths rather than pictures.
import { describe, expect, it } from 'vitest';
import { readPdf } from '../../tests/helpers/pdf-text';
import type { MonthlyReport } from '../queries/monthly-report';
import { renderMonthlyReportPdf } from './pdf';

const REPORT: MonthlyReport = {
  month: '2026-11',
  previousMonth: '2026-10',
  generatedAt: new Date('2026-12-02T06:15:00Z'),
  metric: 'billed',
  totals: [
    {
      currency: 'USD',
      current: '12345.67',
      previous: '10000.00',
      delta: '2345.67',
      deltaPercent: '23.5',
      lineItems: '48210',
      daysWithData: 30,
    },
    { currency: 'EUR', current: '780.90', previous: '0', delta: '780.90', deltaPercent: null, lineItems: '312', daysWithData: 12 },
  ],
  byProvider: [
    { currency: 'EUR', provider: 'Microsoft', current: '780.90', previous: '0', delta: '780.90', deltaPercent: null },
    { currency: 'USD', provider: 'AWS', current: '9000.00', previous: '8000.00', delta: '1000.00', deltaPercent: '12.5' },
    { currency: 'USD', provider: 'Google Cloud', current: '3345.67', previous: '2000.00', delta: '1345.67', deltaPercent: '67.3' },
  ],
  byTeam: [
    { currency: 'EUR', team: null, amount: '780.90', share: '100.0' },
    { currency: 'USD', team: 'ml-platform', amount: '8000.00', share: '64.8' },
    { currency: 'USD', team: null, amount: '4345.67', share: '35.2' },
  ],
  topServices: [
    {
      currency: 'USD',
      provider: 'AWS',
      service: 'Amazon Elastic Compute Cloud',
      current: '7000.00',
      previous: '6500.00',
      delta: '500.00',
      deltaPercent: '7.7',
    },
    {
      currency: 'USD',
      provider: 'Google Cloud',
      service: 'BigQuery',
      current: '3345.67',
      previous: '2000.00',
      delta: '1345.67',
      deltaPercent: '67.3',
    },
  ],
  topRegions: [
    { currency: 'USD', provider: 'AWS', regionId: 'ap-northeast-2', regionName: 'Asia Pacific (Seoul)', amount: '9000.00' },
    { currency: 'USD', provider: 'Google Cloud', regionId: '', regionName: '', amount: '3345.67' },
  ],
  topMovers: [
    {
      currency: 'USD',
      dimension: 'service',
      provider: 'Google Cloud',
      name: 'BigQuery',
      label: '',
      current: '3345.67',
      previous: '2000.00',
      delta: '1345.67',
      deltaPercent: '67.3',
    },
    {
      currency: 'USD',
      dimension: 'account',
      provider: 'AWS',
      name: '111122223333',
      label: 'research',
      current: '100.00',
      previous: '600.00',
      delta: '-500.00',
      deltaPercent: '-83.3',
    },
  ],
  daily: Array.from({ length: 30 }, (_, i) => ({
    day: `2026-11-${String(i + 1).padStart(2, '0')}`,
    currency: 'USD',
    amount: i === 16 ? '1000.00' : '390.00',
  })),
  openSavings: [{ currency: 'USD', amount: '812.40', count: 7 }],
};

describe('renderMonthlyReportPdf', () => {
  it('writes every section with its figures, each amount with its currency', async () => {
    const bytes = await renderMonthlyReportPdf(REPORT);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const pdf = await readPdf(bytes);
    const text = pdf.text.replace(/\s+/g, ' ');
    expect(pdf.info.Title).toBe('Cloud spend report 2026-11');
    expect(text).toContain('Cloud spend report: November 2026');
    expect(text).toContain('compared with October 2026');
    for (const section of [
      'Summary',
      'Spend by provider (USD)',
      'Spend by provider (EUR)',
      'Daily spend in USD',
      'By provider',
      'By team',
      'Top services',
      'Top regions',
      'Top movers',
      'Open recommendations',
      'How to read this report',
    ]) {
      expect(text).toContain(section);
    }
    // Summary: this month, last month, the change and its percentage, per currency.
    expect(text).toContain('USD 12,345.67 USD 10,000.00 +USD 2,345.67 +23.5%');
    expect(text).toContain('EUR 780.90 EUR 0.00 +EUR 780.90 new');
    expect(text).toContain('48,210');
    expect(text).toContain('USD: USD 12,345.67 billed in November 2026 (+23.5% on October 2026); data on 30 of the month');
    // Untagged spend is a row of its own, per currency.
    expect(text).toContain('(untagged) USD USD 4,345.67 35.2%');
    expect(text).toContain('(untagged) EUR EUR 780.90 100.0%');
    expect(text).toContain('ml-platform USD USD 8,000.00 64.8%');
    expect(text).toContain('Amazon Elastic Compute Cloud AWS USD 7,000.00 USD 6,500.00 +USD 500.00');
    expect(text).toContain('ap-northeast-2 (Asia Pacific (Seoul)) AWS USD USD 9,000.00');
    expect(text).toContain('(no region: global or account-level charges)');
    expect(text).toContain('Account AWS 111122223333 (research) USD 600.00 USD 100.00 -USD 500.00 -83.3%');
    expect(text).toContain('USD 7 USD 812.40');
    expect(text).toContain('Highest day: Nov 17, 2026, USD 1,000.00');
    expect(pdf.pages).toHaveLength(2);
    expect(pdf.pages.map((p) => p.text)).toEqual(pdf.pages.map((_, i) => expect.stringContaining(`page ${i + 1} of ${pdf.pages.length}`)));
  });

  it('draws its charts as vector paths, not pictures', async () => {
    const pdf = await readPdf(await renderMonthlyReportPdf(REPORT));
    expect(pdf.pages.every((p) => p.images === 0)).toBe(true);
    // 3 provider bars + 30 daily columns + axis and table rules.
    const paths = pdf.pages.reduce((n, p) => n + p.paths, 0);
    expect(paths).toBeGreaterThan(33);
  });

  it('says so when the month has no costs, and prints non-Latin tag values as ? rather than garbage', async () => {
    const empty: MonthlyReport = {
      ...REPORT,
      totals: [],
      byProvider: [],
      byTeam: [],
      topServices: [],
      topRegions: [],
      topMovers: [],
      daily: [],
      openSavings: [],
    };
    const text = (await readPdf(await renderMonthlyReportPdf(empty))).text;
    expect(text).toContain('No costs were recorded for November 2026.');
    expect(text).toContain('There are no open recommendations with an estimated saving.');
    const tagged = await readPdf(
      await renderMonthlyReportPdf({ ...REPORT, byTeam: [{ currency: 'USD', team: 'データ基盤 Zürich', amount: '1.00', share: '100.0' }] }),
    );
    expect(tagged.text).toContain('????? Zürich');
  });
});
