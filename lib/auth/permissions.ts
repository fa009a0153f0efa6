import { ROLES, type Role } from './roles';

/**
 * THE permission table: every page (by its route pattern under app/), every server action (by the
 * name it gives formAction) and every route handler ("METHOD /pattern") with the roles allowed.
 * `PUBLIC` entries need no sign-in (the sign-in and setup pages, health checks, better-auth's OAuth
 * callbacks). Route entries marked `apiToken` also accept a read-only API token (Bearer).
 *
 * Checked in three places: proxy.ts (pages, before rendering), requirePage() at the top of every
 * page and authorizeRoute() in every route handler (lib/auth/session.ts), and formAction()
 * (lib/actions/safe-action.ts) before every action. lib/auth/permissions.test.ts walks the table
 * and fails on a page, action or route handler that has no entry.
 */
export const PUBLIC = 'public' as const;
type Allowed = readonly Role[] | typeof PUBLIC;

const EVERYONE: readonly Role[] = ROLES;
const ADMIN: readonly Role[] = ['admin'];
// Engineers act on recommendations (roles.ts); admins do everything.
const ENGINEERS: readonly Role[] = ['engineer', 'admin'];
// Finance loads FX rates (roles.ts); admins do everything.
const FINANCE: readonly Role[] = ['finance', 'admin'];

export const PAGE_PERMISSIONS = {
  '/': EVERYONE,
  '/sources': EVERYONE,
  '/sources/[id]': EVERYONE,
  '/sources/new': ADMIN,
  '/audit': ADMIN,
  '/sign-in': PUBLIC,
  '/setup': PUBLIC,
  '/forbidden': PUBLIC,
  '/profile': EVERYONE,
  '/settings/sso': ADMIN,
  '/users': ADMIN,
  '/set-password': PUBLIC,
  // The GPU fleet: utilization and cost, read-only.
  '/gpu': EVERYONE,
  '/recommendations': EVERYONE,
  '/recommendations/[id]': EVERYONE,
  '/settings/recommendations': ADMIN,
  // The cost explorer, its region view and month-over-month movers: read-only.
  '/explorer': EVERYONE,
  '/explorer/regions': EVERYONE,
  '/explorer/movers': EVERYONE,
  // FX rates: every role sees what is loaded; finance and admins load (the form shows to them).
  '/settings/fx': EVERYONE,
  // SMTP and the monthly report's recipients.
  '/settings/email': ADMIN,
  // Tag rules (team, environment, cost centre): everyone reads them; finance and admins edit (the form shows to them).
  '/settings/tags': EVERYONE,
  // Month close: every role sees closed months and restatements; finance and admins close and reopen.
  '/close': EVERYONE,
  // Invoice reconciliation: everyone views; finance and admins enter invoice totals.
  '/reconciliation': EVERYONE,
  // Shared-cost rules: everyone reads them; finance and admins preview, save and delete (the form shows to them).
  '/settings/allocation': EVERYONE,
} as const satisfies Record<string, Allowed>;

export const ACTION_PERMISSIONS = {
  saveSource: ADMIN,
  deleteSource: ADMIN,
  setSourceEnabled: ADMIN,
  syncSourceNow: ADMIN,
  syncInventoryNow: ADMIN,
  testSourceConnection: ADMIN,
  testSourceSettings: ADMIN,
  signIn: PUBLIC,
  startSingleSignOn: PUBLIC,
  saveSsoSettings: ADMIN,
  setupFirstAdmin: PUBLIC,
  signOut: EVERYONE,
  // The users page.
  inviteUser: ADMIN,
  changeUserRole: ADMIN,
  setUserDisabled: ADMIN,
  createPasswordResetLink: ADMIN,
  // The invitation / reset link's page: the token is the credential.
  setPassword: PUBLIC,
  // Everyone's own account (the profile page).
  changePassword: EVERYONE,
  createApiToken: EVERYONE,
  revokeApiToken: EVERYONE,
  // A recommendation's status (its page); viewers and finance read only.
  acceptRecommendation: ENGINEERS,
  snoozeRecommendation: ENGINEERS,
  dismissRecommendation: ENGINEERS,
  reopenRecommendation: ENGINEERS,
  // /settings/recommendations: the rules' parameters.
  saveRuleSettings: ADMIN,
  // Saved explorer views: anyone signed in saves their own (private or shared); the owner or an admin deletes.
  saveExplorerView: EVERYONE,
  deleteExplorerView: EVERYONE,
  // /settings/fx: a rates file (ECB or date,from,to,rate).
  loadFxRates: FINANCE,
  // /close: month close and reopen (roles.ts: finance does month close).
  closeMonth: FINANCE,
  reopenMonth: FINANCE,
  // /reconciliation: an invoice total for a provider's account and month.
  enterInvoiceTotal: FINANCE,
  // /settings/email.
  saveMailSettings: ADMIN,
  sendTestEmail: ADMIN,
  // /settings/tags: one concept's tag rule.
  saveTagRule: FINANCE,
  // /settings/allocation: shared-cost rules (a preview reads only, but is part of editing).
  previewSharedCostRule: FINANCE,
  saveSharedCostRule: FINANCE,
  deleteSharedCostRule: FINANCE,
} as const satisfies Record<string, Allowed>;

export const ROUTE_PERMISSIONS = {
  'GET /api/health': { roles: PUBLIC },
  'GET /api/ingest/status': { roles: EVERYONE, apiToken: true },
  // An admin's read-only token may pull the trail for archiving.
  'GET /audit/export': { roles: ADMIN, apiToken: true },
  'GET /api/me': { roles: EVERYONE, apiToken: true },
  // /recommendations as CSV, with the page's filters; read-only, so a token may pull it too.
  'GET /recommendations/export': { roles: EVERYONE, apiToken: true },
  // The explorer's view as CSV/XLSX and a month's PDF report: finance exports (roles.ts).
  'GET /explorer/export': { roles: FINANCE },
  'GET /explorer/report': { roles: FINANCE },
  // better-auth's own endpoints; app/api/auth/[...all]/route.ts lets through only the SSO callback.
  'GET /api/auth/[...all]': { roles: PUBLIC },
  'POST /api/auth/[...all]': { roles: PUBLIC },
} as const satisfies Record<string, { roles: Allowed; apiToken?: boolean }>;

export type PageKey = keyof typeof PAGE_PERMISSIONS;
export type ActionKey = keyof typeof ACTION_PERMISSIONS;
export type RouteKey = keyof typeof ROUTE_PERMISSIONS;

function allows(allowed: Allowed, role: Role | null): boolean {
  if (allowed === PUBLIC) return true;
  return role !== null && allowed.includes(role);
}

export function isPublic(kind: 'page' | 'action' | 'route', key: string): boolean {
  return entry(kind, key) === PUBLIC;
}

function entry(kind: 'page' | 'action' | 'route', key: string): Allowed | undefined {
  if (kind === 'page') return (PAGE_PERMISSIONS as Record<string, Allowed>)[key];
  if (kind === 'action') return (ACTION_PERMISSIONS as Record<string, Allowed>)[key];
  return (ROUTE_PERMISSIONS as Record<string, { roles: Allowed }>)[key]?.roles;
}

/** Whether a role (null: not signed in) may open a page, run an action or call a route. No entry: no. */
export function can(role: Role | null, kind: 'page' | 'action' | 'route', key: string): boolean {
  const allowed = entry(kind, key);
  return allowed !== undefined && allows(allowed, role);
}

export function routeAcceptsApiToken(key: RouteKey): boolean {
  const e = ROUTE_PERMISSIONS[key];
  return 'apiToken' in e && e.apiToken === true;
}

/** The page pattern a path belongs to ('/sources/12' → '/sources/[id]'); null when no page matches. */
export function pagePatternOf(pathname: string): PageKey | null {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  const parts = path.split('/');
  let best: PageKey | null = null;
  for (const pattern of Object.keys(PAGE_PERMISSIONS) as PageKey[]) {
    const pp = pattern.split('/');
    if (pp.length !== parts.length) continue;
    let dynamic = 0;
    const match = pp.every((p, i) => {
      if (/^\[[^.\]]+\]$/.test(p)) {
        dynamic++;
        return (parts[i] ?? '') !== '';
      }
      return p === parts[i];
    });
    // A static segment beats a dynamic one: '/sources/new' is not '/sources/[id]'.
    if (match && (best === null || dynamic < best.split('[').length - 1)) best = pattern;
  }
  return best;
}
