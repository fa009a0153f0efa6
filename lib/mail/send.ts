/**
 * Sending mail through the saved SMTP server with nodemailer. A failure becomes a MailError whose
 * message names the problem an admin can fix (refused password, refused connection, TLS setting
 * that does not match the port, untrusted certificate, unknown host, timeout) with the server's
 * own reply where it gave one; the password is never part of it (nodemailer's errors carry the
 * server's reply, never the credentials, and nothing here adds them).
 *
 * Security settings: 'tls' speaks TLS from the first byte (port 465); 'starttls' requires the
 * upgrade and refuses to send (and to authenticate) without it; 'none' never upgrades and sends
 * the password, if any, in clear: for a relay on the same host or network only. Certificates are
 * always verified against the system's roots.
 */
import nodemailer from 'nodemailer';
import type { SmtpConfig } from './settings';

export type MailErrorKind = 'auth' | 'connection' | 'tls' | 'certificate' | 'dns' | 'timeout' | 'recipients' | 'other';

export class MailError extends Error {
  constructor(
    message: string,
    readonly kind: MailErrorKind,
  ) {
    super(message);
    this.name = 'MailError';
  }
}

export interface MailAttachment {
  filename: string;
  content: Buffer;
  contentType: string;
}

export interface MailMessage {
  to: readonly string[];
  subject: string;
  text: string;
  attachments?: readonly MailAttachment[];
}

export interface SentMail {
  messageId: string;
  accepted: string[];
  rejected: string[];
}

export interface TransportOptions {
  /** Extra trusted CA certificates (PEM): a private CA; the tests' loopback server. */
  ca?: string | Buffer;
  /** Seconds to wait for the connection and each reply; default 30. */
  timeoutSeconds?: number;
}

function transport(config: SmtpConfig, options: TransportOptions) {
  const ms = (options.timeoutSeconds ?? 30) * 1000;
  return nodemailer.createTransport({
    host: config.host,
    port: config.port,
    secure: config.security === 'tls',
    requireTLS: config.security === 'starttls',
    ignoreTLS: config.security === 'none',
    auth: config.user === null ? undefined : { user: config.user, pass: config.password ?? '' },
    connectionTimeout: ms,
    greetingTimeout: ms,
    socketTimeout: ms,
    tls: { rejectUnauthorized: true, ...(options.ca ? { ca: options.ca } : {}) },
    disableFileAccess: true,
    disableUrlAccess: true,
  });
}

interface NodemailerError extends Error {
  code?: string;
  response?: string;
  responseCode?: number;
  command?: string;
  cause?: unknown;
}

const CERTIFICATE_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS_CERT_ALTNAME/;

/** nodemailer's error as a MailError an admin can act on. Exported for the tests' table of cases. */
export function describeMailError(error: unknown, config: SmtpConfig): MailError {
  const e = (error instanceof Error ? error : new Error(String(error))) as NodemailerError;
  const where = `${config.host}:${config.port}`;
  const reply = e.response ? ` The server said: ${e.response.trim().slice(0, 300)}` : '';
  const text = `${e.code ?? ''} ${e.message} ${(e.cause as Error | undefined)?.message ?? ''}`;
  const causeCode = (e.cause as { code?: string } | undefined)?.code ?? '';
  if (e.code === 'EAUTH') {
    return new MailError(`The SMTP server ${where} refused the user name or password for ${config.user ?? '(none)'}.${reply}`, 'auth');
  }
  if (e.code === 'ENOAUTH') return new MailError(`The SMTP server ${where} requires a user name and password.${reply}`, 'auth');
  if (CERTIFICATE_CODES.test(causeCode) || CERTIFICATE_CODES.test(text) || /certificate/i.test(text)) {
    return new MailError(
      `The TLS certificate of ${where} is not trusted (${causeCode || e.message}). Use the server's real host name, or a certificate from a trusted authority.`,
      'certificate',
    );
  }
  if (/wrong version number|packet length too long|unknown protocol|ERR_SSL/i.test(text)) {
    return new MailError(
      `TLS failed with ${where}: the server does not speak TLS from the first byte on this port. Choose STARTTLS (usually port 587) or none.`,
      'tls',
    );
  }
  if (e.code === 'ETLS' || /STARTTLS/i.test(text)) {
    return new MailError(
      `TLS failed with ${where}: ${config.security === 'starttls' ? 'the server does not offer STARTTLS. Choose TLS (usually port 465) if it expects TLS from the first byte, or none for a plain relay.' : e.message}${reply}`,
      'tls',
    );
  }
  if (/ECONNREFUSED/.test(text) || causeCode === 'ECONNREFUSED') {
    return new MailError(`The connection to ${where} was refused: no SMTP server listens there. Check the host and port.`, 'connection');
  }
  if (e.code === 'EDNS' || /ENOTFOUND|EAI_AGAIN/.test(text))
    return new MailError(`The host name ${config.host} cannot be resolved.`, 'dns');
  if (e.code === 'ETIMEDOUT' || /ETIMEDOUT|timed? ?out/i.test(text)) {
    return new MailError(`${where} did not answer in time. Check the host, the port and any firewall between.`, 'timeout');
  }
  if (e.code === 'EENVELOPE') return new MailError(`The SMTP server ${where} refused the sender or the recipients.${reply}`, 'recipients');
  if (e.code === 'ECONNECTION' || e.code === 'ESOCKET') {
    return new MailError(
      `The connection to ${where} failed: ${e.message}. Check the TLS setting: TLS for port 465, STARTTLS for 587.`,
      'connection',
    );
  }
  return new MailError(`Sending through ${where} failed: ${e.message}${reply}`, 'other');
}

/** Sends one message; resolves with the server's message id, or rejects with a MailError. */
export async function sendMail(config: SmtpConfig, message: MailMessage, options: TransportOptions = {}): Promise<SentMail> {
  if (message.to.length === 0) throw new MailError('There is no recipient to send to.', 'recipients');
  const t = transport(config, options);
  try {
    const info = await t.sendMail({
      from: config.from,
      to: [...message.to],
      subject: message.subject,
      text: message.text,
      attachments: (message.attachments ?? []).map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
    });
    const addresses = (list: unknown[] | undefined) =>
      (list ?? []).map((a) => (typeof a === 'string' ? a : (a as { address: string }).address));
    const rejected = addresses(info.rejected);
    if (rejected.length > 0 && addresses(info.accepted).length === 0) {
      throw new MailError(`The SMTP server refused every recipient: ${rejected.join(', ')}.`, 'recipients');
    }
    return { messageId: info.messageId, accepted: addresses(info.accepted), rejected };
  } catch (error) {
    if (error instanceof MailError) throw error;
    throw describeMailError(error, config);
  } finally {
    t.close();
  }
}

/** Connects, upgrades and authenticates as a send would, without sending; rejects with a MailError. */
export async function verifySmtp(config: SmtpConfig, options: TransportOptions = {}): Promise<void> {
  const t = transport(config, options);
  try {
    await t.verify();
  } catch (error) {
    throw describeMailError(error, config);
  } finally {
    t.close();
  }
}
