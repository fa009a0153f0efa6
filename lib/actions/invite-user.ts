'use server';

import { recordAudit } from '../audit/record';
import { createUser } from '../auth/users';
import { getPool } from '../db/pool';
import { InviteUserSchema, userErrorToAction } from './account-schemas';
import { type ActionState, formAction } from './safe-action';

export interface InvitedUser {
  email: string;
  /** The invitation's path (/set-password?token=…): shown to the admin once, never stored. */
  link: string;
}

const run = formAction({
  name: 'inviteUser',
  schema: InviteUserSchema,
  revalidate: ['/users'],
  audit: () => ({ action: 'user.invite', objectType: 'user' }),
  handler: async (input, { actor }) => {
    const by = actor.kind === 'user' ? actor.email : actor.kind;
    const created = await createUser(input, by).catch((error: unknown) => {
      throw userErrorToAction(error);
    });
    if (!created.passwordLink) throw new Error('createUser without a password returned no link');
    // Never the link: its token sets the password.
    await recordAudit(getPool(), {
      actor,
      action: 'user.invite',
      objectType: 'user',
      objectId: created.id,
      after: { email: created.email, name: input.name, role: created.role },
    });
    return {
      message: `Invited ${created.email} as ${created.role}. Send them this link (valid 7 days); it is shown only now.`,
      data: { email: created.email, link: created.passwordLink },
      subject: `user ${created.id}`,
    };
  },
});

/** Creates an account without a password; the admin gets the one-time link that lets its owner choose one. */
export async function inviteUser(prev: ActionState<InvitedUser>, form: FormData): Promise<ActionState<InvitedUser>> {
  return run(prev, form);
}
