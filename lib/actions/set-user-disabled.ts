'use server';

import { setUserDisabled as setDisabled } from '../auth/user-admin';
import { SetUserDisabledSchema, userErrorToAction } from './account-schemas';
import { type ActionState, formAction } from './safe-action';

const run = formAction({
  name: 'setUserDisabled',
  schema: SetUserDisabledSchema,
  revalidate: ['/users'],
  audit: (input) => ({
    action: input === undefined ? 'user.set_disabled' : input.disabled ? 'user.disable' : 'user.enable',
    objectType: 'user',
    objectId: input?.userId,
  }),
  handler: async ({ userId, disabled }, { actor }) => {
    const change = await setDisabled(actor, userId, disabled).catch((error: unknown) => {
      throw userErrorToAction(error);
    });
    let message: string;
    if (!change.changed) message = `${change.email} already is ${disabled ? 'disabled' : 'enabled'}.`;
    else if (disabled) message = `Disabled ${change.email}: signed out everywhere; their API tokens no longer work.`;
    else message = `Enabled ${change.email}: they can sign in again.`;
    return { message, data: null, subject: `user ${userId}` };
  },
});

/** Disables a user (ending their sessions) or enables them again; never the last enabled admin, nor oneself. */
export async function setUserDisabled(prev: ActionState, form: FormData): Promise<ActionState> {
  return run(prev, form);
}
