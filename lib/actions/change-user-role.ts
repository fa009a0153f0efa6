'use server';

import { ROLE_LABELS } from '../auth/roles';
import { changeUserRole as changeRole } from '../auth/user-admin';
import { ChangeUserRoleSchema, userErrorToAction } from './account-schemas';
import { type ActionState, formAction } from './safe-action';

const run = formAction({
  name: 'changeUserRole',
  schema: ChangeUserRoleSchema,
  revalidate: ['/users'],
  audit: (input) => ({ action: 'user.role_change', objectType: 'user', objectId: input?.userId }),
  handler: async ({ userId, role }, { actor }) => {
    const change = await changeRole(actor, userId, role).catch((error: unknown) => {
      throw userErrorToAction(error);
    });
    return {
      message:
        change.before === change.after
          ? `${change.email} already is ${ROLE_LABELS[role]}.`
          : `${change.email} is now ${ROLE_LABELS[role]} (was ${ROLE_LABELS[change.before]}).`,
      data: null,
      subject: `user ${userId}`,
    };
  },
});

/** Gives a user another role; the last enabled admin cannot be demoted. */
export async function changeUserRole(prev: ActionState, form: FormData): Promise<ActionState> {
  return run(prev, form);
}
