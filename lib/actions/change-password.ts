'use server';

import { isAPIError } from 'better-auth/api';
import { recordAudit } from '../audit/record';
import { checkSignIn, clearFailures, recordFailure } from '../auth/rate-limit';
import { collectSetCookies, requestHeaders } from '../auth/request-context';
import { getAuth } from '../auth/server';
import { getPool } from '../db/pool';
import { ChangePasswordSchema } from './account-schemas';
import { ActionError, type ActionState, formAction } from './safe-action';

const WRONG = 'This is not your current password.';
const PASSWORD_CHANGED_PATH = '/profile?password=changed';

const run = formAction({
  name: 'changePassword',
  schema: ChangePasswordSchema,
  audit: () => ({ action: 'user.password_change', objectType: 'user' }),
  handler: async ({ currentPassword, newPassword }, { actor }) => {
    if (actor.kind !== 'user') throw new ActionError('Sign in again, then retry.');
    // A wrong current password counts as a failed sign-in of the account: a left-open session
    // must not become a way to guess the password without the sign-in limits.
    const verdict = await checkSignIn(actor.email, actor.ip);
    if (!verdict.allowed) {
      throw new ActionError(
        `Too many failed attempts. Try again in ${verdict.retryAfterMin} minute${verdict.retryAfterMin === 1 ? '' : 's'}.`,
      );
    }
    try {
      // Replaces the hash, deletes every session of the user (this one too) and sets a new session's cookie.
      const { headers } = await getAuth().api.changePassword({
        body: { currentPassword, newPassword, revokeOtherSessions: true },
        headers: await requestHeaders(),
        returnHeaders: true,
      });
      collectSetCookies(headers);
    } catch (error) {
      // isAPIError, not instanceof: the production build throws another copy of the class.
      if (isAPIError(error)) {
        if (error.body?.code === 'INVALID_PASSWORD') {
          await recordFailure(actor.email, actor.ip);
          throw new ActionError(WRONG, { currentPassword: [WRONG] });
        }
        if (error.body?.code === 'CREDENTIAL_ACCOUNT_NOT_FOUND') {
          throw new ActionError('You sign in through single sign-on: this account has no password to change.');
        }
      }
      throw error;
    }
    await clearFailures(actor.email);
    await recordAudit(getPool(), {
      actor,
      action: 'user.password_change',
      objectType: 'user',
      objectId: actor.userId,
      detail: { note: 'all sessions ended; this browser got a new one' },
    });
    return { message: 'Password changed. Your other sessions were signed out.', data: null, subject: `user ${actor.userId}` };
  },
  // A navigation, not a re-render of this request: the page must read the new session's cookie
  // (Next.js forwards the action's Set-Cookie to a redirect's render), since this request's was deleted.
  redirect: () => PASSWORD_CHANGED_PATH,
});

/** Changes the signed-in user's password (knowing the current one); signs out their other sessions. */
export async function changePassword(prev: ActionState, form: FormData): Promise<ActionState> {
  return run(prev, form);
}
