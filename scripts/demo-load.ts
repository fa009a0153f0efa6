// npm run demo:load [-- --end YYYY-MM-DD] [--rows N]: generates the demo dataset and ingests it
// into DATABASE_URL (or the embedded PostgreSQL, as `npm start` would use).
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { resolveDatabase } from '../lib/db/connect';
import { closePool } from '../lib/db/pool';
import { loadDemoData } from '../lib/demo/load';

const ArgsSchema = z.object({
  end: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'use YYYY-MM-DD')
    .optional(),
  rows: z.coerce.number().int().min(1000).max(20_000_000).optional(),
});

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
  process.env.DATABASE_URL = db.url;
  const started = Date.now();
  try {
    const result = await loadDemoData({ log, endDate: parsed.data.end, rowsTarget: parsed.data.rows });
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
    console.error(`error: ${(error as Error).message}`);
    process.exit(1);
  },
);
