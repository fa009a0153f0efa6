// A real OpenID Connect provider on loopback for the single sign-on tests: oidc-provider (a
// certified implementation) with one confidential client, PKCE required, and accounts whose
// email_verified claim each test chooses. Its development login form (devInteractions) signs in
// whichever account id is posted, and every client request is granted without a consent screen,
// so a test walks the real redirects, token exchange and ID token verification without a browser.
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';

export interface OidcAccount {
  sub: string;
  email: string;
  /** The email_verified claim; undefined: not sent (as Entra ID does). */
  emailVerified: boolean | undefined;
  /** Entra ID's optional xms_edov claim (the email's domain is verified by the tenant). */
  xmsEdov?: boolean;
  name: string;
}

export interface OidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

export const OIDC_CLIENT_ID = 'burnrate-test';
export const OIDC_CLIENT_SECRET = 'the-test-client-secret-0123456789';

export async function startOidcProvider(options: { redirectUri: string; accounts: OidcAccount[] }): Promise<OidcProvider> {
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();
  const server: Server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const accounts = new Map(options.accounts.map((a) => [a.sub, a]));

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: OIDC_CLIENT_ID,
        client_secret: OIDC_CLIENT_SECRET,
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified', 'xms_edov'], profile: ['name'] },
    // Burnrate sends a PKCE challenge; the provider insists on one, so a flow without it fails here.
    pkce: { required: () => true },
    cookies: { keys: ['oidc-test-cookie-key'] },
    jwks: {
      keys: [
        {
          ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
          kid: 'test',
          use: 'sig',
          alg: 'RS256',
        },
      ],
    },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
    features: { devInteractions: { enabled: true } },
    findAccount: async (_ctx, id) => {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        claims: async () => ({
          sub: id,
          email: account.email,
          name: account.name,
          ...(account.emailVerified === undefined ? {} : { email_verified: account.emailVerified }),
          ...(account.xmsEdov === undefined ? {} : { xms_edov: account.xmsEdov }),
        }),
      };
    },
    // A first-party client: grant what it asks for instead of showing a consent screen.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { client, session, params } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope(String(params?.scope ?? 'openid'));
      await grant.save();
      return grant;
    },
  });
  handle = provider.callback();
  return {
    issuer,
    clientId: OIDC_CLIENT_ID,
    clientSecret: OIDC_CLIENT_SECRET,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** Cookies per origin, as a browser keeps them across the redirects of one sign-in. */
export class CookieJar {
  private readonly jars = new Map<string, Map<string, string>>();

  store(url: string, response: Response): void {
    const origin = new URL(url).origin;
    const jar = this.jars.get(origin) ?? new Map<string, string>();
    for (const line of response.headers.getSetCookie()) this.storeLine(jar, line);
    this.jars.set(origin, jar);
  }

  storeLines(url: string, lines: string[]): void {
    const origin = new URL(url).origin;
    const jar = this.jars.get(origin) ?? new Map<string, string>();
    for (const line of lines) this.storeLine(jar, line);
    this.jars.set(origin, jar);
  }

  private storeLine(jar: Map<string, string>, line: string): void {
    const [pair = '', ...attributes] = line.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
    if (expired) jar.delete(name);
    else jar.set(name, value);
  }

  header(url: string): string {
    const jar = this.jars.get(new URL(url).origin);
    return jar ? [...jar].map(([k, v]) => `${k}=${v}`).join('; ') : '';
  }

  has(url: string, name: string): boolean {
    return this.jars.get(new URL(url).origin)?.has(name) ?? false;
  }
}

/**
 * From the provider's authorization URL to the redirect back to the app: follows the provider's
 * redirects, posts its login form as `accountId`, and returns the URL it sends the browser to
 * (the app's callback with code and state, or with an error).
 */
export async function signInAtProvider(authorizationUrl: string, accountId: string, jar: CookieJar): Promise<string> {
  let url = authorizationUrl;
  const providerOrigin = new URL(authorizationUrl).origin;
  for (let hop = 0; hop < 10; hop++) {
    if (new URL(url).origin !== providerOrigin) return url;
    const interaction = /\/interaction\/([^/?]+)$/.exec(new URL(url).pathname);
    const response = interaction
      ? await fetch(url, {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie: jar.header(url), 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ prompt: 'login', login: accountId, password: 'any' }),
        })
      : await fetch(url, { redirect: 'manual', headers: { cookie: jar.header(url) } });
    jar.store(url, response);
    const location = response.headers.get('location');
    if (!location)
      throw new Error(`the provider answered ${url} with ${response.status} and no redirect: ${(await response.text()).slice(0, 500)}`);
    await response.body?.cancel();
    url = new URL(location, url).href;
  }
  throw new Error(`more than 10 redirects at the provider, last ${url}`);
}
