import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret, secretKeyFromEnv } from './secrets';

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
    expect(() => secretKeyFromEnv({})).toThrow(/BURNRATE_SECRET_KEY is not set/);
    expect(() => secretKeyFromEnv({ BURNRATE_SECRET_KEY: 'c2hvcnQ=' })).toThrow(/must be 32 bytes.*5 bytes/);
    expect(secretKeyFromEnv({ BURNRATE_SECRET_KEY: randomBytes(32).toString('base64') })).toHaveLength(32);
  });
});
