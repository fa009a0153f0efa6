// /settings/email's actions called as the page calls them (an admin's session, the form) on a real
// PostgreSQL and a real SMTP server on loopback: the password stored encrypted and never shown or
// recorded, a stored password kept only for the same host and user, and the test email's outcome
// (arrived, or the server's refusal named) in the audit trail. Other roles are refused by the
// permission table test, which walks every action as every role.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectError, expectSuccess, form } from '../../tests/helpers/actions';
import { as, type TestUser, userWithRole } from '../../tests/helpers/auth';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { type LoopbackSmtp, startSmtpServer } from '../../tests/helpers/smtp-server';
import { loadMailSettings, mailSettingsView } from '../mail/settings';
import { IDLE } from './safe-action';
import { saveMailSettings } from './save-mail-settings';
import { sendTestEmail } from './send-test-email';

vi.mock('next/cache', () => ({ revalidatePath: vi.fn() }));

process.env.BURNRATE_SECRET_KEY = randomBytes(32).toString('base64');
const PASSWORD = 'p4ss-for-the-relay';

let url: string;
let admin: TestUser;
let smtp: LoopbackSmtp;

beforeAll(async () => {
  url = await useTestDatabase();
  admin = await userWithRole('admin');
  smtp = await startSmtpServer({ user: 'relay', password: PASSWORD });
});

afterAll(async () => {
  await smtp?.close();
});

function fields(over: Record<string, string> = {}): FormData {
  return form({
    host: '127.0.0.1',
    port: String(smtp.port),
    security: 'none',
    user: 'relay',
    password: PASSWORD,
    from: 'burnrate@example.com',
    reportRecipients: 'finance@example.com; lead@example.com, finance@example.com',
    monthlyReport: 'on',
    ...over,
  });
}

describe('saveMailSettings', () => {
  it('stores the password encrypted, never shows or records it, and keeps it when the field is left blank', async () => {
    const save = as(admin, saveMailSettings);
    expect(expectSuccess(await save(IDLE, fields())).message).toBe('Saved. The monthly report goes to 2 recipients.');
    const [row] = await sql<{ password: string; report_recipients: string[] }>(
      url,
      'SELECT password, report_recipients FROM smtp_settings',
    );
    expect(row?.password).toMatch(/^v1:/);
    expect(row?.password).not.toContain(PASSWORD);
    expect(row?.report_recipients).toEqual(['finance@example.com', 'lead@example.com']);
    const view = await mailSettingsView();
    expect(view).toMatchObject({ host: '127.0.0.1', user: 'relay', passwordStored: true, passwordReadable: true });
    expect(JSON.stringify(view)).not.toContain(PASSWORD);

    expectSuccess(await save(IDLE, fields({ password: '', port: String(smtp.port), from: 'reports@example.com' })));
    expect((await loadMailSettings())?.password).toBe(PASSWORD);

    const lines = await sql<{ detail: { changed: string[] }; before: unknown; after: Record<string, unknown> }>(
      url,
      `SELECT detail, before, after FROM audit_log WHERE action = 'settings.update' AND object_id = 'email' ORDER BY id`,
    );
    expect(lines.map((l) => l.detail.changed)).toEqual([
      ['host', 'port', 'security', 'user', 'from', 'reportRecipients', 'monthlyReport', 'password'],
      ['from'],
    ]);
    expect(JSON.stringify(lines)).not.toContain(PASSWORD);
  });

  it('refuses a blank password when the host or the user name changed, and a password without a user name', async () => {
    const save = as(admin, saveMailSettings);
    const moved = expectError(await save(IDLE, fields({ password: '', host: 'smtp.example.com' })));
    expect(moved.fieldErrors.password).toEqual(['enter it again: the host or user name changed']);
    const renamed = expectError(await save(IDLE, fields({ password: '', user: 'other' })));
    expect(renamed.fieldErrors.password).toEqual(['enter it again: the host or user name changed']);
    const orphan = expectError(await save(IDLE, fields({ user: '' })));
    expect(orphan.fieldErrors.user).toEqual(['required with a password']);
    expect((await loadMailSettings())?.host).toBe('127.0.0.1');
  });

  it('refuses an invalid host, port, security or address next to its field', async () => {
    const bad = expectError(
      await as(admin, saveMailSettings)(
        IDLE,
        fields({
          host: 'smtp://x.example.com:25',
          port: '70000',
          security: 'ssl',
          from: 'not-mail',
          reportRecipients: 'a@example.com, nope',
        }),
      ),
    );
    expect(Object.keys(bad.fieldErrors).sort()).toEqual(['from', 'host', 'port', 'reportRecipients.1', 'security']);
  });
});

describe('sendTestEmail', () => {
  it('sends one message through the saved settings and records it', async () => {
    const ok = expectSuccess(await as(admin, sendTestEmail)(IDLE, form({ to: 'me@example.com' })));
    expect(ok.message).toBe('Sent to me@example.com. Check that it arrived.');
    const mail = smtp.messages.at(-1);
    expect(mail).toMatchObject({ to: ['me@example.com'], user: 'relay', from: 'reports@example.com' });
    expect(mail?.parsed.subject).toBe('Burnrate test email');
    const [line] = await sql<{ outcome: string; detail: Record<string, string> }>(
      url,
      `SELECT outcome, detail FROM audit_log WHERE action = 'settings.email_test' ORDER BY id DESC LIMIT 1`,
    );
    expect(line).toEqual({ outcome: 'ok', detail: { to: 'me@example.com', messageId: mail?.parsed.messageId } });
  });

  it('shows the server’s refusal of a wrong password, without the password, and records the failed attempt', async () => {
    const wrong = 'definitely-wrong-pw';
    expectSuccess(await as(admin, saveMailSettings)(IDLE, fields({ password: wrong })));
    const before = smtp.messages.length;
    const error = expectError(await as(admin, sendTestEmail)(IDLE, form({ to: 'me@example.com' })));
    expect(error.message).toMatch(/^The SMTP server 127\.0\.0\.1:\d+ refused the user name or password for relay\. The server said: 535/);
    expect(error.message).not.toContain(wrong);
    expect(smtp.messages.length).toBe(before);
    const [line] = await sql<{ outcome: string; detail: { message: string } }>(
      url,
      `SELECT outcome, detail FROM audit_log WHERE action = 'settings.email_test' ORDER BY id DESC LIMIT 1`,
    );
    expect(line).toEqual({ outcome: 'failed', detail: { message: error.message } });
  });
});
