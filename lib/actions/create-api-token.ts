'use server';

import { ApiTokenError, createApiToken as create } from '../auth/api-tokens';
import { CreateApiTokenSchema } from './account-schemas';
import { ActionError, type ActionState, formAction } from './safe-action';

export interface NewApiToken {
  name: string;
  /** Shown to its owner once; only its SHA-256 is stored. */
  token: string;
}

const run = formAction({
  name: 'createApiToken',
  schema: CreateApiTokenSchema,
  revalidate: ['/profile'],
  audit: () => ({ action: 'token.create', objectType: 'api_token' }),
  handler: async ({ name }, { actor }) => {
    if (actor.kind !== 'user') throw new ActionError('Sign in again, then retry.');
    try {
      const created = await create(actor.userId, name, actor);
      return {
        message: `Token "${created.name}" created. Copy it now: it is shown only once.`,
        data: { name: created.name, token: created.token },
        subject: `api token ${created.id}`,
      };
    } catch (error) {
      if (error instanceof ApiTokenError) throw new ActionError(error.message);
      throw error;
    }
  },
});

/** A new read-only API token for the signed-in user. */
export async function createApiToken(prev: ActionState<NewApiToken>, form: FormData): Promise<ActionState<NewApiToken>> {
  return run(prev, form);
}
