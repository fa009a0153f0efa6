'use server';

import { passwordResetLinkFor } from '../auth/user-admin';
import { PasswordResetLinkSchema, userErrorToAction } from './account-schemas';
import { type ActionState, formAction } from './safe-action';

export interface ResetLink {
  email: string;
  /** /set-password?token=…: shown to the admin once, never stored. */
  link: string;
}

const run = formAction({
  name: 'createPasswordResetLink',
  schema: PasswordResetLinkSchema,
  revalidate: ['/users'],
  audit: (input) => ({ action: 'user.password_reset_link', objectType: 'user', objectId: input?.userId }),
  handler: async ({ userId }, { actor }) => {
    const reset = await passwordResetLinkFor(actor, userId).catch((error: unknown) => {
      throw userErrorToAction(error);
    });
    return {
      message: `Password reset link for ${reset.email} (valid 24 hours; it is shown only now). Using it signs them out everywhere.`,
      data: reset,
      subject: `user ${userId}`,
    };
  },
});

/** A one-time link with which a user sets a new password (for a forgotten one, or a first one for an SSO user). */
export async function createPasswordResetLink(prev: ActionState<ResetLink>, form: FormData): Promise<ActionState<ResetLink>> {
  return run(prev, form);
}
