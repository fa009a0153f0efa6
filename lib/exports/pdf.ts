/**
 * The monthly report as a PDF, drawn on the server with pdfkit (A4, the PDF standard fonts, no
 * browser): a summary per currency with the change from the month before, charts drawn as vectors
 * (spend by provider, daily spend), then tables by provider, by team (untagged spend as its own
 * row), top services, top regions, top movers and the open recommendations' savings, and a closing
 * "how to read this report" for someone who never opens the app.
 *
 * Every amount is shown with its currency code, formatted from its exact decimal string
 * (lib/format.ts); nothing is converted or added across currencies. Chart bar lengths are the only
 * floats: positions on a page, not amounts anyone reads (the tables carry the figures).
 *
 * The standard fonts encode WinAnsi (Latin-1 plus typographic marks) only; other characters (a
 * team tag in Japanese) print as '?', since embedding a Unicode font would need a font file the
 * deployment may not have.
 */
import PDFDocument from 'pdfkit';
import { formatCount, formatDay, formatMoney, formatMonthLong, formatPercentChange, formatShare } from '../format';
import type { MonthChange, MonthlyReport } from '../queries/monthly-report';

type Doc = PDFKit.PDFDocument;

const MARGIN = 50;
const PAGE = { width: 595.28, height: 841.89 };
const CONTENT = PAGE.width - 2 * MARGIN;
const BOTTOM = PAGE.height - MARGIN - 20;
const INK = '#1f2937';
const MUTED = '#6b7280';
const RULE = '#d1d5db';
const BAR = ['#2563eb', '#0891b2', '#7c3aed', '#ea580c', '#16a34a', '#db2777'];

// WinAnsi: printable ASCII, Latin-1, and the typographic marks cp1252 adds.
const WIN_ANSI_EXTRA = '€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ';
function printable(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    out += (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.includes(ch) ? ch : '?';
  }
  return out;
}

const money = (amount: string, currency: string) => formatMoney(amount, currency);
const signed = (amount: string, currency: string) => formatMoney(amount, currency, { sign: 'always' });
const pct = (p: string | null) => (p === null ? 'new' : formatPercentChange(p));

interface Column {
  label: string;
  width: number;
  align?: 'left' | 'right';
}

class Writer {
  constructor(readonly doc: Doc) {}

  get y(): number {
    return this.doc.y;
  }

  ensure(height: number): void {
    if (this.doc.y + height > BOTTOM) this.doc.addPage();
  }

  heading(text: string): void {
    this.ensure(60);
    this.doc.moveDown(0.8);
    this.doc.font('Helvetica-Bold').fontSize(13).fillColor(INK).text(printable(text), MARGIN, this.doc.y, { width: CONTENT });
    this.doc.moveDown(0.3);
  }

  paragraph(text: string, options: { color?: string; size?: number } = {}): void {
    this.doc
      .font('Helvetica')
      .fontSize(options.size ?? 9)
      .fillColor(options.color ?? MUTED)
      .text(printable(text), MARGIN, this.doc.y, { width: CONTENT });
    this.doc.moveDown(0.3);
  }

  /** A table; the header row repeats on each new page. */
  table(columns: Column[], rows: string[][], options: { boldLast?: boolean } = {}): void {
    const rowHeight = 15;
    const header = () => {
      let x = MARGIN;
      const y = this.doc.y;
      this.doc.font('Helvetica-Bold').fontSize(8).fillColor(MUTED);
      for (const c of columns) {
        this.doc.text(printable(c.label), x + 2, y + 3, { width: c.width - 4, align: c.align ?? 'left', lineBreak: false });
        x += c.width;
      }
      this.doc
        .moveTo(MARGIN, y + rowHeight)
        .lineTo(MARGIN + CONTENT, y + rowHeight)
        .strokeColor(RULE)
        .lineWidth(0.8)
        .stroke();
      this.doc.y = y + rowHeight;
    };
    this.ensure(rowHeight * 3);
    header();
    rows.forEach((row, i) => {
      if (this.doc.y + rowHeight > BOTTOM) {
        this.doc.addPage();
        header();
      }
      const y = this.doc.y;
      let x = MARGIN;
      const bold = options.boldLast && i === rows.length - 1;
      this.doc
        .font(bold ? 'Helvetica-Bold' : 'Helvetica')
        .fontSize(8.5)
        .fillColor(INK);
      columns.forEach((c, k) => {
        this.doc.text(printable(row[k] ?? ''), x + 2, y + 3, {
          width: c.width - 4,
          align: c.align ?? 'left',
          lineBreak: false,
          ellipsis: true,
        });
        x += c.width;
      });
      this.doc
        .moveTo(MARGIN, y + rowHeight)
        .lineTo(MARGIN + CONTENT, y + rowHeight)
        .strokeColor('#eef0f3')
        .lineWidth(0.5)
        .stroke();
      this.doc.y = y + rowHeight;
    });
    this.doc.x = MARGIN;
    this.doc.moveDown(0.5);
  }

  /** Horizontal bars, one per label, lengths relative to the largest; the amount printed beside each bar. */
  barChart(title: string, bars: { label: string; value: number; text: string }[]): void {
    const barHeight = 14;
    const gap = 6;
    const labelWidth = 130;
    const textWidth = 110;
    const height = 22 + bars.length * (barHeight + gap);
    this.ensure(height + 10);
    const top = this.doc.y;
    this.doc.font('Helvetica-Bold').fontSize(9).fillColor(INK).text(printable(title), MARGIN, top, { width: CONTENT });
    const max = Math.max(...bars.map((b) => Math.abs(b.value)), 0);
    const span = CONTENT - labelWidth - textWidth - 10;
    bars.forEach((b, i) => {
      const y = top + 18 + i * (barHeight + gap);
      this.doc
        .font('Helvetica')
        .fontSize(8.5)
        .fillColor(INK)
        .text(printable(b.label), MARGIN, y + 3, { width: labelWidth - 6, lineBreak: false, ellipsis: true });
      const w = max > 0 ? Math.max(1, (Math.abs(b.value) / max) * span) : 1;
      this.doc.rect(MARGIN + labelWidth, y, w, barHeight).fill(BAR[i % BAR.length] as string);
      this.doc.fillColor(INK).text(printable(b.text), MARGIN + labelWidth + w + 6, y + 3, { width: textWidth, lineBreak: false });
    });
    this.doc.y = top + height;
    this.doc.x = MARGIN;
  }

  /** Daily spend as columns with the month's days on the axis (1, 8, 15, 22, 29 labelled) and the largest day marked. */
  columnChart(title: string, days: { day: string; value: number }[], maxText: string): void {
    const height = 120;
    this.ensure(height + 40);
    const top = this.doc.y;
    this.doc.font('Helvetica-Bold').fontSize(9).fillColor(INK).text(printable(title), MARGIN, top, { width: CONTENT });
    const chartTop = top + 16;
    const base = chartTop + height;
    const max = Math.max(...days.map((d) => d.value), 0);
    const slot = CONTENT / Math.max(days.length, 1);
    this.doc
      .moveTo(MARGIN, base)
      .lineTo(MARGIN + CONTENT, base)
      .strokeColor(RULE)
      .lineWidth(0.8)
      .stroke();
    days.forEach((d, i) => {
      const h = max > 0 ? Math.max(0, (d.value / max) * (height - 10)) : 0;
      if (h > 0) this.doc.rect(MARGIN + i * slot + slot * 0.15, base - h, slot * 0.7, h).fill(BAR[0] as string);
      const dayNumber = Number(d.day.slice(8, 10));
      if (dayNumber % 7 === 1) {
        this.doc
          .font('Helvetica')
          .fontSize(7)
          .fillColor(MUTED)
          .text(String(dayNumber), MARGIN + i * slot, base + 3, { width: slot, align: 'center', lineBreak: false });
      }
    });
    this.doc
      .font('Helvetica')
      .fontSize(7)
      .fillColor(MUTED)
      .text(printable(`Highest day: ${maxText}`), MARGIN, chartTop - 2, { width: CONTENT, align: 'right', lineBreak: false });
    this.doc.y = base + 16;
    this.doc.x = MARGIN;
  }
}

const CHANGE_COLUMNS: Column[] = [
  { label: 'This month', width: 95, align: 'right' },
  { label: 'Previous month', width: 95, align: 'right' },
  { label: 'Change', width: 95, align: 'right' },
  { label: 'Change %', width: 55, align: 'right' },
];

function changeCells(c: MonthChange): string[] {
  return [money(c.current, c.currency), money(c.previous, c.currency), signed(c.delta, c.currency), pct(c.deltaPercent)];
}

function currenciesOf(report: MonthlyReport): string[] {
  return report.totals.map((t) => t.currency);
}

const DIMENSION_LABEL = { service: 'Service', region: 'Region', account: 'Account' } as const;

function render(doc: Doc, report: MonthlyReport): void {
  const w = new Writer(doc);
  const month = formatMonthLong(report.month);
  const previous = formatMonthLong(report.previousMonth);
  const generated = `${report.generatedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

  doc
    .font('Helvetica-Bold')
    .fontSize(20)
    .fillColor(INK)
    .text(printable(`Cloud spend report: ${month}`), MARGIN, MARGIN, { width: CONTENT });
  doc.moveDown(0.2);
  w.paragraph(
    `Billed cost for ${month} (UTC calendar month) across every connected cloud account, compared with ${previous}. Generated by Burnrate on ${generated}. Amounts are in each bill's own currency; currencies are never converted or added together.`,
  );

  w.heading('Summary');
  if (report.totals.length === 0) {
    w.paragraph(`No costs were recorded for ${month}.`, { color: INK, size: 10 });
  } else {
    w.table(
      [{ label: 'Currency', width: 60 }, ...CHANGE_COLUMNS, { label: 'Line items', width: 95, align: 'right' }],
      report.totals.map((t) => [t.currency, ...changeCells(t), formatCount(t.lineItems)]),
    );
    for (const t of report.totals) {
      const direction = t.deltaPercent === null ? 'new this month' : `${pct(t.deltaPercent)} on ${previous}`;
      w.paragraph(
        `${t.currency}: ${money(t.current, t.currency)} billed in ${month} (${direction}); data on ${t.daysWithData} of the month's days.`,
        { color: INK },
      );
    }
  }

  for (const currency of currenciesOf(report)) {
    const providers = report.byProvider.filter((p) => p.currency === currency && Number(p.current) !== 0);
    if (providers.length > 0) {
      w.heading(`Spend by provider (${currency})`);
      w.barChart(
        `${month}, billed cost in ${currency}`,
        providers.map((p) => ({ label: p.provider, value: Number(p.current), text: money(p.current, currency) })),
      );
    }
    const days = report.daily.filter((d) => d.currency === currency);
    if (days.length > 0) {
      const top = days.reduce((a, b) => (Number(b.amount) > Number(a.amount) ? b : a));
      w.columnChart(
        `Daily spend in ${currency}`,
        days.map((d) => ({ day: d.day, value: Number(d.amount) })),
        `${formatDay(top.day)}, ${money(top.amount, currency)}`,
      );
    }
  }

  w.heading('By provider');
  if (report.byProvider.length === 0) w.paragraph('No provider has costs in either month.');
  else
    w.table(
      [{ label: 'Provider', width: 100 }, { label: 'Currency', width: 55 }, ...CHANGE_COLUMNS],
      report.byProvider.map((p) => [p.provider, p.currency, ...changeCells(p)]),
    );

  w.heading('By team');
  w.paragraph("Teams are the line items' team tag. Spend without a team tag is shown as (untagged).");
  if (report.byTeam.length === 0) w.paragraph('No line items this month.');
  else
    w.table(
      [
        { label: 'Team', width: 200 },
        { label: 'Currency', width: 60 },
        { label: 'Billed cost', width: 140, align: 'right' },
        { label: 'Share of currency total', width: 95, align: 'right' },
      ],
      report.byTeam.map((t) => [
        t.team ?? '(untagged)',
        t.currency,
        money(t.amount, t.currency),
        t.share === null ? '' : formatShare(t.share),
      ]),
    );

  w.heading('Top services');
  if (report.topServices.length === 0) w.paragraph('No service has costs this month.');
  else
    w.table(
      [
        { label: 'Service', width: 155 },
        { label: 'Provider', width: 70 },
        { label: 'This month', width: 95, align: 'right' },
        { label: 'Previous month', width: 95, align: 'right' },
        { label: 'Change', width: 80, align: 'right' },
      ],
      report.topServices.map((s) => [
        s.service || '(no service name)',
        s.provider,
        money(s.current, s.currency),
        money(s.previous, s.currency),
        signed(s.delta, s.currency),
      ]),
    );

  w.heading('Top regions');
  if (report.topRegions.length === 0) w.paragraph('No region has costs this month.');
  else
    w.table(
      [
        { label: 'Region', width: 190 },
        { label: 'Provider', width: 100 },
        { label: 'Currency', width: 60 },
        { label: 'Billed cost', width: 145, align: 'right' },
      ],
      report.topRegions.map((r) => [
        r.regionId === '' ? '(no region: global or account-level charges)' : r.regionName ? `${r.regionId} (${r.regionName})` : r.regionId,
        r.provider,
        r.currency,
        money(r.amount, r.currency),
      ]),
    );

  w.heading('Top movers');
  w.paragraph(`The largest changes from ${previous} to ${month}, by service, region and account, in either direction.`);
  if (report.topMovers.length === 0) w.paragraph('Nothing changed.');
  else
    w.table(
      [
        { label: 'What', width: 55 },
        { label: 'Name', width: 140 },
        { label: 'Previous month', width: 85, align: 'right' },
        { label: 'This month', width: 85, align: 'right' },
        { label: 'Change', width: 80, align: 'right' },
        { label: '%', width: 50, align: 'right' },
      ],
      report.topMovers.map((m) => [
        DIMENSION_LABEL[m.dimension],
        `${m.provider} ${m.name || '(none)'}${m.label && m.label !== m.name ? ` (${m.label})` : ''}`,
        money(m.previous, m.currency),
        money(m.current, m.currency),
        signed(m.delta, m.currency),
        pct(m.deltaPercent),
      ]),
    );

  w.heading('Open recommendations');
  if (report.openSavings.length === 0) w.paragraph('There are no open recommendations with an estimated saving.');
  else {
    w.paragraph('Estimated monthly savings of the recommendations still open (rightsizing, idle and unattached resources, GPUs).');
    w.table(
      [
        { label: 'Currency', width: 80 },
        { label: 'Open recommendations', width: 140, align: 'right' },
        { label: 'Estimated savings per month', width: 175, align: 'right' },
      ],
      report.openSavings.map((s) => [s.currency, String(s.count), money(s.amount, s.currency)]),
    );
  }

  w.heading('How to read this report');
  for (const line of [
    'Billed cost is what the providers invoice: usage, purchases, taxes and credits, as in their cost exports (FOCUS BilledCost).',
    'A month is a UTC calendar month; a charge belongs to the day its charge period starts.',
    'Change is this month minus the previous month; "new" means there was nothing the month before.',
    'The XLSX attached to the same email lists the month by provider, account, service, region and currency.',
  ]) {
    w.paragraph(`- ${line}`);
  }
}

/** The PDF's bytes. */
export async function renderMonthlyReportPdf(report: MonthlyReport): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    bufferPages: true,
    margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
    info: {
      Title: `Cloud spend report ${report.month}`,
      Author: 'Burnrate',
      Subject: `Billed cloud cost for ${formatMonthLong(report.month)}`,
      CreationDate: report.generatedAt,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  render(doc, report);
  // A footer on every page: what the page belongs to, once pages can be counted.
  const { start, count } = doc.bufferedPageRange();
  for (let i = start; i < start + count; i++) {
    doc.switchToPage(i);
    doc.page.margins.bottom = 0;
    doc
      .font('Helvetica')
      .fontSize(7.5)
      .fillColor(MUTED)
      .text(
        printable(`Burnrate · Cloud spend report ${formatMonthLong(report.month)} · page ${i + 1} of ${count}`),
        MARGIN,
        PAGE.height - MARGIN + 10,
        {
          width: CONTENT,
          align: 'center',
          lineBreak: false,
        },
      );
  }
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}
