'use server';

import { APIError } from 'better-auth/api';
import { collectSetCookies, requestHeaders } from '../auth/request-context';
import { getAuth } from '../auth/server';
import { emailOfUser } from '../auth/user-admin';
import { setPasswordWithLink } from '../auth/users';
import { SetPasswordSchema, userErrorToAction } from './account-schemas';
import { ActionError, type ActionState, formAction } from './safe-action';

const run = formAction({
  name: 'setPassword',
  schema: SetPasswordSchema,
  handler: async ({ token, password }) => {
    // Consumes the link and ends every session the user had, in one transaction.
    const { userId } = await setPasswordWithLink(token, password).catch((error: unknown) => {
      throw userErrorToAction(error);
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
      if (error instanceof APIError)
        throw new ActionError('Your password is set, but this account is disabled: ask an admin to enable it.');
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
