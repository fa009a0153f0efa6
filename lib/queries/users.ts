import { type Role, RoleSchema } from '../auth/roles';
import { getPool } from '../db/pool';

/** How a user can sign in: a password ('credential' account) and/or single sign-on (any other provider). */
export type SignInMethod = 'password' | 'sso';

export interface UserListItem {
  id: string;
  name: string;
  email: string;
  role: Role;
  disabledAt: Date | null;
  lastSignInAt: Date | null;
  createdAt: Date;
  methods: SignInMethod[];
  /** No way to sign in yet, and an invitation or reset link still live: they have not used it. */
  invitePending: boolean;
}

/** Every account, for the users page: admins first, then by email. */
export async function listUsers(): Promise<UserListItem[]> {
  const { rows } = await getPool().query<{
    id: string;
    name: string;
    email: string;
    role: string;
    disabled_at: Date | null;
    last_sign_in_at: Date | null;
    created_at: Date;
    has_password: boolean;
    has_sso: boolean;
    link_live: boolean;
  }>(
    `SELECT u.id, u.name, u.email, u.role, u.disabled_at, u.last_sign_in_at, u.created_at,
            EXISTS (SELECT 1 FROM auth_accounts a WHERE a.user_id = u.id AND a.provider_id = 'credential') AS has_password,
            EXISTS (SELECT 1 FROM auth_accounts a WHERE a.user_id = u.id AND a.provider_id <> 'credential') AS has_sso,
            EXISTS (SELECT 1 FROM one_time_links l
                     WHERE l.user_id = u.id AND l.purpose IN ('invite', 'reset') AND l.used_at IS NULL AND l.expires_at > now()) AS link_live
       FROM users u
      ORDER BY u.role = 'admin' DESC, u.email`,
  );
  return rows.map((r) => {
    const methods: SignInMethod[] = [];
    if (r.has_password) methods.push('password');
    if (r.has_sso) methods.push('sso');
    return {
      id: r.id,
      name: r.name,
      email: r.email,
      role: RoleSchema.parse(r.role),
      disabledAt: r.disabled_at,
      lastSignInAt: r.last_sign_in_at,
      createdAt: r.created_at,
      methods,
      invitePending: methods.length === 0 && r.link_live,
    };
  });
}

/** The account facts the profile page shows, with whether a password is set (SSO-only users have none to change). */
export async function getProfile(userId: string) {
  const { rows } = await getPool().query<{
    name: string;
    email: string;
    last_sign_in_at: Date | null;
    created_at: Date;
    has_password: boolean;
  }>(
    `SELECT u.name, u.email, u.last_sign_in_at, u.created_at,
            EXISTS (SELECT 1 FROM auth_accounts a WHERE a.user_id = u.id AND a.provider_id = 'credential') AS has_password
       FROM users u WHERE u.id = $1`,
    [userId],
  );
  const r = rows[0];
  if (!r) return null;
  return { name: r.name, email: r.email, lastSignInAt: r.last_sign_in_at, createdAt: r.created_at, hasPassword: r.has_password };
}

export interface ApiTokenListItem {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** A user's API tokens, live ones first, newest first (never the token: only its hash is stored). */
export async function listApiTokens(userId: string): Promise<ApiTokenListItem[]> {
  const { rows } = await getPool().query<{
    id: string;
    name: string;
    prefix: string;
    created_at: Date;
    last_used_at: Date | null;
    revoked_at: Date | null;
  }>(
    `SELECT id::text, name, prefix, created_at, last_used_at, revoked_at
       FROM api_tokens WHERE user_id = $1
      ORDER BY revoked_at IS NOT NULL, created_at DESC, id DESC`,
    [userId],
  );
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  }));
}
