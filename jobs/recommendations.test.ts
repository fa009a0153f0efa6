// The recommendations job on a real PostgreSQL with real pg-boss: a refresh asked for by a billing
// ingest and a metrics sync at once is queued once, and the worker's run derives resources from the
// bill and recomputes, here on NAB's recorded idle CPU series moved to end at the present hour.
import { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, useTestDatabase } from '../tests/helpers/db';
import { readSeries, seedInstance } from '../tests/helpers/recommendations';
import { enqueueRecommendationsRefresh, PGBOSS_SCHEMA, RECOMMENDATIONS_QUEUE } from './client';
import { type JobDefinition, recommendationsJob } from './definitions';
import { startWorker, type Worker } from './worker';

let url: string;
let boss: PgBoss;
let worker: Worker | null = null;

beforeAll(async () => {
  url = await useTestDatabase();
  boss = new PgBoss({ connectionString: url, schema: PGBOSS_SCHEMA, supervise: false, schedule: false });
  await boss.start();
});

afterAll(async () => {
  await worker?.stop();
  await boss?.stop({ graceful: false });
});

describe('recommendations-refresh job', () => {
  it('collapses requests into one queued refresh, and the worker’s run writes the recommendations', async () => {
    const idle = readSeries('ec2_cpu_utilization_53ea38.csv');
    const shift = Date.now() - 300_000 - (idle.t.at(-1) as number);
    await seedInstance(
      { resourceId: 'i-0job', state: 'running', resourceType: 'm5.large' },
      { cpu_utilization: { t: idle.t.map((t) => t + shift), v: idle.v } },
    );

    const first = await enqueueRecommendationsRefresh(boss, 'billing');
    expect(first).toEqual(expect.any(String));
    expect(await enqueueRecommendationsRefresh(boss, 'metrics')).toBeNull();

    const job = { ...recommendationsJob, work: { pollingIntervalSeconds: 0.5 } } as JobDefinition;
    const lines: string[] = [];
    worker = await startWorker(url, (line) => lines.push(line), { jobs: [job], schedules: false });
    let state = '';
    for (let i = 0; i < 120 && state !== 'completed' && state !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 500));
      state = (await boss.getJobById(RECOMMENDATIONS_QUEUE, first as string))?.state ?? '';
    }
    expect(state).toBe('completed');
    const done = lines.find((l) => l.startsWith(`job ${RECOMMENDATIONS_QUEUE} done `));
    expect(JSON.parse((done as string).slice(`job ${RECOMMENDATIONS_QUEUE} done `.length))).toMatchObject({
      trigger: 'billing',
      failedRules: [],
    });
    const rows = await sql<{ kind: string; status: string }>(url, "SELECT kind, status FROM recommendations WHERE resource_id = 'i-0job'");
    expect(rows).toContainEqual({ kind: 'idle-instance', status: 'open' });
  });
});
