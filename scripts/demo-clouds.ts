// npm run demo:clouds: local S3 (s3rver) and Azure Blob (Azurite) servers holding fixture billing
// deliveries, plus two billing sources pointing at them with a sync of each queued; `npm start`
// (in another terminal) then syncs them through the connectors, no CLI involved. The servers run
// until Ctrl-C; their data lives in <BURNRATE_DATA_DIR>/local-clouds and is rewritten at each start.
import path from 'node:path';
import { closeJobClient, getJobClient } from '../jobs/client';
import { resolveDatabase } from '../lib/db/connect';
import { closePool } from '../lib/db/pool';
import { disconnectPrisma } from '../lib/db/prisma';
import { readEnv } from '../lib/env';
import {
  LOCAL_AZURE_SOURCE,
  LOCAL_CLOUD_FIXTURES,
  LOCAL_S3_SOURCE,
  type LocalClouds,
  registerLocalCloudSources,
  startLocalClouds,
} from './local-clouds';

const log = (line: string) => console.log(`[demo:clouds] ${line}`);

async function main(): Promise<void> {
  const env = readEnv();
  const dir = path.resolve(env.BURNRATE_DATA_DIR, 'local-clouds');
  let clouds: LocalClouds | undefined;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('stopping the local clouds…');
    await clouds?.stop().catch(() => {});
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  const db = await resolveDatabase(log);
  process.env.DATABASE_URL = db.url;
  let failed = false;
  try {
    clouds = await startLocalClouds({ dir });
    log(`S3 (s3rver): ${clouds.s3.config.endpoint}  bucket ${clouds.s3.config.bucket}, legacy CUR of ${LOCAL_CLOUD_FIXTURES.awsMonth}`);
    log(
      `Azure Blob (Azurite): ${clouds.azure.config.accountUrl}  container ${clouds.azure.config.container}, actual + amortized exports of ${LOCAL_CLOUD_FIXTURES.azureMonth}`,
    );
    const registered = await registerLocalCloudSources(clouds, await getJobClient());
    const queued = registered.jobs.filter((id) => id !== null).length;
    log(`sources ${LOCAL_S3_SOURCE} and ${LOCAL_AZURE_SOURCE} saved; ${queued} of 2 syncs queued (the others were already pending)`);
  } catch (error) {
    console.error(`[demo:clouds] error: ${(error as Error).message}`);
    failed = true;
  } finally {
    // The database is npm start's to run: release it (an embedded one this script started stops
    // here; one that npm start already runs is left alone).
    await closeJobClient().catch(() => {});
    await closePool().catch(() => {});
    await disconnectPrisma().catch(() => {});
    await db.stop().catch(() => {});
  }
  if (failed) {
    await shutdown(1);
    return;
  }
  log('now run `npm start` in another terminal (same BURNRATE_DATA_DIR / DATABASE_URL); its worker syncs both sources at once.');
  log(
    `open /sources to watch the syncs, and / to see ${LOCAL_CLOUD_FIXTURES.awsMonth} (AWS, NOK) and ${LOCAL_CLOUD_FIXTURES.azureMonth} (Azure, USD).`,
  );
  log('the servers keep running until Ctrl-C.');
}

void main();
