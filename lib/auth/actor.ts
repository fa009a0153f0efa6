import type { Role } from './roles';

/**
 * Who is doing something: the signed-in user of a request (session cookie or API token), a shell
 * command (`npm run user`), the server itself (the scheduler), or nobody yet (sign-in, first-admin
 * setup). The audit trail records it with every change.
 */
export type Actor =
  | { kind: 'user'; userId: string; email: string; role: Role; via: 'session' | 'api-token'; ip: string | null }
  | { kind: 'anonymous'; ip: string | null }
  | { kind: 'cli'; osUser: string }
  | { kind: 'system'; component: string };
