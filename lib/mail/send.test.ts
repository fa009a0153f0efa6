// sendMail and verifySmtp against a real SMTP server on loopback (tests/helpers/smtp-server.ts):
// what arrives, and the errors an admin sees for a wrong password, a refused connection, TLS
// settings that do not match the server, and an untrusted certificate; none carries the password.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoopbackSmtp, makeCertificate, startSmtpServer, type TestCertificate } from '../../tests/helpers/smtp-server';
import { removeTempDirs } from '../../tests/helpers/temp-dir';
import { MailError, sendMail, verifySmtp } from './send';
import type { SmtpConfig } from './settings';

const PASSWORD = 'correct horse battery staple';
let plain: LoopbackSmtp;
let starttls: LoopbackSmtp;
let implicitTls: LoopbackSmtp;
let untrusted: LoopbackSmtp;
let certificate: TestCertificate;

beforeAll(async () => {
  certificate = await makeCertificate();
  plain = await startSmtpServer({ user: 'burnrate', password: PASSWORD });
  starttls = await startSmtpServer({ user: 'burnrate', password: PASSWORD, mode: 'starttls', certificate });
  implicitTls = await startSmtpServer({ user: 'burnrate', password: PASSWORD, mode: 'tls', certificate });
  // smtp-server's own built-in certificate, which nothing trusts.
  untrusted = await startSmtpServer({ mode: 'starttls' });
});

afterAll(async () => {
  await Promise.all([plain, starttls, implicitTls, untrusted].map((s) => s?.close()));
  await removeTempDirs();
});

function config(port: number, over: Partial<SmtpConfig> = {}): SmtpConfig {
  return { host: '127.0.0.1', port, security: 'none', user: 'burnrate', password: PASSWORD, from: 'burnrate@example.com', ...over };
}

async function failure(p: Promise<unknown>): Promise<MailError> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MailError);
  const mailError = error as MailError;
  expect(mailError.message).not.toContain(PASSWORD);
  return mailError;
}

describe('sendMail', () => {
  it('delivers a message with its attachments, authenticated', async () => {
    const sent = await sendMail(config(plain.port), {
      to: ['finance@example.com', 'lead@example.com'],
      subject: 'Test: November 2026',
      text: 'Hello',
      attachments: [{ filename: 'a.bin', content: Buffer.from([0, 1, 2, 255]), contentType: 'application/octet-stream' }],
    });
    expect(sent.accepted).toEqual(['finance@example.com', 'lead@example.com']);
    const got = plain.messages.at(-1);
    expect(got).toMatchObject({
      from: 'burnrate@example.com',
      to: ['finance@example.com', 'lead@example.com'],
      user: 'burnrate',
      secure: false,
    });
    expect(got?.parsed.subject).toBe('Test: November 2026');
    expect(got?.parsed.messageId).toBe(sent.messageId);
    expect(got?.parsed.text?.trim()).toBe('Hello');
    const [attachment] = got?.parsed.attachments ?? [];
    expect(attachment?.filename).toBe('a.bin');
    expect(Buffer.from(attachment?.content as ArrayBuffer)).toEqual(Buffer.from([0, 1, 2, 255]));
  });

  it('upgrades with STARTTLS when asked, and speaks TLS from the first byte when asked, verifying the certificate', async () => {
    await sendMail(
      config(starttls.port, { security: 'starttls' }),
      { to: ['a@example.com'], subject: 'starttls', text: '.' },
      { ca: certificate.cert },
    );
    expect(starttls.messages.at(-1)).toMatchObject({ secure: true, user: 'burnrate' });
    await sendMail(
      config(implicitTls.port, { security: 'tls' }),
      { to: ['a@example.com'], subject: 'tls', text: '.' },
      { ca: certificate.cert },
    );
    expect(implicitTls.messages.at(-1)).toMatchObject({ secure: true, user: 'burnrate' });
  });

  it('names a wrong password as such, with the server’s reply and without the password', async () => {
    const before = plain.messages.length;
    const error = await failure(sendMail(config(plain.port, { password: 'wrong' }), { to: ['a@example.com'], subject: 'x', text: 'x' }));
    expect(error.kind).toBe('auth');
    expect(error.message).toMatch(
      /^The SMTP server 127\.0\.0\.1:\d+ refused the user name or password for burnrate\. The server said: 535/,
    );
    expect(plain.messages.length).toBe(before);
  });

  it('names a refused connection', async () => {
    // A port that was free a moment ago: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const error = await failure(verifySmtp(config(port)));
    expect(error.kind).toBe('connection');
    expect(error.message).toBe(`The connection to 127.0.0.1:${port} was refused: no SMTP server listens there. Check the host and port.`);
  });

  it('names TLS settings that do not match the server', async () => {
    const tlsOnPlain = await failure(verifySmtp(config(plain.port, { security: 'tls' })));
    expect(tlsOnPlain.kind).toBe('tls');
    expect(tlsOnPlain.message).toContain('does not speak TLS from the first byte on this port');
    const starttlsOnPlain = await failure(verifySmtp(config(plain.port, { security: 'starttls' })));
    expect(starttlsOnPlain.kind).toBe('tls');
    expect(starttlsOnPlain.message).toContain('the server does not offer STARTTLS');
    // Plain SMTP against a port that expects TLS at once: the server waits for a handshake and the greeting never comes.
    const plainOnTls = await failure(verifySmtp(config(implicitTls.port), { timeoutSeconds: 2 }));
    expect(['timeout', 'connection']).toContain(plainOnTls.kind);
  });

  it('names a certificate nothing trusts', async () => {
    const error = await failure(verifySmtp(config(untrusted.port, { security: 'starttls', user: null, password: null })));
    expect(error.kind).toBe('certificate');
    expect(error.message).toMatch(/^The TLS certificate of 127\.0\.0\.1:\d+ is not trusted/);
  });

  it('refuses a message without recipients before connecting', async () => {
    const error = await failure(sendMail(config(1), { to: [], subject: 'x', text: 'x' }));
    expect(error).toMatchObject({ kind: 'recipients', message: 'There is no recipient to send to.' });
  });
});
