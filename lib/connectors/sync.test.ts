// What a failed sync stores and shows: a network failure (a closed port, a certificate the server
// does not trust) as the one generic text with a ref, its cause only in the server log; any other
// failure as it is. Real S3 connector, real sockets on loopback, real PostgreSQL.

import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { insertSource, sql, useTestDatabase } from '../../tests/helpers/db';
import { freePort } from '../db/embedded';
import { getSyncHistory } from '../queries/sources';
import { createAwsS3Connector } from './aws-s3';
import { syncSource } from './sync';
import { type Connector, ConnectorError } from './types';

const GENERIC =
  /^Could not reach the endpoint \(ref ([0-9a-f]{8}); the cause is in the server log\)\. Check the endpoint and the network path to it\.$/;
const SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

let url: string;
beforeAll(async () => {
  url = await useTestDatabase();
});
afterEach(() => {
  vi.restoreAllMocks();
});

function s3(endpoint: string): Connector {
  return createAwsS3Connector(
    { bucket: 'acme-billing', region: 'us-east-1', exportType: 'cur2', endpoint, forcePathStyle: true },
    { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: SECRET_ACCESS_KEY },
    { maxAttempts: 1 },
  );
}

async function failedSync(name: string, connector: Connector): Promise<{ sourceId: number; thrown: unknown }> {
  const sourceId = await insertSource(url, name, 'aws_s3', { bucket: 'acme-billing', region: 'us-east-1', exportType: 'cur2' });
  const thrown = await syncSource({ sourceId, sourceName: name, connector }).then(
    () => null,
    (e: unknown) => e,
  );
  return { sourceId, thrown };
}

/** The server log line that carries the ref. */
function loggedLine(spy: { mock: { calls: unknown[][] } }, ref: string): string | undefined {
  return spy.mock.calls.map((c) => String(c[0])).find((l) => l.includes(`(ref ${ref})`));
}

describe('a failed sync never names internal hosts or open ports', () => {
  it('a closed loopback port is stored and shown as the generic text; the endpoint and the cause are in the log under its ref', async () => {
    const port = await freePort();
    const logged = vi.spyOn(console, 'error');
    const { sourceId, thrown } = await failedSync('closed-port', s3(`http://127.0.0.1:${port}`));
    // The job still sees the connector's own error, so a network failure is retried.
    expect(thrown).toBeInstanceOf(ConnectorError);
    expect((thrown as ConnectorError).code).toBe('NETWORK');
    expect((thrown as ConnectorError).message).toContain(`127.0.0.1:${port}`);

    const [run] = await sql<{ status: string; error: string }>(url, 'SELECT status, error FROM sync_runs WHERE source_id = $1', [sourceId]);
    expect(run?.status).toBe('failed');
    const ref = GENERIC.exec(run?.error ?? '')?.[1];
    expect(ref, run?.error).toBeDefined();
    expect(run?.error).not.toContain(String(port));
    expect(run?.error).not.toContain('127.0.0.1');
    expect(run?.error).not.toContain('ECONNREFUSED');
    // What the source's page shows (its history and its last error) is that text.
    expect((await getSyncHistory(sourceId)).map((r) => r.error)).toEqual([run?.error]);

    const line = loggedLine(logged, ref as string);
    expect(line).toContain(`sync of closed-port (run `);
    expect(line).toContain(`http://127.0.0.1:${port}`);
    expect(line).toContain('ECONNREFUSED');
    expect(line).not.toContain(SECRET_ACCESS_KEY);
  });

  it('a certificate the server does not trust is stored as the generic text too', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'burnrate-sync-tls-'));
    try {
      // A self-signed certificate for an internal name, made by the openssl CLI.
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-subj',
          '/CN=billing.internal.example',
          '-days',
          '1',
          '-keyout',
          path.join(dir, 'key.pem'),
          '-out',
          path.join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
      const server = createHttpsServer(
        { key: await readFile(path.join(dir, 'key.pem')), cert: await readFile(path.join(dir, 'cert.pem')) },
        (_req, res) => res.end('<never reached/>'),
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as AddressInfo).port;
      try {
        const logged = vi.spyOn(console, 'error');
        const { sourceId } = await failedSync('untrusted-cert', s3(`https://127.0.0.1:${port}`));
        const [run] = await sql<{ error: string }>(url, 'SELECT error FROM sync_runs WHERE source_id = $1', [sourceId]);
        const ref = GENERIC.exec(run?.error ?? '')?.[1];
        expect(ref, run?.error).toBeDefined();
        expect(run?.error).not.toContain(String(port));
        expect(loggedLine(logged, ref as string)).toMatch(/self[- ]signed certificate/i);
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a failure that is not the network (a configuration the cloud refuses) is stored as it is', async () => {
    const refusing: Connector = {
      discover: async () => {
        throw new ConnectorError('AWS S3 acme-billing: access denied (AccessDenied). Grant s3:ListBucket on the bucket.', 'AUTH');
      },
      download: async () => [],
      testConnection: async () => {},
    };
    const { sourceId } = await failedSync('refused', refusing);
    const [run] = await sql<{ error: string }>(url, 'SELECT error FROM sync_runs WHERE source_id = $1', [sourceId]);
    expect(run?.error).toBe('AWS S3 acme-billing: access denied (AccessDenied). Grant s3:ListBucket on the bucket.');
  });
});
