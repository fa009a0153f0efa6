import Link from 'next/link';
import { requirePage } from '@/lib/auth/session';
import { formatDateTimeUtc, formatMonthLong } from '@/lib/format';
import { listReportDeliveries } from '@/lib/mail/monthly-report';
import { mailSettingsView } from '@/lib/mail/settings';
import { MailSettingsForm, TestEmailForm } from './email-form';

export const metadata = { title: 'Email' };
export const dynamic = 'force-dynamic';

const STATUS_LABEL = { sent: 'sent', failed: 'failed, tried again tomorrow', sending: 'sending' } as const;

/** Admins set the SMTP server Burnrate sends through and who receives the monthly report (README, Scheduled monthly report). */
export default async function EmailSettingsPage() {
  const actor = await requirePage('/settings/email');
  if (!actor) return null;
  const [view, deliveries] = await Promise.all([mailSettingsView(), listReportDeliveries(12)]);
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Email</h1>
          <p className="sub">
            The SMTP server Burnrate sends mail through, and who receives the monthly cost report: last month's PDF report and its spend as
            XLSX, sent once, on the first day the month's data is complete. Also in Settings:{' '}
            <Link href="/settings/sso">single sign-on</Link>, <Link href="/settings/recommendations">recommendation rules</Link>.
          </p>
        </div>
      </div>
      <section className="panel">
        <div className="panel-head">
          <h2>SMTP server</h2>
        </div>
        {view ? (
          <p className="sub" data-testid="email-saved">
            Last saved {formatDateTimeUtc(view.updatedAt)}
            {view.updatedBy ? ` by ${view.updatedBy}` : ''}.
          </p>
        ) : (
          <p className="sub">Nothing is sent until these are saved.</p>
        )}
        <MailSettingsForm
          saved={
            view
              ? {
                  host: view.host,
                  port: String(view.port),
                  security: view.security,
                  user: view.user ?? '',
                  from: view.from,
                  reportRecipients: view.reportRecipients.join(', '),
                  monthlyReport: view.monthlyReport,
                  passwordStored: view.passwordStored,
                  passwordReadable: view.passwordReadable,
                }
              : null
          }
        />
      </section>
      <section className="panel">
        <div className="panel-head">
          <h2>Send a test email</h2>
        </div>
        <p className="sub">Sends one short message through the saved settings; a wrong password, port or TLS setting shows here.</p>
        <TestEmailForm defaultTo={actor.kind === 'user' ? actor.email : ''} disabled={!view} />
      </section>
      <section className="panel" data-testid="report-deliveries">
        <div className="panel-head">
          <h2>Monthly reports sent</h2>
        </div>
        {deliveries.length === 0 ? (
          <p className="sub">No monthly report has been sent yet.</p>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>Month</th>
                <th>Status</th>
                <th>Attempts</th>
                <th>Recipients</th>
                <th>When</th>
                <th>Error</th>
              </tr>
            </thead>
            <tbody>
              {deliveries.map((d) => (
                <tr key={d.month}>
                  <td>{formatMonthLong(d.month)}</td>
                  <td>{STATUS_LABEL[d.status]}</td>
                  <td>{d.attempts}</td>
                  <td>{d.recipients.join(', ')}</td>
                  <td>{formatDateTimeUtc(d.sentAt ?? d.startedAt)}</td>
                  <td>{d.error ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
