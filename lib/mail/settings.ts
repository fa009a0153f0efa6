/**
 * The SMTP server Burnrate sends mail through, saved by an admin on /settings/email (one row,
 * migration 0019), and who receives the monthly report. The password is stored as lib/secrets.ts
 * encryptSecret's ciphertext, like the single sign-on client secret, and never sent back to the
 * browser: a blank password field keeps the stored one, unless the host or user name changed
 * (a stored password is only ever sent to the server and account it was entered for).
 */
import type pg from 'pg';
import { z } from 'zod';
import { getPool } from '../db/pool';
import { decryptSecret, encryptSecret } from '../secrets';

export const SMTP_SECURITY = ['none', 'starttls', 'tls'] as const;
export type SmtpSecurity = (typeof SMTP_SECURITY)[number];

/** What the transport needs (lib/mail/send.ts); the password in clear, in memory only. */
export interface SmtpConfig {
  host: string;
  port: number;
  security: SmtpSecurity;
  /** null: no authentication. */
  user: string | null;
  password: string | null;
  from: string;
}

export interface MailSettings extends SmtpConfig {
  reportRecipients: string[];
  monthlyReport: boolean;
}

export class MailSettingsError extends Error {
  constructor(
    message: string,
    readonly fieldErrors: Record<string, string[]> = {},
  ) {
    super(message);
    this.name = 'MailSettingsError';
  }
}

// A host name or an IPv4/IPv6 literal; no scheme, port or path (the port has its own field).
const HOST =
  /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^\[?[0-9A-Fa-f:.]+\]?$/;
const EMAIL = z.email({ error: 'not an email address' });

/** "a@example.com, b@example.com" (commas, semicolons, spaces or new lines) → a list without duplicates. */
export const EmailListSchema = z
  .string()
  .transform((v) => [
    ...new Set(
      v
        .split(/[\s,;]+/)
        .map((d) => d.trim())
        .filter((d) => d !== ''),
    ),
  ])
  .pipe(z.array(EMAIL).max(50, 'at most 50 recipients'));

const FlagSchema = z
  .enum(['0', '1', 'true', 'false', 'on', ''], { error: 'must be 1 or 0' })
  .default('0')
  .transform((v) => v === '1' || v === 'true' || v === 'on');

export const MailSettingsFormSchema = z.object({
  host: z
    .string()
    .trim()
    .min(1, 'required')
    .max(253, 'at most 253 characters')
    .regex(HOST, 'a host name or address only, e.g. smtp.example.com (no smtp://, no port)'),
  port: z.coerce.number({ error: 'a number' }).int('a whole number').min(1, 'from 1 to 65535').max(65535, 'from 1 to 65535'),
  security: z.enum(SMTP_SECURITY, { error: 'none, starttls or tls' }),
  user: z.string().trim().max(320, 'at most 320 characters').default(''),
  password: z.string().max(1000, 'at most 1000 characters').default(''),
  from: z.string().trim().min(1, 'required').pipe(EMAIL),
  reportRecipients: EmailListSchema.default([]),
  monthlyReport: FlagSchema,
});
export type MailSettingsForm = z.output<typeof MailSettingsFormSchema>;

/** "Send a test email": one address. */
export const TestEmailFormSchema = z.object({ to: z.string().trim().min(1, 'required').pipe(EMAIL) });

interface Row {
  host: string;
  port: number;
  security: SmtpSecurity;
  username: string | null;
  password: string | null;
  from_address: string;
  report_recipients: string[];
  monthly_report: boolean;
  updated_at: Date;
  updated_by: string | null;
}

type Db = pg.Pool | pg.PoolClient;

async function storedRow(db: Db, forUpdate = false): Promise<Row | null> {
  const { rows } = await db.query<Row>(`SELECT * FROM smtp_settings WHERE id${forUpdate ? ' FOR UPDATE' : ''}`);
  return rows[0] ?? null;
}

/** The saved settings with the password decrypted, or null when none are saved. Throws SecretKeyError when the password cannot be decrypted. */
export async function loadMailSettings(db: Db = getPool()): Promise<MailSettings | null> {
  const row = await storedRow(db);
  if (!row) return null;
  return {
    host: row.host,
    port: row.port,
    security: row.security,
    user: row.username,
    password: row.password === null ? null : decryptSecret(row.password),
    from: row.from_address,
    reportRecipients: row.report_recipients,
    monthlyReport: row.monthly_report,
  };
}

/** What /settings/email shows: never the password, only whether one is stored and readable. */
export interface MailSettingsView {
  host: string;
  port: number;
  security: SmtpSecurity;
  user: string | null;
  passwordStored: boolean;
  passwordReadable: boolean;
  from: string;
  reportRecipients: string[];
  monthlyReport: boolean;
  updatedAt: Date;
  updatedBy: string | null;
}

export async function mailSettingsView(db: Db = getPool()): Promise<MailSettingsView | null> {
  const row = await storedRow(db);
  if (!row) return null;
  let passwordReadable = false;
  if (row.password !== null) {
    try {
      decryptSecret(row.password);
      passwordReadable = true;
    } catch {
      // Shown as "stored, but unreadable with the current key: enter it again".
      passwordReadable = false;
    }
  }
  return {
    host: row.host,
    port: row.port,
    security: row.security,
    user: row.username,
    passwordStored: row.password !== null,
    passwordReadable,
    from: row.from_address,
    reportRecipients: row.report_recipients,
    monthlyReport: row.monthly_report,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  };
}

export interface MailSettingsChange {
  before: Record<string, unknown> | null;
  after: Record<string, unknown>;
  /** Field names; 'password' by name only when a new one was entered or it was removed. */
  changed: string[];
}

function auditable(v: {
  host: string;
  port: number;
  security: string;
  user: string | null;
  from: string;
  reportRecipients: string[];
  monthlyReport: boolean;
}): Record<string, unknown> {
  return {
    host: v.host,
    port: v.port,
    security: v.security,
    user: v.user,
    from: v.from,
    reportRecipients: v.reportRecipients,
    monthlyReport: v.monthlyReport,
  };
}

/**
 * Saves the page's settings in the caller's transaction (its audit line commits with them). A
 * blank password keeps the stored one when host and user are unchanged; with no user name there
 * is no password (the server is used without authentication).
 */
export async function saveMailSettings(input: MailSettingsForm, updatedBy: string, db: Db = getPool()): Promise<MailSettingsChange> {
  const row = await storedRow(db, true);
  const user = input.user === '' ? null : input.user;
  const typed = input.password;
  let password: string | null;
  if (user === null) {
    if (typed !== '') throw new MailSettingsError('A password needs a user name.', { user: ['required with a password'] });
    password = null;
  } else if (typed !== '') {
    password = encryptSecret(typed);
  } else if (row?.password && row.host === input.host && row.username === user) {
    password = row.password;
  } else if (row?.password) {
    throw new MailSettingsError(
      'Enter the password again: the host or user name changed, and the stored password is only sent to the server and account it was saved for.',
      { password: ['enter it again: the host or user name changed'] },
    );
  } else {
    throw new MailSettingsError('Enter the password for this user name.', { password: ['required with a user name'] });
  }
  await db.query(
    `INSERT INTO smtp_settings (id, host, port, security, username, password, from_address, report_recipients, monthly_report, updated_at, updated_by)
     VALUES (true, $1, $2, $3, $4, $5, $6, $7, $8, now(), $9)
     ON CONFLICT (id) DO UPDATE SET host = $1, port = $2, security = $3, username = $4, password = $5, from_address = $6,
       report_recipients = $7, monthly_report = $8, updated_at = now(), updated_by = $9`,
    [input.host, input.port, input.security, user, password, input.from, input.reportRecipients, input.monthlyReport, updatedBy],
  );
  const before = row
    ? auditable({
        host: row.host,
        port: row.port,
        security: row.security,
        user: row.username,
        from: row.from_address,
        reportRecipients: row.report_recipients,
        monthlyReport: row.monthly_report,
      })
    : null;
  const after = auditable({ ...input, user });
  const changed = Object.keys(after).filter((k) => JSON.stringify(before?.[k]) !== JSON.stringify(after[k]));
  if (typed !== '' || (row?.password && password === null)) changed.push('password');
  return { before, after, changed };
}
