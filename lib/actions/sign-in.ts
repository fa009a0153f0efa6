'use server';

import { isAPIError } from 'better-auth/api';
import { z } from 'zod';
import { recordAudit } from '../audit/record';
import { safeNextPath } from '../auth/next-path';
import { checkSignIn, clearFailures, recordFailure } from '../auth/rate-limit';
import { collectSetCookies, requestHeaders } from '../auth/request-context';
import { RoleSchema } from '../auth/roles';
import { getAuth } from '../auth/server';
import { getPool } from '../db/pool';
import { ActionError, type ActionState, formAction } from './safe-action';

const SignInSchema = z.object({
  email: z
    .string()
    .trim()
    .min(1, 'required')
    .max(254, 'at most 254 characters')
    .transform((e) => e.toLowerCase()),
  password: z.string().min(1, 'required').max(512, 'at most 512 characters'),
  next: z.string().optional(),
});

const WRONG = 'Wrong email or password.';

const run = formAction({
  name: 'signIn',
  schema: SignInSchema,
  // Failures (wrong password, unknown email, rate limited) are recorded by formAction, naming the email tried.
  audit: (input) => ({ action: 'auth.sign_in_failed', objectType: 'email', objectId: input?.email }),
  handler: async ({ email, password, next }, { actor }) => {
    const ip = actor.kind === 'anonymous' || actor.kind === 'user' ? actor.ip : null;
    const verdict = await checkSignIn(email, ip);
    if (!verdict.allowed) {
      throw new ActionError(
        `Too many failed sign-ins. Try again in ${verdict.retryAfterMin} minute${verdict.retryAfterMin === 1 ? '' : 's'}.`,
      );
    }
    try {
      const { headers } = await getAuth().api.signInEmail({
        body: { email, password },
        headers: await requestHeaders(),
        returnHeaders: true,
      });
      collectSetCookies(headers);
    } catch (error) {
      // Unknown email, wrong password, a disabled account: one answer, so it tells nothing about who has an account.
      // isAPIError (better-auth's own test: instanceof, then the error's name), not instanceof: the
      // production build can throw another copy of the class than the one imported here, and a
      // wrong password then read as a server error (tests/e2e/rate-limit.spec.ts).
      if (isAPIError(error)) {
        await recordFailure(email, ip);
        throw new ActionError(WRONG, { password: [WRONG] });
      }
      throw error;
    }
    await clearFailures(email);
    const { rows } = await getPool().query<{ id: string; role: string }>('SELECT id, role FROM users WHERE email = $1', [email]);
    const user = rows[0];
    if (user) {
      await recordAudit(getPool(), {
        actor: { kind: 'user', userId: user.id, email, role: RoleSchema.parse(user.role), via: 'session', ip },
        action: 'auth.sign_in',
        objectType: 'user',
        objectId: user.id,
      });
    }
    return { message: 'Signed in.', data: { next: safeNextPath(next) }, subject: email };
  },
  redirect: (data) => data.next,
});

export async function signIn(prev: ActionState<{ next: string }>, form: FormData): Promise<ActionState<{ next: string }>> {
  return run(prev, form);
}
