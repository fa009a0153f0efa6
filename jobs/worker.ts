import { PgBoss } from 'pg-boss';
import { PGBOSS_SCHEMA } from './client';
import { ensureQueue, JOBS, type JobDefinition } from './definitions';

export interface Worker {
  boss: PgBoss;
  stop: () => Promise<void>;
}

export interface WorkerOptions {
  /** The jobs to run; default: the registry in definitions.ts (tests pass their own variants). */
  jobs?: readonly JobDefinition[];
  /** false: no cron schedules (tests drive jobs by hand). */
  schedules?: boolean;
}

/**
 * Starts the pg-boss scheduler and workers for every job in the registry. Several workers (in
 * several processes) may run against one database: pg-boss hands each job to exactly one of them,
 * and each cron fires once per schedule.
 */
export async function startWorker(
  databaseUrl: string,
  log: (line: string) => void = console.log,
  options: WorkerOptions = {},
): Promise<Worker> {
  const jobs = options.jobs ?? JOBS;
  const boss = new PgBoss({ connectionString: databaseUrl, schema: PGBOSS_SCHEMA, application_name: 'burnrate-worker' });
  boss.on('error', (error: Error) => log(`worker error: ${error.message}`));
  await boss.start();
  for (const job of jobs) {
    await ensureQueue(boss, job);
    if (job.cron && options.schedules !== false) await boss.schedule(job.name, job.cron, {}, { tz: 'UTC' });
    await boss.work(job.name, { ...job.work }, async (batch) => {
      for (const item of batch) {
        const payload = job.payload.parse(item.data ?? {});
        try {
          const result = await job.handler(payload, { boss, log, signal: item.signal, retryCount: item.retryCount });
          log(`job ${job.name} done ${JSON.stringify(result)}`);
        } catch (error) {
          log(`job ${job.name} failed (attempt ${item.retryCount + 1}): ${error instanceof Error ? error.message : String(error)}`);
          throw error;
        }
      }
    });
  }
  return {
    boss,
    stop: async () => {
      await boss.stop({ graceful: true, timeout: 10_000 });
    },
  };
}

// `npm run worker`: a standalone worker for deployments that run web and worker separately.
async function main(): Promise<void> {
  const { resolveDatabase } = await import('../lib/db/connect');
  const db = await resolveDatabase((line) => console.log(line));
  process.env.DATABASE_URL = db.url;
  let stopping = false;
  // Ctrl-C also reaches an embedded PostgreSQL; connections dropping while stopping are expected.
  const worker = await startWorker(db.url, (line) => {
    if (!stopping) console.log(line);
  });
  console.log(`burnrate worker running ${JOBS.length} job types on ${db.description}`);
  const shutdown = async () => {
    stopping = true;
    await worker.stop();
    await db.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (import.meta.url === `file://${process.argv[1]}`) void main();
