import { hash, verify } from '@node-rs/argon2';
import { z } from 'zod';

/**
 * Password hashes: argon2id (RFC 9106) with OWASP's minimum parameters for it (19 MiB, 2 passes,
 * 1 lane), through @node-rs/argon2 (prebuilt binaries, no install script). The PHC string carries
 * its parameters, so raising them later still verifies older hashes.
 */
const PARAMS = {
  algorithm: 2 /* Algorithm.Argon2id: a const enum, which isolatedModules cannot read */,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 128;

export const PasswordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH, `at most ${MAX_PASSWORD_LENGTH} characters`);

export function hashPassword(password: string): Promise<string> {
  return hash(password, PARAMS);
}

export async function verifyPassword(data: { hash: string; password: string }): Promise<boolean> {
  // A stored value that is not an argon2 PHC string (a hand-edited row) is a failed sign-in, not a crash.
  if (!data.hash.startsWith('$argon2')) return false;
  return verify(data.hash, data.password);
}
