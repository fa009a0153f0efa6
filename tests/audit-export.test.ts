// GET /audit/export as Next calls it: admins only (session or an admin's API token), /audit's
// filters, an RFC 4180 attachment with formula cells neutralized, and a refused filter named.
import { beforeAll, describe, expect, it } from 'vitest';
import { GET as exportAudit } from '../app/audit/export/route';
import { AUDIT_CSV_COLUMNS } from '../lib/audit/csv';
import { newToken } from '../lib/auth/api-tokens';
import { ApiErrorSchema } from '../lib/schema';
import { type TestUser, userWithRole } from './helpers/auth';
import { sql, useTestDatabase } from './helpers/db';

let url: string;
let admin: TestUser;
let viewer: TestUser;
const ids: string[] = [];

beforeAll(async () => {
  url = await useTestDatabase();
  admin = await userWithRole('admin');
  viewer = await userWithRole('viewer');
  // Lines on a day of their own, so the sign-ins above are not in the export's range.
  for (const [at, objectId] of [
    ['2022-03-04 05:06:07.891+00', '@SUM(1+1)'],
    ['2022-03-04 09:00:00+00', '12'],
  ] as const) {
    const [row] = await sql<{ id: string }>(
      url,
      `INSERT INTO audit_log (at, actor_kind, actor_user_id, actor_email, ip, action, object_type, object_id, detail)
       VALUES ($1, 'user', 'u1', 'ada@example.test', '192.0.2.1', 'source.delete', 'source', $2, '{"lineItemsDeleted":3}') RETURNING id`,
      [at, objectId],
    );
    ids.push((row as { id: string }).id);
  }
});

function get(query: string, headers: HeadersInit = {}): Promise<Response> {
  return exportAudit(new Request(`http://localhost/audit/export${query}`, { headers }));
}

describe('GET /audit/export', () => {
  it('refuses a visitor without a session (401) and a viewer (403), in the one error body', async () => {
    const anonymous = await get('');
    expect(anonymous.status).toBe(401);
    expect(ApiErrorSchema.parse(await anonymous.json()).error.code).toBe('UNAUTHENTICATED');
    const refused = await get('', { cookie: viewer.cookie });
    expect(refused.status).toBe(403);
    expect(ApiErrorSchema.parse(await refused.json()).error.code).toBe('FORBIDDEN');
  });

  it('gives an admin the filtered lines, newest first, as a CSV attachment with formula cells neutralized', async () => {
    const res = await get('?from=2022-03-04&to=2022-03-04&action=source.', { cookie: admin.cookie });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="burnrate-audit-\d{4}-\d{2}-\d{2}-\d{6}\.csv"$/);
    expect(await res.text()).toBe(
      `${AUDIT_CSV_COLUMNS.join(',')}\r\n` +
        `${ids[1]},2022-03-04T09:00:00.000Z,user,u1,ada@example.test,,192.0.2.1,source.delete,source,12,ok,,,"{""lineItemsDeleted"":3}"\r\n` +
        `${ids[0]},2022-03-04T05:06:07.891Z,user,u1,ada@example.test,,192.0.2.1,source.delete,source,'@SUM(1+1),ok,,,"{""lineItemsDeleted"":3}"\r\n`,
    );
  });

  it("accepts an admin's API token (scripts archiving the trail), not a viewer's", async () => {
    const tokens: Record<string, string> = {};
    for (const user of [admin, viewer]) {
      const t = newToken();
      await sql(url, 'INSERT INTO api_tokens (user_id, name, token_hash, prefix) VALUES ($1, $2, $3, $4)', [
        user.id,
        'archive',
        t.hash,
        t.prefix,
      ]);
      tokens[user.role] = t.token;
    }
    const ok = await get('?from=2022-03-04&to=2022-03-04&objectId=12', { authorization: `Bearer ${tokens.admin}` });
    expect(ok.status).toBe(200);
    expect((await ok.text()).split('\r\n')).toHaveLength(3);
    expect((await get('', { authorization: `Bearer ${tokens.viewer}` })).status).toBe(403);
  });

  it('refuses a filter it cannot apply instead of exporting more than was asked for', async () => {
    const res = await get('?from=2022-13-01', { cookie: admin.cookie });
    expect(res.status).toBe(400);
    expect(ApiErrorSchema.parse(await res.json()).error).toMatchObject({
      code: 'BAD_FILTER',
      message: 'The export was not made; fix these filters: from=2022-13-01 must be a date written YYYY-MM-DD.',
    });
  });
});
