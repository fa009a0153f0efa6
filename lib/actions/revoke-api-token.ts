'use server';

import { revokeApiToken as revoke } from '../auth/api-tokens';
import { RevokeApiTokenSchema } from './account-schemas';
import { ActionError, type ActionState, formAction } from './safe-action';

const run = formAction({
  name: 'revokeApiToken',
  schema: RevokeApiTokenSchema,
  revalidate: ['/profile'],
  audit: (input) => ({ action: 'token.revoke', objectType: 'api_token', objectId: input?.id }),
  handler: async ({ id }, { actor }) => {
    if (actor.kind !== 'user') throw new ActionError('Sign in again, then retry.');
    // Only the signed-in user's own tokens: another user's id reads as "no such token".
    const revoked = await revoke(actor.userId, id, actor);
    if (!revoked) throw new ActionError('This token does not exist or is already revoked.');
    return { message: `Token "${revoked.name}" (${revoked.prefix}…) revoked: it no longer works.`, data: null, subject: `api token ${id}` };
  },
});

/** Revokes one of the signed-in user's API tokens. */
export async function revokeApiToken(prev: ActionState, form: FormData): Promise<ActionState> {
  return run(prev, form);
}
