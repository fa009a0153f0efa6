import type { z } from 'zod';

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
