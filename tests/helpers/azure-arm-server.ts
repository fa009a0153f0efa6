// A loopback HTTPS server speaking what the Azure SDKs call for an inventory sync:
// - Microsoft Entra ID's OpenID configuration and v2.0 token endpoint (client credentials grant,
//   the AADSTS errors for a wrong or expired secret), as MSAL (through @azure/identity) calls them;
// - Azure Resource Manager list operations ({ value, nextLink } pages, CloudError bodies) and
//   Microsoft.Insights/metrics (Metrics - List).
// Bearer tokens are checked on every ARM call. Failures can be injected (429 with Retry-After,
// 404, 403). The certificate is self-signed for 127.0.0.1 by the openssl command line, made fresh
// for each server; clients trust it through the connector's `ca` option.

import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface ArmRecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorized: boolean;
}

export interface ArmInjectedFailure {
  status: number;
  path: RegExp;
  /** How many matching requests fail (default 1). */
  times?: number;
  retryAfter?: string;
  code?: string;
  message?: string;
}

/** Metrics - List answer for one resource (lower-cased id) and namespace ('' = the resource's own). */
export type MetricsHandler = (query: Record<string, string>) => unknown;

export interface AzureArmServer {
  /** https://127.0.0.1:PORT, both the ARM endpoint and the authority host. */
  endpoint: string;
  /** PEM of the self-signed certificate. */
  ca: string;
  tenantId: string;
  clientId: string;
  /** The secret the token endpoint accepts; `expiredSecret` gets AADSTS7000222. */
  clientSecret: string;
  expiredSecret: string;
  /** Items of each ARM list path (e.g. /subscriptions/S/providers/Microsoft.Compute/disks), served in pages. */
  lists: Map<string, unknown[]>;
  pageSize: number;
  /** Key: `${resourceId.toLowerCase()}|${namespace ?? ''}`. */
  metrics: Map<string, MetricsHandler>;
  fail(failure: ArmInjectedFailure): void;
  requests: ArmRecordedRequest[];
  tokenRequests: Record<string, string>[];
  stop(): Promise<void>;
}

function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'burnrate-arm-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'pipe' },
    );
    return { key: readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startAzureArmServer(): Promise<AzureArmServer> {
  const { key, cert } = selfSignedCertificate();
  const tenantId = randomUUID();
  const clientId = randomUUID();
  const clientSecret = `test-secret-${randomUUID()}`;
  const expiredSecret = `expired-secret-${randomUUID()}`;
  const tokens = new Set<string>();
  const failures: ArmInjectedFailure[] = [];
  const requests: ArmRecordedRequest[] = [];
  const tokenRequests: Record<string, string>[] = [];
  const lists = new Map<string, unknown[]>();
  const metrics = new Map<string, MetricsHandler>();
  const state = { pageSize: 2 };
  let endpoint = '';

  const server = https.createServer({ key, cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', endpoint);
      const query = Object.fromEntries(url.searchParams);
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
        res.end(JSON.stringify(body));
      };
      const cloudError = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
        send(status, { error: { code, message } }, headers);

      // -- Microsoft Entra ID -------------------------------------------------------------------
      if (url.pathname.endsWith('/.well-known/openid-configuration')) {
        const t = url.pathname.split('/')[1];
        send(200, {
          token_endpoint: `${endpoint}/${t}/oauth2/v2.0/token`,
          authorization_endpoint: `${endpoint}/${t}/oauth2/v2.0/authorize`,
          end_session_endpoint: `${endpoint}/${t}/oauth2/v2.0/logout`,
          issuer: `${endpoint}/${t}/v2.0`,
          jwks_uri: `${endpoint}/${t}/discovery/v2.0/keys`,
          response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
          token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        });
        return;
      }
      const tokenPath = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname);
      if (tokenPath && req.method === 'POST') {
        const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
        tokenRequests.push(form);
        if (tokenPath[1] !== tenantId) {
          send(400, {
            error: 'invalid_request',
            error_description: `AADSTS90002: Tenant '${tokenPath[1]}' not found.`,
            error_codes: [90002],
          });
          return;
        }
        if (form.grant_type !== 'client_credentials' || form.client_id !== clientId) {
          send(400, {
            error: 'unauthorized_client',
            error_description: `AADSTS700016: Application with identifier '${form.client_id}' was not found in the directory.`,
            error_codes: [700016],
          });
          return;
        }
        if (form.client_secret === expiredSecret) {
          send(401, {
            error: 'invalid_client',
            error_description: `AADSTS7000222: The provided client secret keys for app '${clientId}' are expired. Visit the Azure portal to create new keys for your app.`,
            error_codes: [7000222],
          });
          return;
        }
        if (form.client_secret !== clientSecret) {
          send(401, {
            error: 'invalid_client',
            error_description: `AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
            error_codes: [7000215],
          });
          return;
        }
        const token = `arm-token-${randomUUID()}`;
        tokens.add(token);
        send(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: token });
        return;
      }

      // -- Azure Resource Manager ---------------------------------------------------------------
      const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
      const authorized = bearer !== undefined && tokens.has(bearer);
      requests.push({ method: req.method ?? 'GET', path: url.pathname, query, authorized });
      if (!authorized) {
        cloudError(401, 'InvalidAuthenticationToken', 'The access token is invalid.');
        return;
      }
      const i = failures.findIndex((f) => f.path.test(url.pathname));
      if (i >= 0) {
        const f = failures[i] as ArmInjectedFailure;
        if ((f.times ?? 1) <= 1) failures.splice(i, 1);
        else failures[i] = { ...f, times: (f.times ?? 1) - 1 };
        cloudError(
          f.status,
          f.code ?? 'InjectedFailure',
          f.message ?? `Injected failure (HTTP ${f.status})`,
          f.retryAfter ? { 'retry-after': f.retryAfter } : {},
        );
        return;
      }
      const metricsPath = /^\/(.+)\/providers\/Microsoft\.Insights\/metrics$/i.exec(url.pathname);
      if (metricsPath && req.method === 'GET') {
        const resource = `/${decodeURIComponent(metricsPath[1] as string)}`.toLowerCase();
        const handler = metrics.get(`${resource}|${(query.metricnamespace ?? '').toLowerCase()}`);
        if (handler) {
          send(200, handler(query));
          return;
        }
        if (!metrics.has(`${resource}|`)) {
          cloudError(404, 'ResourceNotFound', `The Resource '${resource}' was not found.`);
          return;
        }
        cloudError(
          400,
          'BadRequest',
          `Failed to find metric configuration for provider: ${query.metricnamespace}, resource Id: ${resource}.`,
        );
        return;
      }
      const items = lists.get(url.pathname);
      if (items && req.method === 'GET') {
        const skip = Number(query.$skiptoken ?? 0);
        const page = items.slice(skip, skip + state.pageSize);
        const next = skip + state.pageSize < items.length ? new URL(url.toString()) : null;
        next?.searchParams.set('$skiptoken', String(skip + state.pageSize));
        send(200, next ? { value: page, nextLink: next.toString() } : { value: page });
        return;
      }
      cloudError(404, 'NotFound', `No route for ${req.method} ${url.pathname}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    endpoint,
    ca: cert,
    tenantId,
    clientId,
    clientSecret,
    expiredSecret,
    lists,
    get pageSize() {
      return state.pageSize;
    },
    set pageSize(n: number) {
      state.pageSize = n;
    },
    metrics,
    fail: (f) => failures.push(f),
    requests,
    tokenRequests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
