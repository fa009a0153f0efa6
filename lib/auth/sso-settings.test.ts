// Single sign-on settings: the environment's rules (pure), and /settings/sso's action on a real
// PostgreSQL: the secret stored encrypted and never shown, blank keeps it unless the issuer
// changed, the sign-up rules, and the next sign-in using what was saved without a restart.
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { expectError, expectSuccess, form } from '../../tests/helpers/actions';
import { as, userWithRole } from '../../tests/helpers/auth';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { IDLE } from '../actions/safe-action';
import { saveSsoSettings } from '../actions/save-sso-settings';
import { decryptSecret } from '../secrets';
import { getAuthWithCurrentSso } from './server';
import { ssoFromEnv, ssoSettingsView } from './sso-settings';

vi.mock('next/cache', () => ({ revalidatePath: vi.fn() }));

process.env.BURNRATE_SECRET_KEY = randomBytes(32).toString('base64');

describe('BURNRATE_OIDC_* in the environment', () => {
  const base = {
    BURNRATE_OIDC_ISSUER: 'https://login.example.com/tenant/v2.0/',
    BURNRATE_OIDC_CLIENT_ID: 'id',
    BURNRATE_OIDC_CLIENT_SECRET: 's',
  };

  it('is off when unset, and reads a whole provider when the issuer is set', () => {
    expect(ssoFromEnv({})).toBeNull();
    expect(
      ssoFromEnv({
        ...base,
        BURNRATE_OIDC_AUTO_SIGNUP: '1',
        BURNRATE_OIDC_ALLOWED_DOMAINS: ' Example.com,example.org example.com',
        BURNRATE_OIDC_DEFAULT_ROLE: 'Finance',
      }),
    ).toEqual({
      source: 'environment',
      issuer: 'https://login.example.com/tenant/v2.0',
      clientId: 'id',
      clientSecret: 's',
      name: 'single sign-on',
      autoSignUp: true,
      defaultRole: 'finance',
      allowedDomains: ['example.com', 'example.org'],
    });
  });

  it('refuses what would be unsafe or half-configured, naming the variable', () => {
    expect(() => ssoFromEnv({ BURNRATE_OIDC_CLIENT_ID: 'id' })).toThrow(
      'Invalid environment: BURNRATE_OIDC_CLIENT_ID set without BURNRATE_OIDC_ISSUER (single sign-on needs the issuer URL)',
    );
    expect(() => ssoFromEnv({ ...base, BURNRATE_OIDC_CLIENT_SECRET: '' })).toThrow('BURNRATE_OIDC_CLIENT_SECRET: required');
    expect(() => ssoFromEnv({ ...base, BURNRATE_OIDC_AUTO_SIGNUP: '1' })).toThrow(
      'BURNRATE_OIDC_ALLOWED_DOMAINS: automatic sign-up needs at least one allowed domain (e.g. example.com)',
    );
    expect(() => ssoFromEnv({ ...base, BURNRATE_OIDC_DEFAULT_ROLE: 'admin' })).toThrow(
      'BURNRATE_OIDC_DEFAULT_ROLE: admin is never given automatically: make admins on the users page or with npm run user',
    );
    expect(() => ssoFromEnv({ ...base, BURNRATE_OIDC_ISSUER: 'http://idp.example.com' })).toThrow(
      'BURNRATE_OIDC_ISSUER: must be https:// (http:// only on loopback)',
    );
    expect(ssoFromEnv({ ...base, BURNRATE_OIDC_ISSUER: 'http://127.0.0.1:8080/realms/main' })?.issuer).toBe(
      'http://127.0.0.1:8080/realms/main',
    );
    expect(() => ssoFromEnv({ ...base, BURNRATE_OIDC_ALLOWED_DOMAINS: 'example.com, not a domain' })).toThrow(
      'BURNRATE_OIDC_ALLOWED_DOMAINS: not a domain name (e.g. example.com)',
    );
  });
});

describe('/settings/sso', () => {
  let url: string;
  beforeAll(async () => {
    url = await useTestDatabase();
  });

  const fields = {
    enabled: 'on',
    issuer: 'https://idp.example.com/',
    clientId: 'burnrate',
    clientSecret: 'first-secret-value',
    name: 'Example SSO',
    defaultRole: 'viewer',
    allowedDomains: '',
  };

  it('stores the secret encrypted, never shows it, keeps it when left blank, and asks again when the issuer changes', async () => {
    const admin = await userWithRole('admin');
    const save = as(admin, saveSsoSettings);
    expect(expectSuccess(await save(IDLE, form(fields))).message).toBe('Saved. The next single sign-on uses these settings.');
    const [row] = await sql<{ client_secret: string; issuer: string; updated_by: string }>(
      url,
      'SELECT client_secret, issuer, updated_by FROM sso_settings',
    );
    expect(row?.client_secret.startsWith('v1:')).toBe(true);
    expect(row?.client_secret).not.toContain('first-secret-value');
    expect(decryptSecret(row?.client_secret ?? '')).toBe('first-secret-value');
    expect(row).toMatchObject({ issuer: 'https://idp.example.com', updated_by: admin.email });
    expect(JSON.stringify(await ssoSettingsView())).not.toContain('first-secret-value');
    const [line] = await sql<{ actor_email: string; object_id: string; before: unknown; after: Record<string, unknown>; detail: unknown }>(
      url,
      "SELECT actor_email, object_id, before, after, detail FROM audit_log WHERE action = 'settings.update' AND actor_user_id = $1",
      [admin.id],
    );
    expect(line).toMatchObject({
      actor_email: admin.email,
      object_id: 'sso',
      before: null,
      detail: { changed: expect.arrayContaining(['issuer', 'clientSecret']) },
    });
    expect(line?.after).toMatchObject({ issuer: 'https://idp.example.com', clientId: 'burnrate', name: 'Example SSO' });
    expect(JSON.stringify(line)).not.toContain('first-secret-value');

    // Blank keeps the stored secret.
    expectSuccess(await save(IDLE, form({ ...fields, clientSecret: '', name: 'Renamed' })));
    const { sso } = await getAuthWithCurrentSso();
    expect(sso).toMatchObject({ source: 'settings', name: 'Renamed', clientSecret: 'first-secret-value' });

    // A new issuer with the secret blank: refused, nothing changes.
    const moved = expectError(await save(IDLE, form({ ...fields, clientSecret: '', issuer: 'https://other-idp.example.com' })));
    expect(moved.message).toBe(
      'Enter the client secret again: the issuer changed, and the stored secret is only sent to the provider it was saved for.',
    );
    expect(moved.fieldErrors.clientSecret).toEqual(['enter it again: the issuer changed']);
    expect((await sql<{ issuer: string }>(url, 'SELECT issuer FROM sso_settings'))[0]?.issuer).toBe('https://idp.example.com');
    // With the secret entered again it is saved, and the next sign-in uses it (no restart).
    const before = (await getAuthWithCurrentSso()).auth;
    expectSuccess(await save(IDLE, form({ ...fields, clientSecret: 'second-secret', issuer: 'https://other-idp.example.com' })));
    const after = await getAuthWithCurrentSso();
    expect(after.sso).toMatchObject({ issuer: 'https://other-idp.example.com', clientSecret: 'second-secret' });
    expect(after.auth).not.toBe(before);
    const lines = await sql<{ detail: { changed: string[] } }>(
      url,
      "SELECT detail FROM audit_log WHERE action = 'settings.update' AND outcome = 'ok' AND actor_user_id = $1 ORDER BY id",
      [admin.id],
    );
    // The refused attempt is recorded too, with the message it got.
    expect(
      await sql(
        url,
        "SELECT detail->>'message' AS message FROM audit_log WHERE action = 'settings.update' AND outcome = 'refused' AND actor_user_id = $1",
        [admin.id],
      ),
    ).toEqual([{ message: moved.message }]);
    expect(lines.map((l) => l.detail.changed)).toEqual([
      ['enabled', 'issuer', 'clientId', 'name', 'autoSignUp', 'defaultRole', 'allowedDomains', 'clientSecret'],
      ['name'],
      ['issuer', 'name', 'clientSecret'],
    ]);
    expect(JSON.stringify(lines)).not.toContain('second-secret');
  });

  it('refuses automatic sign-up without an allowed domain, and admin as the default role', async () => {
    const admin = await userWithRole('admin');
    const save = as(admin, saveSsoSettings);
    const noDomains = expectError(await save(IDLE, form({ ...fields, autoSignUp: 'on' })));
    expect(noDomains.fieldErrors.allowedDomains).toEqual(['automatic sign-up needs at least one allowed domain (e.g. example.com)']);
    const asAdmin = expectError(
      await save(IDLE, form({ ...fields, autoSignUp: 'on', allowedDomains: 'example.com', defaultRole: 'admin' })),
    );
    expect(asAdmin.fieldErrors.defaultRole).toEqual([
      'admin is never given automatically: make admins on the users page or with npm run user',
    ]);
    // The table refuses the same rows (a hand-edited database cannot loosen the rules).
    await expect(
      sql(
        url,
        `INSERT INTO sso_settings (issuer, client_id, client_secret, display_name, auto_sign_up) VALUES ('https://x.example', 'c', 'v1:x', 'X', true)`,
      ),
    ).rejects.toThrow(/check constraint/);
  });

  it('says the secret was not saved when BURNRATE_SECRET_KEY is missing, rather than a server error', async () => {
    const admin = await userWithRole('admin');
    const key = process.env.BURNRATE_SECRET_KEY;
    delete process.env.BURNRATE_SECRET_KEY;
    try {
      const refused = expectError(await as(admin, saveSsoSettings)(IDLE, form({ ...fields, issuer: 'https://keyless.example.com' })));
      expect(refused.message).toMatch(/^The settings were not saved: BURNRATE_SECRET_KEY is not set/);
      expect(refused.fieldErrors.clientSecret?.[0]).toMatch(/^BURNRATE_SECRET_KEY is not set/);
    } finally {
      process.env.BURNRATE_SECRET_KEY = key;
    }
    expect(await sql(url, "SELECT 1 FROM sso_settings WHERE issuer = 'https://keyless.example.com'")).toEqual([]);
  });

  it('is off when saved as off', async () => {
    const admin = await userWithRole('admin');
    const { enabled: _on, ...off } = fields;
    expect(expectSuccess(await as(admin, saveSsoSettings)(IDLE, form(off))).message).toBe('Saved. Single sign-on is off.');
    expect((await getAuthWithCurrentSso()).sso).toBeNull();
  });
});
