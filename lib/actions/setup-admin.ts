'use server';

import { z } from 'zod';
import { recordAudit } from '../audit/record';
import { collectSetCookies, requestHeaders } from '../auth/request-context';
import { getAuth } from '../auth/server';
import { setupFirstAdmin as createFirstAdmin, UserError } from '../auth/users';
import { getPool } from '../db/pool';
import { ActionError, type ActionState, formAction } from './safe-action';

const SetupSchema = z
  .object({
    token: z.string().refine((t) => t.length > 0, 'the setup link is incomplete: open the whole link npm start printed'),
    name: z.string(),
    email: z.string(),
    password: z.string(),
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, { path: ['confirm'], message: 'the two passwords differ' });

const run = formAction({
  name: 'setupFirstAdmin',
  schema: SetupSchema,
  audit: () => ({ action: 'user.create', objectType: 'user' }),
  handler: async ({ token, name, email, password }, { actor }) => {
    let admin: Awaited<ReturnType<typeof createFirstAdmin>>;
    try {
      admin = await createFirstAdmin(token, { name, email, password });
    } catch (error) {
      if (error instanceof UserError) {
        throw new ActionError(error.message, error.field && error.field !== 'token' ? { [error.field]: [error.message] } : {});
      }
      throw error;
    }
    // Whoever held the setup link (not signed in yet) created the first admin.
    await recordAudit(getPool(), {
      actor,
      action: 'user.create',
      objectType: 'user',
      objectId: admin.id,
      after: { email: admin.email, role: admin.role },
      detail: { note: 'first admin, through the setup link' },
    });
    // Straight in: the admin just chose this password.
    const { headers } = await getAuth().api.signInEmail({
      body: { email: email.trim().toLowerCase(), password },
      headers: await requestHeaders(),
      returnHeaders: true,
    });
    collectSetCookies(headers);
    return { message: 'Admin account created.', data: null, subject: email };
  },
  redirect: () => '/',
});

/** Creates the first admin through the one-time setup link npm start prints while no user exists. */
export async function setupFirstAdmin(prev: ActionState, form: FormData): Promise<ActionState> {
  return run(prev, form);
}
