import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Credentials typed into the sources page are stored AES-256-GCM encrypted with a key from the
 * environment (BURNRATE_SECRET_KEY: 32 bytes, base64 or hex). The ciphertext is `v1:` + base64 of
 * iv | tag | data; tampering or a wrong key fails loudly instead of yielding garbage.
 */
export class SecretKeyError extends Error {}

export function secretKeyFromEnv(env: Record<string, string | undefined> = process.env): Buffer {
  const raw = env.BURNRATE_SECRET_KEY;
  if (!raw) {
    throw new SecretKeyError(
      'BURNRATE_SECRET_KEY is not set: it encrypts the cloud credentials stored in the database. Generate one with `openssl rand -base64 32`.',
    );
  }
  const key = /^[0-9a-f]{64}$/i.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (key.length !== 32)
    throw new SecretKeyError(`BURNRATE_SECRET_KEY must be 32 bytes (base64 or hex); it decodes to ${key.length} bytes`);
  return key;
}

export function encryptSecret(plaintext: string, key: Buffer = secretKeyFromEnv()): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `v1:${Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64')}`;
}

export function decryptSecret(ciphertext: string, key: Buffer = secretKeyFromEnv()): string {
  if (!ciphertext.startsWith('v1:')) throw new SecretKeyError('stored secret has an unknown format');
  const buf = Buffer.from(ciphertext.slice(3), 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12));
  decipher.setAuthTag(buf.subarray(12, 28));
  try {
    return Buffer.concat([decipher.update(buf.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretKeyError(
      'stored secret cannot be decrypted: BURNRATE_SECRET_KEY differs from the key it was encrypted with, or the ciphertext was altered',
    );
  }
}
