'use server';

import { z } from 'zod';
import { collectSetCookies, requestHeaders } from '../auth/request-context';
import { getAuth } from '../auth/server';
import { type ActionState, formAction } from './safe-action';

const run = formAction({
  name: 'signOut',
  schema: z.object({}),
  handler: async () => {
    // Deletes the session row and clears the cookie.
    const { headers } = await getAuth().api.signOut({ headers: await requestHeaders(), returnHeaders: true });
    collectSetCookies(headers);
    return { message: 'Signed out.', data: null };
  },
  redirect: () => '/sign-in',
});

export async function signOut(prev: ActionState, form: FormData): Promise<ActionState> {
  return run(prev, form);
}
