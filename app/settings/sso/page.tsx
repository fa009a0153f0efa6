import Link from 'next/link';
import { requestHeaders } from '@/lib/auth/request-context';
import { requirePage } from '@/lib/auth/session';
import { SSO_CALLBACK_PATH, SSO_ROLES, ssoSettingsView } from '@/lib/auth/sso-settings';
import { readEnv } from '@/lib/env';
import { formatDateTimeUtc } from '@/lib/format';
import { Notice } from '../../ui/notice';
import { SsoSettingsForm } from './sso-form';

export const metadata = { title: 'Single sign-on' };
export const dynamic = 'force-dynamic';

/** The address users reach Burnrate at: BURNRATE_PUBLIC_URL, else this request's own origin. */
async function publicOrigin(): Promise<string> {
  const configured = readEnv().BURNRATE_PUBLIC_URL;
  if (configured) return new URL(configured).origin;
  const headers = await requestHeaders();
  const host = headers.get('x-forwarded-host') ?? headers.get('host') ?? `localhost:${readEnv().PORT}`;
  const proto = headers.get('x-forwarded-proto') ?? 'http';
  return `${proto}://${host}`;
}

/** Admins set up single sign-on with an OpenID Connect provider (README, Single sign-on). */
export default async function SsoSettingsPage() {
  const actor = await requirePage('/settings/sso');
  if (!actor) return null;
  const [view, origin] = await Promise.all([ssoSettingsView(), publicOrigin()]);
  const callbackUrl = `${origin}${SSO_CALLBACK_PATH}`;
  const env = view.environment;
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Single sign-on</h1>
          <p className="sub">
            Sign in with an OpenID Connect provider: Entra ID, Google Workspace, Okta, Keycloak… Also in Settings:{' '}
            <Link href="/settings/recommendations">recommendation rules</Link>, <Link href="/settings/email">email</Link>,{' '}
            <Link href="/settings/tags">tag rules</Link>.
          </p>
        </div>
      </div>
      <section className="panel" data-testid="sso-callback">
        <div className="panel-head">
          <h2>Register Burnrate with your provider</h2>
        </div>
        <dl className="facts">
          <dt>Redirect (callback) URL</dt>
          <dd>
            <code data-testid="sso-callback-url">{callbackUrl}</code>
          </dd>
          <dt>Scopes</dt>
          <dd>
            <code>openid email profile</code>
          </dd>
          <dt>Client type</dt>
          <dd>Confidential (web application) with a client secret; Burnrate also sends PKCE.</dd>
        </dl>
      </section>
      {view.environmentError ? (
        <Notice tone="error" testId="sso-env-error">
          <p>{view.environmentError}</p>
        </Notice>
      ) : null}
      {env ? (
        <section className="panel" data-testid="sso-env">
          <div className="panel-head">
            <h2>Set by the environment</h2>
          </div>
          <p className="sub">
            BURNRATE_OIDC_ISSUER is set, so the environment's settings are used and the ones below are not. Unset the BURNRATE_OIDC_*
            variables to use this page.
          </p>
          <dl className="facts">
            <dt>Issuer</dt>
            <dd>{env.issuer}</dd>
            <dt>Client id</dt>
            <dd>{env.clientId}</dd>
            <dt>Button</dt>
            <dd>Sign in with {env.name}</dd>
            <dt>Automatic sign-up</dt>
            <dd>{env.autoSignUp ? `on, as ${env.defaultRole}, for ${env.allowedDomains.join(', ')}` : 'off'}</dd>
          </dl>
        </section>
      ) : null}
      <section className="panel">
        <div className="panel-head">
          <h2>Provider</h2>
        </div>
        {view.saved ? (
          <p className="sub" data-testid="sso-saved">
            Last saved {formatDateTimeUtc(view.saved.updatedAt)}
            {view.saved.updatedBy ? ` by ${view.saved.updatedBy}` : ''}.
          </p>
        ) : null}
        <SsoSettingsForm
          roles={SSO_ROLES}
          saved={
            view.saved
              ? {
                  enabled: view.saved.enabled,
                  issuer: view.saved.issuer,
                  clientId: view.saved.clientId,
                  name: view.saved.name,
                  autoSignUp: view.saved.autoSignUp,
                  defaultRole: view.saved.defaultRole,
                  allowedDomains: view.saved.allowedDomains.join(', '),
                  secretReadable: view.saved.secretReadable,
                }
              : null
          }
        />
      </section>
    </>
  );
}
