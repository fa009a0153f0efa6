'use server';

import { recordAudit } from '../audit/record';
import { withTransaction } from '../db/pool';
import { MailSettingsError, MailSettingsFormSchema, saveMailSettings as storeMailSettings } from '../mail/settings';
import { SecretKeyError } from '../secrets';
import { ActionError, type ActionState, formAction } from './safe-action';

/** /settings/email's form: the SMTP server and the monthly report's recipients. The password is stored encrypted and never shown. */
const run = formAction({
  name: 'saveMailSettings',
  schema: MailSettingsFormSchema,
  audit: () => ({ action: 'settings.update', objectType: 'settings', objectId: 'email' }),
  handler: async (input, { actor }) => {
    const by = actor.kind === 'user' ? actor.email : 'unknown';
    try {
      await withTransaction(async (client) => {
        const change = await storeMailSettings(input, by, client);
        // The password is named in `changed`, never recorded (and redact() would drop it anyway).
        await recordAudit(client, {
          actor,
          action: 'settings.update',
          objectType: 'settings',
          objectId: 'email',
          before: change.before,
          after: change.after,
          detail: { changed: change.changed },
        });
      });
    } catch (error) {
      if (error instanceof MailSettingsError) throw new ActionError(error.message, error.fieldErrors);
      if (error instanceof SecretKeyError)
        throw new ActionError(`The settings were not saved: ${error.message}`, { password: [error.message] });
      throw error;
    }
    return {
      message:
        input.monthlyReport && input.reportRecipients.length > 0
          ? `Saved. The monthly report goes to ${input.reportRecipients.length} recipient${input.reportRecipients.length === 1 ? '' : 's'}.`
          : 'Saved. The monthly report is not sent (turned off or no recipients).',
      data: null,
      subject: 'email settings',
    };
  },
  revalidate: ['/settings/email'],
});

export async function saveMailSettings(prev: ActionState, form: FormData): Promise<ActionState> {
  return run(prev, form);
}
