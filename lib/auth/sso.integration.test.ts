// Single sign-on against a real OpenID Connect provider on loopback (oidc-provider): the sign-in
// button's action, the provider's login and token endpoints, and the callback through the app's
// own route handler, on a real PostgreSQL. No browser: fetch with manual redirects and a cookie jar.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { GET } from '../../app/api/auth/[...all]/route';
import { expectError, form } from '../../tests/helpers/actions';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { CookieJar, type OidcProvider, signInAtProvider, startOidcProvider } from '../../tests/helpers/oidc-provider';
import { IDLE } from '../actions/safe-action';
import { startSingleSignOn } from '../actions/start-single-sign-on';
import { withRequest } from './request-context';
import { actorFromHeaders } from './session';
import { SSO_REFUSALS, ssoErrorMessage } from './sso-errors';
import { SSO_CALLBACK_PATH, type SsoSettingsForm, saveSsoSettings } from './sso-settings';
import { createUser } from './users';

vi.mock('next/cache', () => ({ revalidatePath: vi.fn() }));
const redirect = vi.hoisted(() => vi.fn());
vi.mock('next/navigation', async (importOriginal) => ({ ...(await importOriginal<typeof import('next/navigation')>()), redirect }));

// The client secret is stored encrypted with this key, as source credentials are.
process.env.BURNRATE_SECRET_KEY = randomBytes(32).toString('base64');

const APP = 'http://localhost:3000';
let url: string;
let idp: OidcProvider;

beforeAll(async () => {
  url = await useTestDatabase();
  idp = await startOidcProvider({
    redirectUri: `${APP}${SSO_CALLBACK_PATH}`,
    accounts: [
      { sub: 'alice-sub', email: 'Alice@Example.test', emailVerified: true, name: 'Alice' },
      { sub: 'bob-sub', email: 'bob@example.test', emailVerified: true, name: 'Bob' },
      { sub: 'carol-sub', email: 'carol@elsewhere.test', emailVerified: true, name: 'Carol' },
      { sub: 'dave-sub', email: 'dave@example.test', emailVerified: false, name: 'Dave' },
      { sub: 'erin-sub', email: 'erin@example.test', emailVerified: false, name: 'Erin' },
      { sub: 'frank-sub', email: 'frank@example.test', emailVerified: true, name: 'Frank' },
      { sub: 'grace-sub', email: 'grace@example.test', emailVerified: true, name: 'Grace' },
      { sub: 'heidi-sub', email: 'heidi@example.test', emailVerified: true, name: 'Heidi' },
      { sub: 'ivan-sub', email: 'ivan@example.org', emailVerified: true, name: 'Ivan' },
      { sub: 'judy-sub', email: 'judy@example.test', emailVerified: true, name: 'Judy' },
      // As Entra ID sends them: no email_verified, the tenant's verified-domain flag instead.
      { sub: 'kim-sub', email: 'kim@example.test', emailVerified: undefined, xmsEdov: true, name: 'Kim' },
      { sub: 'lee-sub', email: 'lee@example.test', emailVerified: undefined, name: 'Lee' },
    ],
  });
});
afterAll(async () => {
  await idp?.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function configure(overrides: Partial<SsoSettingsForm> = {}): Promise<void> {
  await saveSsoSettings(
    {
      enabled: true,
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      name: 'Test IdP',
      autoSignUp: false,
      defaultRole: 'viewer',
      allowedDomains: [],
      ...overrides,
    },
    'test',
  );
}

interface Outcome {
  /** Where the callback sent the browser. */
  location: string;
  /** The app's cookies afterwards. */
  cookie: string;
  errors: string[];
}

/** One whole sign-in as `accountId`: the button, the provider, the callback. `beforeCallback` may tamper with the stored state. */
async function ssoSignIn(accountId: string, beforeCallback?: () => Promise<void>): Promise<Outcome> {
  const jar = new CookieJar();
  redirect.mockClear();
  const { result, setCookies } = await withRequest({ host: 'localhost:3000' }, () => startSingleSignOn(IDLE, form({ next: '/sources' })));
  if (result.status !== 'success') throw new Error(`the sign-in button failed: ${JSON.stringify(result)}`);
  const authorizationUrl = redirect.mock.calls[0]?.[0] as string;
  expect(authorizationUrl.startsWith(`${idp.issuer}/`)).toBe(true);
  jar.storeLines(APP, setCookies);
  const back = await signInAtProvider(authorizationUrl, accountId, jar);
  expect(back.startsWith(`${APP}${SSO_CALLBACK_PATH}?`)).toBe(true);
  await beforeCallback?.();
  const errors: string[] = [];
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    errors.push(args.map(String).join(' '));
  });
  const response = await GET(new Request(back, { headers: { cookie: jar.header(APP) } }));
  vi.mocked(console.error).mockRestore();
  expect(response.status).toBe(302);
  jar.store(APP, response);
  return { location: response.headers.get('location') ?? '', cookie: jar.header(APP), errors };
}

function refusal(outcome: Outcome): { code: string; ref: string } {
  const target = new URL(outcome.location, APP);
  expect(target.pathname).toBe('/sign-in');
  const code = target.searchParams.get('sso_error') ?? '';
  const ref = target.searchParams.get('ref') ?? '';
  expect(ref).toMatch(/^[0-9a-f]{8}$/);
  // The details are in the server log under the same ref.
  expect(outcome.errors.some((line) => line.includes(`(ref ${ref})`) && line.includes(code))).toBe(true);
  return { code, ref };
}

async function accountsOf(email: string) {
  return sql<{ provider_id: string; account_id: string }>(
    url,
    'SELECT provider_id, account_id FROM auth_accounts a JOIN users u ON u.id = a.user_id WHERE u.email = $1 ORDER BY provider_id',
    [email],
  );
}

describe('single sign-on with an OpenID Connect provider', () => {
  it('signs an existing user in by verified email, links the account, and keeps their role', async () => {
    await configure();
    const alice = await createUser({ email: 'alice@example.test', name: 'Alice A', role: 'finance' }, 'test');
    const first = await ssoSignIn('alice-sub');
    expect(first.location).toBe('/sources');
    const actor = await actorFromHeaders(new Headers({ cookie: first.cookie }));
    expect(actor).toMatchObject({ kind: 'user', userId: alice.id, email: 'alice@example.test', role: 'finance', via: 'session' });
    expect(await accountsOf('alice@example.test')).toEqual([{ provider_id: 'oidc', account_id: `${idp.issuer} alice-sub` }]);
    expect(
      await sql(
        url,
        "SELECT actor_email, action, object_id, outcome, detail FROM audit_log WHERE action = 'auth.sign_in' AND actor_user_id = $1",
        [alice.id],
      ),
    ).toEqual([
      {
        actor_email: 'alice@example.test',
        action: 'auth.sign_in',
        object_id: alice.id,
        outcome: 'ok',
        detail: { via: 'sso', issuer: idp.issuer },
      },
    ]);
    // The next time the link is used as is.
    const second = await ssoSignIn('alice-sub');
    expect((await actorFromHeaders(new Headers({ cookie: second.cookie })))?.userId).toBe(alice.id);
    expect(await accountsOf('alice@example.test')).toHaveLength(1);
  });

  it('signs up an unknown verified email of an allowed domain with the default role', async () => {
    await configure({ autoSignUp: true, allowedDomains: ['example.test'], defaultRole: 'engineer' });
    const outcome = await ssoSignIn('bob-sub');
    expect(outcome.location).toBe('/sources');
    const [bob] = await sql<{ id: string; name: string; role: string; email_verified: boolean }>(
      url,
      'SELECT id, name, role, email_verified FROM users WHERE email = $1',
      ['bob@example.test'],
    );
    expect(bob).toMatchObject({ name: 'Bob', role: 'engineer', email_verified: true });
    expect(await actorFromHeaders(new Headers({ cookie: outcome.cookie }))).toMatchObject({ userId: bob?.id, role: 'engineer' });
    expect(await accountsOf('bob@example.test')).toEqual([{ provider_id: 'oidc', account_id: `${idp.issuer} bob-sub` }]);
  });

  it('creates nobody while automatic sign-up is off', async () => {
    await configure({ autoSignUp: false });
    const outcome = await ssoSignIn('frank-sub');
    const { code, ref } = refusal(outcome);
    expect(ssoErrorMessage(code, ref)).toBe(`${SSO_REFUSALS.sso_signup_disabled} (ref ${ref})`);
    expect(await sql(url, 'SELECT 1 FROM users WHERE email = $1', ['frank@example.test'])).toEqual([]);
  });

  it("says the provider refused Burnrate's client credentials when the client secret is wrong", async () => {
    await configure({ clientSecret: 'not-the-client-secret' });
    await createUser({ email: 'grace@example.test', name: 'Grace', role: 'viewer' }, 'test');
    const outcome = await ssoSignIn('grace-sub');
    const { code, ref } = refusal(outcome);
    expect(code).toBe('sso_client_refused');
    expect(ssoErrorMessage(code, ref)).toBe(
      `The identity provider refused Burnrate's client credentials. An admin should check the client id and secret (Settings → Single sign-on). (ref ${ref})`,
    );
    // The log has the provider's own answer.
    expect(outcome.errors.join('\n')).toMatch(/invalid_client/);
    // The audit trail has the failure under the same ref.
    const lines = await sql<{ outcome: string; detail: Record<string, string> }>(
      url,
      "SELECT outcome, detail FROM audit_log WHERE action = 'auth.sign_in_failed' AND detail->>'ref' = $1",
      [ref],
    );
    expect(lines).toEqual([{ outcome: 'refused', detail: { via: 'sso', issuer: idp.issuer, code: 'sso_client_refused', ref } }]);
    expect(outcome.cookie).not.toMatch(/session_token/);
    expect(await accountsOf('grace@example.test')).toEqual([]);
  });

  it('refuses to sign up an email outside the allowed domains', async () => {
    await configure({ autoSignUp: true, allowedDomains: ['example.test', 'example.org'] });
    const outcome = await ssoSignIn('carol-sub');
    const { code, ref } = refusal(outcome);
    expect(code).toBe('sso_domain_not_allowed');
    expect(ssoErrorMessage(code, ref)).toBe(`${SSO_REFUSALS.sso_domain_not_allowed} (ref ${ref})`);
    expect(await sql(url, 'SELECT 1 FROM users WHERE email = $1', ['carol@elsewhere.test'])).toEqual([]);
    expect(outcome.cookie).not.toMatch(/session_token/);
  });

  it('matches and creates users only by an email the provider verified', async () => {
    await configure({ autoSignUp: true, allowedDomains: ['example.test'] });
    // Unknown email, unverified: not signed up.
    const dave = refusal(await ssoSignIn('dave-sub'));
    expect(dave.code).toBe('sso_email_unverified');
    expect(await sql(url, 'SELECT 1 FROM users WHERE email = $1', ['dave@example.test'])).toEqual([]);
    // Existing user, unverified at the provider: not linked, same sentence.
    await createUser({ email: 'erin@example.test', name: 'Erin', role: 'admin' }, 'test');
    const erin = await ssoSignIn('erin-sub');
    const { code, ref } = refusal(erin);
    expect(ssoErrorMessage(code, ref)).toBe(`${SSO_REFUSALS.sso_email_unverified} (ref ${ref})`);
    expect(await accountsOf('erin@example.test')).toEqual([]);
    expect(erin.cookie).not.toMatch(/session_token/);
  });

  it("takes Entra ID's xms_edov for a verified email when email_verified is absent, and nothing else", async () => {
    await configure();
    const kim = await createUser({ email: 'kim@example.test', name: 'Kim', role: 'viewer' }, 'test');
    await createUser({ email: 'lee@example.test', name: 'Lee', role: 'viewer' }, 'test');
    const signedIn = await ssoSignIn('kim-sub');
    expect((await actorFromHeaders(new Headers({ cookie: signedIn.cookie })))?.userId).toBe(kim.id);
    const lee = await ssoSignIn('lee-sub');
    expect(ssoErrorMessage(refusal(lee).code, null)).toBe(SSO_REFUSALS.sso_email_unverified);
    expect(await accountsOf('lee@example.test')).toEqual([]);
  });

  it('refuses a callback whose state was deleted or has expired', async () => {
    await configure();
    await createUser({ email: 'heidi@example.test', name: 'Heidi', role: 'viewer' }, 'test');
    const deleted = await ssoSignIn('heidi-sub', async () => {
      await sql(url, 'DELETE FROM auth_verifications');
    });
    expect(refusal(deleted).code).toBe('state_mismatch');
    const expired = await ssoSignIn('heidi-sub', async () => {
      // Ten minutes passed: the state's own expiry (what better-auth checks) and the row's.
      await sql(
        url,
        `UPDATE auth_verifications SET expires_at = now() - interval '1 second',
           value = jsonb_set(value::jsonb, '{expiresAt}', to_jsonb((extract(epoch FROM now()) * 1000)::bigint - 1000))::text`,
      );
    });
    const { code, ref } = refusal(expired);
    expect(code).toBe('state_mismatch');
    expect(ssoErrorMessage(code, ref)).toBe(`The sign-in expired, or was started in another browser or tab. Start again. (ref ${ref})`);
    expect(expired.cookie).not.toMatch(/session_token/);
    expect(await accountsOf('heidi@example.test')).toEqual([]);
  });

  it('gives a disabled user no session', async () => {
    await configure();
    const judy = await createUser({ email: 'judy@example.test', name: 'Judy', role: 'engineer' }, 'test');
    await sql(url, 'UPDATE users SET disabled_at = now() WHERE id = $1', [judy.id]);
    const outcome = await ssoSignIn('judy-sub');
    const { code, ref } = refusal(outcome);
    expect(ssoErrorMessage(code, ref)).toBe(`${SSO_REFUSALS.sso_account_disabled} (ref ${ref})`);
    expect(outcome.cookie).not.toMatch(/session_token/);
  });

  it('uses the environment over the saved settings, and offers nothing when neither is set', async () => {
    await sql(url, 'DELETE FROM sso_settings');
    const off = expectError(await withRequest({ host: 'localhost:3000' }, () => startSingleSignOn(IDLE, form({}))).then((r) => r.result));
    expect(off.message).toBe('Single sign-on is not set up on this server.');
    // A saved provider with a wrong secret, and the environment's with the right one: the environment's is used.
    await configure({ clientSecret: 'not-the-client-secret' });
    const env = {
      BURNRATE_OIDC_ISSUER: idp.issuer,
      BURNRATE_OIDC_CLIENT_ID: idp.clientId,
      BURNRATE_OIDC_CLIENT_SECRET: idp.clientSecret,
      BURNRATE_OIDC_AUTO_SIGNUP: '1',
      BURNRATE_OIDC_ALLOWED_DOMAINS: 'Example.test, example.org',
      BURNRATE_OIDC_DEFAULT_ROLE: 'finance',
    };
    Object.assign(process.env, env);
    try {
      const outcome = await ssoSignIn('ivan-sub');
      expect(outcome.location).toBe('/sources');
      expect(await actorFromHeaders(new Headers({ cookie: outcome.cookie }))).toMatchObject({ email: 'ivan@example.org', role: 'finance' });
    } finally {
      for (const name of Object.keys(env)) delete process.env[name];
    }
  });
});

describe('the auth route', () => {
  it('answers 404 for every better-auth endpoint but the SSO callback', async () => {
    for (const path of ['/sign-in/social', '/sign-in/email', '/get-session', '/callback/google', '/oauth2/callback/oidc', '/error']) {
      const response = await GET(new Request(`${APP}/api/auth${path}`));
      expect(response.status, path).toBe(404);
    }
  });
});
