// A real SMTP server on loopback (the smtp-server package) for the mail tests: optional
// authentication (PLAIN/LOGIN against one user and password), plain, STARTTLS or TLS from the
// first byte with a certificate made for the test (openssl; its PEM is the client's `ca`), and
// every accepted message kept with its envelope, parsed by postal-mime (a MIME parser apart from
// nodemailer's composer).
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import PostalMime, { type Email } from 'postal-mime';
import { SMTPServer } from 'smtp-server';
import { tempDir } from './temp-dir';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The user the client authenticated as; null without authentication. */
  user: string | null;
  /** Whether the session was encrypted (TLS or STARTTLS). */
  secure: boolean;
  raw: Buffer;
  parsed: Email;
}

export interface LoopbackSmtp {
  port: number;
  messages: ReceivedMail[];
  close: () => Promise<void>;
}

export interface TestCertificate {
  key: string;
  cert: string;
}

/** A self-signed certificate for localhost and 127.0.0.1, made with openssl. */
export async function makeCertificate(): Promise<TestCertificate> {
  const dir = await tempDir('burnrate-smtp-cert-');
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  await promisify(execFile)('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '2',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ]);
  return { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8') };
}

export interface SmtpServerOptions {
  /** With both, the server requires authentication with exactly these. */
  user?: string;
  password?: string;
  /** 'plain': no TLS at all; 'starttls': offered; 'tls': TLS from the first byte. Default 'plain'. */
  mode?: 'plain' | 'starttls' | 'tls';
  /** For 'starttls' and 'tls'; default: smtp-server's built-in self-signed certificate. */
  certificate?: TestCertificate;
}

export async function startSmtpServer(options: SmtpServerOptions = {}): Promise<LoopbackSmtp> {
  const messages: ReceivedMail[] = [];
  const mode = options.mode ?? 'plain';
  const auth = options.user !== undefined && options.password !== undefined;
  const server = new SMTPServer({
    secure: mode === 'tls',
    ...(options.certificate ? { key: options.certificate.key, cert: options.certificate.cert } : {}),
    disabledCommands: [...(mode === 'plain' ? ['STARTTLS'] : []), ...(auth ? [] : ['AUTH'])],
    authOptional: !auth,
    // Plain-text AUTH is what a 'none' relay does; the tests cover it on purpose.
    allowInsecureAuth: true,
    logger: false,
    onAuth(credentials, _session, callback) {
      if (credentials.username === options.user && credentials.password === options.password) {
        callback(null, { user: credentials.username });
      } else {
        const error = new Error('Authentication credentials invalid') as Error & { responseCode: number };
        error.responseCode = 535;
        callback(error);
      }
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        PostalMime.parse(raw)
          .then((parsed) => {
            messages.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              user: typeof session.user === 'string' ? session.user : null,
              secure: session.secure,
              raw,
              parsed,
            });
            callback();
          })
          .catch(callback);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  let closed: Promise<void> | null = null;
  return {
    port,
    messages,
    // Once: a test may stop the server to see a refused connection, and its cleanup closes it again.
    close: () => {
      closed ??= new Promise<void>((resolve) => server.close(() => resolve()));
      return closed;
    },
  };
}
