import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret, SECRET_KEY_FILE, secretKeyFromEnv } from './secrets';

describe('secrets at rest', () => {
  const key = randomBytes(32);
  it('round-trips and never contains the plaintext', () => {
    const secret = 'AKIAEXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const c = encryptSecret(secret, key);
    expect(c).not.toContain('wJalr');
    expect(c).not.toBe(encryptSecret(secret, key)); // fresh IV each time
    expect(decryptSecret(c, key)).toBe(secret);
  });
  it('a wrong key or a tampered ciphertext fails with a clear message', () => {
    const c = encryptSecret('x', key);
    expect(() => decryptSecret(c, randomBytes(32))).toThrow(/BURNRATE_SECRET_KEY differs/);
    const tampered = `v1:${Buffer.from(Buffer.from(c.slice(3), 'base64').map((b, i, all) => (i === all.length - 1 ? b ^ 1 : b))).toString('base64')}`;
    expect(() => decryptSecret(tampered, key)).toThrow(/cannot be decrypted.*altered/);
  });
  it('explains a missing or malformed key', () => {
    // Against your own DATABASE_URL there is no data-directory fallback (see the next test for it).
    expect(() => secretKeyFromEnv({})).toThrow(/BURNRATE_SECRET_KEY is not set/);
    expect(() => secretKeyFromEnv({ BURNRATE_SECRET_KEY: 'c2hvcnQ=' })).toThrow(/must be 32 bytes.*5 bytes/);
    expect(secretKeyFromEnv({ BURNRATE_SECRET_KEY: randomBytes(32).toString('base64') })).toHaveLength(32);
  });
  it('with the embedded database and no BURNRATE_SECRET_KEY, creates <BURNRATE_DATA_DIR>/secret-key once (0600) and reuses it; the variable still wins', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'burnrate-secrets-'));
    try {
      const dataDir = path.join(dir, 'data');
      const first = secretKeyFromEnv({ BURNRATE_DATA_DIR: dataDir, BURNRATE_EMBEDDED_DB: '1' });
      const file = path.join(dataDir, SECRET_KEY_FILE);
      expect(first).toHaveLength(32);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64').equals(first)).toBe(true);
      // Another process of the same checkout decrypts what this one encrypted.
      const stored = encryptSecret('S3RVER:S3RVER', first);
      expect(decryptSecret(stored, secretKeyFromEnv({ BURNRATE_DATA_DIR: dataDir, BURNRATE_EMBEDDED_DB: '1' }))).toBe('S3RVER:S3RVER');
      const explicit = randomBytes(32);
      expect(
        secretKeyFromEnv({ BURNRATE_DATA_DIR: dataDir, BURNRATE_EMBEDDED_DB: '1', BURNRATE_SECRET_KEY: explicit.toString('hex') }).equals(
          explicit,
        ),
      ).toBe(true);
      writeFileSync(file, 'c2hvcnQ=\n');
      expect(() => secretKeyFromEnv({ BURNRATE_DATA_DIR: dataDir, BURNRATE_EMBEDDED_DB: '1' })).toThrow(
        /secret-key must be 32 bytes.*5 bytes/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
