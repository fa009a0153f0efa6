// A child process for tests of lib/db/embedded.ts: starts the embedded PostgreSQL on the data
// directory given as argv[2], prints {"url": …} on one line, and stops the server when stdin closes.
// A start that fails prints what the scripts print (the message, no stack trace) and exits 1.
import { EmbeddedDatabaseError, startEmbeddedPostgres } from '../../lib/db/embedded';

async function main(): Promise<void> {
  const dataDir = process.argv[2];
  if (!dataDir) throw new Error('usage: embedded-child.ts DATA_DIR [RUNTIME_ROOT] [BIN_DIR]');
  const runtimeRoot = process.argv[3] || undefined;
  const binDir = process.argv[4];
  const binaries = binDir ? { initdb: `${binDir}/initdb`, postgres: `${binDir}/postgres` } : undefined;
  const db = await startEmbeddedPostgres({ dataDir, runtimeRoot, binaries });
  process.stdout.write(`${JSON.stringify({ url: db.url })}\n`);
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.once('end', resolve));
  await db.stop();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof EmbeddedDatabaseError ? `error: ${error.message}` : error);
    process.exit(1);
  },
);
