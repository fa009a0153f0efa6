/**
 * Single sign-on settings: one OpenID Connect provider, from the environment (BURNRATE_OIDC_*) or,
 * when BURNRATE_OIDC_ISSUER is not set, from the row an admin saved on /settings/sso. The
 * environment wins as a whole: a half-set environment mixed with page values would be a
 * configuration nobody wrote down.
 *
 * Rules both sources obey (the migration's CHECKs repeat them for the stored row):
 * - automatic sign-up needs an allowed domain list: "any domain" would let every account of a
 *   multi-tenant provider (Google, Entra ID's common endpoint) into the dashboard;
 * - the default role of signed-up users is viewer, engineer or finance, never admin: a mistyped
 *   domain list must not mint admins. Admins are made on the users page or with `npm run user`.
 * - the issuer is https, or http on loopback only (tests, a local Keycloak).
 */
import type pg from 'pg';
import { z } from 'zod';
import { getPool } from '../db/pool';
import { decryptSecret, encryptSecret } from '../secrets';

/** better-auth's provider id; auth_accounts.provider_id of SSO links, and the callback path's last part. */
export const SSO_PROVIDER_ID = 'oidc';
/** Where the provider sends users back; admins register `<public URL>` + this with the provider. */
export const SSO_CALLBACK_PATH = `/api/auth/callback/${SSO_PROVIDER_ID}`;
export const SSO_SCOPES = ['openid', 'email', 'profile'] as const;
export const SSO_ROLES = ['viewer', 'engineer', 'finance'] as const;
export type SsoRole = (typeof SSO_ROLES)[number];

export interface SsoConfig {
  source: 'environment' | 'settings';
  /** Without a trailing slash; discovery is `${issuer}/.well-known/openid-configuration`. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The sign-in button says "Sign in with <name>". */
  name: string;
  autoSignUp: boolean;
  defaultRole: SsoRole;
  /** Lower-case domains; an email's part after '@' must equal one of them (no subdomains). */
  allowedDomains: string[];
}

export class SsoConfigError extends Error {
  constructor(
    message: string,
    readonly fieldErrors: Record<string, string[]> = {},
  ) {
    super(message);
    this.name = 'SsoConfigError';
  }
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export const IssuerSchema = z
  .string()
  .trim()
  .min(1, 'required')
  .max(500, 'at most 500 characters')
  .refine((v) => URL.canParse(v), 'not a URL (e.g. https://accounts.google.com)')
  .transform((v) => new URL(v))
  .refine(
    (u) => u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK.test(u.hostname)),
    'must be https:// (http:// only on loopback)',
  )
  .refine((u) => !u.search && !u.hash && !u.username && !u.password, 'an issuer has no query, fragment or credentials')
  .transform((u) => u.href.replace(/\/+$/, ''));

/** "example.com, Example.org" (commas, spaces or new lines) → ['example.com', 'example.org']. */
export const DomainListSchema = z
  .string()
  .transform((v) => [
    ...new Set(
      v
        .split(/[\s,]+/)
        .map((d) => d.trim().toLowerCase().replace(/^@/, ''))
        .filter((d) => d !== ''),
    ),
  ])
  .pipe(z.array(z.string().regex(DOMAIN, 'not a domain name (e.g. example.com)')).max(100, 'at most 100 domains'));

export const SsoRoleSchema = z
  .string()
  .trim()
  .transform((v) => v.toLowerCase())
  .pipe(
    z.enum(SSO_ROLES, {
      error: (issue) =>
        issue.input === 'admin'
          ? 'admin is never given automatically: make admins on the users page or with npm run user'
          : `must be one of ${SSO_ROLES.join(', ')}`,
    }),
  );

const FlagSchema = z
  .enum(['0', '1', 'true', 'false', 'on', ''], { error: 'must be 1 or 0' })
  .default('0')
  .transform((v) => v === '1' || v === 'true' || v === 'on');

const CommonFields = {
  issuer: IssuerSchema,
  clientId: z.string().trim().min(1, 'required').max(500, 'at most 500 characters'),
  name: z.string().trim().min(1, 'required').max(60, 'at most 60 characters'),
  autoSignUp: FlagSchema,
  defaultRole: SsoRoleSchema.default('viewer'),
  allowedDomains: DomainListSchema.default([]),
};

function requireDomainsForSignUp(v: { autoSignUp: boolean; allowedDomains: string[] }, ctx: z.RefinementCtx) {
  if (v.autoSignUp && v.allowedDomains.length === 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['allowedDomains'],
      message: 'automatic sign-up needs at least one allowed domain (e.g. example.com)',
    });
  }
}

const ENV_NAMES: Record<string, string> = {
  issuer: 'BURNRATE_OIDC_ISSUER',
  clientId: 'BURNRATE_OIDC_CLIENT_ID',
  clientSecret: 'BURNRATE_OIDC_CLIENT_SECRET',
  name: 'BURNRATE_OIDC_NAME',
  autoSignUp: 'BURNRATE_OIDC_AUTO_SIGNUP',
  defaultRole: 'BURNRATE_OIDC_DEFAULT_ROLE',
  allowedDomains: 'BURNRATE_OIDC_ALLOWED_DOMAINS',
};

const EnvSsoSchema = z
  .object({
    ...CommonFields,
    clientSecret: z.string().min(1, 'required').max(2000, 'at most 2000 characters'),
    name: CommonFields.name.default('single sign-on'),
  })
  .superRefine(requireDomainsForSignUp);

/**
 * The environment's provider, or null when BURNRATE_OIDC_ISSUER is unset. Throws an
 * SsoConfigError naming each bad variable (the server refuses to start on it: scripts/start.ts).
 */
export function ssoFromEnv(env: Record<string, string | undefined> = process.env): SsoConfig | null {
  const raw = {
    issuer: env.BURNRATE_OIDC_ISSUER || undefined,
    clientId: env.BURNRATE_OIDC_CLIENT_ID || undefined,
    clientSecret: env.BURNRATE_OIDC_CLIENT_SECRET || undefined,
    name: env.BURNRATE_OIDC_NAME || undefined,
    autoSignUp: env.BURNRATE_OIDC_AUTO_SIGNUP || undefined,
    defaultRole: env.BURNRATE_OIDC_DEFAULT_ROLE || undefined,
    allowedDomains: env.BURNRATE_OIDC_ALLOWED_DOMAINS || undefined,
  };
  if (raw.issuer === undefined) {
    const stray = Object.entries(raw).filter(([, v]) => v !== undefined);
    if (stray.length === 0) return null;
    throw new SsoConfigError(
      `Invalid environment: ${stray.map(([k]) => ENV_NAMES[k]).join(', ')} set without BURNRATE_OIDC_ISSUER (single sign-on needs the issuer URL)`,
    );
  }
  const parsed = EnvSsoSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `${ENV_NAMES[String(i.path[0])] ?? i.path.join('.')}: ${i.code === 'invalid_type' ? 'required' : i.message}`,
    );
    throw new SsoConfigError(`Invalid environment: ${problems.join('; ')}`);
  }
  return { source: 'environment', ...parsed.data };
}

interface SsoRow {
  enabled: boolean;
  issuer: string;
  client_id: string;
  client_secret: string;
  display_name: string;
  auto_sign_up: boolean;
  default_role: SsoRole;
  allowed_domains: string[];
  updated_at: Date;
  updated_by: string | null;
}

async function storedRow(db: pg.Pool | pg.PoolClient = getPool(), forUpdate = false): Promise<SsoRow | null> {
  const { rows } = await db.query<SsoRow>(`SELECT * FROM sso_settings WHERE id${forUpdate ? ' FOR UPDATE' : ''}`);
  return rows[0] ?? null;
}

/**
 * The provider in force: the environment's, else the saved one when enabled, else null. A saved
 * secret that cannot be decrypted (BURNRATE_SECRET_KEY changed) turns SSO off with a logged reason
 * rather than failing every sign-in page; the settings page says so.
 */
export async function loadSsoConfig(): Promise<SsoConfig | null> {
  const fromEnv = ssoFromEnv();
  if (fromEnv) return fromEnv;
  const row = await storedRow();
  if (!row?.enabled) return null;
  let clientSecret: string;
  try {
    clientSecret = decryptSecret(row.client_secret);
  } catch (error) {
    console.error(`[burnrate] single sign-on is off: the saved client secret cannot be read (${(error as Error).message})`);
    return null;
  }
  return {
    source: 'settings',
    issuer: row.issuer,
    clientId: row.client_id,
    clientSecret,
    name: row.display_name,
    autoSignUp: row.auto_sign_up,
    defaultRole: row.default_role,
    allowedDomains: row.allowed_domains,
  };
}

/** The sign-in button's label, or null when no provider is in force (a broken setting is logged, not shown to visitors). */
export async function ssoButtonName(): Promise<string | null> {
  try {
    return (await loadSsoConfig())?.name ?? null;
  } catch (error) {
    if (!(error instanceof SsoConfigError)) throw error;
    console.error(`[burnrate] single sign-on is off: ${error.message}`);
    return null;
  }
}

/** What /settings/sso shows: never the secret, only whether one is stored. */
export interface SsoSettingsView {
  environment: Omit<SsoConfig, 'clientSecret' | 'source'> | null;
  /** Set when BURNRATE_OIDC_* is present but invalid. */
  environmentError: string | null;
  saved: {
    enabled: boolean;
    issuer: string;
    clientId: string;
    name: string;
    autoSignUp: boolean;
    defaultRole: SsoRole;
    allowedDomains: string[];
    secretStored: true;
    secretReadable: boolean;
    updatedAt: Date;
    updatedBy: string | null;
  } | null;
}

function withoutSecret({ clientSecret: _secret, source: _source, ...rest }: SsoConfig): Omit<SsoConfig, 'clientSecret' | 'source'> {
  return rest;
}

export async function ssoSettingsView(): Promise<SsoSettingsView> {
  let environment: SsoSettingsView['environment'] = null;
  let environmentError: string | null = null;
  try {
    const env = ssoFromEnv();
    environment = env ? withoutSecret(env) : null;
  } catch (error) {
    if (!(error instanceof SsoConfigError)) throw error;
    environmentError = error.message;
  }
  const row = await storedRow();
  let secretReadable = false;
  if (row) {
    try {
      decryptSecret(row.client_secret);
      secretReadable = true;
    } catch {
      // Shown on the page as "stored, but unreadable with the current key".
      secretReadable = false;
    }
  }
  return {
    environment,
    environmentError,
    saved: row
      ? {
          enabled: row.enabled,
          issuer: row.issuer,
          clientId: row.client_id,
          name: row.display_name,
          autoSignUp: row.auto_sign_up,
          defaultRole: row.default_role,
          allowedDomains: row.allowed_domains,
          secretStored: true,
          secretReadable,
          updatedAt: row.updated_at,
          updatedBy: row.updated_by,
        }
      : null,
  };
}

/** The page's form: as CommonFields, plus an optional secret (blank keeps the stored one) and the on/off switch. */
export const SsoSettingsFormSchema = z
  .object({
    ...CommonFields,
    clientSecret: z.string().max(2000, 'at most 2000 characters').default(''),
    enabled: FlagSchema,
  })
  .superRefine(requireDomainsForSignUp);
export type SsoSettingsForm = z.output<typeof SsoSettingsFormSchema>;

/** A settings change as the audit trail records it: the fields without the secret, and which fields changed (the secret by name only). */
export interface SsoSettingsChange {
  before: Record<string, unknown> | null;
  after: Record<string, unknown>;
  changed: string[];
}

type Auditable = Omit<SsoSettingsForm, 'clientSecret'>;

function auditable(v: Auditable): Record<string, unknown> {
  return {
    enabled: v.enabled,
    issuer: v.issuer,
    clientId: v.clientId,
    name: v.name,
    autoSignUp: v.autoSignUp,
    defaultRole: v.defaultRole,
    allowedDomains: v.allowedDomains,
  };
}

/**
 * Saves the page's settings (in the caller's transaction, so its audit line commits with them).
 * The client secret is encrypted (lib/secrets.ts); left blank it keeps the stored one — unless the
 * issuer changed: a stored secret is only ever sent to the provider it was entered for (as source
 * credentials are bound to their endpoints).
 */
export async function saveSsoSettings(
  input: SsoSettingsForm,
  updatedBy: string,
  db: pg.Pool | pg.PoolClient = getPool(),
): Promise<SsoSettingsChange> {
  const row = await storedRow(db, true);
  const secret = input.clientSecret.trim();
  if (secret === '') {
    if (!row) throw new SsoConfigError('Enter the client secret.', { clientSecret: ['required'] });
    if (row.issuer !== input.issuer) {
      throw new SsoConfigError(
        'Enter the client secret again: the issuer changed, and the stored secret is only sent to the provider it was saved for.',
        { clientSecret: ['enter it again: the issuer changed'] },
      );
    }
  }
  const clientSecret = secret === '' ? (row as SsoRow).client_secret : encryptSecret(secret);
  await db.query(
    `INSERT INTO sso_settings (id, enabled, issuer, client_id, client_secret, display_name, auto_sign_up, default_role, allowed_domains, updated_at, updated_by)
     VALUES (true, $1, $2, $3, $4, $5, $6, $7, $8, now(), $9)
     ON CONFLICT (id) DO UPDATE SET enabled = $1, issuer = $2, client_id = $3, client_secret = $4, display_name = $5,
       auto_sign_up = $6, default_role = $7, allowed_domains = $8, updated_at = now(), updated_by = $9`,
    [
      input.enabled,
      input.issuer,
      input.clientId,
      clientSecret,
      input.name,
      input.autoSignUp,
      input.defaultRole,
      input.allowedDomains,
      updatedBy,
    ],
  );
  const before = row
    ? auditable({
        enabled: row.enabled,
        issuer: row.issuer,
        clientId: row.client_id,
        name: row.display_name,
        autoSignUp: row.auto_sign_up,
        defaultRole: row.default_role,
        allowedDomains: row.allowed_domains,
      })
    : null;
  const after = auditable(input);
  const changed = Object.keys(after).filter((k) => JSON.stringify(before?.[k]) !== JSON.stringify(after[k]));
  if (secret !== '') changed.push('clientSecret');
  return { before, after, changed };
}
