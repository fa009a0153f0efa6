// The permission table walked whole: every server action, route handler and page in the code has
// an entry (an action, route or page added without one fails here), and each is enforced as the
// table says for every role and for a visitor who is not signed in — through real sessions on a
// real PostgreSQL, calling the actions, route handlers and page guards as Next.js does.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { signIn, TEST_PASSWORD, type TestUser, userWithRole } from '../../tests/helpers/auth';
import { useTestDatabase } from '../../tests/helpers/db';
import type { ActionState } from '../actions/safe-action';
import { newToken } from './api-tokens';
import { ACTION_PERMISSIONS, can, PAGE_PERMISSIONS, PUBLIC, ROUTE_PERMISSIONS } from './permissions';
import { withRequest } from './request-context';
import { ROLES, type Role } from './roles';
import { requirePage } from './session';

vi.mock('next/cache', () => ({ revalidatePath: vi.fn() }));

const ROOT = process.cwd();

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else out.push(full);
  }
  return out;
}

/** app/sources/[id]/page.tsx → '/sources/[id]' (route groups "(x)" are not part of the URL). */
function patternOf(file: string, leaf: string): string {
  const rel = path.relative(path.join(ROOT, 'app'), path.dirname(file));
  const parts = rel === '' ? [] : rel.split(path.sep).filter((p) => !/^\(.*\)$/.test(p));
  expect(path.basename(file)).toBe(leaf);
  return `/${parts.join('/')}`;
}

const pageFiles = walk(path.join(ROOT, 'app')).filter((f) => f.endsWith(`${path.sep}page.tsx`));
const routeFiles = walk(path.join(ROOT, 'app')).filter((f) => f.endsWith(`${path.sep}route.ts`));
const actionFiles = readdirSync(path.join(ROOT, 'lib/actions'))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => path.join(ROOT, 'lib/actions', f))
  .filter((f) => /^\s*['"]use server['"]/.test(readFileSync(f, 'utf8')));

type Who = Role | 'anonymous';
const EVERYONE: Who[] = [...ROLES, 'anonymous'];

function expected(allowed: readonly Role[] | typeof PUBLIC, who: Who): boolean {
  if (allowed === PUBLIC) return true;
  return who !== 'anonymous' && allowed.includes(who);
}

let users: Record<Role, TestUser>;
beforeAll(async () => {
  await useTestDatabase();
  users = {} as Record<Role, TestUser>;
  for (const role of ROLES) users[role] = await userWithRole(role);
});

/** A fresh session of the role's user (an action may end the session it ran in: sign-out). */
async function headersOf(who: Who): Promise<Headers> {
  if (who === 'anonymous') return new Headers();
  return new Headers({ cookie: await signIn(users[who].email, TEST_PASSWORD) });
}

describe('the table covers the code', () => {
  it('every page has an entry, and its first guard names it', () => {
    const patterns = pageFiles.map((f) => patternOf(f, 'page.tsx')).sort();
    expect(patterns).toEqual(Object.keys(PAGE_PERMISSIONS).sort());
    for (const file of pageFiles) {
      const pattern = patternOf(file, 'page.tsx');
      expect(readFileSync(file, 'utf8'), `${path.relative(ROOT, file)} calls requirePage('${pattern}')`).toContain(
        `requirePage('${pattern}')`,
      );
    }
  });

  it('every route handler method has an entry; each guarded one calls authorizeRoute with its key', () => {
    const keys: string[] = [];
    for (const file of routeFiles) {
      const text = readFileSync(file, 'utf8');
      const pattern = patternOf(file, 'route.ts');
      for (const m of text.matchAll(/export (?:async function|const) (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b/g)) {
        const key = `${m[1]} ${pattern}`;
        keys.push(key);
        const entry = (ROUTE_PERMISSIONS as Record<string, { roles: unknown }>)[key];
        expect(entry, `${key} has an entry`).toBeDefined();
        if (entry?.roles !== PUBLIC) expect(text, `${key} calls authorizeRoute`).toContain(`authorizeRoute(request, '${key}')`);
      }
    }
    expect(keys.sort()).toEqual(Object.keys(ROUTE_PERMISSIONS).sort());
  });

  it("every server action has an entry, named like the function that exports it (formAction's name)", () => {
    const names: string[] = [];
    for (const file of actionFiles) {
      const text = readFileSync(file, 'utf8');
      const exported = [...text.matchAll(/^export async function (\w+)/gm)].map((m) => m[1] as string).sort();
      const declared = [...text.matchAll(/formAction\(\{\s*name: '(\w+)'/g)].map((m) => m[1] as string).sort();
      expect(exported, path.relative(ROOT, file)).toEqual(declared);
      names.push(...exported);
    }
    expect(names.sort()).toEqual(Object.keys(ACTION_PERMISSIONS).sort());
  });

  it('the roles mean what README says: a viewer changes nothing; only admins change sources', () => {
    const actionsFor = (role: Role) => Object.keys(ACTION_PERMISSIONS).filter((a) => can(role, 'action', a));
    const publicActions = Object.keys(ACTION_PERMISSIONS).filter((a) => can(null, 'action', a));
    expect(publicActions.sort()).toEqual(['setPassword', 'setupFirstAdmin', 'signIn', 'startSingleSignOn']);
    // Beyond the public ones, a viewer only changes their own account (password, API tokens, signing
    // out) and their own saved explorer views.
    expect(actionsFor('viewer').filter((a) => !publicActions.includes(a))).toEqual([
      'signOut',
      'changePassword',
      'createApiToken',
      'revokeApiToken',
      'saveExplorerView',
      'deleteExplorerView',
    ]);
    for (const a of ['inviteUser', 'changeUserRole', 'setUserDisabled', 'createPasswordResetLink'])
      expect(ROLES.filter((r) => can(r, 'action', a))).toEqual(['admin']);
    for (const a of [
      'saveSource',
      'deleteSource',
      'setSourceEnabled',
      'syncSourceNow',
      'testSourceConnection',
      'testSourceSettings',
      'saveSsoSettings',
      'saveRuleSettings',
    ])
      expect(ROLES.filter((r) => can(r, 'action', a))).toEqual(['admin']);
    // A recommendation's status: engineers and admins; viewers and finance read only.
    for (const a of ['acceptRecommendation', 'snoozeRecommendation', 'dismissRecommendation', 'reopenRecommendation'])
      expect(ROLES.filter((r) => can(r, 'action', a))).toEqual(['engineer', 'admin']);
    // FX rates: finance and admins load them; everyone reads what is loaded.
    expect(ROLES.filter((r) => can(r, 'action', 'loadFxRates'))).toEqual(['finance', 'admin']);
    expect(ROLES.filter((r) => can(r, 'page', '/settings/fx'))).toEqual([...ROLES]);
    expect(Object.keys(ACTION_PERMISSIONS).every((a) => can('admin', 'action', a))).toBe(true);
    expect(Object.keys(PAGE_PERMISSIONS).every((p) => can('admin', 'page', p))).toBe(true);
  });
});

describe('the table is enforced', () => {
  it('every action, as every role and as a visitor: allowed ones run (or fail validation), the others are refused before their input is read', async () => {
    for (const file of actionFiles) {
      const mod = (await import(file)) as Record<string, (prev: ActionState<unknown>, form: FormData) => Promise<ActionState<unknown>>>;
      for (const [name, fn] of Object.entries(mod)) {
        const allowed = ACTION_PERMISSIONS[name as keyof typeof ACTION_PERMISSIONS];
        for (const who of EVERYONE) {
          // An action that ran to its end may navigate (sign-out goes to /sign-in): Next's redirect signal is that outcome.
          const result = await withRequest(await headersOf(who), () => fn({ status: 'idle' }, new FormData())).then(
            (r) => r.result,
            (error: unknown) => {
              if (String((error as { digest?: unknown }).digest).startsWith('NEXT_REDIRECT;')) return { status: 'redirected' as const };
              throw error;
            },
          );
          const refused = result.status === 'error' && (result.code === 'FORBIDDEN' || result.code === 'UNAUTHENTICATED');
          expect(refused, `${name} as ${who}: ${JSON.stringify(result)}`).toBe(!expected(allowed, who));
          if (refused) expect(result.code).toBe(who === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN');
        }
      }
    }
  });

  it('an API token does not run actions: only a session does', async () => {
    const { result } = await withRequest({ authorization: `Bearer ${newToken().token}` }, async () => {
      const { deleteSource } = await import('../actions/delete-source');
      return deleteSource({ status: 'idle' }, new FormData());
    });
    expect(result).toMatchObject({ status: 'error', code: 'UNAUTHENTICATED' });
  });

  it('every route handler, as every role and as a visitor: 401 without a session, 403 for other roles', async () => {
    for (const file of routeFiles) {
      const mod = (await import(file)) as Record<string, (request: Request) => Promise<Response>>;
      const pattern = patternOf(file, 'route.ts');
      for (const [method, handler] of Object.entries(mod)) {
        if (!/^(GET|POST|PUT|PATCH|DELETE)$/.test(method)) continue;
        const key = `${method} ${pattern}` as keyof typeof ROUTE_PERMISSIONS;
        const url = `http://localhost${pattern.replace(/\[\.\.\.\w+\]/, 'session').replace(/\[\w+\]/g, '1')}`;
        for (const who of EVERYONE) {
          const res = await handler(new Request(url, { method, headers: await headersOf(who) }));
          const want = expected(ROUTE_PERMISSIONS[key].roles, who);
          if (want) expect([401, 403], `${key} as ${who}`).not.toContain(res.status);
          else expect(res.status, `${key} as ${who}`).toBe(who === 'anonymous' ? 401 : 403);
        }
      }
    }
  });

  it('every page guard, as every role and as a visitor: allowed ones return the user, others redirect to sign-in or the 403 page', async () => {
    for (const page of Object.keys(PAGE_PERMISSIONS) as (keyof typeof PAGE_PERMISSIONS)[]) {
      for (const who of EVERYONE) {
        const outcome = await withRequest(await headersOf(who), () => requirePage(page)).then(
          ({ result }) => ({ ok: true as const, user: result }),
          (error: unknown) => ({ ok: false as const, digest: String((error as { digest?: string }).digest ?? error) }),
        );
        const want = expected(PAGE_PERMISSIONS[page], who);
        expect(outcome.ok, `${page} as ${who}`).toBe(want);
        if (!outcome.ok) expect(outcome.digest).toContain(who === 'anonymous' ? ';/sign-in;' : ';/forbidden;');
        if (outcome.ok && who !== 'anonymous') expect(outcome.user?.role).toBe(who);
      }
    }
  });
});
