// Azurite (Microsoft's Azure Storage emulator, the `azurite` dev dependency) for tests: the blob
// service as a child process on a free loopback port (started by scripts/local-clouds.ts, which
// `npm run demo:clouds` uses too), in a throwaway workspace directory.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzuriteBlob } from '../../scripts/local-clouds';

export interface Azurite {
  /** Path-style account URL, e.g. http://127.0.0.1:41234/devstoreaccount1 */
  accountUrl: string;
  connectionString: string;
  port: number;
  stop(): Promise<void>;
}

/** Starts Azurite's blob service and waits until it accepts connections. */
export async function startAzurite(): Promise<Azurite> {
  const location = await mkdtemp(path.join(os.tmpdir(), 'burnrate-azurite-'));
  const server = await startAzuriteBlob(location);
  const accountUrl = server.endpoint;
  return {
    accountUrl,
    port: Number(new URL(accountUrl).port),
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${accountUrl};`,
    async stop() {
      await server.stop();
      await rm(location, { recursive: true, force: true });
    },
  };
}

/** Starts Azurite for the calling test file (beforeAll) and stops it afterwards; call the result inside tests. */
export function withAzurite(): () => Azurite {
  let azurite: Azurite | undefined;
  beforeAll(async () => {
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite?.stop();
  });
  return () => {
    if (!azurite) throw new Error('Azurite is not running (withAzurite() must be called at the top of the test file)');
    return azurite;
  };
}
