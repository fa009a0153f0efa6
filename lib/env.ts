import { z } from 'zod';

/**
 * The longest CSV record (one row, quoted line breaks included) an ingest accepts, in bytes. It
 * bounds the memory a file without line breaks, an unclosed quote or a decompression bomb can take
 * (README, Limits); real billing rows are a few kilobytes.
 */
export const DEFAULT_MAX_RECORD_BYTES = 1 << 20;

/** Where the dashboard listens unless HOST says otherwise: every interface. */
export const DEFAULT_HOST = '::';

const EnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// or postgresql:// URL')
    .optional(),
  BURNRATE_DATA_DIR: z.string().min(1).default('.burnrate'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  // Every interface by default (IPv6 and IPv4 where the system has both; scripts/serve.ts falls
  // back to 0.0.0.0 without IPv6): everything but the sign-in pages needs an account. Requests
  // still need a Host of loopback or BURNRATE_PUBLIC_URL (lib/host-check.ts). HOST=127.0.0.1 keeps
  // the dashboard on this machine.
  HOST: z.string().min(1).default(DEFAULT_HOST),
  // The address users open the dashboard at (behind a proxy, say): requests whose Host is neither
  // loopback, HOST nor this URL's host are refused (proxy.ts, lib/host-check.ts).
  BURNRATE_PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: 'BURNRATE_PUBLIC_URL must be an http(s) URL such as https://burnrate.example.com' })
    .optional(),
  // Signs session cookies. Unset: derived from the credentials key (lib/auth/server.ts); set it to
  // sign everyone out (by changing it) without re-entering stored credentials.
  BURNRATE_AUTH_SECRET: z.string().min(32, 'BURNRATE_AUTH_SECRET must be at least 32 characters (openssl rand -base64 32)').optional(),
  // 1: one reverse proxy in front appends the client's address to X-Forwarded-For, and the server
  // believes its last entry (lib/client-ip.ts, scripts/serve.ts). Unset: the socket's peer is the
  // client, whatever X-Forwarded-For says. Only with a proxy the server cannot be reached around.
  BURNRATE_TRUST_PROXY: z
    .enum(['0', '1', 'true', 'false', ''], { error: 'BURNRATE_TRUST_PROXY must be 1 (one proxy in front) or 0' })
    .default('0')
    .transform((v) => v === '1' || v === 'true'),
  BURNRATE_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  BURNRATE_MAX_RECORD_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1 << 30)
    .default(DEFAULT_MAX_RECORD_BYTES),
  // Connector endpoints on link-local and cloud metadata addresses (169.254.0.0/16, fe80::/10,
  // fd00:ec2::254, metadata.google.internal) are refused unless this is 1 (lib/connectors/endpoint-guard.ts).
  BURNRATE_ALLOW_METADATA_ENDPOINTS: z
    .enum(['0', '1', 'true', 'false', ''], { error: 'BURNRATE_ALLOW_METADATA_ENDPOINTS must be 1 or 0' })
    .default('0')
    .transform((v) => v === '1' || v === 'true'),
  // Days of raw metric samples kept (whole day partitions older than this are dropped daily);
  // hourly aggregates are kept 13 months whatever this says (lib/metrics/retention.ts).
  BURNRATE_METRICS_RAW_DAYS: z.coerce.number().int().min(1).max(3650).default(14),
  // Answers the dashboard computed are kept per data version until the data changes
  // (lib/cache/data-version.ts); 0 computes every answer on every request (a baseline to measure).
  BURNRATE_ANSWER_CACHE: z
    .enum(['0', '1', 'true', 'false', ''], { error: 'BURNRATE_ANSWER_CACHE must be 1 (keep answers per data version) or 0' })
    .default('1')
    .transform((v) => v !== '0' && v !== 'false'),
  // The most memory the kept answers take per server process (least recently used go first).
  BURNRATE_ANSWER_CACHE_MB: z.coerce.number().int().min(1).max(4096).default(64),
  // How many web server processes share the port (scripts/serve.ts, node:cluster): one renders on one
  // core; each holds its own answer cache (invalidated by the data version) and ~400 MB of memory.
  BURNRATE_WEB_PROCESSES: z.coerce
    .number({ error: 'BURNRATE_WEB_PROCESSES must be a whole number from 1 to 64' })
    .int({ error: 'BURNRATE_WEB_PROCESSES must be a whole number from 1 to 64' })
    .min(1, { error: 'BURNRATE_WEB_PROCESSES must be a whole number from 1 to 64' })
    .max(64, { error: 'BURNRATE_WEB_PROCESSES must be a whole number from 1 to 64' })
    .default(1),
  // The largest Parquet page (bytes) an ingest reads, which also sizes the slices a row group is read in; unset: a share of the heap (lib/ingest/parquet.ts).
  BURNRATE_MAX_ROW_GROUP_BYTES: z.coerce
    .number()
    .int()
    .min(1 << 16)
    .max(8 * 2 ** 30)
    .optional(),
});
export type Env = z.infer<typeof EnvSchema>;

/** Validates the environment once, failing with a message that names the bad variable. */
export function readEnv(source: Record<string, string | undefined> = process.env): Env {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid environment: ${problems}`);
  }
  return parsed.data;
}

export function requireDatabaseUrl(source: Record<string, string | undefined> = process.env): string {
  const url = readEnv(source).DATABASE_URL;
  if (!url) {
    throw new Error(
      'DATABASE_URL is not set. Run through `npm start` (which starts an embedded PostgreSQL) or set DATABASE_URL to a PostgreSQL 15+ database.',
    );
  }
  return url;
}

/** A connection string with its password replaced, safe to print. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://<unparseable url>';
  }
}
