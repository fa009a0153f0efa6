// Route handlers called as Next calls them: their error bodies are stable and never carry internal
// error text (SQL, driver messages, connection strings); the cause goes to the server log.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GET as health } from '../app/api/health/route';
import { GET as ingestStatus } from '../app/api/ingest/status/route';
import { closePool } from '../lib/db/pool';
import { ApiErrorSchema } from '../lib/schema';
import { userWithRole } from './helpers/auth';
import { sql, useTestDatabase } from './helpers/db';

afterEach(() => {
  vi.restoreAllMocks();
});

function captureErrors(): string[] {
  const lines: string[] = [];
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
  });
  return lines;
}

describe('API error bodies', () => {
  it('/api/health answers 200 while the database is up', async () => {
    await useTestDatabase();
    const res = await health();
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it('/api/health answers 503 with a stable body when the database is down, the cause only in the log', async () => {
    await closePool();
    const saved = process.env.DATABASE_URL;
    // Port 1 on loopback: nothing listens there, so the driver fails with ECONNREFUSED.
    process.env.DATABASE_URL = 'postgresql://burnrate:s3cret-password@127.0.0.1:1/burnrate';
    const logged = captureErrors();
    try {
      const res = await health();
      expect(res.status).toBe(503);
      const raw = await res.text();
      const body = ApiErrorSchema.parse(JSON.parse(raw));
      expect(body.error).toEqual({
        message: 'The database is not reachable.',
        code: 'DATABASE_UNAVAILABLE',
        ref: expect.stringMatching(/^[0-9a-f]{8}$/),
      });
      expect(raw).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|s3cret/);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toContain(`DATABASE_UNAVAILABLE (ref ${body.error.ref})`);
      expect(logged[0]).toContain('ECONNREFUSED');
    } finally {
      await closePool();
      process.env.DATABASE_URL = saved;
    }
  });

  it('/api/ingest/status answers 500 with a stable body when its query fails, the SQL error only in the log', async () => {
    const url = await useTestDatabase();
    const viewer = await userWithRole('viewer');
    await sql(url, 'DROP TABLE ingest_runs CASCADE');
    const logged = captureErrors();
    const res = await ingestStatus(new Request('http://localhost/api/ingest/status', { headers: { cookie: viewer.cookie } }));
    expect(res.status).toBe(500);
    const raw = await res.text();
    const body = ApiErrorSchema.parse(JSON.parse(raw));
    expect(body.error.code).toBe('INGEST_STATUS_FAILED');
    expect(body.error.message).toBe('The ingest status could not be read.');
    expect(raw).not.toContain('ingest_runs');
    expect(logged.join('\n')).toMatch(
      new RegExp(`INGEST_STATUS_FAILED \\(ref ${body.error.ref}\\): .*relation "ingest_runs" does not exist`),
    );
  });
});
