import { describe, expect, it } from 'vitest';
import { changedFields, isSecretKey, REDACTED, redact } from './redact';

describe('isSecretKey', () => {
  it("matches every secret field of the connectors' forms, the sign-in tables and the OIDC settings", () => {
    for (const key of [
      'accessKeyId',
      'secretAccessKey',
      'sessionToken',
      'sasToken',
      'accountKey',
      'connectionString',
      'serviceAccountKey',
      'private_key',
      'secretCiphertext',
      'password',
      'passwordHash',
      'tokenHash',
      'clientSecret',
      'client_secret',
      'Client-Secret',
      'apiKey',
      'credentials',
      'Authorization',
      'cookie',
      'sas',
      'sig',
      'key',
    ]) {
      expect(isSecretKey(key), key).toBe(true);
    }
  });

  it('leaves the config fields of every connector kind readable', () => {
    for (const key of [
      'name',
      'bucket',
      'prefix',
      'region',
      'exportType',
      'endpoint',
      'forcePathStyle',
      'accountUrl',
      'container',
      'directory',
      'billingAccountId',
      'projectId',
      'dataset',
      'table',
      'queryProjectId',
      'location',
      'apiEndpoint',
      'schedule',
      'enabled',
      'email',
      'role',
      'issuer',
      'clientId',
    ]) {
      expect(isSecretKey(key), key).toBe(false);
    }
  });
});

describe('redact', () => {
  it('replaces secret values at any depth, in arrays too, and keeps everything else', () => {
    expect(
      redact({
        name: 'aws-payer',
        config: { bucket: 'b', endpoint: 'https://s3.example.test' },
        secret: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'wJalr/K7MDENG', sessionToken: 'FwoG' },
        providers: [{ issuer: 'https://id.example.test', clientSecret: 's3cr3t' }],
        nested: { deeper: { azure: { kind: 'sasToken', sasToken: 'sv=2024&sig=abc' } } },
      }),
    ).toEqual({
      name: 'aws-payer',
      config: { bucket: 'b', endpoint: 'https://s3.example.test' },
      secret: '[redacted]',
      providers: [{ issuer: 'https://id.example.test', clientSecret: '[redacted]' }],
      nested: { deeper: { azure: { kind: 'sasToken', sasToken: '[redacted]' } } },
    });
    expect(REDACTED).toBe('[redacted]');
  });

  it('keeps a cleared secret as null, and converts what JSON cannot hold', () => {
    expect(
      redact({ password: null, at: new Date('2026-12-03T10:00:00.000Z'), n: 12n, inf: Number.POSITIVE_INFINITY, gone: undefined }),
    ).toEqual({ password: null, at: '2026-12-03T10:00:00.000Z', n: '12', inf: null });
  });

  it('never lets a secret through by its value type: numbers, booleans and objects under a secret key are redacted', () => {
    expect(redact({ token: 123456, apiKey: true, credentials: { a: 1 } })).toEqual({
      token: '[redacted]',
      apiKey: '[redacted]',
      credentials: '[redacted]',
    });
  });
});

describe('changedFields', () => {
  it('lists changed, added and removed fields as dotted paths, in key order', () => {
    expect(
      changedFields(
        { name: 'a', enabled: true, schedule: null, config: { bucket: 'b', prefix: 'cur', region: 'us-east-1' } },
        { name: 'a', enabled: false, schedule: '0 * * * *', config: { bucket: 'b', prefix: 'cur2', endpoint: 'https://x.test' } },
      ),
    ).toEqual(['config.endpoint', 'config.prefix', 'config.region', 'enabled', 'schedule']);
  });

  it('names a changed secret field without its values, compares arrays whole and treats undefined as null', () => {
    expect(
      changedFields({ clientSecret: 'old', tags: ['a', 'b'], x: undefined }, { clientSecret: 'new', tags: ['a', 'b'], x: null }),
    ).toEqual(['clientSecret']);
    expect(changedFields({ tags: ['a', 'b'] }, { tags: ['b', 'a'] })).toEqual(['tags']);
  });

  it('counts an object replaced by a scalar (or the reverse) as one changed field, and nothing when equal', () => {
    expect(changedFields({ config: { a: 1 } }, { config: 'x' })).toEqual(['config']);
    expect(changedFields({ at: new Date('2026-01-01T00:00:00Z') }, { at: '2026-01-01T00:00:00.000Z' })).toEqual([]);
    expect(changedFields(null, { name: 'new' })).toEqual(['name']);
  });
});
