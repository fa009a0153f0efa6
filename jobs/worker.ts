import { PgBoss } from 'pg-boss';
import { JOBS } from './definitions';

export interface Worker {
  boss: PgBoss;
  stop: () => Promise<void>;
}

/**
 * Starts the pg-boss scheduler and workers for every job in the registry. Several workers (in
 * several processes) may run against one database: pg-boss hands each job to exactly one of them,
 * and each cron fires once per schedule.
 */
export async function startWorker(databaseUrl: string, log: (line: string) => void = console.log): Promise<Worker> {
  const boss = new PgBoss({ connectionString: databaseUrl, schema: 'pgboss', application_name: 'burnrate-worker' });
  boss.on('error', (error: Error) => log(`worker error: ${error.message}`));
  await boss.start();
  for (const job of JOBS) {
    await boss.createQueue(job.name, { retryLimit: 3, retryDelay: 30, retryBackoff: true });
    if (job.cron) await boss.schedule(job.name, job.cron, {}, { tz: 'UTC' });
    await boss.work(job.name, async (batch) => {
      for (const item of batch) {
        const payload = job.payload.parse(item.data ?? {});
        const result = await job.handler(payload);
        log(`job ${job.name} done ${JSON.stringify(result)}`);
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
if (import.meta.url === `file://${process.argv[1]}`) {
  const { resolveDatabase } = await import('../lib/db/connect');
  const db = await resolveDatabase((line) => console.log(line));
  process.env.DATABASE_URL = db.url;
  const worker = await startWorker(db.url);
  console.log(`burnrate worker running ${JOBS.length} job types on ${db.description}`);
  const shutdown = async () => {
    await worker.stop();
    await db.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
