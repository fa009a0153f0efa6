/**
 * What /sign-in says after a failed single sign-on. The callback (lib/auth/sso.ts) redirects there
 * with `sso_error=<code>&ref=<ref>`; the code is better-auth's callback error or one of Burnrate's
 * `sso_*` refusals, and the details are in the server log under the ref.
 */
export const SSO_REFUSALS = {
  sso_email_unverified:
    'Your identity provider has not verified your email address, so Burnrate cannot match it to an account. Verify it with your provider, then sign in again.',
  sso_domain_not_allowed: "Your email address's domain may not sign up here. Ask an admin to invite you.",
  sso_signup_disabled: 'No Burnrate account has this email address, and automatic sign-up is off. Ask an admin to invite you.',
  sso_account_disabled: 'This account is disabled. Ask an admin.',
  sso_client_refused:
    "The identity provider refused Burnrate's client credentials. An admin should check the client id and secret (Settings → Single sign-on).",
} as const;
export type SsoRefusal = keyof typeof SSO_REFUSALS;

const STATE = 'The sign-in expired, or was started in another browser or tab. Start again.';
const UNVERIFIABLE =
  "The identity provider's answer could not be verified. Start again; if it persists, an admin should check the server log.";

const MESSAGES: Record<string, string> = {
  ...SSO_REFUSALS,
  // better-auth links an existing account only to a provider-verified email; with Burnrate's
  // account-linking options (lib/auth/server.ts) an unverified email is the only way to get here.
  account_not_linked: SSO_REFUSALS.sso_email_unverified,
  signup_disabled: SSO_REFUSALS.sso_signup_disabled,
  unable_to_create_session: SSO_REFUSALS.sso_account_disabled,
  state_mismatch: STATE,
  state_not_found: STATE,
  state_invalid: STATE,
  state_security_mismatch: STATE,
  please_restart_the_process: STATE,
  invalid_code: 'The identity provider did not accept the sign-in (the code may have expired or been used). Start again.',
  access_denied: 'Sign-in was cancelled at the identity provider.',
  email_not_found: 'The identity provider sent no email address. An admin should make it release the email claim (scope "email").',
  oauth_provider_not_found: 'Single sign-on is not set up, or its settings just changed. Start again.',
  issuer_mismatch: UNVERIFIABLE,
  nonce_binding_missing: UNVERIFIABLE,
  unable_to_get_user_info: UNVERIFIABLE,
};

/** The sentence for an error code (unknown codes, which come from the provider, get a generic one). */
export function ssoErrorMessage(code: string, ref: string | null): string {
  const text = MESSAGES[code] ?? 'Single sign-on failed.';
  return ref && /^[0-9a-f]{8}$/.test(ref) ? `${text} (ref ${ref})` : text;
}
