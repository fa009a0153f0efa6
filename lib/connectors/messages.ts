import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { ConnectorError } from './types';

/** What the AWS SDK v3 puts on the errors it throws (S3 also reports the service's `Code`). */
export interface SdkErrorShape {
  name?: string;
  message?: string;
  Code?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number; attempts?: number };
  $retryable?: { throttling?: boolean };
}

/** Shared wording for connector errors. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Zod issues as "path: rule; …" — paths and rules only, never the (possibly secret) values. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
}

const AWS_KEY_ID = /\b(?:AKIA|ASIA|AROA|AIDA|AGPA|ANPA|ANVA|AIPA)[A-Z0-9]{12,}\b/g;

/** Removes AWS access key ids and the configured secrets from a message before it is stored or shown. */
export function redactAwsSecrets(message: string, secrets: readonly string[]): string {
  let out = message.replace(AWS_KEY_ID, '[redacted]');
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}

/** Socket-level error codes: the endpoint could not be reached, worth retrying later. */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** The service's error code on an SDK error: S3's (and EC2's) `Code`, else the error's name when it is one. */
export function sdkErrorCode(e: SdkErrorShape): string | undefined {
  return e.Code ?? (e.name && e.name !== 'Error' && e.name !== 'Unknown' ? e.name : undefined);
}

/**
 * Whether an SDK error is the endpoint not being reached: a socket error code on the error or as
 * its service code, or a timeout (the SDK's own, or the service's RequestTimeout).
 */
export function isSdkUnreachable(e: SdkErrorShape, code: string | undefined): boolean {
  return (
    (e.code !== undefined && NETWORK_ERROR_CODES.has(e.code)) ||
    code === 'TimeoutError' ||
    code === 'RequestTimeout' ||
    (code !== undefined && NETWORK_ERROR_CODES.has(code))
  );
}

/** TLS failures: their messages name the host and the names on its certificate. */
const TLS_ERROR_CODE = /^(?:CERT_|ERR_TLS_|ERR_SSL_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|HOSTNAME_MISMATCH$)/;

/**
 * Whether an error is the endpoint not answering or not answering properly: a connector's NETWORK
 * failure, or a socket, DNS, timeout or TLS error (looked for along `cause`). Its text names hosts,
 * ports and what answers there, so it is not shown as it is (`unreachableEndpoint`).
 */
export function isNetworkFailure(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && e instanceof Error; depth++) {
    if (e instanceof ConnectorError) return e.code === 'NETWORK';
    if (e.name === 'TimeoutError') return true;
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && (NETWORK_ERROR_CODES.has(code) || TLS_ERROR_CODE.test(code))) return true;
    e = e.cause;
  }
  return false;
}

/**
 * The one generic text for a connector endpoint that could not be reached, shown by Test
 * connection and stored as a sync's error: "connection refused", "no answer", "host not found", a
 * certificate's names or an internal server's reply would tell whoever reads it which internal
 * hosts and ports exist. The cause goes to the server log under the ref the text carries.
 */
export function unreachableEndpoint(context: string, detail: string): string {
  const ref = randomUUID().slice(0, 8);
  console.error(`[burnrate] ${context}: could not reach the endpoint (ref ${ref}): ${detail}`);
  return `could not reach the endpoint (ref ${ref}; the cause is in the server log). Check the endpoint and the network path to it.`;
}
