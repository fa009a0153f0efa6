'use server';

import { recordAudit } from '../audit/record';
import { getPool } from '../db/pool';
import { MailError, sendMail } from '../mail/send';
import { loadMailSettings, TestEmailFormSchema } from '../mail/settings';
import { SecretKeyError } from '../secrets';
import { ActionError, type ActionState, formAction } from './safe-action';

/** /settings/email's "Send a test email": one short message through the saved settings, so an admin sees a wrong password or port at once. */
const run = formAction({
  name: 'sendTestEmail',
  schema: TestEmailFormSchema,
  audit: () => ({ action: 'settings.email_test', objectType: 'settings', objectId: 'email' }),
  handler: async (input, { actor }) => {
    let settings: Awaited<ReturnType<typeof loadMailSettings>>;
    try {
      settings = await loadMailSettings();
    } catch (error) {
      if (error instanceof SecretKeyError) throw new ActionError(`The saved password cannot be used: ${error.message}`, {}, 'failed');
      throw error;
    }
    if (!settings) throw new ActionError('Save the SMTP settings first.');
    let messageId: string;
    try {
      ({ messageId } = await sendMail(settings, {
        to: [input.to],
        subject: 'Burnrate test email',
        text: `This is a test email from Burnrate, sent through ${settings.host}:${settings.port} (${settings.security}) by ${actor.kind === 'user' ? actor.email : 'an admin'}.\n\nThe monthly cost report will arrive the same way.`,
      }));
    } catch (error) {
      if (error instanceof MailError) throw new ActionError(error.message, {}, 'failed');
      throw error;
    }
    await recordAudit(getPool(), {
      actor,
      action: 'settings.email_test',
      objectType: 'settings',
      objectId: 'email',
      detail: { to: input.to, messageId },
    });
    return { message: `Sent to ${input.to}. Check that it arrived.`, data: null, subject: 'test email' };
  },
});

export async function sendTestEmail(prev: ActionState, form: FormData): Promise<ActionState> {
  return run(prev, form);
}
