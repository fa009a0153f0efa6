// npm run demo:load [-- --end YYYY-MM-DD] [--rows N]: generates the demo dataset and ingests it
// into DATABASE_URL (or the embedded PostgreSQL, as `npm start` would use). Without options, a
// demo load that was interrupted is redone with its own end date and size.
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { resolveDatabase } from '../lib/db/connect';
import { closePool } from '../lib/db/pool';
import { loadDemoData, pendingDemoLoad } from '../lib/demo/load';

const ArgsSchema = z.object({
  end: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD')
    .optional(),
  rows: z.coerce.number().int().min(1000).max(20_000_000).optional(),
});

let interrupted = false;

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { end: { type: 'string' }, rows: { type: 'string' } } });
  const parsed = ArgsSchema.safeParse(values);
  if (!parsed.success) {
    console.error(`${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n')}
usage: npm run demo:load -- [--end YYYY-MM-DD] [--rows N]`);
    return 2;
  }
  const log = (line: string) => console.log(`[demo] ${line}`);
  const db = await resolveDatabase(log);
  // Ctrl-C: the file being loaded is rolled back with its connection; the load is recorded as
  // unfinished, so the next `npm start` or `npm run demo:load` loads it again.
  const interrupt = (signal: NodeJS.Signals) => {
    interrupted = true;
    log('interrupted: the demo load stops here; the next `npm start` or `npm run demo:load` loads it again');
    // Idle connections close now (quietly); the one loading is cut by the server's fast shutdown.
    void closePool();
    void db.stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  process.env.DATABASE_URL = db.url;
  const started = Date.now();
  try {
    const given = parsed.data.end !== undefined || parsed.data.rows !== undefined;
    const pending = given ? null : await pendingDemoLoad();
    const options = pending?.resumed ? { endDate: pending.endDate, rowsTarget: pending.rowsTarget } : {};
    if (pending?.resumed)
      log(`the last demo load did not finish: loading it again (data through the day before ${String(pending.endDate)})`);
    const result = await loadDemoData({ log, endDate: parsed.data.end, rowsTarget: parsed.data.rows, ...options });
    const secs = (Date.now() - started) / 1000;
    log(
      `done: ${result.rows.toLocaleString('en-US')} rows in ${secs.toFixed(1)} s (generate ${(result.generateMs / 1000).toFixed(1)} s, ingest ${(result.ingestMs / 1000).toFixed(1)} s, ${Math.round(result.rows / (result.ingestMs / 1000)).toLocaleString('en-US')} rows/s)`,
    );
    for (const f of result.files) {
      for (const t of f.ingested.totals) {
        log(
          `  ${f.ingested.sourceName} ${t.currency}: ${t.rows.toLocaleString('en-US')} rows, billed ${t.billedCost}, effective ${t.effectiveCost ?? 'n/a'}`,
        );
      }
    }
    return 0;
  } finally {
    await closePool();
    await db.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    // Interrupted: the load failed because its connections were closed; the handler exits.
    if (interrupted) return;
    console.error(`error: ${(error as Error).message}`);
    process.exit(1);
  },
);
