import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Credentials typed into the sources page are stored AES-256-GCM encrypted with a 32-byte key. The
 * ciphertext is `v1:` + base64 of iv | tag | data; tampering or a wrong key fails loudly instead of
 * yielding garbage.
 *
 * Where the key comes from: BURNRATE_SECRET_KEY (32 bytes, base64 or hex) when set — production
 * (any DATABASE_URL) must set it, and keep it with the database's backups. With the embedded
 * PostgreSQL and no variable, for a zero-config local install, `<BURNRATE_DATA_DIR>/secret-key`
 * (base64, mode 0600), created on first need, like the embedded database's password beside it:
 * every process of one checkout (`npm start`, its web server, `npm run demo:clouds`) then agrees on
 * the key without anyone setting it.
 */
export class SecretKeyError extends Error {}

export const SECRET_KEY_FILE = 'secret-key';
/** Set by lib/db/connect.ts when this process (and the web server it starts) uses the embedded PostgreSQL. */
export const EMBEDDED_MARKER = 'BURNRATE_EMBEDDED_DB';

function decodeKey(raw: string, origin: string): Buffer {
  const key = /^[0-9a-f]{64}$/i.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (key.length !== 32) throw new SecretKeyError(`${origin} must be 32 bytes (base64 or hex); it decodes to ${key.length} bytes`);
  return key;
}

/** The data directory's key, created (32 random bytes, readable by its owner only) if there is none. */
function keyFromDataDir(dataDir: string): Buffer {
  const file = path.resolve(dataDir, SECRET_KEY_FILE);
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    // 'wx': when two processes start at once, one creates the file and the other reads it.
    writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new SecretKeyError(
        `BURNRATE_SECRET_KEY is not set and ${file} cannot be created (${(error as Error).message}): it encrypts the cloud credentials stored in the database. Generate one with \`openssl rand -base64 32\`.`,
      );
    }
  }
  return decodeKey(readFileSync(file, 'utf8').trim(), file);
}

export function secretKeyFromEnv(env: Record<string, string | undefined> = process.env): Buffer {
  const raw = env.BURNRATE_SECRET_KEY;
  if (raw) return decodeKey(raw, 'BURNRATE_SECRET_KEY');
  // Only the embedded database's processes keep the key in the data directory (next to that
  // database's password); against your own DATABASE_URL the key must come from the environment.
  if (env[EMBEDDED_MARKER] === '1') return keyFromDataDir(env.BURNRATE_DATA_DIR || '.burnrate');
  throw new SecretKeyError(
    'BURNRATE_SECRET_KEY is not set: it encrypts the cloud credentials stored in the database. Generate one with `openssl rand -base64 32`.',
  );
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
