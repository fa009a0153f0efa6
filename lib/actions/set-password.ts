'use server';

import { isAPIError } from 'better-auth/api';
import { recordAudit } from '../audit/record';
import { collectSetCookies, requestHeaders } from '../auth/request-context';
import { getAuth } from '../auth/server';
import { emailOfUser } from '../auth/user-admin';
import { setPasswordWithLink } from '../auth/users';
import { getPool } from '../db/pool';
import { SetPasswordSchema, userErrorToAction } from './account-schemas';
import { ActionError, type ActionState, formAction } from './safe-action';

const run = formAction({
  name: 'setPassword',
  schema: SetPasswordSchema,
  // Never the token (the wrapper records refused attempts with this target only).
  audit: () => ({ action: 'user.password_set', objectType: 'user' }),
  handler: async ({ token, password }, { actor }) => {
    // Consumes the link and ends every session the user had, in one transaction.
    const { userId, purpose } = await setPasswordWithLink(token, password).catch((error: unknown) => {
      throw userErrorToAction(error);
    });
    // The link's holder, not signed in yet, set the password.
    await recordAudit(getPool(), {
      actor,
      action: 'user.password_set',
      objectType: 'user',
      objectId: userId,
      detail: { via: purpose === 'invite' ? 'invitation link' : 'reset link', note: 'all sessions ended' },
    });
    const email = await emailOfUser(userId);
    if (!email) throw new ActionError('This account no longer exists.');
    // Straight in: the user just chose this password (a new session, as every sign-in).
    try {
      const { headers } = await getAuth().api.signInEmail({
        body: { email, password },
        headers: await requestHeaders(),
        returnHeaders: true,
      });
      collectSetCookies(headers);
    } catch (error) {
      // The session hook refuses disabled accounts: the password is set, but they cannot sign in.
      // isAPIError, not instanceof: the production build throws another copy of the class.
      if (isAPIError(error)) throw new ActionError('Your password is set, but this account is disabled: ask an admin to enable it.');
      throw error;
    }
    return { message: 'Password set.', data: null, subject: `user ${userId}` };
  },
  redirect: () => '/',
});

/** Sets a password through an invitation or reset link, then signs its user in. */
export async function setPassword(prev: ActionState, form: FormData): Promise<ActionState> {
  return run(prev, form);
}
