// Link-local and cloud metadata addresses are refused as connector endpoints: literal addresses
// in every spelling a URL accepts, GCP's metadata name without any DNS, and names whose resolution
// includes such an address (the real resolver for `localhost`; for a name that resolves to a
// metadata address, a resolver given to the check, since this machine's DNS cannot be changed).
import { Agent, createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createAwsS3Connector } from './aws-s3';
import { createAzureBlobConnector } from './azure-blob';
import { assertEndpointAllowed, guardedLookup, isMetadataAddress, isMetadataHostname } from './endpoint-guard';
import { ConnectorError } from './types';

const saved = process.env.BURNRATE_ALLOW_METADATA_ENDPOINTS;
afterEach(() => {
  if (saved === undefined) delete process.env.BURNRATE_ALLOW_METADATA_ENDPOINTS;
  else process.env.BURNRATE_ALLOW_METADATA_ENDPOINTS = saved;
});

async function refusal(endpoint: string, lookup?: Parameters<typeof assertEndpointAllowed>[1]): Promise<ConnectorError> {
  try {
    await assertEndpointAllowed(endpoint, lookup);
  } catch (error) {
    if (error instanceof ConnectorError) return error;
    throw error;
  }
  throw new Error(`${endpoint} was allowed`);
}

describe('isMetadataAddress', () => {
  it('covers 169.254.0.0/16, fe80::/10 and fd00:ec2::254, in IPv4-mapped spellings too, and nothing next to them', () => {
    for (const a of ['169.254.169.254', '169.254.0.0', '169.254.255.255', '169.254.170.2', 'fe80::1', 'febf:ffff::1', 'fe80::1%eth0'])
      expect(isMetadataAddress(a), a).toBe(true);
    for (const a of [
      'fd00:ec2::254',
      'fd00:ec2:0:0:0:0:0:254',
      'FD00:EC2::254',
      '[fd00:ec2::254]',
      '::ffff:169.254.169.254',
      '::ffff:a9fe:a9fe',
    ])
      expect(isMetadataAddress(a), a).toBe(true);
    for (const a of [
      '169.253.255.255',
      '169.255.0.0',
      '127.0.0.1',
      '10.0.0.1',
      '::1',
      'fec0::1',
      'fe7f::1',
      'fd00:ec2::253',
      '::ffff:127.0.0.1',
    ])
      expect(isMetadataAddress(a), a).toBe(false);
  });

  it('knows GCP metadata by name, with or without the final dot, in any case', () => {
    expect(isMetadataHostname('metadata.google.internal')).toBe(true);
    expect(isMetadataHostname('METADATA.Google.Internal.')).toBe(true);
    expect(isMetadataHostname('metadata.google.internal.example.com')).toBe(false);
  });
});

describe('assertEndpointAllowed', () => {
  it('refuses literal metadata addresses, also written as one decimal number or in brackets, without a lookup', async () => {
    const noLookup = async (): Promise<never> => {
      throw new Error('looked up');
    };
    for (const endpoint of [
      'http://169.254.169.254/latest/meta-data/',
      'http://2852039166/',
      'http://0xa9.254.169.254/',
      'http://[fd00:ec2::254]/',
      'http://[::ffff:169.254.169.254]:80/',
      'https://[fe80::1]:8443',
      'http://metadata.google.internal/computeMetadata/v1/',
      'http://metadata.google.internal./',
    ]) {
      const error = await refusal(endpoint, noLookup);
      expect(error.code, endpoint).toBe('CONFIG');
      expect(error.message, endpoint).toMatch(/^Burnrate does not send requests to .*BURNRATE_ALLOW_METADATA_ENDPOINTS=1/);
    }
    await expect(assertEndpointAllowed('http://127.0.0.1:9000', noLookup)).resolves.toBeUndefined();
  });

  it('resolves a name and checks every address it resolves to', async () => {
    // The real resolver: localhost is loopback, allowed.
    await expect(assertEndpointAllowed('http://localhost:9000')).resolves.toBeUndefined();
    const twoAddresses = async () => [{ address: '127.0.0.1' }, { address: '169.254.169.254' }];
    expect((await refusal('http://rebind.example:9000', twoAddresses)).message).toBe(
      'Burnrate does not send requests to rebind.example: its name resolves to a link-local or cloud metadata address. Set BURNRATE_ALLOW_METADATA_ENDPOINTS=1 on the server to allow it.',
    );
    const unresolvable = await refusal('http://no-such-host.invalid');
    expect(unresolvable.code).toBe('NETWORK');
    expect(unresolvable.message).toMatch(/^Cannot resolve no-such-host\.invalid \(/);
  });

  it('allows them all with BURNRATE_ALLOW_METADATA_ENDPOINTS=1, and refuses a value that is not a switch', async () => {
    process.env.BURNRATE_ALLOW_METADATA_ENDPOINTS = '1';
    await expect(assertEndpointAllowed('http://169.254.169.254/')).resolves.toBeUndefined();
    await expect(assertEndpointAllowed('http://metadata.google.internal/')).resolves.toBeUndefined();
    process.env.BURNRATE_ALLOW_METADATA_ENDPOINTS = 'yes please';
    await expect(assertEndpointAllowed('http://169.254.169.254/')).rejects.toThrow(/BURNRATE_ALLOW_METADATA_ENDPOINTS/);
  });
});

describe('guardedLookup (connect time)', () => {
  it('lets an agent connect through a name that resolves to loopback, and refuses metadata.google.internal before any DNS', async () => {
    const server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const agent = new Agent({ lookup: guardedLookup });
    try {
      const status = await new Promise<number | undefined>((resolve, reject) => {
        get({ host: 'localhost', family: 4, port, path: '/', agent }, (res) => {
          res.resume();
          resolve(res.statusCode);
        }).on('error', reject);
      });
      expect(status).toBe(200);
      const error = await new Promise<NodeJS.ErrnoException>((resolve, reject) => {
        get({ host: 'metadata.google.internal', port: 80, path: '/', agent }, () => reject(new Error('connected'))).on('error', resolve);
      });
      expect(error.code).toBe('EBURNRATEBLOCKED');
    } finally {
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('the AWS SDK clients connect through guardedLookup', () => {
  it('an S3 connector built without the pre-check (no registry) still never connects to metadata.google.internal', async () => {
    const connector = createAwsS3Connector(
      {
        bucket: 'acme-billing',
        region: 'us-east-1',
        exportType: 'cur2',
        endpoint: 'http://metadata.google.internal',
        forcePathStyle: true,
      },
      { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'not-a-secret' },
      { maxAttempts: 1 },
    );
    const error = await connector.testConnection().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).message).toContain('Burnrate does not send requests to metadata.google.internal');
  });
});

describe('the Azure Blob client connects through guardedLookup', () => {
  it('an Azure connector built without the pre-check (no registry) never connects to metadata.google.internal', async () => {
    const connector = createAzureBlobConnector(
      { accountUrl: 'http://metadata.google.internal/devstoreaccount1', container: 'cost-exports' },
      { kind: 'sasToken', sasToken: 'sv=2024-01-01&sp=rl&sig=not-a-signature' },
      { maxTries: 1 },
    );
    const error = await connector.testConnection().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).message).toContain('Burnrate does not send requests to metadata.google.internal');
  });
});
