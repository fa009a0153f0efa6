'use server';

import { recordAudit } from '../audit/record';
import { SsoConfigError, SsoSettingsFormSchema, saveSsoSettings as storeSsoSettings } from '../auth/sso-settings';
import { withTransaction } from '../db/pool';
import { SecretKeyError } from '../secrets';
import { ActionError, type ActionState, formAction } from './safe-action';

/**
 * /settings/sso's form. The next sign-in uses what it saves (getAuthWithCurrentSso rebuilds
 * better-auth's instance when the settings differ); the environment's BURNRATE_OIDC_* still win.
 */
const run = formAction({
  name: 'saveSsoSettings',
  schema: SsoSettingsFormSchema,
  audit: () => ({ action: 'settings.update', objectType: 'settings', objectId: 'sso' }),
  handler: async (input, { actor }) => {
    const by = actor.kind === 'user' ? actor.email : 'unknown';
    try {
      await withTransaction(async (client) => {
        const change = await storeSsoSettings(input, by, client);
        // The secret is named in `changed`, never recorded (and redact() would drop it anyway).
        await recordAudit(client, {
          actor,
          action: 'settings.update',
          objectType: 'settings',
          objectId: 'sso',
          before: change.before,
          after: change.after,
          detail: { changed: change.changed },
        });
      });
    } catch (error) {
      if (error instanceof SsoConfigError) throw new ActionError(error.message, error.fieldErrors);
      if (error instanceof SecretKeyError) {
        throw new ActionError(`The settings were not saved: ${error.message}`, { clientSecret: [error.message] });
      }
      throw error;
    }
    return {
      message: input.enabled ? 'Saved. The next single sign-on uses these settings.' : 'Saved. Single sign-on is off.',
      data: null,
      subject: 'single sign-on settings',
    };
  },
  revalidate: ['/settings/sso', '/sign-in'],
});

export async function saveSsoSettings(prev: ActionState, form: FormData): Promise<ActionState> {
  return run(prev, form);
}
