// API tokens through the real route handlers, as a script calls them (Authorization: Bearer):
// a live token of an enabled user reads; a revoked token, a disabled user's token, a token without
// the brt_ prefix and an unknown one get 401 with the project's error body. (That a token never
// runs an action is lib/auth/permissions.test.ts's "an API token does not run actions".)
import { beforeAll, describe, expect, it } from 'vitest';
import { GET as getIngestStatus } from '../../app/api/ingest/status/route';
import { GET as getMe } from '../../app/api/me/route';
import { type TestUser, userWithRole } from '../../tests/helpers/auth';
import { sql, useTestDatabase } from '../../tests/helpers/db';
import { createApiToken, revokeApiToken } from './api-tokens';

let url: string;
let user: TestUser;
beforeAll(async () => {
  url = await useTestDatabase();
  user = await userWithRole('engineer');
});

function bearer(path: string, token: string): Request {
  return new Request(`http://localhost${path}`, { headers: { authorization: `Bearer ${token}` } });
}

async function expect401(res: Response): Promise<void> {
  expect(res.status).toBe(401);
  expect(await res.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED', message: expect.stringContaining('Authorization: Bearer') } });
}

describe('Bearer API tokens on the read routes', () => {
  it('a live token reads /api/me and /api/ingest/status as its user', async () => {
    const { token } = await createApiToken(user.id, 'reader');
    const me = await getMe(bearer('/api/me', token));
    expect(me.status).toBe(200);
    expect(me.headers.get('cache-control')).toBe('no-store');
    expect(await me.json()).toEqual({ id: user.id, email: user.email, role: 'engineer', via: 'api-token' });
    const status = await getIngestStatus(bearer('/api/ingest/status', token));
    expect(status.status).toBe(200);
    // The scheme is case-insensitive (RFC 9110); the token is not.
    expect((await getMe(new Request('http://localhost/api/me', { headers: { authorization: `bearer ${token}` } }))).status).toBe(200);
    await expect401(await getMe(bearer('/api/me', token.toUpperCase())));
  });

  it('a revoked token gets 401', async () => {
    const created = await createApiToken(user.id, 'to revoke');
    expect(await revokeApiToken(user.id, created.id)).toMatchObject({ name: 'to revoke' });
    await expect401(await getMe(bearer('/api/me', created.token)));
    await expect401(await getIngestStatus(bearer('/api/ingest/status', created.token)));
  });

  it("a disabled user's token gets 401 (and works again once the user is enabled)", async () => {
    const other = await userWithRole('viewer');
    const { token } = await createApiToken(other.id, 'cron');
    await sql(url, 'UPDATE users SET disabled_at = now() WHERE id = $1', [other.id]);
    await expect401(await getMe(bearer('/api/me', token)));
    await sql(url, 'UPDATE users SET disabled_at = NULL WHERE id = $1', [other.id]);
    expect((await getMe(bearer('/api/me', token))).status).toBe(200);
  });

  it('a token without the brt_ prefix, an unknown one and a session token sent as Bearer get 401', async () => {
    const { token } = await createApiToken(user.id, 'prefix check');
    await expect401(await getMe(bearer('/api/me', token.slice(4))));
    await expect401(await getMe(bearer('/api/me', `xyz_${token.slice(4)}`)));
    await expect401(await getMe(bearer('/api/me', `brt_${'A'.repeat(43)}`)));
    const sessionToken = decodeURIComponent(user.cookie.split('=')[1] ?? '').split('.')[0] ?? '';
    await expect401(await getMe(bearer('/api/me', sessionToken)));
  });

  it('a disabled user cannot be given a new token', async () => {
    const other = await userWithRole('finance');
    await sql(url, 'UPDATE users SET disabled_at = now() WHERE id = $1', [other.id]);
    await expect(createApiToken(other.id, 'late')).rejects.toThrow('This account is disabled or no longer exists.');
  });
});
