// SigV4 (AWS Signature Version 4) checked the way AWS services do, for the local AWS test servers
// (Cost Explorer, the inventory's EC2/ELB/CloudWatch/STS). Each service answers a failure with its
// own error code, so this says which check failed and the server names it.
import { createHash, createHmac } from 'node:crypto';
import type http from 'node:http';

export type SigV4Failure = 'missing' | 'incomplete' | 'unknown-key' | 'wrong-scope' | 'bad-signature';

/** The error codes the JSON-protocol services (Cost Explorer, the Price List API, …) answer a failed check with. */
export const JSON_SERVICE_SIGV4_CODES: Readonly<Record<SigV4Failure, string>> = {
  missing: 'MissingAuthenticationTokenException',
  incomplete: 'IncompleteSignatureException',
  'unknown-key': 'UnrecognizedClientException',
  'wrong-scope': 'InvalidSignatureException',
  'bad-signature': 'InvalidSignatureException',
};

export class SigV4Error extends Error {
  constructor(
    readonly failure: SigV4Failure,
    message: string,
  ) {
    super(message);
  }
}

const AUTH_HEADER =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;

function header(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/**
 * Returns the access key id, region and service of a correctly signed request for one of
 * `services` (and `region` when given), or throws a SigV4Error saying which check failed.
 */
export function verifySigV4(
  req: http.IncomingMessage,
  body: Buffer,
  credentials: { accessKeyId: string; secretAccessKey: string },
  expected: { services: readonly string[]; region?: string },
): { accessKeyId: string; region: string; service: string } {
  const authorization = header(req, 'authorization');
  if (!authorization) throw new SigV4Error('missing', 'Missing Authentication Token');
  const m = AUTH_HEADER.exec(authorization);
  if (!m) throw new SigV4Error('incomplete', 'Authorization header requires Credential, SignedHeaders and Signature');
  const [, accessKeyId = '', date = '', scopeRegion = '', service = '', signedHeaders = '', signature = ''] = m;
  if (accessKeyId !== credentials.accessKeyId)
    throw new SigV4Error('unknown-key', 'The security token included in the request is invalid.');
  if (!expected.services.includes(service))
    throw new SigV4Error('wrong-scope', `Credential should be scoped to correct service: '${expected.services.join("' or '")}'.`);
  if (expected.region !== undefined && scopeRegion !== expected.region) {
    throw new SigV4Error('wrong-scope', `Credential should be scoped to a valid region, not '${scopeRegion}'.`);
  }
  const amzDate = header(req, 'x-amz-date') ?? '';
  if (!amzDate.startsWith(date)) throw new SigV4Error('bad-signature', 'Date in Credential scope does not match YYYYMMDD from X-Amz-Date');
  const names = signedHeaders.split(';');
  if (!names.includes('host') || !names.includes('x-amz-date')) {
    throw new SigV4Error('bad-signature', 'The host and x-amz-date headers must be signed');
  }
  const canonicalHeaders = names.map((n) => `${n}:${(header(req, n) ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const url = new URL(req.url ?? '/', 'http://localhost');
  const canonicalQuery = [...url.searchParams]
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .sort()
    .join('&');
  const canonicalRequest = [req.method, url.pathname, canonicalQuery, canonicalHeaders, signedHeaders, sha256Hex(body)].join('\n');
  const scope = `${date}/${scopeRegion}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(Buffer.from(canonicalRequest))].join('\n');
  let key = hmac(Buffer.from(`AWS4${credentials.secretAccessKey}`), date);
  for (const part of [scopeRegion, service, 'aws4_request']) key = hmac(key, part);
  const computed = createHmac('sha256', key).update(stringToSign).digest('hex');
  if (computed !== signature) {
    throw new SigV4Error(
      'bad-signature',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  return { accessKeyId, region: scopeRegion, service };
}

function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}
