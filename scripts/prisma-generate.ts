// Runs `prisma generate`. The CLI insists on a schema-engine binary it would otherwise download;
// generating the client never executes it, so any existing file satisfies the check.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const env: Record<string, string | undefined> = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY || !existsSync(env.PRISMA_SCHEMA_ENGINE_BINARY)) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
}
const cli = require.resolve('prisma/build/index.js');
const result = spawnSync(process.execPath, [cli, 'generate'], { env: env as NodeJS.ProcessEnv, stdio: 'inherit' });
if (result.status !== 0 || !existsSync('lib/generated/prisma/client.ts')) {
  console.error('prisma generate failed: lib/generated/prisma/client.ts was not produced');
  process.exit(1);
}
