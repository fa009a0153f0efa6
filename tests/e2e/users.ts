// The accounts the browser tests sign in with: one per role, created by Playwright's global setup
// through the product's own createUser (lib/auth/users.ts), each signed in once through the sign-in
// page; its cookies are saved as a storage state the specs load (`stateFor(role)`).
import path from 'node:path';
import type { Role } from '../../lib/auth/roles';

export const E2E_PASSWORD = 'e2e password for every role';
export const AUTH_DIR = path.join(process.cwd(), 'test-results', '.auth');

export function emailFor(role: Role): string {
  return `${role}@e2e.burnrate.test`;
}

export function stateFor(role: Role): string {
  return path.join(AUTH_DIR, `${role}.json`);
}
