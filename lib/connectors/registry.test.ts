import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { encryptSecret } from '../secrets';
import {
  CONNECTOR_KIND_IDS,
  CONNECTOR_KINDS,
  changedCredentialBindings,
  connectorForSource,
  connectorKind,
  connectorKindForms,
} from './registry';
import { ConnectorError } from './types';

const KEY = Buffer.alloc(32, 3);
const HEX_KEY = KEY.toString('hex');

function withSecretKey<T>(value: string | undefined, fn: () => T): T {
  const saved = process.env.BURNRATE_SECRET_KEY;
  if (value === undefined) delete process.env.BURNRATE_SECRET_KEY;
  else process.env.BURNRATE_SECRET_KEY = value;
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env.BURNRATE_SECRET_KEY;
    else process.env.BURNRATE_SECRET_KEY = saved;
  }
}

function thrown(fn: () => unknown): ConnectorError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConnectorError) return error;
    throw error;
  }
  throw new Error('expected a ConnectorError');
}

const S3_CONFIG = { bucket: 'billing-exports', region: 'us-east-1', exportType: 'cur2', prefix: 'cur' };
const AZURE_CONFIG = { accountUrl: 'https://acme.blob.core.windows.net', container: 'exports' };

describe('connector registry', () => {
  it('has the AWS S3, Azure Blob, Cost Explorer and BigQuery kinds; file sources have no entry', () => {
    expect(CONNECTOR_KIND_IDS).toEqual(['aws_s3', 'azure_blob', 'aws_cost_explorer', 'gcp_bigquery']);
    expect(connectorKind('aws_s3')?.provider).toBe('aws');
    expect(connectorKind('azure_blob')?.provider).toBe('azure');
    expect(connectorKind('file')).toBeNull();
    expect(connectorKind('toString')).toBeNull();
  });

  it('generates form fields only for keys its schemas know (a new kind cannot drift from its schema)', () => {
    for (const id of CONNECTOR_KIND_IDS) {
      const kind = CONNECTOR_KINDS[id];
      expect(kind.configSchema).toBeInstanceOf(z.ZodObject);
      const configKeys = Object.keys((kind.configSchema as z.ZodObject).shape);
      for (const f of kind.configFields) expect(configKeys, `${id} config.${f.name}`).toContain(f.name);
      const secretKeys = new Set<string>();
      const secret = kind.secretSchema;
      if (secret instanceof z.ZodObject) for (const k of Object.keys(secret.shape)) secretKeys.add(k);
      if (secret instanceof z.ZodDiscriminatedUnion) {
        for (const option of secret.options) for (const k of Object.keys((option as z.ZodObject).shape)) secretKeys.add(k);
      }
      for (const f of kind.secretFields) expect([...secretKeys], `${id} secret.${f.name}`).toContain(f.name);
      for (const f of [...kind.configFields, ...kind.secretFields]) {
        if (f.input === 'select') expect(f.options?.length, `${id} ${f.name} options`).toBeGreaterThan(0);
        if (f.when) expect(kind.secretFields.concat(kind.configFields).some((g) => g.name === f.when?.field)).toBe(true);
      }
    }
  });

  it('sends the browser field descriptions only, no schemas or functions', () => {
    const forms = connectorKindForms();
    expect(forms.map((f) => f.kind)).toEqual(['aws_s3', 'azure_blob', 'aws_cost_explorer', 'gcp_bigquery']);
    expect(JSON.parse(JSON.stringify(forms))).toEqual(forms);
  });

  it('builds a connector from a stored config, and says which part of a bad one is wrong', () => {
    const ok = CONNECTOR_KINDS.aws_s3.create(S3_CONFIG);
    expect(typeof ok.discover).toBe('function');
    const error = thrown(() => CONNECTOR_KINDS.aws_s3.create({ ...S3_CONFIG, bucket: 'no spaces allowed' }));
    expect(error.code).toBe('CONFIG');
    expect(error.message).toMatch(/bucket: must be an S3 bucket name/);
  });
});

describe('connectorForSource', () => {
  it('refuses file sources with a message saying how they are loaded', () => {
    const error = thrown(() => connectorForSource({ name: 'demo-aws', kind: 'file', config: {}, secretCiphertext: null }));
    expect(error.message).toBe('demo-aws is a file source (loaded with npm run ingest); it has no connector to sync');
  });

  it('uses the default credential chain when no secret is stored, with or without BURNRATE_SECRET_KEY', () => {
    withSecretKey(undefined, () => {
      expect(() => connectorForSource({ name: 's3', kind: 'aws_s3', config: S3_CONFIG, secretCiphertext: null })).not.toThrow();
    });
  });

  it('decrypts a stored secret with the key from the environment', () => {
    const secret = { kind: 'sasToken', sasToken: 'sv=2024-11-04&ss=b&srt=co&sp=rl&se=2030-01-01T00:00:00Z&sig=abc%3D' };
    const ciphertext = encryptSecret(JSON.stringify(secret), KEY);
    withSecretKey(HEX_KEY, () => {
      expect(() =>
        connectorForSource({ name: 'azure', kind: 'azure_blob', config: AZURE_CONFIG, secretCiphertext: ciphertext }),
      ).not.toThrow();
    });
  });

  it('without the key, fails with the message of lib/secrets.ts and never the secret', () => {
    const ciphertext = encryptSecret(JSON.stringify({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'very-secret-value' }), KEY);
    const error = withSecretKey(undefined, () =>
      thrown(() => connectorForSource({ name: 's3', kind: 'aws_s3', config: S3_CONFIG, secretCiphertext: ciphertext })),
    );
    expect(error.code).toBe('CONFIG');
    expect(error.message).toMatch(/^s3: cannot read its stored credentials: BURNRATE_SECRET_KEY is not set/);
    const wrongKey = withSecretKey(Buffer.alloc(32, 9).toString('hex'), () =>
      thrown(() => connectorForSource({ name: 's3', kind: 'aws_s3', config: S3_CONFIG, secretCiphertext: ciphertext })),
    );
    expect(wrongKey.message).toMatch(/BURNRATE_SECRET_KEY differs from the key it was encrypted with/);
    for (const e of [error, wrongKey]) expect(e.message).not.toContain('very-secret-value');
  });

  it('reports stored credentials that no longer fit the kind by path, not by value', () => {
    const ciphertext = encryptSecret(JSON.stringify({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: '' }), KEY);
    const error = withSecretKey(HEX_KEY, () =>
      thrown(() => connectorForSource({ name: 's3', kind: 'aws_s3', config: S3_CONFIG, secretCiphertext: ciphertext })),
    );
    expect(error.message).toMatch(/stored credentials are invalid \(secretAccessKey: /);
    expect(error.message).not.toContain('AKIAEXAMPLE');
  });
});

describe('changedCredentialBindings: where stored credentials may go', () => {
  const s3 = { bucket: 'acme-billing', prefix: 'cur', region: 'us-east-1', exportType: 'cur2', endpoint: 'http://127.0.0.1:9000' };

  it('names the changed destination fields of each kind, and none for a prefix, a container or the same URL written differently', () => {
    const k = CONNECTOR_KINDS;
    expect(changedCredentialBindings(k.aws_s3, s3, { ...s3, prefix: 'other' })).toEqual([]);
    expect(changedCredentialBindings(k.aws_s3, s3, { ...s3, endpoint: 'http://127.0.0.1:9000/' })).toEqual([]);
    expect(changedCredentialBindings(k.aws_s3, s3, { ...s3, forcePathStyle: false })).toEqual([]);
    expect(changedCredentialBindings(k.aws_s3, s3, { ...s3, forcePathStyle: true })).toEqual(['forcePathStyle']);
    expect(changedCredentialBindings(k.aws_s3, s3, { ...s3, endpoint: undefined, region: 'eu-west-1' })).toEqual(['endpoint', 'region']);
    expect(changedCredentialBindings(k.aws_s3, s3, { ...s3, bucket: 'elsewhere' })).toEqual(['bucket']);
    const azure = { accountUrl: 'https://acme.blob.core.windows.net', container: 'exports' };
    expect(changedCredentialBindings(k.azure_blob, azure, { ...azure, container: 'other' })).toEqual([]);
    expect(changedCredentialBindings(k.azure_blob, azure, { ...azure, accountUrl: 'https://acme.blob.core.windows.net/' })).toEqual([]);
    expect(changedCredentialBindings(k.azure_blob, azure, { ...azure, accountUrl: 'http://127.0.0.1:10000/acme' })).toEqual(['accountUrl']);
    expect(changedCredentialBindings(k.aws_cost_explorer, {}, { endpoint: 'http://127.0.0.1:1' })).toEqual(['endpoint']);
    expect(changedCredentialBindings(k.aws_cost_explorer, {}, { region: 'us-east-1' })).toEqual([]);
    const bq = { projectId: 'my-billing-project', dataset: 'billing', table: 't1' };
    expect(changedCredentialBindings(k.gcp_bigquery, bq, { ...bq, projectId: 'other-project' })).toEqual([]);
    expect(changedCredentialBindings(k.gcp_bigquery, { ...bq, apiEndpoint: 'http://127.0.0.1:9050' }, bq)).toEqual(['apiEndpoint']);
  });

  it('treats a stored config the kind no longer accepts as bound to nothing: every bound field counts as changed', () => {
    expect(changedCredentialBindings(CONNECTOR_KINDS.aws_s3, { bucket: 'x' }, s3)).toEqual([
      'endpoint',
      'region',
      'bucket',
      'forcePathStyle',
    ]);
  });

  it("binds only fields that exist in each kind's config schema", () => {
    for (const id of CONNECTOR_KIND_IDS) {
      const shape = (CONNECTOR_KINDS[id].configSchema as z.ZodObject).shape;
      for (const field of CONNECTOR_KINDS[id].credentialBoundFields) expect(Object.keys(shape), `${id}.${field}`).toContain(field);
    }
  });
});
