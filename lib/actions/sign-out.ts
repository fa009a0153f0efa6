'use server';

import { z } from 'zod';
import { recordAudit } from '../audit/record';
import { collectSetCookies, requestHeaders } from '../auth/request-context';
import { getAuth } from '../auth/server';
import { getPool } from '../db/pool';
import { type ActionState, formAction } from './safe-action';

const run = formAction({
  name: 'signOut',
  schema: z.object({}),
  audit: () => ({ action: 'auth.sign_out' }),
  handler: async (_input, { actor }) => {
    await recordAudit(getPool(), {
      actor,
      action: 'auth.sign_out',
      ...(actor.kind === 'user' ? { objectType: 'user', objectId: actor.userId } : {}),
    });
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
