'use server';

import { randomUUID } from 'node:crypto';
import { APIError } from 'better-auth/api';
import { z } from 'zod';
import { safeNextPath } from '../auth/next-path';
import { collectSetCookies, requestHeaders } from '../auth/request-context';
import { getAuthWithCurrentSso } from '../auth/server';
import { SSO_PROVIDER_ID } from '../auth/sso-settings';
import { ActionError, type ActionState, formAction } from './safe-action';

/**
 * The "Sign in with …" button: better-auth stores the state, PKCE verifier and nonce (auth_verifications
 * and a signed state cookie) and returns the provider's authorization URL, where the browser goes
 * next. It comes back to /api/auth/callback/oidc.
 */
const run = formAction({
  name: 'startSingleSignOn',
  schema: z.object({ next: z.string().max(2000).optional() }),
  handler: async ({ next }) => {
    const { auth, sso } = await getAuthWithCurrentSso();
    if (!sso) throw new ActionError('Single sign-on is not set up on this server.');
    try {
      const { headers, response } = await auth.api.signInSocial({
        body: { provider: SSO_PROVIDER_ID, callbackURL: safeNextPath(next), errorCallbackURL: '/sign-in' },
        headers: await requestHeaders(),
        returnHeaders: true,
      });
      collectSetCookies(headers);
      if (!response.url) throw new Error('better-auth returned no authorization URL');
      return { message: `Continuing to ${sso.name}…`, data: { url: response.url } };
    } catch (error) {
      // Discovery failed (provider unreachable, wrong issuer): better-auth has no such provider then.
      if (!(error instanceof APIError)) throw error;
      const ref = randomUUID().slice(0, 8);
      console.error(`[burnrate] single sign-on could not start (ref ${ref}): ${error.message}`);
      throw new ActionError(
        `Burnrate could not reach ${sso.name} (its discovery document at the issuer URL did not load). Try again; if it persists, an admin should check the issuer and the server log (ref ${ref}).`,
      );
    }
  },
  redirect: (data) => data.url,
});

export async function startSingleSignOn(prev: ActionState<{ url: string }>, form: FormData): Promise<ActionState<{ url: string }>> {
  return run(prev, form);
}
