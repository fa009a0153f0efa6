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
    // The next time the link is used as is.
    const second = await ssoSignIn('alice-sub');
    expect((await actorFromHeaders(new Headers({ cookie: second.cookie })))?.userId).toBe(alice.id);
    expect(await accountsOf('alice@example.test')).toHaveLength(1);
  });
});
